/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CalViewState: what the views share (no display needed). */
#include "cal-view-state.h"

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
cursor_cb (CalViewState *state,
           guint        *count)
{
  (*count)++;
}

static void
test_state (void)
{
  const guint32 dims[3] = { 5, 7, 9 };
  const double spacing[3] = { 1, 2, 3 };
  CalViewState *state = cal_view_state_new ();
  g_autoptr (CalVolume) volume = NULL;
  g_autoptr (CalMask) mask = NULL;
  CalGrid grid;
  double xyz[3];
  guint volume_notes = 0, mask_notes = 0, window_notes = 0, cursors = 0;
  gsize n;

  cal_grid_init_axis_aligned (&grid, dims, spacing);
  n = cal_grid_n_voxels (&grid);
  volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (g_new0 (gint16, n), n * 2));
  mask = cal_mask_new (&grid);
  g_signal_connect (state, "notify::volume", G_CALLBACK (count_cb), &volume_notes);
  g_signal_connect (state, "notify::mask", G_CALLBACK (count_cb), &mask_notes);
  g_signal_connect (state, "notify::window", G_CALLBACK (count_cb), &window_notes);
  g_signal_connect (state, "cursor-changed", G_CALLBACK (cursor_cb), &cursors);

  /* A new volume puts the crosshair at its centre. */
  cal_view_state_set_volume (state, volume);
  g_assert_cmpuint (volume_notes, ==, 1);
  g_assert_cmpuint (cursors, ==, 1);
  cal_view_state_get_cursor (state, xyz);
  g_assert_cmpfloat_with_epsilon (xyz[0], 2 * 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (xyz[1], 3 * 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (xyz[2], 4 * 3, 1e-12);

  cal_view_state_set_mask (state, mask);
  g_assert_cmpuint (mask_notes, ==, 1);
  g_assert_true (cal_view_state_get_mask (state) == mask);
  /* The same cursor twice is one change. */
  xyz[0] = 1;
  cal_view_state_set_cursor (state, xyz);
  cal_view_state_set_cursor (state, xyz);
  g_assert_cmpuint (cursors, ==, 2);
  /* Window and level are clamped to sane ranges; opacity to 0..1. */
  cal_view_state_set_window_level (state, -5, 40);
  g_assert_cmpfloat (cal_view_state_get_window (state), ==, 1);
  g_assert_cmpfloat (cal_view_state_get_level (state), ==, 40);
  g_assert_cmpuint (window_notes, ==, 1);
  cal_view_state_set_overlay_opacity (state, 3);
  g_assert_cmpfloat (cal_view_state_get_overlay_opacity (state), ==, 1);
  /* A new volume drops the old mask (it belongs to the old grid). */
  cal_view_state_set_volume (state, NULL);
  g_assert_null (cal_view_state_get_mask (state));
  g_assert_cmpuint (mask_notes, ==, 2);

  g_assert_finalize_object (state);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/view-state/share", test_state);
  return g_test_run ();
}
