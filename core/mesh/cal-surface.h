/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-mask.h"
#include "cal-mesh.h"

G_BEGIN_DECLS

#define CAL_SURFACE_ERROR (cal_surface_error_quark ())
GQuark cal_surface_error_quark (void);

typedef enum {
  CAL_SURFACE_ERROR_EMPTY,       /* no voxel carries the label */
  CAL_SURFACE_ERROR_TOO_LARGE,   /* more than 2^32 - 1 vertices or triangles */
} CalSurfaceError;

/*
 * The boundary of the voxels labelled `label` (0: any non-zero label) as a
 * closed, manifold, outward-wound triangle mesh in patient millimetres.
 *
 * Marching cubes over the binary mask, with a case table derived from one
 * face rule (cal-surface-table.c): vertices sit at the midpoints between a
 * foreground and a background voxel centre, the foreground is 6-connected
 * (voxels touching only along an edge or at a corner are separate solids)
 * and voxels outside the volume count as background, so the mesh closes at
 * the volume's border.  Left-handed voxel grids are handled: windings are
 * reversed so normals still point out of the bone.
 *
 * Runs on all cores; progress is called from the calling thread.
 */
CalMesh *cal_surface_from_mask (CalMask          *mask,
                                guint8            label,
                                CalSpace          space,
                                CalProgressFunc   progress,
                                gpointer          progress_data,
                                GCancellable     *cancellable,
                                GError          **error);

G_END_DECLS
