/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"
#include "cal-mesh.h"
#include "cal-types.h"

G_BEGIN_DECLS

#define CAL_DEVIATION_ERROR (cal_deviation_error_quark ())
GQuark cal_deviation_error_quark (void);

typedef enum {
  CAL_DEVIATION_ERROR_EMPTY,          /* the reference has no bone */
  CAL_DEVIATION_ERROR_GRID_MISMATCH,  /* a region on another grid */
} CalDeviationError;

/*
 * The signed-deviation colour map: for each point of the test surface
 * (a vertex of its mesh), the distance in mm to the nearest point of the
 * reference surface, positive where the point lies outside the reference
 * (the test is too big there), negative inside.  The reference surface is
 * the reference mask's marching-cubes mesh (cal-surface.h), the distance
 * exact to its triangles; inside or outside is read from the reference
 * mask, interpolated trilinearly at the point (> ½: inside; exactly ½, a
 * point midway between a bone and a background voxel: the side of the
 * nearest triangle).
 *
 * This is the mesh counterpart of the voxel metrics' signed deviation
 * (cal-metrics.h: from reference surface voxels to the test's), with the
 * same sign; `calvaria-cli evaluate` reports both.
 */
typedef struct _CalDeviationReference CalDeviationReference;

/* Meshes the reference and indexes its triangles (runs on all cores). */
CalDeviationReference *cal_deviation_reference_new     (CalMask                *reference,
                                                        GCancellable           *cancellable,
                                                        GError                **error);
void                   cal_deviation_reference_free    (CalDeviationReference  *self);
CalMask               *cal_deviation_reference_get_mask (CalDeviationReference *self);
guint32                cal_deviation_reference_get_n_triangles (CalDeviationReference *self);

/* values[i] for the point at points[i * stride] (x, y, z in LPS mm);
 * closest (may be NULL): 3 doubles per point, the reference point it
 * was measured to.  FALSE when cancelled. */
gboolean               cal_deviation_reference_measure (CalDeviationReference  *self,
                                                        const float            *points,
                                                        gsize                   stride,
                                                        guint32                 n_points,
                                                        float                  *values,
                                                        GCancellable           *cancellable,
                                                        GError                **error);

/* The signed distance of one point (for a click on the surface). */
double                 cal_deviation_reference_measure_point (CalDeviationReference *self,
                                                              const double           p[3],
                                                              double                 closest[3]);

#define CAL_DEVIATION_BINS 100

/*
 * Summary of a map, weighted by surface area (each vertex stands for a
 * third of the triangles around it) so dense and sparse parts of a mesh
 * count alike; without triangles, every point counts the same.
 */
typedef struct {
  double  tolerance_mm;       /* |d| up to this counts as within */
  double  range_mm;           /* the histogram covers −range … +range */
  guint32 n_points;           /* counted (in the region, if one) */
  double  area_mm2;           /* counted surface */
  double  mean, sd, rms;      /* mm */
  double  min, max;           /* mm */
  double  within_tolerance;   /* share of the area, 0 … 1 */
  double  histogram[CAL_DEVIATION_BINS];  /* share of the area per bin */
  double  below_range, above_range;       /* share beyond −range, +range */
} CalDeviationStats;

/* roi (may be NULL): only points whose nearest voxel is non-zero there
 * count; it must be on the grid `grid` (the reference's). */
void cal_deviation_stats_compute (const float       *values,
                                  const float       *points,
                                  gsize              stride,
                                  guint32            n_points,
                                  const guint32     *triangles,
                                  guint32            n_triangles,
                                  CalMask           *roi,
                                  double             tolerance_mm,
                                  double             range_mm,
                                  CalDeviationStats *stats);

/* The whole map for two masks on one grid: the test's full-resolution
 * surface (cal-surface.h) measured against the reference's, as
 * `calvaria-cli evaluate`, the window's Compare and the report compute it.
 * The mesh carries the values as its scalars; the reference's index stays
 * for measuring more points (a view's coarser surface, a click). */
typedef struct {
  CalMesh               *test_mesh;     /* (owned) */
  CalDeviationReference *reference;     /* (owned) */
  CalDeviationStats      stats;         /* the whole surface */
  CalDeviationStats      region_stats;  /* in the region, when one was given (else all zero) */
} CalSurfaceComparison;

CalSurfaceComparison *cal_surface_comparison_compute (CalMask               *reference,
                                                      CalMask               *test,
                                                      CalMask               *region,
                                                      double                 tolerance_mm,
                                                      double                 range_mm,
                                                      GCancellable          *cancellable,
                                                      GError               **error);
/* The same with the reference's surface and its search already made (dev,
 * transfer full, nullable: made here; it must be of `reference`): what a
 * second Compare against an unchanged reference reuses.  progress (may be
 * NULL) is called from worker threads with the fraction done. */
CalSurfaceComparison *cal_surface_comparison_compute_with (CalDeviationReference *dev,
                                                           CalMask               *reference,
                                                           CalMask               *test,
                                                           CalMask               *region,
                                                           double                 tolerance_mm,
                                                           double                 range_mm,
                                                           CalProgressFunc        progress,
                                                           gpointer               progress_data,
                                                           GCancellable          *cancellable,
                                                           GError               **error);
void                  cal_surface_comparison_free    (CalSurfaceComparison  *comparison);

/* What the numbers mean, for reports and --json. */
#define CAL_DEVIATION_DEFINITION \
  "per vertex of the test's marching-cubes surface, the distance in mm to the nearest point of " \
  "the reference's surface, + where the vertex lies outside the reference; mean, SD, RMS and the " \
  "share within tolerance weighted by surface area"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalDeviationReference, cal_deviation_reference_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalSurfaceComparison, cal_surface_comparison_free)

G_END_DECLS
