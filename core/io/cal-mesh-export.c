/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-export.h"

#include "cal-parallel.h"

typedef struct {
  CalMesh        *mesh;      /* owned */
  CalMeshReport   report;
  char           *path;
  CalStlFormat    format;
  gboolean        override;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->mesh);
  g_free (job->path);
  g_free (job);
}

gboolean
cal_mesh_export (CalMesh              *mesh,
                 const CalMeshReport  *report,
                 const char           *path,
                 CalStlFormat          format,
                 gboolean              override,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_return_val_if_fail (CAL_IS_MESH (mesh), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  if (!report->passed && !override)
    {
      g_autofree char *failures = cal_mesh_report_failures (report);
      g_set_error (error, CAL_MESH_ERROR, CAL_MESH_ERROR_CHECKS_FAILED,
                   "The mesh failed its checks (%s); nothing was written. Export it anyway "
                   "only if you know why", failures);
      return FALSE;
    }
  return cal_stl_write (mesh, path, format, cancellable, error);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ExportJob *job = data;
  GError *error = NULL;

  if (cal_mesh_export (job->mesh, &job->report, job->path, job->format, job->override,
                       cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cal_mesh_export_async (CalMesh              *mesh,
                       const CalMeshReport  *report,
                       const char           *path,
                       CalStlFormat          format,
                       gboolean              override,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ExportJob *job = g_new0 (ExportJob, 1);

  job->mesh = g_object_ref (mesh);
  job->report = *report;
  job->path = g_strdup (path);
  job->format = format;
  job->override = override;
  g_task_set_source_tag (task, cal_mesh_export_async);
  g_task_set_task_data (task, job, export_job_free);
  cal_task_run_in_background (task, export_thread);
}

gboolean
cal_mesh_export_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
