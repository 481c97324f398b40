/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Segment Skull: the bundled U-net (compute/cal-segment.h) on the scan
 * shown, with progress and Cancel.  cal_segment_async sets up the model,
 * the Vulkan device and the engine (the CPU reference where no Vulkan
 * device exists) in its worker, so the window never waits for a shader
 * compiler; the application's compute cache keeps them for the next
 * click.  The memory budget and 16-bit activations come
 * from the Preferences. */
#include "cal-window-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cal-segment.h"
#include "calvaria-application.h"

static void
segment_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (CalWindow) self = CAL_WINDOW (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalMask) mask = NULL;
  g_autofree char *summary = NULL, *rule = NULL, *text = NULL;
  CalSegmentReport report = { 0 };

  mask = cal_segment_finish (result, &report, &error);
  cal_window_end_task (self);
  if (!mask)
    {
      cal_window_show_error (self, _("Segmentation failed"), error);
      return;
    }
  cal_view_state_set_mask (self->state, mask);
  /* TRANSLATORS: the U-net's mask: its volume in mm³ and mL, voxels, what
   * the clean-up removed, the device and the time in seconds */
  summary = g_strdup_printf (_("Mask (U-net skull model): %.0f mm³ (%.1f mL) of bone, %llu voxels. "
                               "Removed outside the skull: %llu voxels. %s, %.1f s."),
                             report.bone_mm3, report.bone_mm3 / 1000, (unsigned long long) report.bone_voxels,
                             (unsigned long long) report.removed_voxels, report.device, report.seconds);
  /* Which definition of bone the mask follows: the model's probability
   * threshold and its density floor. */
  if (isinf (report.min_hu))
    /* TRANSLATORS: the probability above which the U-net calls a voxel bone */
    rule = g_strdup_printf (_("Bone: probability above %.2f, no density floor."), report.threshold);
  else
    /* TRANSLATORS: the probability threshold, then the least density (Hounsfield units) called bone */
    rule = g_strdup_printf (_("Bone: probability above %.2f and at least %.0f HU."), report.threshold,
                            report.min_hu);
  text = g_strconcat (summary, " ", rule, NULL);
  /* Where it ran somewhere else than the user would assume (no Vulkan
   * device: the CPU reference), say so where it cannot be missed. */
  if (report.notice)
    cal_window_toast (self, report.notice);
  cal_segment_report_clear (&report);
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
  GCancellable *cancellable;
  CalSegmentOptions options;

  if (cal_window_is_busy (self) || !cal_view_state_get_volume (self->state))
    return;
  cal_segment_options_init (&options);
  options.memory_budget = (guint64) g_settings_get_uint (self->settings, "segment-memory-budget") << 20;
  options.half_storage = g_settings_get_boolean (self->settings, "segment-half-storage");
  cancellable = cal_window_begin_task (self, _("Segmenting the skull with the U-net…"));
  cal_segment_async (calvaria_application_get_compute_cache (
                       CALVARIA_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)))),
                     NULL, cal_view_state_get_volume (self->state), &options, cal_progress_report, &self->progress,
                     cancellable, segment_done_cb, g_object_ref (self));
}

void
cal_window_install_segment_action (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.segment", NULL, segment_action);
}
