/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checked export: a mesh reaches an STL file only when its checks
 * (cal-mesh-check.h) passed, or when the engineer overrides them. */
#pragma once

#include <gio/gio.h>

#include "cal-mesh-pipeline.h"
#include "cal-stl.h"

G_BEGIN_DECLS

/* Writes the mesh only when its report passed, or when `override` says
 * the engineer decided otherwise; the refusal (CAL_MESH_ERROR_CHECKS_FAILED)
 * names the failed checks. */
gboolean  cal_mesh_export        (CalMesh               *mesh,
                                  const CalMeshReport   *report,
                                  const char            *path,
                                  CalStlFormat           format,
                                  gboolean               override,
                                  GCancellable          *cancellable,
                                  GError               **error);
void      cal_mesh_export_async  (CalMesh               *mesh,
                                  const CalMeshReport   *report,
                                  const char            *path,
                                  CalStlFormat           format,
                                  gboolean               override,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data);
gboolean  cal_mesh_export_finish (GAsyncResult          *result,
                                  GError               **error);

G_END_DECLS
