/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Measure group: the measuring tools' results listed with their slice,
 * value and unit; a row shows its slice, its button removes it. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

static const char *
kind_name (CalMeasureKind kind)
{
  switch (kind)
    {
    case CAL_MEASURE_RULER:
      return _("Ruler");
    case CAL_MEASURE_RECTANGLE:
      return _("Rectangle");
    case CAL_MEASURE_ELLIPSE:
    default:
      return _("Ellipse");
    }
}

/* "1 · Ruler · Axial slice 57 of 120" */
static char *
measurement_title (CalWindow            *self,
                   const CalMeasurement *m)
{
  CalSliceView *view = cal_window_get_slice_view (self, m->shape.orientation);
  const CalSlicePlane *plane = cal_slice_view_get_plane (view);

  return g_strdup_printf (_("%u · %s · %s slice %u of %u"), m->number, kind_name (m->shape.kind),
                          cal_slice_view_get_title (view), cal_slice_plane_index (plane, m->shape.n) + 1,
                          plane->n_slices);
}

/* The value with its unit: "42.30 mm"; "Mean 812.0 HU, SD 120.4 HU, min …". */
static char *
measurement_value (const CalMeasurement *m)
{
  g_autofree char *count = NULL;

  if (m->shape.kind == CAL_MEASURE_RULER)
    return g_strdup_printf (_("%.2f mm"), cal_measure_length_mm (&m->shape));
  if (!m->has_stats)
    return g_strdup_printf (_("No voxel centre inside · %.1f mm²"), m->stats.area_mm2);
  count = g_strdup_printf (g_dngettext (NULL, "%'llu voxel", "%'llu voxels", m->stats.n_voxels),
                           (unsigned long long) m->stats.n_voxels);
  if (m->stats.n_voxels < 2)
    return g_strdup_printf (_("%.0f HU · %s · %.1f mm²"), m->stats.mean_hu, count, m->stats.area_mm2);
  return g_strdup_printf (_("Mean %.1f HU, SD %.1f HU, min %.0f HU, max %.0f HU · %s · %.1f mm²"),
                          m->stats.mean_hu, m->stats.sd_hu, m->stats.min_hu, m->stats.max_hu, count,
                          m->stats.area_mm2);
}

/* A row shows its measurement: the crosshair to its centre, so every view
 * turns to the slice it was made on. */
static void
row_activated_cb (GtkListBox    *list,
                  GtkListBoxRow *row,
                  CalWindow     *self)
{
  CalMeasurements *measurements = cal_view_state_get_measurements (self->state);
  guint i = cal_measurements_find (measurements,
                                   GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "measurement-number")));
  const CalMeasurement *m;
  double xyz[3];

  if (i == G_MAXUINT)
    return;
  m = cal_measurements_get (measurements, i);
  cal_slice_plane_to_patient (cal_slice_view_get_plane (cal_window_get_slice_view (self, m->shape.orientation)),
                              (m->shape.u0 + m->shape.u1) / 2, (m->shape.v0 + m->shape.v1) / 2, m->shape.n, xyz);
  cal_view_state_set_cursor (self->state, xyz);
}

static void
remove_clicked_cb (GtkButton *button,
                   CalWindow *self)
{
  CalMeasurements *measurements = cal_view_state_get_measurements (self->state);
  guint i = cal_measurements_find (measurements,
                                   GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "measurement-number")));

  if (i != G_MAXUINT)
    cal_measurements_remove (measurements, i);
}

static GtkWidget *
measurement_row (CalWindow            *self,
                 const CalMeasurement *m)
{
  g_autofree char *title = measurement_title (self, m), *value = measurement_value (m);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Show this slice"));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Measurement"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove Measurement"), -1);
  g_object_set_data (G_OBJECT (remove), "measurement-number", GUINT_TO_POINTER (m->number));
  g_object_set_data (G_OBJECT (row), "measurement-number", GUINT_TO_POINTER (m->number));
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

static void
measurements_changed_cb (CalWindow *self)
{
  CalMeasurements *measurements = cal_view_state_get_measurements (self->state);
  GtkWidget *child;
  guint n = cal_measurements_get_n (measurements);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->measure_list))) != NULL
         && GTK_IS_LIST_BOX_ROW (child))
    gtk_list_box_remove (self->measure_list, child);
  /* Newest first, as the history is. */
  for (guint i = n; i-- > 0; )
    gtk_list_box_append (self->measure_list, measurement_row (self, cal_measurements_get (measurements, i)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-measurements", n > 0);
}

static void
clear_measurements_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  cal_measurements_clear (cal_view_state_get_measurements (CAL_WINDOW (widget)->state));
}

void
cal_window_measure_setup (CalWindow *self)
{
  CalMeasurements *measurements = cal_view_state_get_measurements (self->state);

  g_signal_connect_object (measurements, "changed", G_CALLBACK (measurements_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->measure_list, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_list_box_set_activate_on_single_click (self->measure_list, TRUE);
  measurements_changed_cb (self);
}

void
cal_window_install_measure_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.clear-measurements", NULL, clear_measurements_action);
}
