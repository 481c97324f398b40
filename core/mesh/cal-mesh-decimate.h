/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-mesh.h"

G_BEGIN_DECLS

typedef struct {
  guint32 n_triangles_before;
  guint32 n_triangles_after;
  double  max_error_mm;        /* the bound that was kept */
  gboolean reached_target;     /* FALSE when the error bound stopped it first */
} CalDecimateSummary;

/*
 * Quadric-error edge collapse (Garland & Heckbert 1997) towards removing
 * `reduction` (0..1) of the triangles, never moving the surface more than
 * `max_error_mm`: each vertex stays within that distance of the planes of
 * every original triangle it replaced (unweighted quadrics make the bound
 * exact).  Collapses that would break the mesh are refused: the edge's two
 * ends must share exactly its two opposite vertices (so the surface stays a
 * closed manifold), no triangle may flip or collapse to zero area, and no
 * vertex may drop to fewer than three triangles.
 */
CalMesh *cal_mesh_decimate (CalMesh             *mesh,
                            double               reduction,
                            double               max_error_mm,
                            CalDecimateSummary  *summary,
                            CalProgressFunc      progress,
                            gpointer             progress_data,
                            GCancellable        *cancellable,
                            GError             **error);

G_END_DECLS
