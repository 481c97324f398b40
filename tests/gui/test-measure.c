/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Measuring in a real window under Xvfb: the ruler dragged between two
 * beads of a phantom with anisotropic voxels reads their distance within
 * a voxel; a rectangle and an ellipse give the HU statistics counted here
 * from the voxels; measurements stay on their slice, a row brings it
 * back, Escape drops one being drawn, the button removes one, another scan
 * clears them.  Pointer positions are whole pixels, as a hand gives them. */
#include <glib/gstdio.h>
#include <math.h>

#include "cal-gui-app.h"
#include "cal-nifti.h"
#include "cal-window-private.h"

#define NX 160
#define NY 130
#define NZ 24

static const double spacing[3] = { 0.45, 0.6, 1.5 };
/* Two beads of 2000 HU on slice 12: the ruler's ends. */
static const double bead_a[3] = { 30, 25, 12 }, bead_b[3] = { 128, 101, 12 };

static CalvariaApplication *app;
static CalWindow *window;
static char *tmpdir;

static gsize
at (guint32 i, guint32 j, guint32 k)
{
  return i + (gsize) NX * (j + (gsize) NY * k);
}

/* Soft tissue whose HU say where they are (a rising pattern, so that a
 * region's mean, SD, minimum and maximum depend on exactly which voxels it
 * holds), different on every slice, and the two beads. */
static gint16
tissue_hu (guint32 i, guint32 j, guint32 k)
{
  return (gint16) (20 + (i * 7 + j * 3) % 61 + 100 * k);
}

static char *
write_ct (const char *name)
{
  const guint32 dims[3] = { NX, NY, NZ };
  gint16 *hu = g_new (gint16, NX * NY * NZ);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalVolume) volume = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);
  CalGrid grid;

  for (guint32 k = 0; k < NZ; k++)
    for (guint32 j = 0; j < NY; j++)
      for (guint32 i = 0; i < NX; i++)
        hu[at (i, j, k)] = tissue_hu (i, j, k);
  hu[at ((guint32) bead_a[0], (guint32) bead_a[1], (guint32) bead_a[2])] = 2000;
  hu[at ((guint32) bead_b[0], (guint32) bead_b[1], (guint32) bead_b[2])] = 2000;
  cal_grid_init_axis_aligned (&grid, dims, spacing);
  volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (hu, sizeof (gint16) * NX * NY * NZ));
  g_assert_true (cal_nifti_write_volume (volume, path, CAL_NIFTI_1, &error));
  g_assert_no_error (error);
  return path;
}

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

static void
open_ct (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);

  cal_window_open (window, file, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_assert_null (cal_window_get_error (window));
  cal_gui_spin (0.3);
}

static CalSliceView *
axial (void)
{
  return cal_window_get_slice_view (window, CAL_SLICE_AXIAL);
}

static CalMeasurements *
measurements (void)
{
  return cal_view_state_get_measurements (cal_window_get_state (window));
}

static void
go_to_slice (guint32 k)
{
  cal_gui_show_axial_slice (window, k);
}

static void
set_tool (const char *name)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.tool", "s", name);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, name);
}

/* A drag on the axial view between two voxel positions, the pointer on
 * whole pixels. */
static void
drag_pixels (const double a[3],
             const double b[3])
{
  GtkEventController *gesture = cal_gui_controller (axial (), "cursor-drag");
  double x0, y0, x1, y1;

  g_assert_true (cal_slice_view_voxel_to_widget (axial (), a, &x0, &y0));
  g_assert_true (cal_slice_view_voxel_to_widget (axial (), b, &x1, &y1));
  x0 = round (x0), y0 = round (y0), x1 = round (x1), y1 = round (y1);
  g_signal_emit_by_name (gesture, "drag-begin", x0, y0);
  g_signal_emit_by_name (gesture, "drag-update", (x1 - x0) / 2, (y1 - y0) / 2);
  g_signal_emit_by_name (gesture, "drag-end", x1 - x0, y1 - y0);
  cal_gui_spin (0.1);
}

static const char *
row_subtitle (int index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (window->measure_list, index);

  g_assert_true (ADW_IS_ACTION_ROW (row));
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static gboolean
is_measure_magenta (const guint8 rgba[4])
{
  return rgba[0] > 220 && rgba[1] > 50 && rgba[1] < 110 && rgba[2] > 180 && rgba[2] < 240;
}

static void
test_open (void)
{
  g_autofree char *path = write_ct ("beads.nii.gz");

  open_ct (path);
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (window->measure_list)) &&
                  gtk_list_box_get_row_at_index (window->measure_list, 0) != NULL);
}

static void
test_ruler_reads_the_bead_distance (void)
{
  const double truth = hypot ((bead_b[0] - bead_a[0]) * spacing[0], (bead_b[1] - bead_a[1]) * spacing[1]);
  const double voxel = hypot (spacing[0], spacing[1]);
  const CalMeasurement *m;
  g_autoptr (GdkTexture) shot = NULL;
  g_autofree char *expected = NULL;
  double length;

  go_to_slice (12);
  set_tool ("ruler");
  drag_pixels (bead_a, bead_b);
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 1);
  m = cal_measurements_get (measurements (), 0);
  g_assert_cmpuint (m->number, ==, 1);
  length = cal_measure_length_mm (&m->shape);
  g_test_message ("ruler %.3f mm, beads %.3f mm apart", length, truth);
  g_assert_cmpfloat (fabs (length - truth), <=, voxel);
  /* The mask is not touched; the sidebar lists it in mm. */
  g_assert_cmpuint (cal_mask_count (cal_view_state_get_mask (cal_window_get_state (window)), 1), ==, 0);
  expected = g_strdup_printf ("%.2f mm", length);
  g_assert_cmpstr (row_subtitle (0), ==, expected);
  /* It is drawn on its slice, in the measuring colour. */
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "measure-ruler.png");
  g_assert_cmpfloat (cal_gui_fraction (shot, GTK_WIDGET (window), GTK_WIDGET (axial ()), is_measure_magenta), >, 0.0005);
}

/* Mean, SD, min, max of slice k's voxels for which inside() holds. */
static void
expected_stats (guint32 k, gboolean (*inside) (guint32 i, guint32 j), CalRegionStats *out)
{
  double sum = 0, sum2 = 0;

  *out = (CalRegionStats) { .min_hu = INFINITY, .max_hu = -INFINITY };
  for (guint32 j = 0; j < NY; j++)
    for (guint32 i = 0; i < NX; i++)
      if (inside (i, j))
        {
          double hu = tissue_hu (i, j, k);
          out->n_voxels++;
          sum += hu;
          sum2 += hu * hu;
          out->min_hu = MIN (out->min_hu, hu);
          out->max_hu = MAX (out->max_hu, hu);
        }
  out->mean_hu = sum / out->n_voxels;
  out->sd_hu = sqrt ((sum2 - out->n_voxels * out->mean_hu * out->mean_hu) / (out->n_voxels - 1));
}

static gboolean
in_rectangle (guint32 i, guint32 j)
{
  return i >= 60 && i <= 75 && j >= 40 && j <= 52;
}

static gboolean
in_circle (guint32 i, guint32 j)
{
  /* A 4 mm circle around voxel (80, 70). */
  double du = ((double) i - 80) * spacing[0], dv = ((double) j - 70) * spacing[1];
  return du * du + dv * dv <= 4.0 * 4.0;
}

static void
assert_stats (const CalMeasurement *m, const CalRegionStats *want)
{
  g_assert_true (m->has_stats);
  g_assert_cmpuint (m->stats.n_voxels, ==, want->n_voxels);
  g_assert_cmpfloat_with_epsilon (m->stats.mean_hu, want->mean_hu, 1e-6);
  g_assert_cmpfloat_with_epsilon (m->stats.sd_hu, want->sd_hu, 1e-6);
  g_assert_cmpfloat (m->stats.min_hu, ==, want->min_hu);
  g_assert_cmpfloat (m->stats.max_hu, ==, want->max_hu);
}

static void
test_region_statistics (void)
{
  CalRegionStats want;
  g_autofree char *mean = NULL;

  /* The rectangle's corners 0.4 voxel outside (60, 40) and (75, 52). */
  set_tool ("rectangle");
  drag_pixels ((double[3]) { 59.6, 39.6, 12 }, (double[3]) { 75.4, 52.4, 12 });
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 2);
  expected_stats (12, in_rectangle, &want);
  g_assert_cmpuint (want.n_voxels, ==, 16 * 13);
  assert_stats (cal_measurements_get (measurements (), 1), &want);
  mean = g_strdup_printf ("Mean %.1f HU, SD %.1f HU", want.mean_hu, want.sd_hu);
  g_assert_true (g_str_has_prefix (row_subtitle (0), mean));
  g_assert_nonnull (strstr (row_subtitle (0), "208 voxels"));
  g_assert_nonnull (strstr (row_subtitle (0), "mm²"));

  /* An ellipse drawn as a 4 mm circle: its box 8.0 mm across both ways. */
  set_tool ("ellipse");
  drag_pixels ((double[3]) { 80 - 4 / spacing[0], 70 - 4 / spacing[1], 12 },
               (double[3]) { 80 + 4 / spacing[0], 70 + 4 / spacing[1], 12 });
  expected_stats (12, in_circle, &want);
  g_test_message ("circle: %" G_GUINT64_FORMAT " voxels, measured %" G_GUINT64_FORMAT, want.n_voxels,
                  cal_measurements_get (measurements (), 2)->stats.n_voxels);
  /* Whole pixels move the outline by under 0.1 mm: a voxel centre on the
   * rim may fall either side, so the count may differ by the rim's few. */
  g_assert_cmpuint (cal_measurements_get (measurements (), 2)->stats.n_voxels, <=, want.n_voxels + 4);
  g_assert_cmpuint (cal_measurements_get (measurements (), 2)->stats.n_voxels + 4, >=, want.n_voxels);
  g_assert_cmpfloat (fabs (cal_measurements_get (measurements (), 2)->stats.area_mm2 - G_PI * 16), <, 0.5);
}

static void
test_stays_on_its_slice (void)
{
  g_autoptr (GdkTexture) away = NULL, back = NULL;
  GtkListBoxRow *ruler_row;

  go_to_slice (5);
  away = cal_gui_render (GTK_WIDGET (window));
  g_assert_cmpfloat (cal_gui_fraction (away, GTK_WIDGET (window), GTK_WIDGET (axial ()), is_measure_magenta), <, 0.0001);
  /* Its row (the oldest, last) brings the view back to slice 12. */
  ruler_row = gtk_list_box_get_row_at_index (window->measure_list, 2);
  g_signal_emit_by_name (window->measure_list, "row-activated", ruler_row);
  cal_gui_spin (0.1);
  {
    guint shown;
    g_assert_true (cal_slice_view_get_slice (axial (), &shown, NULL));
    g_assert_cmpuint (shown, ==, 12);
  }
  back = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (back, "measure-regions.png");
  g_assert_cmpfloat (cal_gui_fraction (back, GTK_WIDGET (window), GTK_WIDGET (axial ()), is_measure_magenta), >, 0.001);
}

static void
test_escape_and_remove (void)
{
  GtkEventController *gesture = cal_gui_controller (axial (), "cursor-drag");
  gboolean handled = FALSE;
  GtkWidget *remove;
  double x, y;

  /* Escape while drawing drops the draft; nothing is added. */
  set_tool ("ruler");
  g_assert_true (cal_slice_view_voxel_to_widget (axial (), (double[3]) { 20, 20, 12 }, &x, &y));
  g_signal_emit_by_name (gesture, "drag-begin", x, y);
  g_signal_emit_by_name (gesture, "drag-update", 40.0, 30.0);
  g_assert_nonnull (cal_measurements_get_draft (measurements ()));
  g_signal_emit_by_name (cal_gui_controller (axial (), "slice-keys"), "key-pressed", GDK_KEY_Escape, 0, 0, &handled);
  g_assert_true (handled);
  g_assert_null (cal_measurements_get_draft (measurements ()));
  g_signal_emit_by_name (gesture, "drag-end", 40.0, 30.0);
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 3);
  /* A click measures nothing. */
  drag_pixels ((double[3]) { 20, 20, 12 }, (double[3]) { 20, 20, 12 });
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 3);

  /* The newest row's button removes the ellipse (number 3). */
  remove = gtk_widget_get_last_child (GTK_WIDGET (gtk_list_box_get_row_at_index (window->measure_list, 0)));
  while (remove != NULL && !GTK_IS_BUTTON (remove))
    remove = gtk_widget_get_last_child (remove);
  g_assert_true (GTK_IS_BUTTON (remove));
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 2);
  g_assert_cmpuint (cal_measurements_get (measurements (), 1)->number, ==, 2);
  g_assert_nonnull (gtk_list_box_get_row_at_index (window->measure_list, 1));
  g_assert_null (gtk_list_box_get_row_at_index (window->measure_list, 2));
}

static void
test_keys_choose_tools (void)
{
  const struct { guint key; const char *tool; } keys[] = {
    { GDK_KEY_m, "ruler" }, { GDK_KEY_h, "rectangle" }, { GDK_KEY_c, "ellipse" }, { GDK_KEY_n, "navigate" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gboolean handled = FALSE;
      g_signal_emit_by_name (cal_gui_controller (axial (), "slice-keys"), "key-pressed", keys[i].key, 0, 0, &handled);
      g_assert_true (handled);
      g_assert_cmpstr (cal_window_get_tool_name (window), ==, keys[i].tool);
    }
}

static void
test_another_scan_clears_them (void)
{
  g_autofree char *path = write_ct ("beads-again.nii.gz");

  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (window)));
  open_ct (path);
  g_assert_cmpuint (cal_measurements_get_n (measurements ()), ==, 0);
  g_assert_null (gtk_list_box_get_row_at_index (window->measure_list, 0));
  /* Numbering starts again. */
  go_to_slice (12);
  set_tool ("ruler");
  drag_pixels (bead_a, bead_b);
  g_assert_cmpuint (cal_measurements_get (measurements (), 0)->number, ==, 1);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  tmpdir = cal_gui_private_folder ("calvaria-gui-measure");
  window = cal_gui_open_window (&app, 1280, 800);

  g_test_add_func ("/measure/open", test_open);
  g_test_add_func ("/measure/ruler-reads-the-bead-distance", test_ruler_reads_the_bead_distance);
  g_test_add_func ("/measure/region-statistics", test_region_statistics);
  g_test_add_func ("/measure/stays-on-its-slice", test_stays_on_its_slice);
  g_test_add_func ("/measure/escape-and-remove", test_escape_and_remove);
  g_test_add_func ("/measure/keys-choose-tools", test_keys_choose_tools);
  g_test_add_func ("/measure/another-scan-clears-them", test_another_scan_clears_them);
  return g_test_run ();
}
