/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Segment Skull: the bundled U-net (compute/cal-segment.h) on the scan
 * shown, with progress and Cancel, through a CalSegmenter (a test may
 * hand the window a stub).  cal_segment_async sets up the model,
 * the Vulkan device and the engine (the CPU reference where no Vulkan
 * device exists) in its worker, so the window never waits for a shader
 * compiler; the application's compute cache keeps them for the next
 * click.  The memory budget and 16-bit activations come
 * from the Preferences. */
#include "cal-window-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cal-segment.h"
#include "cal-unet-segmenter.h"
#include "calvaria-application.h"

/* The sentence that says what the mask is: how much bone, what the
 * clean-up removed, what computed it, and which definition of bone it
 * follows. */
static char *
describe (const CalSegmentation *s)
{
  g_autofree char *summary = NULL, *rule = NULL;

  g_autofree char *volume = cal_window_format_volume (s->bone_mm3);

  if (s->kind == CAL_SEGMENTER_NETWORK)
    /* TRANSLATORS: the U-net's mask: its volume, voxels (digits grouped by the locale), what
     * the clean-up removed, the device and the time in seconds */
    summary = g_strdup_printf (_("%s of bone, %'llu voxels. Removed outside the skull: %'llu voxels. %s, %.1f s."),
                               volume, (unsigned long long) s->bone_voxels,
                               (unsigned long long) s->removed_voxels, s->device ? s->device : "CPU", s->seconds);
  else
    /* TRANSLATORS: a mask from something else than the U-net (a test's stand-in): its volume,
     * voxels, and what the clean-up removed */
    summary = g_strdup_printf (_("%s of bone, %'llu voxels. Removed by the clean-up: %'llu voxels."),
                               volume, (unsigned long long) s->bone_voxels, (unsigned long long) s->removed_voxels);
  /* Which definition of bone the mask follows: the model's probability
   * threshold and its density floor, or the HU range. */
  if (s->kind != CAL_SEGMENTER_NETWORK)
    /* TRANSLATORS: the range of Hounsfield units called bone */
    rule = g_strdup_printf (_("Bone: %.0f to %.0f HU."), s->min_hu, s->max_hu);
  else if (isinf (s->min_hu))
    /* TRANSLATORS: the probability above which the U-net calls a voxel bone */
    rule = g_strdup_printf (_("Bone: probability above %.2f, no density floor."), s->threshold);
  else if (s->faint_threshold > 0)
    /* TRANSLATORS: the probability threshold; a stricter one for voxels less dense than the HU value after
     * it (on a scan resampled for the network); the least density (Hounsfield units) called bone */
    rule = g_strdup_printf (_("Bone: probability above %.2f (%.2f under %.0f HU) and at least %.0f HU."),
                            s->threshold, s->faint_threshold, s->faint_below_hu, s->min_hu);
  else
    /* TRANSLATORS: the probability threshold, then the least density (Hounsfield units) called bone */
    rule = g_strdup_printf (_("Bone: probability above %.2f and at least %.0f HU."), s->threshold, s->min_hu);
  if (s->kind == CAL_SEGMENTER_NETWORK && *s->stored_orientation &&
      strcmp (s->stored_orientation, s->network_orientation) != 0)
    {
      /* TRANSLATORS: orientation codes of the scan's voxel axes (e.g. LAS: left, anterior, superior), as
       * stored and as the model was trained on; the voxels are only reordered, not resampled */
      g_autofree char *order = g_strdup_printf (_("Voxels stored %s, reordered to %s for the network and back."),
                                                s->stored_orientation, s->network_orientation);
      return g_strconcat (summary, " ", rule, " ", order, NULL);
    }
  return g_strconcat (summary, " ", rule, NULL);
}

const char *
cal_window_get_method (CalWindow *self)
{
  const char *name = self->method_stack ? gtk_stack_get_visible_child_name (self->method_stack) : NULL;

  return name ? name : "threshold";
}

void
cal_window_set_method (CalWindow  *self,
                       const char *method)
{
  if (g_strcmp0 (method, "unet") != 0)
    method = "threshold";
  if (g_strcmp0 (method, cal_window_get_method (self)) == 0)
    return;
  gtk_stack_set_visible_child_name (self->method_stack, method);
  g_object_notify (G_OBJECT (self), "segmentation-method");
}

/* The heading over the mask's summary: what made the mask shown. */
void
cal_window_set_mask_origin (CalWindow  *self,
                            const char *origin)
{
  gtk_label_set_text (self->mask_origin_label, origin);
}

/* The model the U-net page names: its file, or why there is none. */
void
cal_window_show_model (CalWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *model = cal_segment_default_model (&error);
  g_autofree char *name = model ? g_path_get_basename (model) : NULL;

  adw_action_row_set_subtitle (self->unet_model_row, name ? name : _("Not installed: Segment Skull cannot run"));
}

static void
segment_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (CalWindow) self = CAL_WINDOW (user_data);
  g_autoptr (CalSegmenter) segmenter = g_steal_pointer (&self->segmenting);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalMask) mask = NULL;
  g_autofree char *text = NULL;
  CalSegmentation segmentation = { 0 };

  mask = cal_segmenter_segment_finish (segmenter, result, &segmentation, &error);
  if (!mask)
    {
      cal_window_end_task (self);
      cal_window_show_error (self, _("Segmentation failed"), error);
      return;
    }
  text = describe (&segmentation);
  cal_mask_origin_clear (&self->origin);
  self->origin.network = segmentation.kind == CAL_SEGMENTER_NETWORK;
  self->origin.model = self->origin.network ? cal_segment_default_model (NULL) : NULL;
  self->origin.device = g_strdup (segmentation.device ? segmentation.device : "CPU");
  self->origin.threshold_hu = isinf (segmentation.min_hu) ? NAN : segmentation.min_hu;
  self->origin.probability = self->origin.network ? segmentation.threshold : NAN;
  self->origin.faint_probability = self->origin.network ? segmentation.faint_threshold : 0;
  self->origin.faint_below_hu = segmentation.faint_below_hu;
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    self->origin.made_at = g_date_time_format_iso8601 (now);
  }
  /* Where it ran somewhere else than the user would assume (no Vulkan
   * device: the CPU reference), say so where it cannot be missed. */
  if (segmentation.notice)
    cal_window_toast (self, segmentation.notice);
  cal_window_set_method (self, "unet");
  cal_window_set_mask_origin (self, segmentation.kind == CAL_SEGMENTER_NETWORK ? _("Made by the U-net")
                                                                               : _("Made by Segment Skull"));
  cal_segmentation_clear (&segmentation);
  cal_window_edit_finish_task (self, mask, "Segment skull (U-net)", text);
}

/* The U-net with the Preferences' device, memory budget and 16-bit
 * activations, its device and engine kept by the application between
 * clicks. */
static CalSegmenter *
unet_from_settings (CalWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  CalComputeCache *cache = calvaria_application_get_compute_cache (CALVARIA_APPLICATION (app));
  g_autofree char *device = g_settings_get_string (self->settings, "compute-device");
  CalSegmentOptions options;

  cal_segment_options_init (&options);
  options.memory_budget = (guint64) g_settings_get_uint (self->settings, "segment-memory-budget") << 20;
  options.half_storage = g_settings_get_boolean (self->settings, "segment-half-storage");
  cal_compute_cache_set_device (cache, device);
  return cal_unet_segmenter_new (cache, NULL, &options);
}

static void
segment_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  GCancellable *cancellable;

  if (cal_window_is_busy (self) || !cal_view_state_get_volume (self->state))
    return;
  g_set_object (&self->segmenting, NULL);
  self->segmenting = self->segmenter ? g_object_ref (self->segmenter) : unet_from_settings (self);
  cancellable = cal_window_begin_task (self, _("Segmenting the skull with the U-net…"));
  cal_window_edit_task_started (self);
  cal_segmenter_segment_async (self->segmenting, cal_view_state_get_volume (self->state), cal_progress_report,
                               &self->progress, cancellable, segment_done_cb, g_object_ref (self));
}

void
cal_window_set_segmenter (CalWindow    *self,
                          CalSegmenter *segmenter)
{
  g_return_if_fail (CAL_IS_WINDOW (self));
  g_set_object (&self->segmenter, segmenter);
}

void
cal_window_install_segment_action (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.segment", NULL, segment_action);
}
