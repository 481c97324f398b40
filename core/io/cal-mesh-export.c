/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-export.h"

#include "cal-task.h"

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

static gpointer
export_job (gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  ExportJob *job = data;

  return cal_mesh_export (job->mesh, &job->report, job->path, job->format, job->override, cancellable, error)
         ? CAL_TASK_DONE : NULL;
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
  ExportJob *job = g_new0 (ExportJob, 1);

  job->mesh = g_object_ref (mesh);
  job->report = *report;
  job->path = g_strdup (path);
  job->format = format;
  job->override = override;
  cal_task_run (NULL, cal_mesh_export_async, export_job, job, export_job_free, NULL, cancellable, callback,
                user_data);
}

gboolean
cal_mesh_export_finish (GAsyncResult  *result,
                        GError       **error)
{
  return cal_task_finish (result, cal_mesh_export_async, NULL, error) != NULL;
}
