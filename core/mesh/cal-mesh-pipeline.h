/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-mask.h"
#include "cal-mesh-check.h"

G_BEGIN_DECLS

#define CAL_MESH_ERROR (cal_mesh_error_quark ())
GQuark cal_mesh_error_quark (void);

typedef enum {
  CAL_MESH_ERROR_CHECKS_FAILED,   /* export refused: the checks failed */
} CalMeshError;

/* From mask to printable mesh, in this order: (keep the mask's largest
 * component), surface, Taubin smoothing, quadric decimation, checks. */
typedef struct {
  guint8    label;               /* 0: any non-zero label */
  CalSpace  space;
  gboolean  keep_largest;        /* on the mask, so the solid keeps its cavities */
  guint     smooth_iterations;   /* 0: none */
  double    decimate_reduction;  /* fraction of triangles to remove; 0: none */
  double    decimate_max_error_mm;
  double    offset_tolerance;    /* voxels, for the mesh-vs-mask volume check */
} CalMeshOptions;

void      cal_mesh_options_init  (CalMeshOptions        *options);

CalMesh  *cal_mesh_build         (CalMask               *mask,
                                  const CalMeshOptions  *options,
                                  CalMeshReport         *report,
                                  CalProgressFunc        progress,
                                  gpointer               progress_data,
                                  GCancellable          *cancellable,
                                  GError               **error);

/* The same in a worker thread; progress is called from that thread.  The
 * mask is read while the task runs: hand over a copy if it is being
 * edited. */
void      cal_mesh_build_async   (CalMask               *mask,
                                  const CalMeshOptions  *options,
                                  CalProgressFunc        progress,
                                  gpointer               progress_data,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data);
CalMesh  *cal_mesh_build_finish  (GAsyncResult          *result,
                                  CalMeshReport         *report,
                                  GError               **error);

G_END_DECLS
