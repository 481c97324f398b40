/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The work on a loaded scan: threshold, the 3D surface, export, and the
 * display presets. */
#include "cal-window-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cal-preset-labels.h"
#include "cal-slice-render.h"
#include "cal-threshold.h"

/* Presets ------------------------------------------------------------- */

/* Each preset row ends with a "Custom" entry that says the values in use
 * whenever they are no preset's (a right-drag on a view, a typed HU): the
 * row never names a preset that is not shown.  Selects preset `match`, or
 * (G_MAXUINT) the Custom entry labelled `custom`, without acting on it. */
static void
show_values (AdwComboRow *row,
             guint        n_presets,
             guint        match,
             const char  *custom,
             GCallback    handler,
             gpointer     self)
{
  GtkStringList *list = GTK_STRING_LIST (adw_combo_row_get_model (row));
  const char *replacement[] = { custom, NULL };

  g_signal_handlers_block_by_func (row, handler, self);
  if (match == G_MAXUINT && g_strcmp0 (gtk_string_list_get_string (list, n_presets), custom) != 0)
    gtk_string_list_splice (list, n_presets, g_list_model_get_n_items (G_LIST_MODEL (list)) - n_presets, replacement);
  adw_combo_row_set_selected (row, match == G_MAXUINT ? n_presets : match);
  g_signal_handlers_unblock_by_func (row, handler, self);
}

static void
threshold_preset_changed_cb (CalWindow *self)
{
  guint n, i = adw_combo_row_get_selected (self->threshold_preset_row);
  const CalThresholdPreset *presets = cal_threshold_presets (&n);

  if (i >= n)
    return;   /* Custom: the values stay as they are */
  gtk_spin_button_set_value (self->min_hu_spin, presets[i].min_hu);
  gtk_spin_button_set_value (self->max_hu_spin, presets[i].max_hu);
}

static void
threshold_range_changed_cb (CalWindow *self)
{
  double lo = gtk_spin_button_get_value (self->min_hu_spin), hi = gtk_spin_button_get_value (self->max_hu_spin);
  const CalThresholdPreset *presets;
  g_autofree char *label = NULL;
  guint n, match = G_MAXUINT;

  presets = cal_threshold_presets (&n);
  for (guint i = 0; i < n && match == G_MAXUINT; i++)
    if (presets[i].min_hu == lo && presets[i].max_hu == hi)
      match = i;
  label = g_strdup_printf (_("Custom (%.0f to %.0f HU)"), lo, hi);
  show_values (self->threshold_preset_row, n, match, label, G_CALLBACK (threshold_preset_changed_cb), self);
}

static void
window_preset_changed_cb (CalWindow *self)
{
  guint n, i = adw_combo_row_get_selected (self->window_preset_row);
  const CalHuPreset *presets = cal_hu_presets (&n);

  if (i < n)
    cal_view_state_set_window_level (self->state, presets[i].width, presets[i].level);
}

static void
window_level_changed_cb (CalWindow *self)
{
  double w = cal_view_state_get_window (self->state), l = cal_view_state_get_level (self->state);
  const CalHuPreset *presets;
  g_autofree char *label = NULL;
  guint n, match = G_MAXUINT;

  presets = cal_hu_presets (&n);
  for (guint i = 0; i < n && match == G_MAXUINT; i++)
    if (fabs (presets[i].width - w) < 0.5 && fabs (presets[i].level - l) < 0.5)
      match = i;
  label = g_strdup_printf (_("Custom (W %.0f, L %.0f HU)"), w, l);
  show_values (self->window_preset_row, n, match, label, G_CALLBACK (window_preset_changed_cb), self);
}

void
cal_window_setup_presets (CalWindow *self)
{
  g_autoptr (GListModel) thresholds = cal_threshold_preset_model_new ();
  g_autoptr (GListModel) windows = cal_hu_preset_model_new ();

  adw_combo_row_set_model (self->threshold_preset_row, thresholds);
  g_signal_connect_swapped (self->threshold_preset_row, "notify::selected",
                            G_CALLBACK (threshold_preset_changed_cb), self);
  g_signal_connect_swapped (self->min_hu_spin, "value-changed", G_CALLBACK (threshold_range_changed_cb), self);
  g_signal_connect_swapped (self->max_hu_spin, "value-changed", G_CALLBACK (threshold_range_changed_cb), self);
  adw_combo_row_set_model (self->window_preset_row, windows);
  g_signal_connect_swapped (self->window_preset_row, "notify::selected",
                            G_CALLBACK (window_preset_changed_cb), self);
}

/* After the state exists: follow its window and level. */
void
cal_window_follow_window_level (CalWindow *self)
{
  g_signal_connect_object (self->state, "notify::window", G_CALLBACK (window_level_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->state, "notify::level", G_CALLBACK (window_level_changed_cb), self,
                           G_CONNECT_SWAPPED);
  window_level_changed_cb (self);
}

void
cal_window_scan_loaded (CalWindow *self)
{
  g_autofree char *preset_id = g_settings_get_string (self->settings, "window-preset");
  const CalHuPreset *preset = cal_hu_preset_find (preset_id);

  if (preset)
    {
      adw_combo_row_set_selected (self->window_preset_row, cal_hu_preset_position (preset_id));
      cal_view_state_set_window_level (self->state, preset->width, preset->level);
    }
  gtk_widget_set_visible (self->sidebar_button, TRUE);
  gtk_widget_set_visible (self->layout_button, TRUE);
  cal_window_set_mask_origin (self, _("No mask yet"));
  gtk_label_set_text (self->mask_label, _("Threshold, segment or paint to make one."));
  gtk_label_set_text (self->mesh_label, "");
  cal_window_surface_clear (self);
  cal_window_quality_scan_loaded (self);
  cal_window_edit_scan_loaded (self);
  cal_window_update_actions (self);
}

/* Threshold ------------------------------------------------------------- */

char *
cal_window_format_volume (double mm3)
{
  /* TRANSLATORS: a volume in cubic millimetres (digits grouped by the locale) and in millilitres */
  return g_strdup_printf (_("%'.0f mm³ (%.1f mL)"), mm3, mm3 / 1000);
}

static void
threshold_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CalWindow *self = CAL_WINDOW (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalMask) mask = NULL;
  g_autofree char *volume = NULL, *text = NULL;
  CalThresholdSummary summary;

  mask = cal_threshold_segment_finish (result, &summary, &error);
  if (!mask)
    {
      cal_window_end_task (self);
      cal_window_show_error (self, _("Threshold failed"), error);
      g_object_unref (self);
      return;
    }
  cal_mask_origin_clear (&self->origin);
  self->origin.threshold_hu = gtk_spin_button_get_value (self->min_hu_spin);
  self->origin.probability = NAN;
  self->origin.device = g_strdup ("CPU");
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    self->origin.made_at = g_date_time_format_iso8601 (now);
  }
  volume = cal_window_format_volume (summary.bone_volume_mm3);
  /* TRANSLATORS: a threshold's mask: its bone volume, voxel counts (digits grouped by the locale) */
  text = g_strdup_printf (_("%s of bone, %'llu voxels. "
                            "Removed as islands: %'llu, outside the largest piece: %'llu. Cavities filled: %'llu voxels."),
                          volume, (unsigned long long) summary.n_bone,
                          (unsigned long long) summary.n_islands_removed,
                          (unsigned long long) summary.n_outside_largest,
                          (unsigned long long) summary.n_filled);
  {
    double lo = gtk_spin_button_get_value (self->min_hu_spin), hi = gtk_spin_button_get_value (self->max_hu_spin);
    g_autofree char *name = g_strdup_printf ("Threshold %g to %g HU", lo, hi);
    g_autofree char *origin = g_strdup_printf (_("Made by a threshold: %.0f to %.0f HU"), lo, hi);
    cal_window_set_method (self, "threshold");
    cal_window_set_mask_origin (self, origin);
    cal_window_edit_finish_task (self, mask, name, text);
  }
  g_object_unref (self);
}

/* The Bone Threshold group's settings. */
void
cal_window_threshold_options (CalWindow           *self,
                              CalThresholdOptions *options)
{
  cal_threshold_options_init (options);
  options->min_hu = gtk_spin_button_get_value (self->min_hu_spin);
  options->max_hu = gtk_spin_button_get_value (self->max_hu_spin);
  options->keep_largest = gtk_switch_get_active (self->keep_largest_switch);
  options->fill_cavities = gtk_switch_get_active (self->fill_cavities_switch);
  options->min_island_mm3 = gtk_spin_button_get_value (self->min_island_spin);
}

static void
threshold_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalThresholdOptions options;
  GCancellable *cancellable;

  if (cal_window_is_busy (self) || !cal_view_state_get_volume (self->state))
    return;
  cal_window_threshold_options (self, &options);
  cancellable = cal_window_begin_task (self, _("Thresholding…"));
  cal_window_edit_task_started (self);
  cal_threshold_segment_async (cal_view_state_get_volume (self->state), &options,
                               cal_progress_report, &self->progress, cancellable,
                               threshold_done_cb, g_object_ref (self));
}

/* Update 3D ------------------------------------------------------------- */

static void
update_3d_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  cal_window_surface_build (CAL_WINDOW (widget));
}

/* Export, reset ------------------------------------------------------------ */

static void
export_dialog_destroyed_cb (CalWindow *self)
{
  self->export_dialog = NULL;
  cal_window_update_actions (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalMask *mask = cal_view_state_get_mask (self->state);

  if (cal_window_is_busy (self) || !mask || self->export_dialog)
    return;
  {
    /* The dialog meshes in the background: it gets the mask as it is now. */
    g_autoptr (CalMask) copy = cal_mask_copy (mask);
    self->export_dialog = cal_export_dialog_new (GTK_WINDOW (self), self->settings, copy);
  }
  g_signal_connect_object (self->export_dialog, "destroy",
                           G_CALLBACK (export_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->export_dialog, "report-wanted",
                           G_CALLBACK (cal_window_quality_write_report), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
}

static void
reset_views_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);

  cal_slice_view_reset_zoom (self->axial_view);
  cal_slice_view_reset_zoom (self->coronal_view);
  cal_slice_view_reset_zoom (self->sagittal_view);
  cal_mesh_view_reset_camera (self->mesh_view);
}

void
cal_window_install_work_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.threshold", NULL, threshold_action);
  gtk_widget_class_install_action (widget_class, "win.update-3d", NULL, update_3d_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.reset-views", NULL, reset_views_action);
}
