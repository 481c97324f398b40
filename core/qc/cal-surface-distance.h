/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-mesh.h"

G_BEGIN_DECLS

/*
 * The nearest point of a triangle mesh to any point, exactly (to the
 * triangles, not their vertices): a bounding volume hierarchy over the
 * triangles, built by sorting them along a Morton curve and halving, and
 * searched nearest box first.  Near points cost a few dozen box and
 * triangle tests; far ones (a stray piece 10 cm away) only a few more, as
 * the search prunes every box farther than the best triangle so far.
 *
 * Immutable once built: queries may run on any number of threads.
 */
typedef struct _CalSurfaceDistance CalSurfaceDistance;

/* Copies the triangles; the mesh may be dropped afterwards.  NULL when the
 * mesh has no triangle. */
CalSurfaceDistance *cal_surface_distance_new     (CalMesh             *mesh);
void                cal_surface_distance_free    (CalSurfaceDistance  *self);
/* The distance in the mesh's units (mm) from p to the nearest point of the
 * surface, written to closest (may be NULL). */
double              cal_surface_distance_nearest (const CalSurfaceDistance *self,
                                                  const double         p[3],
                                                  double               closest[3]);

/* The same, faster for a run of nearby points: *hint (start with 0) is
 * where the last answer was found, and is updated; normal (may be NULL):
 * the outward unit normal of the triangle the nearest point lies on. */
double              cal_surface_distance_nearest_hinted (const CalSurfaceDistance *self,
                                                         const double         p[3],
                                                         double               closest[3],
                                                         double               normal[3],
                                                         guint32             *hint);

/* The indices of n points (stride floats apart) along a Morton curve:
 * measured in this order, each point's hint is its neighbour's answer. */
guint32            *cal_points_morton_order      (const float         *points,
                                                  gsize                stride,
                                                  guint32              n);

/* The point of triangle a, b, c nearest to p (exposed for tests). */
void                cal_triangle_closest_point   (const double         p[3],
                                                  const double         a[3],
                                                  const double         b[3],
                                                  const double         c[3],
                                                  double               closest[3]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalSurfaceDistance, cal_surface_distance_free)

G_END_DECLS
