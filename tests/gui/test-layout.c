/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window at the sizes engineers use, in the language of the run (the
 * suite runs it in English and in Thai): at 1280×800 and 1024×700 the
 * sidebar stays beside the views, at 800×600 it folds over them and F9
 * shows it; no label anywhere is cut short; in Thai no English is left.
 * The preset rows say "Custom" once the values are no preset's; the
 * layout menu shows one view large.  Screenshots of each size are saved. */
#include <locale.h>
#include <math.h>

#include <glib/gi18n.h>

#include "cal-gui-app.h"
#include "cal-hu-presets.h"
#include "cal-preset-labels.h"
#include "cal-window-private.h"

static CalvariaApplication *app;
static CalWindow *window;
static gboolean thai;

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

/* Every widget under `root`, depth first. */
static void
collect (GtkWidget *root, GPtrArray *out)
{
  g_ptr_array_add (out, root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    collect (c, out);
}

static gboolean
has_thai (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) >= 0x0e00 && g_utf8_get_char (p) <= 0x0e7f)
      return TRUE;
  return FALSE;
}

/* A label that is English: a word of three or more Latin letters that is
 * not a unit, an abbreviation kept in Thai, or a name. */
static gboolean
looks_english (const char *text)
{
  static const char *const kept[] = { "HU", "mm", "STL", "DSC", "HD95", "ASSD", "U-net", "NIfTI", "DICOM", "CT",
                                      "Calvaria", "Ctrl", "Shift", "LPS", "GPU", "CPU", "PDF", "JSON", "InVesalius",
                                      "Cranium", "inv3", "voxels", "ONNX", "NIfTI-1", "NIfTI-2", "sform", "qform",
                                      NULL };
  g_auto (GStrv) words = g_regex_split_simple ("[^A-Za-z0-9-]+", text, 0, 0);

  if (strchr (text, ' ') == NULL && strchr (text, '.') != NULL)
    return FALSE;   /* a file name, as the model's */

  for (guint i = 0; words[i]; i++)
    {
      int letters = 0;
      for (const char *p = words[i]; *p; p++)
        letters += g_ascii_isalpha (*p);
      if (letters >= 3 && !g_strv_contains (kept, words[i]) && !g_ascii_isdigit (words[i][0]))
        return TRUE;
    }
  return FALSE;
}

/* No label shown in `root` is ellipsized ("Bone (W 2000, L 400 …"), and
 * in Thai none is English. */
static void
assert_labels_whole (GtkWidget *root, const char *where)
{
  g_autoptr (GPtrArray) widgets = g_ptr_array_new ();
  guint checked = 0;

  collect (root, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *w = widgets->pdata[i];
      const char *text;

      if (!GTK_IS_LABEL (w) || !gtk_widget_is_drawable (w) || gtk_widget_get_width (w) == 0)
        continue;
      text = gtk_label_get_text (GTK_LABEL (w));
      if (*text == '\0')
        continue;
      checked++;
      if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (w))))
        g_error ("%s: the label “%s” is cut short", where, text);
      if (thai && !has_thai (text) && looks_english (text))
        g_error ("%s: the label “%s” is English in Thai", where, text);
    }
  g_assert_cmpuint (checked, >, 4);
}

static void
resize (int width, int height)
{
  gtk_window_unmaximize (GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  cal_gui_spin (0.8);
  /* The default size counts the frame's few pixels of decoration. */
  g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (window)) - width), <=, 16);
  g_assert_cmpint (ABS (gtk_widget_get_height (GTK_WIDGET (window)) - height), <=, 16);
}

static void
shoot (const char *size)
{
  g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (window));
  g_autofree char *name = g_strdup_printf ("layout-%s-%s.png", size, thai ? "th" : "en");
  cal_gui_save_png (shot, name);
}

static void
test_open_and_threshold (void)
{
  g_autoptr (GFile) file = g_file_new_for_path (SAMPLE_INV3);

  g_assert_false (gtk_widget_get_visible (window->sidebar_button));
  cal_window_open (window, file, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_signal_emit_by_name (window->threshold_button, "clicked");
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_assert_null (cal_window_get_error (window));
  g_assert_true (gtk_widget_get_visible (window->sidebar_button));
  g_assert_true (gtk_widget_get_visible (window->layout_button));
}

static void
assert_docked (const char *size)
{
  graphene_rect_t sidebar, views;

  g_assert_false (adw_flap_get_folded (window->flap));
  g_assert_true (adw_flap_get_reveal_flap (window->flap));
  g_assert_true (gtk_widget_compute_bounds (adw_flap_get_flap (window->flap), GTK_WIDGET (window), &sidebar));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (window->view_grid), GTK_WIDGET (window), &views));
  /* Side by side, not over each other. */
  g_assert_cmpfloat (sidebar.origin.x + sidebar.size.width, <=, views.origin.x + 0.5);
  g_assert_cmpfloat (views.size.width, >=, 520);
  assert_labels_whole (GTK_WIDGET (window), size);
}

static void
test_1280x800 (void)
{
  resize (1280, 800);
  assert_docked ("1280×800");
  shoot ("1280x800");
}

static void
test_1024x700 (void)
{
  resize (1024, 700);
  assert_docked ("1024×700");
  shoot ("1024x700");
}

static void
test_800x600_folds (void)
{
  graphene_rect_t views;

  resize (800, 600);
  g_assert_true (adw_flap_get_folded (window->flap));
  g_assert_false (adw_flap_get_reveal_flap (window->flap));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (window->sidebar_button)));
  /* The views have the whole width. */
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (window->view_grid), GTK_WIDGET (window), &views));
  g_assert_cmpfloat (views.size.width, >=, 770);
  shoot ("800x600");
  /* F9 shows the sidebar over the views, and hides it again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL));
  cal_gui_spin (0.6);
  g_assert_true (adw_flap_get_reveal_flap (window->flap));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (window->sidebar_button)));
  assert_labels_whole (adw_flap_get_flap (window->flap), "800×600 sidebar");
  shoot ("800x600-sidebar");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL));
  cal_gui_spin (0.6);
  g_assert_false (adw_flap_get_reveal_flap (window->flap));
}

static const char *
row_value (AdwComboRow *row)
{
  GtkStringList *list = GTK_STRING_LIST (adw_combo_row_get_model (row));
  return gtk_string_list_get_string (list, adw_combo_row_get_selected (row));
}

static void
test_presets_say_custom (void)
{
  CalViewState *state = cal_window_get_state (window);
  const CalHuPreset *brain = cal_hu_preset_find ("brain");
  g_autofree char *custom_window = NULL, *custom_range = NULL;
  GtkEventController *drag;

  resize (1280, 800);
  /* A right-drag on a view changes window and level: the row says so. */
  drag = cal_gui_controller (cal_window_get_slice_view (window, CAL_SLICE_AXIAL), "window-level-drag");
  g_signal_emit_by_name (drag, "drag-begin", 100.0, 100.0);
  g_signal_emit_by_name (drag, "drag-update", 40.0, -25.0);
  g_signal_emit_by_name (drag, "drag-end", 40.0, -25.0);
  custom_window = g_strdup_printf (_("Custom (W %.0f, L %.0f HU)"), cal_view_state_get_window (state),
                                   cal_view_state_get_level (state));
  g_assert_cmpstr (row_value (window->window_preset_row), ==, custom_window);
  /* Choosing a preset sets it, and the row names it again. */
  adw_combo_row_set_selected (window->window_preset_row, cal_hu_preset_position ("brain"));
  g_assert_cmpfloat (cal_view_state_get_window (state), ==, brain->width);
  g_assert_cmpfloat (cal_view_state_get_level (state), ==, brain->level);
  g_assert_true (g_str_has_prefix (row_value (window->window_preset_row), _("Brain")));
  /* Values typed into the threshold are no preset's either. */
  gtk_spin_button_set_value (window->min_hu_spin, 300);
  custom_range = g_strdup_printf (_("Custom (%.0f to %.0f HU)"), 300.0, gtk_spin_button_get_value (window->max_hu_spin));
  g_assert_cmpstr (row_value (window->threshold_preset_row), ==, custom_range);
  adw_combo_row_set_selected (window->threshold_preset_row, 0);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->min_hu_spin), ==, 226);
  g_assert_false (g_str_has_prefix (row_value (window->threshold_preset_row), _("Custom")));
  cal_gui_spin (0.2);
  assert_labels_whole (GTK_WIDGET (window), "presets");
}

/* The Segmentation group's two pages, chosen by its header buttons. */
static void
test_method_pages (void)
{
  g_autofree char *origin = g_strdup_printf (_("Made by a threshold: %.0f to %.0f HU"), 226.0, 3071.0);

  g_assert_cmpstr (gtk_label_get_text (window->mask_origin_label), ==, origin);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.method", "s", "unet"));
  cal_gui_spin (0.3);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (window->segment_button)));
  g_assert_false (gtk_widget_is_drawable (GTK_WIDGET (window->threshold_button)));
  assert_labels_whole (GTK_WIDGET (window), "U-net page");
  shoot ("1280x800-unet-page");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.method", "s", "threshold"));
  cal_gui_spin (0.3);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (window->threshold_button)));
  g_assert_false (gtk_widget_is_drawable (GTK_WIDGET (window->segment_button)));
}

/* The scan information lists the loader's warnings in the language of the run. */
static void
test_scan_information (void)
{
  gtk_menu_button_popup (window->scan_info_button);
  cal_gui_spin (0.4);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (window->scan_info_box)));
  assert_labels_whole (GTK_WIDGET (window->scan_info_box), "scan information");
  {
    /* The popover is a surface of its own: its picture is taken apart. */
    g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (window->scan_info_box));
    g_autofree char *name = g_strdup_printf ("scan-information-%s.png", thai ? "th" : "en");
    cal_gui_save_png (shot, name);
  }
  gtk_menu_button_popdown (window->scan_info_button);
  cal_gui_spin (0.2);
}

static gboolean
no_mask_yet_cb (gpointer data)
{
  return !cal_window_is_busy (window) && g_strcmp0 (gtk_label_get_text (window->mask_origin_label), _("No mask yet")) == 0;
}

/* Opening a scan while the window works (here a threshold) waits for the
 * work to end and then opens it; it is never dropped unseen. */
static void
test_open_while_busy (void)
{
  g_autoptr (GFile) file = g_file_new_for_path (SAMPLE_INV3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.threshold", NULL));
  g_assert_true (cal_window_is_busy (window));
  cal_window_load (window, file, NULL);
  g_assert_true (cal_gui_wait (no_mask_yet_cb, NULL, 120));
  g_assert_null (cal_window_get_error (window));
  g_assert_null (cal_view_state_get_mask (cal_window_get_state (window)) != NULL &&
                 cal_mask_count (cal_view_state_get_mask (cal_window_get_state (window)), 1) > 0 ? "mask" : NULL);
}

static double
width_of (GtkWidget *w)
{
  return gtk_widget_get_width (w);
}

static double
height_of (GtkWidget *w)
{
  return gtk_widget_get_height (w);
}

static void
test_one_large_view (void)
{
  GtkWidget *axial = GTK_WIDGET (cal_window_get_slice_view (window, CAL_SLICE_AXIAL));
  GtkWidget *coronal = GTK_WIDGET (cal_window_get_slice_view (window, CAL_SLICE_CORONAL));
  GtkWidget *sagittal = GTK_WIDGET (cal_window_get_slice_view (window, CAL_SLICE_SAGITTAL));
  GSettings *settings = calvaria_application_get_settings (app);
  g_autofree char *saved = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.layout", "s", "coronal"));
  cal_gui_spin (0.4);
  /* Three quarters of the width and all the height; the others a column. */
  g_assert_cmpfloat (fabs (width_of (coronal) - 3 * width_of (axial)), <, 12);
  g_assert_cmpfloat (fabs (height_of (coronal) - 3 * height_of (axial)), <, 12);
  g_assert_cmpfloat (fabs (width_of (axial) - width_of (sagittal)), <, 2);
  saved = g_settings_get_string (settings, "view-layout");
  g_assert_cmpstr (saved, ==, "coronal");
  shoot ("1280x800-large-coronal");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.layout", "s", "four"));
  cal_gui_spin (0.4);
  g_assert_cmpfloat (fabs (width_of (coronal) - width_of (axial)), <, 2);
  g_assert_cmpfloat (fabs (height_of (coronal) - height_of (axial)), <, 2);
}

int
main (int argc, char **argv)
{
  cal_gui_bind_translations ();
  gtk_test_init (&argc, &argv, NULL);
  thai = g_strcmp0 (g_getenv ("LANGUAGE"), "th") == 0;
  if (thai)
    g_assert_true (has_thai (_("Axial")));
  window = cal_gui_open_window (&app, 1280, 800);

  g_test_add_func ("/layout/open-and-threshold", test_open_and_threshold);
  g_test_add_func ("/layout/1280x800", test_1280x800);
  g_test_add_func ("/layout/1024x700", test_1024x700);
  g_test_add_func ("/layout/800x600-folds", test_800x600_folds);
  g_test_add_func ("/layout/presets-say-custom", test_presets_say_custom);
  g_test_add_func ("/layout/one-large-view", test_one_large_view);
  g_test_add_func ("/layout/method-pages", test_method_pages);
  g_test_add_func ("/layout/scan-information", test_scan_information);
  g_test_add_func ("/layout/open-while-busy", test_open_while_busy);
  return g_test_run ();
}
