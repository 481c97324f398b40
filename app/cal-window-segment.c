/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Segment Skull: the bundled U-net (compute/cal-segment.h) on the scan
 * shown, in a worker thread with progress and Cancel.  The model, the
 * Vulkan device and the engine are set up in the worker too, so the window
 * never waits for a shader compiler. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-onnx.h"
#include "cal-parallel.h"
#include "cal-segment.h"

typedef struct {
  CalVolume        *volume;
  CalProgress      *progress;   /* borrowed: the window outlives the task */
  CalSegmentReport  report;
} SegmentJob;

static void
segment_job_free (SegmentJob *job)
{
  g_object_unref (job->volume);
  cal_segment_report_clear (&job->report);
  g_free (job);
}

static CalMask *
run_model (SegmentJob    *job,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *path = cal_segment_default_model (error);
  g_autoptr (CalNnGraph) graph = NULL;
  g_autoptr (CalVkContext) vk = NULL;
  g_autoptr (CalNnEngine) engine = NULL;

  if (path == NULL || (graph = cal_onnx_load (path, error)) == NULL ||
      (vk = cal_vk_context_new (NULL, error)) == NULL ||
      (engine = cal_nn_engine_new (vk, graph, error)) == NULL)
    return NULL;
  return cal_segment (engine, job->volume, NULL, cal_progress_report, job->progress, &job->report,
                      cancellable, error);
}

static void
segment_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  CalMask *mask = run_model (task_data, cancellable, &error);

  if (mask == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, mask, g_object_unref);
}

static void
segment_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CalWindow *self = CAL_WINDOW (source);
  SegmentJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (CalMask) mask = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  cal_window_end_task (self);
  if (!mask)
    {
      cal_window_show_error (self, _("Segmentation failed"), error);
      return;
    }
  cal_view_state_set_mask (self->state, mask);
  /* TRANSLATORS: the U-net's mask: its volume in mm³ and mL, voxels, what
   * the clean-up removed, the device and the time in seconds */
  text = g_strdup_printf (_("Mask (U-net skull model): %.0f mm³ (%.1f mL) of bone, %llu voxels. "
                            "Removed outside the skull: %llu voxels. %s, %.1f s."),
                          job->report.bone_mm3, job->report.bone_mm3 / 1000,
                          (unsigned long long) job->report.bone_voxels,
                          (unsigned long long) job->report.removed_voxels, job->report.device,
                          job->report.seconds);
  gtk_label_set_text (self->mask_label, text);
  gtk_label_set_text (self->mesh_label, _("The 3D surface is out of date: update it."));
  cal_window_update_actions (self);
}

static void
segment_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  g_autoptr (GTask) task = NULL;
  SegmentJob *job;
  GCancellable *cancellable;

  if (cal_window_is_busy (self) || !cal_view_state_get_volume (self->state))
    return;
  cancellable = cal_window_begin_task (self, _("Segmenting the skull with the U-net…"));
  job = g_new0 (SegmentJob, 1);
  job->volume = g_object_ref (cal_view_state_get_volume (self->state));
  job->progress = &self->progress;
  task = g_task_new (self, cancellable, segment_done_cb, NULL);   /* holds the window */
  g_task_set_task_data (task, job, (GDestroyNotify) segment_job_free);
  g_task_set_source_tag (task, segment_action);
  cal_task_run_in_background (task, segment_thread);
}

void
cal_window_install_segment_action (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.segment", NULL, segment_action);
}
