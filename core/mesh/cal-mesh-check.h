/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cal-mask.h"
#include "cal-mesh.h"

G_BEGIN_DECLS

/*
 * What a printer and an implant designer need to trust a mesh, checked
 * before every export:
 * - every edge is shared by exactly two triangles (closed, edge-manifold),
 *   and the two run along it in opposite directions (consistent winding);
 * - the triangles around every vertex form one fan (vertex-manifold);
 * - no degenerate triangles (a repeated vertex, two vertices at the same
 *   point, or zero area) and no duplicates (the same three vertices);
 * - the enclosed volume is positive (normals point outward);
 * - with a mask: the enclosed volume agrees with the mask's voxel volume.
 *   The difference is judged per unit of surface, as the mean offset of
 *   the mesh from the voxel boundary, (V_mesh - V_mask) / area, against
 *   `offset_tolerance` voxels: a relative volume would fail every small
 *   object (midpoint marching cubes cuts each convex voxel edge; a 6 mm
 *   marker loses 5 %, the sample skull 0.14 %) while passing a large
 *   one with a real fault.
 * Components are counted and reported, not judged: pieces (shells that
 * enclose volume) apart from internal cavities (shells facing inward, the
 * voids inside a piece).
 */
typedef struct {
  guint32  n_vertices;
  guint32  n_triangles;
  guint32  n_components;            /* closed shells: pieces and cavities */
  guint32  n_cavities;              /* shells that enclose negative volume: voids inside a piece */
  guint64  n_boundary_edges;        /* used by one triangle */
  guint64  n_nonmanifold_edges;     /* used by more than two */
  guint64  n_misoriented_edges;     /* used twice in the same direction */
  guint64  n_nonmanifold_vertices;  /* more than one fan */
  guint64  n_degenerate_triangles;
  guint64  n_duplicate_triangles;
  double   volume_mm3;              /* signed, enclosed */
  double   area_mm2;
  double   mask_volume_mm3;         /* voxel count x voxel volume; NAN without a mask */
  double   volume_difference;       /* (volume - mask) / mask; NAN without a mask */
  double   mean_offset_mm;          /* (volume - mask) / area; NAN without a mask */
  double   voxel_size_mm;           /* geometric mean of the mask's spacing */
  double   offset_tolerance;        /* voxels */
  gboolean passed;
  /* Filled by cal_mesh_build: FALSE when decimation stopped at its error
   * bound before removing the fraction asked for. */
  gboolean decimate_target_reached;
  /* How long cal_mesh_build's stages took, in ms (0 when not run). */
  double   surface_ms, smooth_ms, decimate_ms, check_ms;
} CalMeshReport;

void   cal_mesh_check             (CalMesh             *mesh,
                                   CalMask             *mask,
                                   guint8               label,
                                   double               offset_tolerance,
                                   CalMeshReport       *report);
/* One line per check, with units, for people. */
char  *cal_mesh_report_describe   (const CalMeshReport *report);
/* The failed checks in a sentence, or NULL when all passed. */
char  *cal_mesh_report_failures   (const CalMeshReport *report);

/* Mean offset allowed between a mask's own surface and its voxels.
 * Measured: the sample skull 0.004 voxel, a 6 mm marker 0.04, spheres and
 * boxes below 0.01; a lone voxel 0.48.  0.1 passes clean bone and stops a
 * mask of specks (remove islands first). */
#define CAL_MESH_DEFAULT_OFFSET_TOLERANCE 0.1

G_END_DECLS
