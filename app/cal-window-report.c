/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The QC report beside an exported STL (cal-qc-report.h): what the
 * window knows goes in (the scan, the mask as exported, the reference,
 * the defect edge's band and the tolerance, the editing history), the
 * rest is measured in a worker; <name>.qc.pdf and <name>.qc.json are
 * written atomically beside the STL. */
#include "cal-window-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cal-edit-history.h"
#include "cal-edit-session.h"
#include "cal-evaluate.h"
#include "cal-qc-report.h"

void
cal_mask_origin_clear (CalMaskOrigin *origin)
{
  g_clear_pointer (&origin->model, g_free);
  g_clear_pointer (&origin->device, g_free);
  g_clear_pointer (&origin->made_at, g_free);
  origin->network = FALSE;
  origin->threshold_hu = NAN;
  origin->probability = NAN;
  origin->faint_probability = 0;
}

typedef struct {
  CalVolume   *ct;
  CalMask     *test, *reference, *region;
  char        *stl, *pdf, *json, *model;
  char        *device;       /* Preferences' "compute-device" */
  CalQcReport *report;
} ReportJob;

static void
report_job_free (ReportJob *job)
{
  g_clear_object (&job->ct);
  g_clear_object (&job->test);
  g_clear_object (&job->reference);
  g_clear_object (&job->region);
  g_free (job->stl);
  g_free (job->pdf);
  g_free (job->json);
  g_free (job->model);
  g_free (job->device);
  g_clear_pointer (&job->report, cal_qc_report_free);
  g_free (job);
}

/* "12 steps: Threshold 226 to 3071 HU; Brush 3.0 mm: …", the applied ones. */
static char *
history_summary (CalWindow *self, char **method)
{
  CalEditHistory *history = cal_edit_session_get_history (cal_window_get_edit_session (self));
  guint n = cal_edit_history_get_position (history);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *step = cal_edit_step_describe (cal_edit_history_get_step (history, i));

      if (i == 0)
        *method = g_strdup (cal_edit_step_get_name (cal_edit_history_get_step (history, i)));
      if (i < 20)
        g_string_append_printf (text, "%s%s", i ? "; " : "", step);
    }
  if (n > 20)
    g_string_append_printf (text, "; and %u more", n - 20);
  if (cal_edit_history_get_n_forgotten (history) > 0)
    g_string_append_printf (text, " (%u older steps forgotten)", cal_edit_history_get_n_forgotten (history));
  return g_strdup_printf ("%u steps: %s", n, text->str);
}

static void
report_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ReportJob *job = data;
  GError *error = NULL;

  if (job->model)
    {
      /* The model's file by its name and SHA-256: which weights made the mask. */
      if (!(job->report->model_sha256 = cal_file_sha256 (job->model, NULL, &error)))
        goto failed;
      job->report->model_name = g_path_get_basename (job->model);
    }
  if (!cal_qc_report_measure (job->report, job->test, job->reference, job->region, job->ct, job->stl, cancellable,
                              &error))
    goto failed;
  if (job->reference)
    {
      g_autoptr(CalVkContext) vk = cal_window_metrics_device (job->device);

      /* Whole and region from one computation of the distances. */
      if (!(job->report->metrics = cal_evaluate_with_region (vk, job->reference, job->test, job->report->region,
                                                             NULL, NULL, cancellable, NULL, &error)))
        goto failed;
      job->report->metrics_region = g_steal_pointer (&job->report->metrics->region);
      if (job->report->device == NULL)
        job->report->device = g_strdup (job->report->metrics->device);
    }
  if (!cal_qc_report_write_pdf (job->report, job->pdf, &error) ||
      !cal_qc_report_write_json (job->report, job->json, &error))
    goto failed;
  g_task_return_boolean (task, TRUE);
  return;
failed:
  g_task_return_error (task, error);
}

static void
report_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  CalWindow *self = CAL_WINDOW (source);
  ReportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  cal_window_end_task (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    cal_window_show_error (self, _("The QC report was not written"), error);
  else
    {
      g_autofree char *name = g_path_get_basename (job->pdf);
      g_autofree char *text = g_strdup_printf (_("QC report written beside the STL: “%s” and its JSON"), name);

      cal_window_toast (self, text);
    }
}

void
cal_window_quality_write_report (CalWindow *self, GFile *stl)
{
  CalMask *mask = cal_view_state_get_mask (self->state), *reference = cal_window_quality_get_reference (self);
  g_autofree char *path = g_file_get_path (stl), *stem = NULL;
  g_autoptr(GTask) task = NULL;
  CalQcOptions options;
  ReportJob *job;

  if (path == NULL || mask == NULL || cal_window_is_busy (self))
    return;
  stem = g_str_has_suffix (path, ".stl") ? g_strndup (path, strlen (path) - 4) : g_strdup (path);
  cal_qc_options_init (&options);
  options.band_mm = cal_quality_panel_get_band_mm (self->quality_panel);
  options.find_defect_edge = options.band_mm > 0;
  if (options.band_mm <= 0)
    options.band_mm = 10;
  options.tolerance_mm = cal_quality_panel_get_tolerance_mm (self->quality_panel);
  job = g_new0 (ReportJob, 1);
  job->ct = g_object_ref (cal_view_state_get_volume (self->state));
  job->test = cal_mask_copy (mask);
  job->reference = reference ? g_object_ref (reference) : NULL;
  job->region = cal_window_quality_get_painted_region (self) ? g_object_ref (cal_window_quality_get_painted_region (self))
                                                             : NULL;
  job->stl = g_steal_pointer (&path);
  job->pdf = g_strconcat (stem, ".qc.pdf", NULL);
  job->json = g_strconcat (stem, ".qc.json", NULL);
  job->device = g_settings_get_string (self->settings, "compute-device");
  job->report = cal_qc_report_new (&options);
  job->report->history = history_summary (self, &job->report->method);
  job->report->threshold_hu = self->origin.threshold_hu;
  job->report->device = g_strdup (self->origin.device);
  job->report->made_at = g_strdup (self->origin.made_at);
  job->model = g_strdup (self->origin.model);
  if (self->origin.network)
    {
      g_free (job->report->method);
      job->report->method = self->origin.faint_probability > 0
        ? g_strdup_printf ("U-net skull model, probability above %.2f (%.2f under %.0f HU, on the CT resampled for "
                           "the network)", self->origin.probability, self->origin.faint_probability,
                           self->origin.faint_below_hu)
        : g_strdup_printf ("U-net skull model, probability above %.2f", self->origin.probability);
    }
  task = g_task_new (self, cal_window_begin_task (self, _("Writing the QC report…")), report_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) report_job_free);
  g_task_run_in_thread (task, report_in_thread);
}
