/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-loader.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cal-dicom.h"
#include "cal-inv3.h"
#include "cal-nifti.h"
#include "cal-parallel.h"
#include "cal-task.h"

G_DEFINE_QUARK (cal-loader-error-quark, cal_loader_error)

CalFormat
cal_format_guess (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return CAL_FORMAT_DICOM;
  if (cal_nifti_path_is_nifti (path))
    return CAL_FORMAT_NIFTI;
  if (cal_inv3_path_is_inv3 (path))
    return CAL_FORMAT_INV3;
  if (cal_dicom_file_looks_dicom (path))
    return CAL_FORMAT_DICOM;
  return CAL_FORMAT_UNKNOWN;
}

static gboolean
unknown_format (const char  *path,
                GError     **error)
{
  const char *dot = strrchr (path, '.');
  g_autofree char *extension = NULL;

  /* The path is never echoed: scans' names often carry the patient's. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The input does not exist"));
      return FALSE;
    }
  extension = dot && !strchr (dot, G_DIR_SEPARATOR) && strlen (dot) <= 8
              ? g_strescape (dot, NULL) : g_strdup ("none");
  g_set_error (error, CAL_LOADER_ERROR, CAL_LOADER_ERROR_UNKNOWN_FORMAT,
               _("The input is not a format Calvaria reads (a DICOM file or folder, .nii, .nii.gz "
                 "or an InVesalius .inv3 project; its extension is %s)"), extension);
  return FALSE;
}

CalVolume *
cal_volume_load (const char       *path,
                 const char       *series_uid,
                 CalLoadFlags      flags,
                 CalLoadReport    *report,
                 CalProgressFunc   progress,
                 gpointer          progress_data,
                 GCancellable     *cancellable,
                 GError          **error)
{
  switch (cal_format_guess (path))
    {
    case CAL_FORMAT_NIFTI:
      return cal_nifti_read_volume (path, flags, report, cancellable, error);
    case CAL_FORMAT_DICOM:
      return cal_dicom_load (path, series_uid, flags, report, progress, progress_data,
                             cancellable, error);
    case CAL_FORMAT_INV3:
      {
        g_autoptr(CalInv3Project) project = cal_inv3_project_load (path, FALSE, report,
                                                                   cancellable, error);
        return project ? g_object_ref (project->volume) : NULL;
      }
    case CAL_FORMAT_UNKNOWN:
    default:
      unknown_format (path, error);
      return NULL;
    }
}

CalMask *
cal_mask_load (const char     *path,
               guint           index,
               CalLoadFlags    flags,
               CalLoadReport  *report,
               GCancellable   *cancellable,
               GError        **error)
{
  switch (cal_format_guess (path))
    {
    case CAL_FORMAT_NIFTI:
      return cal_nifti_read_mask (path, flags, report, cancellable, error);
    case CAL_FORMAT_INV3:
      {
        g_autoptr(CalInv3Project) project = cal_inv3_project_load (path, TRUE, report,
                                                                   cancellable, error);
        if (project == NULL)
          return NULL;
        if (index >= project->masks->len)
          {
            g_set_error (error, CAL_LOADER_ERROR, CAL_LOADER_ERROR_NO_MASK,
                         _("The project has %u masks; there is no mask %u"),
                         project->masks->len, index);
            return NULL;
          }
        return g_object_ref (g_ptr_array_index (project->masks, index));
      }
    case CAL_FORMAT_DICOM:
      g_set_error (error, CAL_LOADER_ERROR, CAL_LOADER_ERROR_NO_MASK,
                   _("DICOM masks (SEG) are not supported; give a NIfTI label file"));
      return NULL;
    case CAL_FORMAT_UNKNOWN:
    default:
      unknown_format (path, error);
      return NULL;
    }
}

typedef struct {
  char           *path;
  char           *series_uid;
  CalLoadFlags    flags;
  CalProgressFunc progress;
  gpointer        progress_data;
  CalLoadReport  *report;
} LoadTask;

static void
load_task_free (gpointer data)
{
  LoadTask *task = data;

  g_free (task->path);
  g_free (task->series_uid);
  cal_load_report_free (task->report);
  g_free (task);
}

static gpointer
load_job (gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  LoadTask *load = data;

  return cal_volume_load (load->path, load->series_uid, load->flags, load->report,
                          load->progress, load->progress_data, cancellable, error);
}

/* progress is called from the worker threads; the caller marshals it. */
void
cal_volume_load_async (const char          *path,
                       const char          *series_uid,
                       CalLoadFlags         flags,
                       CalProgressFunc      progress,
                       gpointer             progress_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  LoadTask *load = g_new0 (LoadTask, 1);

  load->path = g_strdup (path);
  load->series_uid = g_strdup (series_uid);
  load->flags = flags;
  load->progress = progress;
  load->progress_data = progress_data;
  load->report = cal_load_report_new ();
  cal_task_run (NULL, cal_volume_load_async, load_job, load, load_task_free, g_object_unref, cancellable, callback,
                user_data);
}

CalVolume *
cal_volume_load_finish (GAsyncResult  *result,
                        CalLoadReport **report,
                        GError       **error)
{
  LoadTask *load;
  CalVolume *volume = cal_task_finish (result, cal_volume_load_async, (gpointer *) &load, error);

  if (report)
    *report = cal_load_report_copy (load->report);
  return volume;
}
