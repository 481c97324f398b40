/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The editing tools in a real window under Xvfb, driven through the slice
 * views' gestures and keys: brush, eraser, pieces, fill between slices with
 * its preview, the history list, undo and redo, saving and opening a mask,
 * closing with unsaved edits, and restoring them after a crash.  Every
 * step checks the voxels; screenshots of the brush's outline, the fill
 * preview and the history list are saved. */
#include <glib/gstdio.h>
#include <math.h>

#include "cal-gui-app.h"
#include "cal-nifti.h"
#include "cal-window-private.h"
#include "calvaria-application.h"

#define NX 120
#define NY 120
#define NZ 40

static CalvariaApplication *app;
static CalWindow *window;
static char *tmpdir, *ct_path;

static gsize
at (guint32 i, guint32 j, guint32 k)
{
  return i + (gsize) NX * (j + (gsize) NY * k);
}

/* A ring of bone (radius 40 to 46 mm) on every slice, soft tissue inside,
 * air outside, and a small bone piece in a corner: 1 × 1 × 2 mm voxels. */
static void
write_ct (void)
{
  const guint32 dims[3] = { NX, NY, NZ };
  const double spacing[3] = { 1, 1, 2 };
  gint16 *hu = g_new (gint16, NX * NY * NZ);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalVolume) volume = NULL;
  CalGrid grid;

  for (guint32 k = 0; k < NZ; k++)
    for (guint32 j = 0; j < NY; j++)
      for (guint32 i = 0; i < NX; i++)
        {
          double r = hypot (i - 60.0, j - 60.0);
          gboolean piece = i >= 6 && i < 12 && j >= 6 && j < 12 && k >= 30 && k < 34;
          hu[at (i, j, k)] = (r >= 40 && r <= 46) || piece ? 1000 : r < 40 ? 40 : -1000;
        }
  cal_grid_init_axis_aligned (&grid, dims, spacing);
  volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (hu, sizeof (gint16) * NX * NY * NZ));
  ct_path = g_build_filename (tmpdir, "ct.nii.gz", NULL);
  g_assert_true (cal_nifti_write_volume (volume, ct_path, CAL_NIFTI_1, &error));
  g_assert_no_error (error);
}

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

static void
wait_idle (void)
{
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_assert_null (cal_window_get_error (window));
}

static CalMask *
mask (void)
{
  return cal_view_state_get_mask (cal_window_get_state (window));
}

static guint8 *
snapshot_labels (void)
{
  return g_memdup2 (cal_mask_get_labels (mask ()), NX * NY * NZ);
}

static void
assert_labels (const guint8 *expected,
               const char   *what)
{
  if (memcmp (cal_mask_get_labels (mask ()), expected, NX * NY * NZ) != 0)
    g_error ("%s: the mask is not the one expected", what);
}

static guint64
slice_count (guint32 k)
{
  guint64 n = 0;
  for (guint32 j = 0; j < NY; j++)
    for (guint32 i = 0; i < NX; i++)
      n += cal_mask_get_labels (mask ())[at (i, j, k)] == 1;
  return n;
}

/* Undo puts `before` back, redo `after`. */
static void
assert_undo_redo (const guint8 *before,
                  const guint8 *after,
                  const char   *what)
{
  g_autofree char *undone = g_strdup_printf ("undo of the %s", what), *redone = g_strdup_printf ("redo of the %s", what);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  assert_labels (before, undone);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL);
  assert_labels (after, redone);
}

static CalSliceView *
axial (void)
{
  return cal_window_get_slice_view (window, CAL_SLICE_AXIAL);
}

/* Shows axial slice k (the crosshair moves there). */
static void
go_to_slice (guint32 k)
{
  cal_gui_show_axial_slice (window, k);
}

/* A drag on the axial view from voxel a to voxel b (on the shown slice). */
static void
drag (const double a[3],
      const double b[3],
      int          steps)
{
  cal_gui_drag_voxels (axial (), a, b, steps);
}

static gboolean
tools_idle_cb (gpointer data)
{
  return !cal_edit_tools_is_working (cal_window_get_tools (window));
}

/* Pieces and scissors work in a worker: their step lands when it is done. */
static void
wait_tools (void)
{
  g_assert_true (cal_gui_wait (tools_idle_cb, NULL, 60));
  g_assert_null (cal_window_get_error (window));
}

static void
click_voxel (const double v[3])
{
  drag (v, v, 0);
  wait_tools ();
}

static void
set_tool (const char *name)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.tool", "s", name);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, name);
}

static void
press_key (guint keyval)
{
  gboolean handled = FALSE;
  g_signal_emit_by_name (cal_gui_controller (axial (), "slice-keys"), "key-pressed", keyval, 0, 0, &handled);
  g_assert_true (handled);
}

static guint
history_steps (void)
{
  return cal_edit_history_get_n_steps (cal_edit_session_get_history (cal_window_get_edit_session (window)));
}

static guint
history_position (void)
{
  return cal_edit_history_get_position (cal_edit_session_get_history (cal_window_get_edit_session (window)));
}

static const char *
history_row_text (guint row_index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (window->history_list, (int) row_index);
  g_assert_nonnull (row);
  return gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (row)));
}

/* Steps ------------------------------------------------------------------ */

static void
test_open (void)
{
  g_autoptr (GFile) file = g_file_new_for_path (ct_path);

  cal_window_open (window, file, NULL);
  wait_idle ();
  g_assert_nonnull (mask ());
  g_assert_cmpuint (cal_mask_count (mask (), 1), ==, 0);
  g_assert_cmpuint (history_steps (), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (window->export_button)));
  cal_gui_spin (0.3);
}

static void
test_keys (void)
{
  CalEditTools *tools = cal_window_get_tools (window);

  gtk_widget_grab_focus (GTK_WIDGET (axial ()));
  press_key (GDK_KEY_b);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, "brush");
  g_assert_cmpfloat (cal_edit_tools_get_radius (tools), ==, 3.0);
  press_key (GDK_KEY_bracketright);
  g_assert_cmpfloat (cal_edit_tools_get_radius (tools), ==, 4.0);
  g_assert_cmpfloat (gtk_adjustment_get_value (window->radius_adjustment), ==, 4.0);
  press_key (GDK_KEY_bracketleft);
  press_key (GDK_KEY_bracketleft);
  g_assert_cmpfloat (cal_edit_tools_get_radius (tools), ==, 2.5);
  press_key (GDK_KEY_e);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, "eraser");
  press_key (GDK_KEY_k);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, "keep-island");
  press_key (GDK_KEY_d);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, "remove-island");
  press_key (GDK_KEY_n);
  g_assert_cmpstr (cal_window_get_tool_name (window), ==, "navigate");
}

static void
test_fill_between (void)
{
  const double c10[3] = { 60, 60, 10 }, c20[3] = { 60, 60, 20 };
  g_autofree guint8 *drawn = NULL, *filled = NULL;
  g_autoptr (GdkTexture) shot = NULL;
  guint64 mid;

  set_tool ("brush");
  gtk_adjustment_set_value (window->radius_adjustment, 5);
  go_to_slice (10);
  click_voxel (c10);
  gtk_adjustment_set_value (window->radius_adjustment, 15);
  go_to_slice (20);
  click_voxel (c20);
  g_assert_cmpuint (history_steps (), ==, 2);
  g_assert_cmpuint (slice_count (10), >, 70);    /* π 5² = 79 */
  g_assert_cmpuint (slice_count (20), >, 690);   /* π 15² = 707 */
  g_assert_cmpuint (slice_count (15), ==, 0);
  drawn = snapshot_labels ();

  gtk_widget_activate_action (GTK_WIDGET (window), "win.fill-between", NULL);
  g_assert_true (gtk_revealer_get_reveal_child (window->preview_revealer));
  g_assert_nonnull (strstr (gtk_label_get_text (window->preview_label), "9 slices"));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (window->export_button)));
  /* The preview is in the views: slice 15 has the disc halfway (10 mm). */
  mid = slice_count (15);
  g_assert_cmpuint (mid, >, 250);
  g_assert_cmpuint (mid, <, 380);     /* π 10² = 314 */
  go_to_slice (15);
  cal_gui_spin (0.2);
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "edit-fill-preview.png");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.preview-discard", NULL);
  assert_labels (drawn, "discarding the preview");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.fill-between", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.preview-apply", NULL);
  g_assert_false (gtk_revealer_get_reveal_child (window->preview_revealer));
  g_assert_cmpuint (history_steps (), ==, 3);
  g_assert_nonnull (strstr (history_row_text (0), "Fill between slices (z)"));
  filled = snapshot_labels ();
  assert_undo_redo (drawn, filled, "fill");
}

static void
test_threshold_is_a_step (void)
{
  g_autofree guint8 *before = snapshot_labels ();

  adw_combo_row_set_selected (window->threshold_preset_row, 0);
  gtk_switch_set_active (window->keep_largest_switch, FALSE);   /* the corner piece stays, for Remove Piece */
  g_signal_emit_by_name (window->threshold_button, "clicked");
  wait_idle ();
  g_assert_cmpuint (history_steps (), ==, 4);
  g_assert_cmpuint (slice_count (5), >, 1500);   /* the ring: π (46² − 40²) ≈ 1620 */
  g_assert_true (g_str_has_prefix (history_row_text (0), "Threshold 226 to 3071 HU"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  assert_labels (before, "undo of the threshold");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window->export_button)));
}

static gboolean
surface_changed_cb (gpointer data)
{
  const CalDisplayMesh *mesh = cal_mesh_view_get_display_mesh (cal_window_get_mesh_view (window));
  return mesh != NULL && mesh->n_triangles != *(guint32 *) data && !window->surface_busy;
}

/* Update 3D once; then every edit re-meshes its blocks, and the view shows
 * the new surface without another click. */
static void
test_surface_follows_edits (void)
{
  const double dab[3] = { 100, 100, 20 };
  const CalDisplayMesh *mesh;
  guint32 before;
  gint64 start;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.update-3d", NULL);
  wait_idle ();
  mesh = cal_mesh_view_get_display_mesh (cal_window_get_mesh_view (window));
  g_assert_nonnull (mesh);
  g_assert_cmpuint (mesh->n_triangles, >, 1000);
  before = mesh->n_triangles;
  g_assert_nonnull (strstr (gtk_label_get_text (window->mesh_label), "follows every edit"));

  set_tool ("brush");
  gtk_adjustment_set_value (window->radius_adjustment, 6);
  go_to_slice (20);
  start = g_get_monotonic_time ();
  click_voxel (dab);     /* a blob outside the ring: new triangles */
  g_assert_true (cal_gui_wait (surface_changed_cb, &before, 10));
  g_test_message ("the 3D view followed the stroke in %.0f ms (worker: %.0f ms)",
                  (g_get_monotonic_time () - start) / 1000.0, window->surface_update_ms);
  mesh = cal_mesh_view_get_display_mesh (cal_window_get_mesh_view (window));
  g_assert_cmpuint (mesh->n_triangles, >, before);
  before = mesh->n_triangles;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  g_assert_true (cal_gui_wait (surface_changed_cb, &before, 10));
  g_assert_cmpuint (cal_mesh_view_get_display_mesh (cal_window_get_mesh_view (window))->n_triangles, <, before);
  set_tool ("navigate");
}


/* Scissors on the 3D view: an outline around the ring's right side cuts it
 * through the whole depth; what projects outside stays. */
static void
test_scissors (void)
{
  CalMeshView *view = cal_window_get_mesh_view (window);
  GtkEventController *gesture = cal_gui_controller (view, "orbit-drag");
  CalCamera *camera = cal_mesh_view_get_camera (view);
  CalVolume *volume = cal_view_state_get_volume (cal_window_get_state (window));
  double w = gtk_widget_get_width (GTK_WIDGET (view)), h = gtk_widget_get_height (GTK_WIDGET (view));
  g_autofree guint8 *before = snapshot_labels ();
  double centre[2], xyz[3];
  const double target[3] = { 103, 60, 20 };
  guint inside = 0, outside = 0;
  double x0, y0, x1, y1;
  g_autoptr (GdkTexture) shot = NULL;

  cal_grid_voxel_to_patient (cal_volume_get_grid (volume), target, xyz);
  g_assert_true (cal_camera_project (camera, w, h, xyz, centre));
  x0 = centre[0] - 15, y0 = centre[1] - 15, x1 = centre[0] + 15, y1 = centre[1] + 15;
  set_tool ("scissors");
  g_signal_emit_by_name (gesture, "drag-begin", x0, y0);
  g_signal_emit_by_name (gesture, "drag-update", x1 - x0, 0.0);
  g_signal_emit_by_name (gesture, "drag-update", x1 - x0, y1 - y0);
  g_signal_emit_by_name (gesture, "drag-update", 0.0, y1 - y0);
  cal_gui_spin (0.1);
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "edit-scissors.png");
  g_signal_emit_by_name (gesture, "drag-end", 0.0, y1 - y0);
  wait_tools ();
  g_assert_true (g_str_has_prefix (history_row_text (0), "Scissors"));

  /* Every voxel of the ring checked against where it lands on screen. */
  for (guint32 k = 0; k < NZ; k += 3)
    for (guint32 j = 0; j < NY; j += 2)
      for (guint32 i = 0; i < NX; i += 2)
        {
          const double ijk[3] = { i, j, k };
          double p[2];
          if (!before[at (i, j, k)])
            continue;
          cal_grid_voxel_to_patient (cal_volume_get_grid (volume), ijk, xyz);
          g_assert_true (cal_camera_project (camera, w, h, xyz, p));
          if (p[0] > x0 + 1 && p[0] < x1 - 1 && p[1] > y0 + 1 && p[1] < y1 - 1)
            {
              g_assert_cmpuint (cal_mask_get_labels (mask ())[at (i, j, k)], ==, 0);
              inside++;
            }
          else if (p[0] < x0 - 1 || p[0] > x1 + 1 || p[1] < y0 - 1 || p[1] > y1 + 1)
            {
              g_assert_cmpuint (cal_mask_get_labels (mask ())[at (i, j, k)], ==, 1);
              outside++;
            }
        }
  g_test_message ("scissors: %u sampled voxels cut, %u kept", inside, outside);
  g_assert_cmpuint (inside, >, 20);
  g_assert_cmpuint (outside, >, 1000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  assert_labels (before, "undo of the scissors");
  set_tool ("navigate");
}

static gboolean
is_brush_ring (const guint8 p[4])
{
  return p[1] > 180 && p[0] < 140 && p[2] < 160;
}

static void
test_brush_stroke (void)
{
  const double a[3] = { 6, 30, 5 }, b[3] = { 6, 90, 5 };
  g_autofree guint8 *before = NULL, *after = NULL;
  g_autoptr (GdkTexture) shot = NULL;
  double x, y, x12, y12, ring_px, area;

  set_tool ("brush");
  gtk_adjustment_set_value (window->radius_adjustment, 2);
  go_to_slice (5);
  before = snapshot_labels ();
  drag (a, b, 3);   /* three pointer events 20 mm apart: the capsules join them */
  for (guint32 j = 31; j <= 89; j++)
    {
      g_assert_cmpuint (cal_mask_get_labels (mask ())[at (6, j, 5)], ==, 1);
      g_assert_cmpuint (cal_mask_get_labels (mask ())[at (6, j, 4)], ==, before[at (6, j, 4)]);
      g_assert_cmpuint (cal_mask_get_labels (mask ())[at (10, j, 5)], ==, before[at (10, j, 5)]);
    }
  g_assert_cmpuint (history_steps (), ==, 5);
  g_assert_nonnull (strstr (history_row_text (0), "Brush 2.0 mm"));
  g_assert_nonnull (strstr (history_row_text (0), "voxels added"));
  after = snapshot_labels ();
  assert_undo_redo (before, after, "stroke");

  /* The brush's outline follows the pointer, to scale. */
  gtk_adjustment_set_value (window->radius_adjustment, 12);
  g_assert_true (cal_slice_view_voxel_to_widget (axial (), (double[3]) { 60, 60, 5 }, &x, &y));
  g_signal_emit_by_name (cal_gui_controller (axial (), "slice-motion"), "motion", x, y);
  cal_gui_spin (0.2);
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "edit-brush-cursor.png");
  /* A 12 mm circle: its outline is 2π r pixels long, r the 12 mm on screen. */
  g_assert_true (cal_slice_view_voxel_to_widget (axial (), (double[3]) { 72, 60, 5 }, &x12, &y12));
  ring_px = 2 * G_PI * hypot (x12 - x, y12 - y);
  area = gtk_widget_get_width (GTK_WIDGET (axial ())) * (double) gtk_widget_get_height (GTK_WIDGET (axial ()));
  g_assert_cmpfloat (ring_px, >, 100);
  g_assert_cmpfloat (cal_gui_fraction (shot, GTK_WIDGET (window), GTK_WIDGET (axial ()), is_brush_ring), >,
                     0.6 * ring_px / area);
}

static void
test_eraser (void)
{
  const double a[3] = { 60, 10, 5 }, b[3] = { 60, 30, 5 };
  guint64 before;

  set_tool ("eraser");
  gtk_adjustment_set_value (window->radius_adjustment, 3);
  before = slice_count (5);
  drag (a, b, 2);
  /* The ring crosses x = 60 at y 14..20: erased there, on this slice only. */
  for (guint32 j = 14; j <= 20; j++)
    g_assert_cmpuint (cal_mask_get_labels (mask ())[at (60, j, 5)], ==, 0);
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (60, 17, 6)], ==, 1);
  g_assert_cmpuint (slice_count (5), <, before - 30);
  g_assert_true (g_str_has_prefix (history_row_text (0), "Eraser 3.0 mm"));
}

static void
test_pieces (void)
{
  const double piece[3] = { 8, 8, 31 }, ring[3] = { 60, 17, 31 }, blob[3] = { 100, 10, 31 };
  guint64 ring_voxels;

  go_to_slice (31);
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (8, 8, 31)], ==, 1);
  set_tool ("remove-island");
  click_voxel (piece);
  for (guint32 k = 30; k < 34; k++)
    g_assert_cmpuint (cal_mask_get_labels (mask ())[at (8, 8, k)], ==, 0);
  g_assert_true (g_str_has_prefix (history_row_text (0), "Remove piece"));
  ring_voxels = cal_mask_count (mask (), 1);

  /* A blob painted apart from the ring, then Keep Piece on the ring. */
  set_tool ("brush");
  gtk_adjustment_set_value (window->radius_adjustment, 3);
  click_voxel (blob);
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (100, 10, 31)], ==, 1);
  set_tool ("keep-island");
  click_voxel (ring);
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (100, 10, 31)], ==, 0);
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (60, 17, 31)], ==, 1);
  /* The fill's cone inside the ring is a piece of its own: kept only the ring. */
  g_assert_cmpuint (cal_mask_count (mask (), 1), <=, ring_voxels);
  g_assert_true (g_str_has_prefix (history_row_text (0), "Keep piece"));

  /* Pieces under a volume: a 3 mm blob (about 28 mm³) goes, the ring stays. */
  set_tool ("brush");
  click_voxel (blob);
  ring_voxels = cal_mask_count (mask (), 1);
  gtk_spin_button_set_value (window->small_pieces_spin, 200);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-small-pieces", NULL);
  wait_tools ();
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (100, 10, 31)], ==, 0);
  g_assert_cmpuint (cal_mask_get_labels (mask ())[at (60, 17, 31)], ==, 1);
  g_assert_cmpuint (cal_mask_count (mask (), 1), <, ring_voxels);
  g_assert_cmpuint (cal_mask_count (mask (), 1), >, ring_voxels - 100);
  g_assert_true (g_str_has_prefix (history_row_text (0), "Remove pieces under 200 mm³"));
  set_tool ("navigate");
}

static void
test_history_list (void)
{
  g_autofree guint8 *latest = snapshot_labels ();
  g_autoptr (GdkTexture) shot = NULL;
  guint n = history_steps ();
  GtkListBoxRow *oldest;

  g_assert_cmpuint (n, ==, 11);   /* 2 discs, fill, threshold, stroke, eraser, 2 pieces, 2 blobs, small pieces */
  /* Newest first; a click on the oldest row undoes everything after it. */
  oldest = gtk_list_box_get_row_at_index (window->history_list, (int) n - 1);
  g_signal_emit_by_name (window->history_list, "row-activated", oldest);
  g_assert_cmpuint (history_position (), ==, 1);
  g_assert_cmpuint (cal_mask_count (mask (), 1), ==, slice_count (10));   /* only the first disc */
  {
    /* Scrolled to the list, for the screenshot. */
    GtkWidget *sw = gtk_widget_get_ancestor (GTK_WIDGET (window->history_list), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw));
    cal_gui_spin (0.2);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  }
  cal_gui_spin (0.3);
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "edit-history-list.png");
  g_signal_emit_by_name (window->history_list, "row-activated", gtk_list_box_get_row_at_index (window->history_list, 0));
  g_assert_cmpuint (history_position (), ==, n);
  assert_labels (latest, "the history list back to the newest step");
}

static void
test_save_and_open (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "mask.nii.gz", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree guint8 *saved = snapshot_labels ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) orphans = NULL;

  g_assert_true (cal_edit_session_is_modified (cal_window_get_edit_session (window)));
  g_assert_true (cal_window_save_mask_to (window, file, &error));
  g_assert_no_error (error);
  g_assert_false (cal_edit_session_is_modified (cal_window_get_edit_session (window)));
  /* Saved: the old journal is gone, the new one is held by this window. */
  orphans = cal_edit_journal_list_orphans (NULL);
  g_assert_cmpuint (orphans->len, ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  g_assert_true (cal_window_open_mask_from (window, file, &error));
  g_assert_no_error (error);
  assert_labels (saved, "the saved mask opened again");
  g_assert_true (g_str_has_prefix (history_row_text (0), "Open mask"));

  /* A mask on another grid is refused, naming both grids. */
  {
    const guint32 dims[3] = { 64, 64, 20 };
    const double spacing[3] = { 1, 1, 2 };
    g_autofree char *other = g_build_filename (tmpdir, "other.nii.gz", NULL);
    g_autoptr (GFile) other_file = g_file_new_for_path (other);
    g_autoptr (CalMask) m = NULL;
    CalGrid grid;
    cal_grid_init_axis_aligned (&grid, dims, spacing);
    m = cal_mask_new (&grid);
    g_assert_true (cal_nifti_write_mask (m, other, CAL_NIFTI_1, NULL));
    g_assert_false (cal_window_open_mask_from (window, other_file, &error));
    g_assert_nonnull (strstr (error->message, "64 × 64 × 20"));
    g_assert_nonnull (strstr (error->message, "120 × 120 × 40"));
  }
}

static gboolean
window_gone_cb (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_restore_after_crash (void)
{
  const double dab[3] = { 100, 100, 12 };
  g_autofree char *folder = NULL;
  g_autofree guint8 *expected = NULL;
  g_autoptr (GFile) scan = g_file_new_for_path (ct_path);
  CalEditSession *edit = cal_window_get_edit_session (window);
  AdwMessageDialog *question;
  gpointer weak = window;

  set_tool ("brush");
  go_to_slice (12);
  click_voxel (dab);
  expected = snapshot_labels ();
  folder = g_strdup (cal_edit_journal_get_path (cal_edit_session_get_journal (edit)));
  /* As if Calvaria were killed: the journal is left as it is. */
  cal_edit_session_end_journal (edit, FALSE, NULL);
  window->close_confirmed = TRUE;
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (cal_gui_wait (window_gone_cb, &weak, 5));

  window = cal_window_new (app, calvaria_application_get_settings (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_window_present (GTK_WINDOW (window));
  cal_gui_spin (0.3);
  cal_window_offer_restore (window);
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 5));
  question = cal_gui_find_question ();
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Restore Unsaved Edits?");
  cal_gui_answer (question, "later");

  cal_window_restore_session (window, folder, scan);
  wait_idle ();
  assert_labels (expected, "the mask restored after the crash");
  g_assert_true (g_str_has_prefix (history_row_text (0), "Brush 3.0 mm"));
  g_assert_true (cal_edit_session_is_modified (cal_window_get_edit_session (window)));
}

/* The question that opening, quitting or closing asks with unsaved changes. */
static AdwMessageDialog *
discard_question (void)
{
  AdwMessageDialog *question;

  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 5));
  question = cal_gui_find_question ();
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Discard the Segmentation?");
  g_assert_true (adw_message_dialog_has_response (question, "save"));
  g_assert_true (adw_message_dialog_has_response (question, "discard"));
  g_assert_true (adw_message_dialog_has_response (question, "cancel"));
  return question;
}

/* Opening another scan, quitting (Ctrl+Q) and closing with unsaved
 * changes ask first (issue 30); Cancel keeps everything, Discard goes on. */
static void
test_close_asks (void)
{
  gpointer weak = window;
  g_autoptr (GPtrArray) orphans = NULL;
  g_autoptr (GFile) scan = g_file_new_for_path (ct_path);
  g_autofree guint8 *edited = snapshot_labels ();
  const double dab[3] = { 100, 100, 12 };

  g_assert_true (cal_window_has_unsaved_mask (window));
  cal_window_open (window, scan, NULL);
  cal_gui_answer (discard_question (), "cancel");
  cal_gui_spin (0.2);
  g_assert_false (cal_window_is_busy (window));
  assert_labels (edited, "the mask after Cancel on opening another scan");

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  cal_gui_answer (discard_question (), "cancel");
  cal_gui_spin (0.2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  assert_labels (edited, "the mask after Cancel on quitting");

  cal_window_open (window, scan, NULL);
  cal_gui_answer (discard_question (), "discard");
  wait_idle ();
  g_assert_false (cal_window_has_unsaved_mask (window));
  g_assert_cmpuint (cal_mask_count (mask (), 1), ==, 0);
  /* Unchanged, the same scan opens again without a question. */
  cal_window_open (window, scan, NULL);
  cal_gui_spin (0.2);
  g_assert_null (cal_gui_find_question ());
  wait_idle ();

  set_tool ("brush");
  go_to_slice (12);
  click_voxel (dab);
  g_assert_true (cal_window_has_unsaved_mask (window));
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_close (GTK_WINDOW (window));
  cal_gui_answer (discard_question (), "discard");
  g_assert_true (cal_gui_wait (window_gone_cb, &weak, 5));
  window = NULL;
  orphans = cal_edit_journal_list_orphans (NULL);
  g_assert_cmpuint (orphans->len, ==, 0);
}

/* The shortcuts window lists every tool's key and every editing action. */
static void
test_shortcuts_window (void)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/org/calvaria/Calvaria/gtk/help-overlay.ui");
  GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  const char *wanted_accels[] = { "b", "e", "k", "d", "n", "s", "m", "h", "c", "F9", "bracketleft bracketright" };
  const char *wanted_actions[] = { "win.undo", "win.redo", "win.fill-between", "win.save-mask", "win.open-mask" };
  g_autoptr (GPtrArray) accels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *w;

  g_assert_nonnull (overlay);
  /* Walk every widget of the window. */
  for (w = overlay; w != NULL; )
    {
      if (GTK_IS_SHORTCUTS_SHORTCUT (w))
        {
          char *accel = NULL, *action = NULL;
          g_object_get (w, "accelerator", &accel, "action-name", &action, NULL);
          if (accel)
            g_ptr_array_add (accels, accel);
          if (action)
            g_ptr_array_add (actions, action);
        }
      if (gtk_widget_get_first_child (w))
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && w != overlay && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == NULL || w == overlay ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (wanted_accels); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (accels, wanted_accels[i], g_str_equal, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (wanted_actions); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (actions, wanted_actions[i], g_str_equal, NULL));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  tmpdir = cal_gui_private_folder ("calvaria-gui-edit");
  write_ct ();
  window = cal_gui_open_window (&app, 1280, 900);

  g_test_add_func ("/edit/open", test_open);
  g_test_add_func ("/edit/keys", test_keys);
  g_test_add_func ("/edit/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/edit/fill-between", test_fill_between);
  g_test_add_func ("/edit/threshold-is-a-step", test_threshold_is_a_step);
  g_test_add_func ("/edit/surface-follows-edits", test_surface_follows_edits);
  g_test_add_func ("/edit/scissors", test_scissors);
  g_test_add_func ("/edit/brush-stroke", test_brush_stroke);
  g_test_add_func ("/edit/eraser", test_eraser);
  g_test_add_func ("/edit/pieces", test_pieces);
  g_test_add_func ("/edit/history-list", test_history_list);
  g_test_add_func ("/edit/save-and-open", test_save_and_open);
  g_test_add_func ("/edit/restore-after-crash", test_restore_after_crash);
  g_test_add_func ("/edit/close-asks", test_close_asks);
  return g_test_run ();
}
