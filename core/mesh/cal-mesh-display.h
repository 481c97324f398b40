/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-mesh.h"

G_BEGIN_DECLS

/*
 * What the 3D view draws: positions and smooth normals interleaved, and
 * at most `max_triangles` triangles.  A bigger mesh is reduced by vertex
 * clustering (one vertex per cubic cell, cells grown until the budget
 * holds): fast and good enough to look at, but not for printing, which
 * always uses the full mesh.
 */
typedef struct {
  float   *vertices;          /* x, y, z, nx, ny, nz per vertex (owned) */
  guint32  n_vertices;
  guint32 *indices;           /* 3 per triangle (owned) */
  guint32  n_triangles;
  float   *colours;           /* (owned, nullable) r, g, b per vertex in 0 … 1; NULL: bone */
  guint32  source_triangles;  /* of the mesh it was made from */
  double   cell_mm;           /* clustering cell, 0 when not reduced */
  double   min[3], max[3];    /* bounds, LPS mm */
} CalDisplayMesh;

CalDisplayMesh *cal_display_mesh_new  (CalMesh        *mesh,
                                       guint32         max_triangles);
void            cal_display_mesh_free (CalDisplayMesh *display);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalDisplayMesh, cal_display_mesh_free)

G_END_DECLS
