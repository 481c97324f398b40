/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quality control in a real window under Xvfb, on the sample head CT: the
 * reference from the threshold (226 HU), the mask from 300 HU, Compare
 * from the window; the deviation colour map on the 3D view agrees with
 * `calvaria-cli evaluate` at every vertex (same definition) to 1e-3 mm;
 * the legend and the histogram show (screenshots); a click on the surface
 * moves the slice views there and says the deviation; the false-defect
 * check lists pieces and takes the views to one; the thickness map. */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "cal-gui-app.h"
#include "cal-export-dialog.h"
#include "cal-nifti.h"
#include "cal-window-private.h"
#include "calvaria-application.h"

static CalvariaApplication *app;
static CalWindow *window;
static char *tmpdir;

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data)) && !window->surface_busy;
}

static void
wait_idle (void)
{
  g_assert_true (cal_gui_wait (idle_cb, window, 180));
  g_assert_null (cal_window_get_error (window));
}

static CalMask *
mask (void)
{
  return cal_view_state_get_mask (cal_window_get_state (window));
}

static const CalDisplayMesh *
shown_mesh (void)
{
  return cal_mesh_view_get_display_mesh (cal_window_get_mesh_view (window));
}

static GtkWidget *
compare_button (void)
{
  return cal_gui_child (window->quality_panel, CAL_TYPE_QUALITY_PANEL, "compare_button");
}

static void
test_reference_and_mask (void)
{
  g_autoptr (GFile) file = g_file_new_for_path (SAMPLE_INV3);

  cal_window_open (window, file, NULL);
  wait_idle ();
  /* Nothing to compare yet: no reference. */
  g_assert_false (gtk_widget_is_sensitive (compare_button ()));

  adw_combo_row_set_selected (window->threshold_preset_row, 0);   /* bone, 226 HU */
  gtk_switch_set_active (window->keep_largest_switch, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reference-from-threshold", NULL);
  wait_idle ();
  g_assert_nonnull (cal_window_quality_get_reference (window));
  g_assert_cmpfloat (gtk_spin_button_get_value (window->min_hu_spin), ==, 226);

  gtk_spin_button_set_value (window->min_hu_spin, 300);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.threshold", NULL);
  wait_idle ();
  g_assert_nonnull (mask ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.update-3d", NULL);
  wait_idle ();
  g_assert_nonnull (shown_mesh ());
  g_assert_null (shown_mesh ()->colours);
}

/* Pixels of the mesh view that are neutral grey (the tolerance band)
 * against the warm bone colour. */
static gboolean
grey_cb (const guint8 p[4])
{
  return abs (p[2] - p[1]) < 10 && abs (p[1] - p[0]) < 10 && p[1] > 70;
}

static gboolean
warm_cb (const guint8 p[4])
{
  return p[0] > p[2] + 8 && p[0] > 70;   /* r, g, b, a */
}

static gboolean
blue_cb (const guint8 p[4])
{
  return p[2] > p[0] + 60;
}

static gboolean
red_cb (const guint8 p[4])
{
  return p[0] > p[2] + 60 && p[0] > p[1] + 20;
}

static void
test_compare (void)
{
  g_autoptr (GdkTexture) before = NULL, after = NULL;
  GtkWidget *view = GTK_WIDGET (cal_window_get_mesh_view (window));
  double grey0, warm0, grey1, warm1;
  const char *text;

  cal_gui_spin (0.5);
  before = cal_gui_render (GTK_WIDGET (window));
  grey0 = cal_gui_fraction (before, GTK_WIDGET (window), view, grey_cb);
  warm0 = cal_gui_fraction (before, GTK_WIDGET (window), view, warm_cb);
  g_assert_true (gtk_widget_is_sensitive (compare_button ()));
  g_signal_emit_by_name (compare_button (), "clicked");
  wait_idle ();
  text = cal_quality_panel_get_results_text (window->quality_panel);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "DSC 0."));
  g_assert_nonnull (strstr (text, "harmonic mean"));
  g_assert_nonnull (strstr (text, "HD95"));
  g_assert_nonnull (strstr (text, "mm"));
  g_assert_nonnull (shown_mesh ()->colours);
  g_assert_cmpint (cal_quality_panel_get_colour_map (window->quality_panel), ==, CAL_COLOUR_MAP_DEVIATION);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->legend_area)));
  {
    /* The sidebar scrolled to the panel (its end), for the screenshot:
     * the numbers and the histogram beside the map. */
    GtkWidget *sw = gtk_widget_get_ancestor (GTK_WIDGET (window->quality_panel), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw));
    cal_gui_spin (0.2);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  }
  g_assert_true (gtk_widget_get_visible (cal_gui_child (window->quality_panel, CAL_TYPE_QUALITY_PANEL, "histogram_area")));
  cal_gui_spin (0.5);
  after = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (after, "quality-deviation-map.png");
  grey1 = cal_gui_fraction (after, GTK_WIDGET (window), view, grey_cb);
  warm1 = cal_gui_fraction (after, GTK_WIDGET (window), view, warm_cb);
  g_test_message ("3D view: grey %.3f → %.3f, bone-coloured %.3f → %.3f", grey0, grey1, warm0, warm1);
  /* Bone before; within tolerance (grey) after, nearly everywhere. */
  g_assert_cmpfloat (warm0, >, grey0);
  g_assert_cmpfloat (grey1, >, warm1);
  /* The legend holds both ends of the scale. */
  g_assert_cmpfloat (cal_gui_fraction (after, GTK_WIDGET (window), GTK_WIDGET (window->legend_area), blue_cb), >, 0.02);
  g_assert_cmpfloat (cal_gui_fraction (after, GTK_WIDGET (window), GTK_WIDGET (window->legend_area), red_cb), >, 0.02);
}

/* Every vertex's colour-map value against the CLI's at the same point. */
static void
test_map_agrees_with_evaluate (void)
{
  const CalDisplayMesh *mesh = shown_mesh ();
  guint32 n = 0;
  const float *values = cal_window_quality_get_deviation (window, &n);
  g_autofree char *ref = g_build_filename (tmpdir, "ref.nii.gz", NULL), *test = g_build_filename (tmpdir, "test.nii.gz", NULL);
  g_autofree char *points = g_build_filename (tmpdir, "points.csv", NULL), *out = g_build_filename (tmpdir, "out.csv", NULL);
  g_autofree char *csv = NULL, *stderr_text = NULL;
  g_autoptr (GString) text = g_string_new ("x_mm,y_mm,z_mm\n");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  const char *argv[] = { CALVARIA_CLI, "evaluate", ref, test, "--device", "cpu", "--deviation-points", points,
                         "--deviation-map", out, NULL };
  double worst = 0;
  int status = -1;

  g_assert_nonnull (values);
  g_assert_cmpuint (n, ==, mesh->n_vertices);
  g_assert_true (cal_nifti_write_mask (cal_window_quality_get_reference (window), ref, CAL_NIFTI_1, &error));
  g_assert_true (cal_nifti_write_mask (mask (), test, CAL_NIFTI_1, &error));
  for (guint32 i = 0; i < n; i++)
    g_string_append_printf (text, "%.9g,%.9g,%.9g\n", mesh->vertices[6 * i], mesh->vertices[6 * i + 1],
                            mesh->vertices[6 * i + 2]);
  g_assert_true (g_file_set_contents (points, text->str, text->len, &error));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               &stderr_text, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("calvaria-cli evaluate failed: %s", stderr_text);
  g_assert_true (g_file_get_contents (out, &csv, NULL, &error));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, n + 1);
  for (guint32 i = 0; i < n; i++)
    {
      float x, y, z, d;

      g_assert_cmpint (sscanf (lines[i + 1], "%f,%f,%f,%f", &x, &y, &z, &d), ==, 4);
      worst = MAX (worst, fabs (d - values[i]));
      if (fabs (d - values[i]) > 1e-3 && g_getenv ("DUMP"))
        g_printerr ("vertex %u at %g %g %g: app %g cli %g\n", i, x, y, z, values[i], d);
    }
  g_test_message ("%u vertices: the map and evaluate differ by at most %.2g mm", n, worst);
  g_assert_cmpfloat (worst, <=, 1e-3);
}

static void
test_click_moves_slices (void)
{
  CalMeshView *view = cal_window_get_mesh_view (window);
  GtkEventController *click = cal_gui_controller (view, "pick-click");
  double before[3], after[3], point[3];
  double x = gtk_widget_get_width (GTK_WIDGET (view)) / 2.0, y = gtk_widget_get_height (GTK_WIDGET (view)) / 2.0;
  guint32 vertex;

  cal_view_state_get_cursor (cal_window_get_state (window), before);
  g_assert_true (cal_mesh_view_pick (view, x, y, point, &vertex));
  g_signal_emit_by_name (click, "released", 1, x, y);
  cal_gui_spin (0.2);
  cal_view_state_get_cursor (cal_window_get_state (window), after);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat_with_epsilon (after[k], point[k], 1e-6);
  g_assert_cmpfloat (fabs (after[0] - before[0]) + fabs (after[1] - before[1]) + fabs (after[2] - before[2]), >, 1);
  {
    /* The axial view shows the slice through the point. */
    CalVolume *volume = cal_view_state_get_volume (cal_window_get_state (window));
    double ijk[3];
    guint shown;

    g_assert_true (cal_grid_patient_to_voxel (cal_volume_get_grid (volume), point, ijk));
    g_assert_true (cal_slice_view_get_slice (cal_window_get_slice_view (window, CAL_SLICE_AXIAL), &shown, NULL));
    g_assert_cmpint (shown, ==, (int) floor (ijk[2] + 0.5));
  }
  {
    g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (window));
    cal_gui_save_png (shot, "quality-clicked.png");
  }
}

static void
test_thickness_map (void)
{
  g_autofree float *deviation_colours = g_memdup2 (shown_mesh ()->colours, 3 * sizeof (float) * shown_mesh ()->n_vertices);
  gsize n = 3 * (gsize) shown_mesh ()->n_vertices, differ = 0;
  g_autoptr (GdkTexture) shot = NULL;

  cal_quality_panel_set_colour_map (window->quality_panel, CAL_COLOUR_MAP_THICKNESS);
  g_assert_nonnull (shown_mesh ()->colours);
  for (gsize i = 0; i < n; i++)
    differ += fabsf (shown_mesh ()->colours[i] - deviation_colours[i]) > 0.05f;
  g_assert_cmpuint (differ, >, n / 4);
  cal_gui_spin (0.3);
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "quality-thickness-map.png");
  cal_quality_panel_set_colour_map (window->quality_panel, CAL_COLOUR_MAP_BONE);
  g_assert_null (shown_mesh ()->colours);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->legend_area)));
}

static void
test_false_defects (void)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.check-false-defects", NULL));
  wait_idle ();
  /* The sample's 300 HU mask leaves out dense bone that touches it. */
  {
    GtkListBox *list = GTK_LIST_BOX (cal_gui_child (window->quality_panel, CAL_TYPE_QUALITY_PANEL, "false_defects_list"));
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);
    double cursor[3];

    g_assert_nonnull (row);
    g_signal_emit_by_name (list, "row-activated", row);
    cal_view_state_get_cursor (cal_window_get_state (window), cursor);
    g_test_message ("the first piece is at %.1f %.1f %.1f", cursor[0], cursor[1], cursor[2]);
  }
}

/* The region's tint over grey or black: red well above blue. */
static gboolean
orange_cb (const guint8 p[4])
{
  return p[0] > p[2] + 40 && p[1] > p[2] + 10 && p[0] > p[1] + 15;
}

static guint32
orange_vertices (void)
{
  const CalDisplayMesh *mesh = shown_mesh ();
  guint32 n = 0;

  for (guint32 i = 0; i < mesh->n_vertices; i++)
    n += mesh->colours[3 * i] > 0.9f && mesh->colours[3 * i + 2] < 0.2f;
  return n;
}

/* The region of interest shown on the 3D view: the defect edge found, then
 * a region painted as a label file (the upper half of the head), which
 * Compare uses instead. */
static void
test_region (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "region.nii.gz", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (CalMask) region = cal_mask_new (cal_mask_get_grid (mask ()));
  g_autoptr (GError) error = NULL;
  const guint32 *dims = cal_mask_get_grid (region)->dims;
  guint32 found;

  cal_quality_panel_set_colour_map (window->quality_panel, CAL_COLOUR_MAP_REGION);
  g_assert_nonnull (shown_mesh ()->colours);
  found = orange_vertices ();
  g_test_message ("defect edge: %u of %u vertices", found, shown_mesh ()->n_vertices);
  g_assert_cmpuint (found, >, 100);
  g_assert_cmpuint (found, <, shown_mesh ()->n_vertices / 2);

  memset (cal_mask_get_labels_mutable (region) + (gsize) dims[0] * dims[1] * (dims[2] / 2), 3,
          (gsize) dims[0] * dims[1] * (dims[2] - dims[2] / 2));
  g_assert_true (cal_nifti_write_mask (region, path, CAL_NIFTI_1, &error));
  g_assert_true (cal_window_open_region_from (window, file, &error));
  g_assert_no_error (error);
  g_signal_emit_by_name (compare_button (), "clicked");
  wait_idle ();
  g_assert_nonnull (strstr (cal_quality_panel_get_results_text (window->quality_panel), "painted or opened"));
  g_assert_null (strstr (cal_quality_panel_get_results_text (window->quality_panel), "nan"));
  cal_quality_panel_set_colour_map (window->quality_panel, CAL_COLOUR_MAP_REGION);
  g_test_message ("painted region: %u of %u vertices", orange_vertices (), shown_mesh ()->n_vertices);
  g_assert_cmpuint (orange_vertices (), >, found);
  /* The slice views tint the region too (the upper half of the head: the
   * sagittal view shows it). */
  g_assert_true (cal_view_state_get_region (cal_window_get_state (window)) != NULL);
  {
    g_autoptr (GdkTexture) shot = NULL;
    GtkWidget *sagittal = GTK_WIDGET (cal_window_get_slice_view (window, CAL_SLICE_SAGITTAL));
    double tinted;

    cal_gui_spin (0.3);
    shot = cal_gui_render (GTK_WIDGET (window));
    cal_gui_save_png (shot, "quality-region.png");
    tinted = cal_gui_fraction (shot, GTK_WIDGET (window), sagittal, orange_cb);
    /* Without the region: only the mask's own colour is orange there. */
    cal_quality_panel_set_colour_map (window->quality_panel, CAL_COLOUR_MAP_DEVIATION);
    cal_gui_spin (0.3);
    g_clear_object (&shot);
    shot = cal_gui_render (GTK_WIDGET (window));
    g_test_message ("sagittal view: %.3f orange with the region, %.3f without", tinted,
                    cal_gui_fraction (shot, GTK_WIDGET (window), sagittal, orange_cb));
    g_assert_cmpfloat (tinted, >, cal_gui_fraction (shot, GTK_WIDGET (window), sagittal, orange_cb) + 0.1);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-region", NULL);
  g_assert_null (cal_window_quality_get_painted_region (window));
  cal_quality_panel_set_colour_map (window->quality_panel, CAL_COLOUR_MAP_DEVIATION);
  g_assert_null (cal_view_state_get_region (cal_window_get_state (window)));
}

/* The region painted in the slice views: it starts from the region the
 * last Compare used, a stroke adds to it where the brush passes (the mask
 * stays as it was), Ctrl+Z takes the stroke back and redo puts it again,
 * and Compare then measures inside it. */
static void
test_paint_region (void)
{
  CalSliceView *view = cal_window_get_slice_view (window, CAL_SLICE_AXIAL);
  CalEditSession *main_session = cal_window_get_edit_session (window);
  const guint32 *dims = cal_mask_get_grid (mask ())->dims;
  gsize n = cal_grid_n_voxels (cal_mask_get_grid (mask ()));
  g_autofree guint8 *bone_before = g_memdup2 (cal_mask_get_labels (mask ()), n);
  g_autofree guint8 *start = NULL;
  guint32 k = dims[2] / 4, shown;
  const double a[3] = { dims[0] * 0.35, dims[1] * 0.5, k }, b[3] = { dims[0] * 0.6, dims[1] * 0.5, k };
  gsize middle = (gsize) (dims[0] * 0.5) + dims[0] * ((gsize) (dims[1] * 0.5) + (gsize) dims[1] * k);
  guint steps_before = cal_edit_history_get_position (cal_edit_session_get_history (main_session));
  CalMask *region;
  double xyz[3];

  g_assert_false (cal_window_is_painting_region (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paint-region", NULL);
  g_assert_true (cal_window_is_painting_region (window));
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, "brush");
  region = cal_window_quality_get_painted_region (window);
  g_assert_nonnull (region);
  g_assert_true (cal_view_state_get_region (cal_window_get_state (window)) == region);
  start = g_memdup2 (cal_mask_get_labels (region), n);
  /* The last Compare's region was the upper half: this slice is outside it. */
  g_assert_cmpuint (start[middle], ==, 0);

  cal_grid_voxel_to_patient (cal_mask_get_grid (region), a, xyz);
  cal_view_state_set_cursor (cal_window_get_state (window), xyz);
  g_assert_true (cal_slice_view_get_slice (view, &shown, NULL));
  g_assert_cmpuint (shown, ==, k);
  /* The HU range for bone does not limit the region: brain is painted too. */
  gtk_switch_set_active (window->limit_hu_switch, TRUE);
  cal_gui_drag_voxels (view, a, b, 12);
  g_assert_cmpuint (cal_mask_get_labels (region)[middle], ==, 1);
  g_assert_cmpmem (cal_mask_get_labels (mask ()), n, bone_before, n);
  g_assert_cmpuint (cal_edit_history_get_position (cal_edit_session_get_history (main_session)), ==, steps_before);
  {
    g_autoptr (GdkTexture) shot = NULL;
    cal_gui_spin (0.3);
    shot = cal_gui_render (GTK_WIDGET (window));
    cal_gui_save_png (shot, "quality-paint-region.png");
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  g_assert_cmpmem (cal_mask_get_labels (region), n, start, n);
  g_assert_cmpmem (cal_mask_get_labels (mask ()), n, bone_before, n);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL);
  g_assert_cmpuint (cal_mask_get_labels (region)[middle], ==, 1);

  gtk_switch_set_active (window->limit_hu_switch, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paint-region", NULL);
  g_assert_false (cal_window_is_painting_region (window));

  /* Saved as a label file and opened again: the same voxels. */
  {
    g_autofree char *path = g_build_filename (tmpdir, "painted-region.nii.gz", NULL);
    g_autofree char *bad_path = g_build_filename (tmpdir, "painted-region.png", NULL);
    g_autoptr (GFile) file = g_file_new_for_path (path);
    g_autoptr (GFile) bad = g_file_new_for_path (bad_path);
    g_autofree guint8 *painted = g_memdup2 (cal_mask_get_labels (region), n);
    g_autoptr (GError) error = NULL;

    g_assert_false (cal_window_save_region_to (window, bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
    g_clear_error (&error);
    g_assert_true (cal_window_save_region_to (window, file, &error));
    g_assert_no_error (error);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-region", NULL);
    g_assert_null (cal_window_quality_get_painted_region (window));
    g_assert_true (cal_window_open_region_from (window, file, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (cal_mask_get_labels (cal_window_quality_get_painted_region (window)), n, painted, n);
  }
  g_assert_true (cal_edit_tools_get_session (cal_window_get_tools (window)) == main_session);
  g_signal_emit_by_name (compare_button (), "clicked");
  wait_idle ();
  g_assert_nonnull (strstr (cal_quality_panel_get_results_text (window->quality_panel), "painted or opened"));
  g_assert_null (strstr (cal_quality_panel_get_results_text (window->quality_panel), "nan"));
  g_assert_cmpmem (cal_mask_get_labels (mask ()), n, bone_before, n);
}

static gboolean
export_idle_cb (gpointer data)
{
  return !cal_export_dialog_is_busy (CAL_EXPORT_DIALOG (data)) && !cal_window_is_busy (window);
}

/* Export STL with its report: the PDF and the JSON beside the STL, the
 * JSON's SHA-256 the file's, the comparison in it. */
static void
test_export_writes_report (void)
{
  g_autofree char *stl = g_build_filename (tmpdir, "implant-base.stl", NULL);
  g_autofree char *pdf = g_build_filename (tmpdir, "implant-base.qc.pdf", NULL);
  g_autofree char *json = g_build_filename (tmpdir, "implant-base.qc.json", NULL);
  g_autofree char *contents = NULL, *text = NULL, *digest = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (stl);
  CalExportDialog *dialog;
  gsize length;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL);
  dialog = CAL_EXPORT_DIALOG (cal_window_get_export_dialog (window));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_switch_get_active (cal_gui_child (dialog, CAL_TYPE_EXPORT_DIALOG, "report_switch")));
  g_signal_emit_by_name (cal_gui_child (dialog, CAL_TYPE_EXPORT_DIALOG, "check_button"), "clicked");
  g_assert_true (cal_gui_wait (export_idle_cb, dialog, 300));
  cal_export_dialog_save_to (dialog, file);
  g_assert_true (cal_gui_wait (export_idle_cb, dialog, 300));
  cal_gui_spin (0.2);
  g_assert_true (cal_gui_wait (export_idle_cb, dialog, 300));
  g_assert_null (cal_window_get_error (window));
  g_assert_true (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (stl, &contents, &length, NULL));
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  g_assert_true (g_file_get_contents (json, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, digest));
  g_assert_nonnull (strstr (text, "\"surface_deviation\""));
  g_assert_nonnull (strstr (text, "\"dsc\""));
  g_assert_nonnull (strstr (text, "implant-base.stl"));
  /* How the mask was made: the threshold of 300 HU, when, and its steps. */
  g_assert_nonnull (strstr (text, "\"threshold_hu\" : 300"));
  g_assert_null (strstr (text, "\"made_at\" : null"));
  g_assert_nonnull (strstr (text, "\"editing_history\" : \""));
  gtk_window_close (GTK_WINDOW (dialog));
  cal_gui_spin (0.2);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  gtk_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("calvaria-gui-quality-XXXXXX", &error);
  g_assert_no_error (error);
  window = cal_gui_open_window (&app, 1400, 950);

  g_test_add_func ("/quality/reference-and-mask", test_reference_and_mask);
  g_test_add_func ("/quality/compare", test_compare);
  g_test_add_func ("/quality/map-agrees-with-evaluate", test_map_agrees_with_evaluate);
  g_test_add_func ("/quality/click-moves-slices", test_click_moves_slices);
  g_test_add_func ("/quality/thickness-map", test_thickness_map);
  g_test_add_func ("/quality/region", test_region);
  g_test_add_func ("/quality/paint-region", test_paint_region);
  g_test_add_func ("/quality/false-defects", test_false_defects);
  g_test_add_func ("/quality/export-writes-report", test_export_writes_report);
  return g_test_run ();
}
