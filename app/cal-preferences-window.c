/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-preferences-window.h"

#include <glib/gi18n.h>

#include "cal-preset-labels.h"

struct _CalPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwComboRow          *window_preset_row;
  AdwComboRow          *device_row;
  GtkSpinButton        *opacity_spin;
  GtkSwitch            *planes_switch;
  GtkSpinButton        *display_triangles_spin;
  GtkSpinButton        *budget_spin;
  GtkSwitch            *half_switch;
  GtkSpinButton        *smooth_spin;
  GtkSwitch            *ras_switch;

  /* owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (CalPreferencesWindow, cal_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row shows preset names; the setting stores the preset id. */
static void
preset_selected_cb (CalPreferencesWindow *self)
{
  guint n, i = adw_combo_row_get_selected (self->window_preset_row);
  const CalHuPreset *presets = cal_hu_presets (&n);

  if (i < n)
    g_settings_set_string (self->settings, "window-preset", presets[i].id);
}

static void
setup_presets (CalPreferencesWindow *self)
{
  g_autoptr (GListModel) presets = cal_hu_preset_model_new ();
  g_autofree char *current = g_settings_get_string (self->settings, "window-preset");
  guint position = cal_hu_preset_position (current);

  adw_combo_row_set_model (self->window_preset_row, presets);
  if (position != G_MAXUINT)
    adw_combo_row_set_selected (self->window_preset_row, position);
  g_signal_connect_swapped (self->window_preset_row, "notify::selected",
                            G_CALLBACK (preset_selected_cb), self);
}

/* The values of "compute-device", in the order the combo row lists them. */
static const char *const device_ids[] = { "", "cpu", "lavapipe", "reference" };

static void
device_selected_cb (CalPreferencesWindow *self)
{
  guint i = adw_combo_row_get_selected (self->device_row);

  if (i < G_N_ELEMENTS (device_ids))
    g_settings_set_string (self->settings, "compute-device", device_ids[i]);
}

static void
setup_devices (CalPreferencesWindow *self)
{
  const char *names[] = {
    _("Automatic (a GPU, else the CPU)"),
    _("CPU (oneDNN)"),
    _("lavapipe (Vulkan on the CPU, slow)"),
    _("CPU reference (exact, very slow)"),
    NULL,
  };
  g_autoptr (GtkStringList) model = gtk_string_list_new (names);
  g_autofree char *current = g_settings_get_string (self->settings, "compute-device");

  adw_combo_row_set_model (self->device_row, G_LIST_MODEL (model));
  for (guint i = 0; i < G_N_ELEMENTS (device_ids); i++)
    if (g_strcmp0 (current, device_ids[i]) == 0)
      adw_combo_row_set_selected (self->device_row, i);
  g_signal_connect_swapped (self->device_row, "notify::selected", G_CALLBACK (device_selected_cb), self);
}

static void
cal_preferences_window_finalize (GObject *object)
{
  CalPreferencesWindow *self = CAL_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cal_preferences_window_parent_class)->finalize (object);
}

static void
cal_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CAL_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (cal_preferences_window_parent_class)->dispose (object);
}

static void
cal_preferences_window_class_init (CalPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cal_preferences_window_dispose;
  object_class->finalize = cal_preferences_window_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/calvaria/Calvaria/cal-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, window_preset_row);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, device_row);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, opacity_spin);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, planes_switch);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, display_triangles_spin);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, budget_spin);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, half_switch);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, smooth_spin);
  gtk_widget_class_bind_template_child (widget_class, CalPreferencesWindow, ras_switch);
}

static void
cal_preferences_window_init (CalPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cal_preferences_window_new (GSettings *settings)
{
  CalPreferencesWindow *self = g_object_new (CAL_TYPE_PREFERENCES_WINDOW, NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "overlay-opacity", self->opacity_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "show-slice-planes", self->planes_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "display-max-triangles", self->display_triangles_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "segment-memory-budget", self->budget_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "segment-half-storage", self->half_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "export-smooth-iterations", self->smooth_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "export-ras", self->ras_switch, "active", G_SETTINGS_BIND_DEFAULT);
  setup_presets (self);
  setup_devices (self);
  return GTK_WIDGET (self);
}
