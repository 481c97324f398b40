/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Steps, the history and the tools: every change undoes and redoes to the
 * same bits, and each tool paints what it promises. */
#include <math.h>
#include <string.h>

#include "cal-brush.h"
#include "cal-edit-history.h"
#include "cal-edit-islands.h"
#include "cal-edit-session.h"
#include "cal-fill-between.h"
#include "cal-test-util.h"
#include "cal-test-edit.h"
#include "cal-edit-scissors.h"

/* ---- steps ---- */

static void
test_step_round_trip (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (37, 29, 23, spacing);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree guint8 *before = NULL, *after = NULL;
  g_autoptr(CalEditTransaction) tx = NULL;
  g_autoptr(CalEditStep) step = NULL, back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *l = cal_mask_get_labels_mutable (mask);
  CalBox box = { { 5, 3, 2 }, { 31, 20, 19 } };
  guint64 changed = 0;

  for (gsize v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (mask)); v++)
    l[v] = g_rand_int_range (rand, 0, 4) == 0;
  before = copy_labels (mask);
  tx = cal_edit_transaction_new (mask);
  cal_edit_transaction_touch (tx, &box);
  for (guint32 k = box.lo[2]; k < box.hi[2]; k++)
    for (guint32 j = box.lo[1]; j < box.hi[1]; j++)
      for (guint32 i = box.lo[0]; i < box.hi[0]; i++)
        if (g_rand_int_range (rand, 0, 5) == 0)
          {
            l[at (mask, i, j, k)] = g_rand_int_range (rand, 0, 3);
            changed += l[at (mask, i, j, k)] != before[at (mask, i, j, k)];
          }
  after = copy_labels (mask);
  step = cal_edit_transaction_commit (tx, "Random", CAL_EDIT_KIND_REGION);
  g_assert_nonnull (step);
  g_assert_cmpuint (cal_edit_step_get_n_changed (step), ==, changed);
  /* The box is tight: inside the touched box. */
  for (int a = 0; a < 3; a++)
    {
      g_assert_cmpuint (cal_edit_step_get_box (step)->lo[a], >=, box.lo[a]);
      g_assert_cmpuint (cal_edit_step_get_box (step)->hi[a], <=, box.hi[a]);
    }
  g_assert_true (cal_edit_step_apply (step, mask, &error));
  assert_labels (mask, before, "undo");
  g_assert_true (cal_edit_step_apply (step, mask, &error));
  assert_labels (mask, after, "redo");

  bytes = cal_edit_step_serialize (step);
  back = cal_edit_step_deserialize (bytes, cal_mask_get_grid (mask)->dims, &error);
  g_assert_no_error (error);
  g_assert_true (cal_edit_step_same_change (step, back));
  g_assert_cmpstr (cal_edit_step_get_name (back), ==, "Random");
  g_assert_true (cal_edit_step_apply (back, mask, &error));
  assert_labels (mask, before, "undo by the deserialized step");

  /* A record for a bigger grid, or damaged runs, is refused before any voxel changes. */
  {
    const guint32 small[3] = { 20, 20, 20 };
    g_autoptr(CalEditStep) none = cal_edit_step_deserialize (bytes, small, &error);
    g_assert_null (none);
    g_assert_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_GRID_MISMATCH);
    g_clear_error (&error);
  }
  {
    gsize n;
    g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (bytes, &n), g_bytes_get_size (bytes));
    g_autoptr(GBytes) bad_bytes = NULL;
    g_autoptr(CalEditStep) bad_step = NULL;
    n = g_bytes_get_size (bytes);
    bad[n - 3] ^= 0x5a;   /* inside the deflated runs */
    bad_bytes = g_bytes_new (bad, n);
    bad_step = cal_edit_step_deserialize (bad_bytes, cal_mask_get_grid (mask)->dims, &error);
    g_assert_no_error (error);
    g_assert_false (cal_edit_step_apply (bad_step, mask, &error));
    g_assert_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT);
    assert_labels (mask, before, "a damaged step changes nothing");
  }
}

static void
test_nothing_changed (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (20, 20, 20, spacing);
  g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (mask);
  CalBox box = { { 0, 0, 0 }, { 20, 20, 20 } };

  cal_edit_transaction_touch (tx, &box);
  g_assert_null (cal_edit_transaction_commit (tx, "Nothing", CAL_EDIT_KIND_REGION));
}

/* ---- the brush ---- */

static void
test_brush_disc_anisotropic (void)
{
  const double spacing[3] = { 0.5, 0.5, 2.0 };
  g_autoptr(CalMask) mask = cal_test_new_mask (40, 40, 9, spacing);
  g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (mask);
  const double c[3] = { 20, 20, 4 };
  const guint8 *l = cal_mask_get_labels (mask);
  CalBrush brush;
  guint64 n, expected = 0;

  cal_brush_init (&brush);
  brush.radius_mm = 3.0;
  n = cal_brush_paint_segment (&brush, tx, NULL, c, c, NULL);
  for (guint32 k = 0; k < 9; k++)
    for (guint32 j = 0; j < 40; j++)
      for (guint32 i = 0; i < 40; i++)
        {
          double dx = (i - 20.0) * 0.5, dy = (j - 20.0) * 0.5;
          gboolean inside = k == 4 && dx * dx + dy * dy <= 9.0;
          g_assert_cmpuint (l[at (mask, i, j, k)], ==, inside ? 1 : 0);
          expected += inside;
        }
  g_assert_cmpuint (n, ==, expected);
  g_assert_cmpuint (n, >, 100);   /* 13 voxels across, not 7 */

  /* The sphere reaches one slice up and down (2 mm apart), no further. */
  cal_brush_init (&brush);
  brush.shape = CAL_BRUSH_SPHERE;
  brush.radius_mm = 3.0;
  brush.erase = TRUE;
  cal_brush_paint_segment (&brush, tx, NULL, c, c, NULL);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 0);
  brush.erase = FALSE;
  cal_brush_paint_segment (&brush, tx, NULL, c, c, NULL);
  g_assert_cmpuint (l[at (mask, 20, 20, 3)], ==, 1);
  g_assert_cmpuint (l[at (mask, 20, 20, 5)], ==, 1);
  g_assert_cmpuint (l[at (mask, 20, 20, 2)], ==, 0);
  g_assert_cmpuint (l[at (mask, 20, 20, 6)], ==, 0);
  g_assert_cmpuint (l[at (mask, 26, 20, 4)], ==, 1);   /* 3 mm in-plane */
  g_assert_cmpuint (l[at (mask, 27, 20, 4)], ==, 0);
}

static void
test_brush_stroke_leaves_no_gap (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (64, 16, 3, spacing);
  g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (mask);
  const double a[3] = { 4, 8, 1 }, b[3] = { 60, 8, 1 };
  CalBrush brush;

  cal_brush_init (&brush);
  brush.radius_mm = 1.0;
  /* Two pointer events 56 voxels apart: one segment. */
  cal_brush_paint_segment (&brush, tx, NULL, a, b, NULL);
  for (guint32 i = 4; i <= 60; i++)
    {
      g_assert_cmpuint (cal_mask_get_labels (mask)[at (mask, i, 8, 1)], ==, 1);
      g_assert_cmpuint (cal_mask_get_labels (mask)[at (mask, i, 7, 1)], ==, 1);
      g_assert_cmpuint (cal_mask_get_labels (mask)[at (mask, i, 6, 1)], ==, 0);
    }
  g_assert_cmpuint (cal_mask_get_labels (mask)[at (mask, 2, 8, 1)], ==, 0);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 57 * 3 + 2);   /* the rounded caps add one each */
}

static void
test_brush_hu_range (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (32, 32, 4, spacing);
  g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (mask);
  g_autoptr(CalVolume) volume = NULL;
  gsize n = cal_grid_n_voxels (cal_mask_get_grid (mask));
  gint16 *hu = g_new (gint16, n);
  const double c[3] = { 16, 16, 2 };
  CalBrush brush;
  guint64 painted;

  for (gsize v = 0; v < n; v++)
    hu[v] = (v % 32) < 16 ? 40 : 900;   /* soft tissue left, bone right */
  volume = cal_volume_new (cal_mask_get_grid (mask), CAL_VOXEL_INT16, g_bytes_new_take (hu, n * 2));
  cal_brush_init (&brush);
  brush.radius_mm = 6.0;
  brush.limit_hu = TRUE;
  painted = cal_brush_paint_segment (&brush, tx, volume, c, c, NULL);
  g_assert_cmpuint (painted, >, 40);
  for (guint32 j = 0; j < 32; j++)
    for (guint32 i = 0; i < 32; i++)
      if (cal_mask_get_labels (mask)[at (mask, i, j, 2)])
        g_assert_cmpuint (i, >=, 16);
  g_assert_cmpuint (cal_mask_get_labels (mask)[at (mask, 18, 16, 2)], ==, 1);
  g_assert_cmpuint (cal_mask_get_labels (mask)[at (mask, 14, 16, 2)], ==, 0);
}

/* ---- islands ---- */

static void
fill_box (CalMask *mask, guint32 x0, guint32 x1, guint32 y0, guint32 y1, guint32 z0, guint32 z1, guint8 label)
{
  for (guint32 k = z0; k < z1; k++)
    for (guint32 j = y0; j < y1; j++)
      for (guint32 i = x0; i < x1; i++)
        cal_mask_get_labels_mutable (mask)[at (mask, i, j, k)] = label;
}

static void
test_islands (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (30, 30, 30, spacing);
  g_autoptr(CalEditSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const guint32 in_big[3] = { 5, 5, 5 }, in_small[3] = { 25, 25, 25 }, outside[3] = { 15, 15, 15 };
  CalEditStep *step;

  fill_box (mask, 2, 12, 2, 12, 2, 12, 1);     /* 1000 voxels */
  fill_box (mask, 24, 27, 24, 27, 24, 27, 1);  /* 27 voxels */
  fill_box (mask, 20, 22, 2, 4, 2, 4, 1);      /* 8 voxels */
  session = cal_edit_session_new (mask, NULL);

  g_assert_cmpuint (cal_edit_islands_remove_at (cal_edit_session_begin (session), 1, outside), ==, 0);
  g_assert_true (cal_edit_session_commit (session, "Remove island", CAL_EDIT_KIND_REGION, &step, &error));
  g_assert_null (step);   /* a click on background changes nothing and adds no step */

  g_assert_cmpuint (cal_edit_islands_remove_at (cal_edit_session_begin (session), 1, in_small), ==, 27);
  g_assert_true (cal_edit_session_commit (session, "Remove island", CAL_EDIT_KIND_REGION, &step, &error));
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 1008);

  g_assert_cmpuint (cal_edit_islands_keep_at (cal_edit_session_begin (session), 1, in_big), ==, 8);
  g_assert_true (cal_edit_session_commit (session, "Keep island", CAL_EDIT_KIND_REGION, &step, &error));
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 1000);

  g_assert_true (cal_edit_session_undo (session, &error));
  g_assert_true (cal_edit_session_undo (session, &error));
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 1035);
  g_assert_cmpuint (cal_edit_islands_remove_small (cal_edit_session_begin (session), 1, 30.0), ==, 35);
  g_assert_true (cal_edit_session_commit (session, "Remove islands under 30 mm³", CAL_EDIT_KIND_REGION, &step, &error));
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 1000);
  g_assert_false (cal_edit_history_can_redo (cal_edit_session_get_history (session)));
}

/* ---- fill between slices ---- */

static void
paint_disc (CalMask *mask, guint32 k, double cx, double cy, double r)
{
  const guint32 *d = cal_mask_get_grid (mask)->dims;
  for (guint32 j = 0; j < d[1]; j++)
    for (guint32 i = 0; i < d[0]; i++)
      if ((i - cx) * (i - cx) + (j - cy) * (j - cy) <= r * r)
        cal_mask_get_labels_mutable (mask)[at (mask, i, j, k)] = 1;
}

static double
slice_radius (CalMask *mask, guint32 k, double cx, double cy)
{
  const guint32 *d = cal_mask_get_grid (mask)->dims;
  guint64 n = 0;
  for (guint32 j = 0; j < d[1]; j++)
    for (guint32 i = 0; i < d[0]; i++)
      n += cal_mask_get_labels (mask)[at (mask, i, j, k)] == 1;
  (void) cx; (void) cy;
  return sqrt (n / G_PI);
}

static void
test_fill_cone (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (64, 64, 20, spacing);
  g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (mask);
  CalFillSummary summary;
  guint64 added;

  paint_disc (mask, 2, 32, 32, 6);
  paint_disc (mask, 14, 32, 32, 24);
  added = cal_fill_between_slices (tx, 1, 2, &summary);
  g_assert_cmpuint (added, >, 0);
  g_assert_cmpuint (summary.n_drawn, ==, 2);
  g_assert_cmpuint (summary.n_gaps, ==, 1);
  g_assert_cmpuint (summary.n_filled, ==, 11);
  /* The radius grows linearly from 6 to 24 mm: a cone (within a voxel). */
  for (guint32 k = 3; k < 14; k++)
    {
      double expected = 6 + (24 - 6) * (k - 2) / 12.0, got = slice_radius (mask, k, 32, 32);
      if (fabs (got - expected) > 1.0)
        g_error ("slice %u: radius %.2f mm, the cone has %.2f mm", k, got, expected);
    }
  g_assert_cmpfloat (slice_radius (mask, 1, 32, 32), ==, 0);
  g_assert_cmpfloat (slice_radius (mask, 15, 32, 32), ==, 0);
}

static void
test_fill_single_and_disjoint (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (48, 48, 12, spacing);
  g_autoptr(CalEditTransaction) tx = NULL;
  CalFillSummary summary;

  /* One drawn slice is never copied to others. */
  paint_disc (mask, 5, 24, 24, 8);
  tx = cal_edit_transaction_new (mask);
  g_assert_cmpuint (cal_fill_between_slices (tx, 1, 2, &summary), ==, 0);
  g_assert_cmpuint (summary.n_drawn, ==, 1);
  g_assert_null (cal_edit_transaction_commit (tx, "Fill between slices", CAL_EDIT_KIND_REGION));
  g_clear_pointer (&tx, cal_edit_transaction_free);

  /* Regions that do not overlap are not joined (documented): nothing
   * between them, and both counted as unmatched. */
  paint_disc (mask, 10, 8, 8, 4);
  tx = cal_edit_transaction_new (mask);
  cal_edit_transaction_touch_all (tx);
  memset (cal_mask_get_labels_mutable (mask), 0, 48 * 48 * 12);
  paint_disc (mask, 1, 8, 8, 4);
  paint_disc (mask, 9, 38, 38, 4);
  g_assert_cmpuint (cal_fill_between_slices (tx, 1, 2, &summary), ==, 0);
  g_assert_cmpuint (summary.n_gaps, ==, 1);
  g_assert_cmpuint (summary.n_unmatched, ==, 2);

  /* Along another axis (x): two slabs drawn at x = 4 and x = 20 fill x = 5..19. */
  memset (cal_mask_get_labels_mutable (mask), 0, 48 * 48 * 12);
  fill_box (mask, 4, 5, 10, 30, 2, 10, 1);
  fill_box (mask, 20, 21, 10, 30, 2, 10, 1);
  g_assert_cmpuint (cal_fill_between_slices (tx, 1, 0, &summary), ==, 15 * 20 * 8);
}

/* ---- 3D scissors ---- */

static void
test_scissors (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (40, 40, 20, spacing);
  /* A view straight down the k axis: pixel (x, y) = voxel (i, j). */
  const double clip[4][4] = { { 1 / 20.0, 0, 0, -1 }, { 0, -1 / 20.0, 0, 1 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 } };
  const double square[] = { 9.5, 9.5, 19.5, 9.5, 19.5, 19.5, 9.5, 19.5 };
  const double behind[4][4] = { { 1 / 20.0, 0, 0, -1 }, { 0, -1 / 20.0, 0, 1 }, { 0, 0, 0, 0 }, { 0, 0, 0, -1 } };
  guint8 *l = cal_mask_get_labels_mutable (mask);
  g_autoptr(CalEditTransaction) tx = NULL;
  g_autoptr(CalEditStep) step = NULL;

  memset (l, 1, 40 * 40 * 20);
  tx = cal_edit_transaction_new (mask);
  g_assert_cmpuint (cal_edit_scissors (tx, 0, clip, 40, 40, square, 4, FALSE, FALSE), ==, 10 * 10 * 20);
  for (guint32 k = 0; k < 20; k++)
    {
      g_assert_cmpuint (l[at (mask, 10, 10, k)], ==, 0);
      g_assert_cmpuint (l[at (mask, 19, 19, k)], ==, 0);
      g_assert_cmpuint (l[at (mask, 9, 15, k)], ==, 1);
      g_assert_cmpuint (l[at (mask, 20, 15, k)], ==, 1);
    }
  step = cal_edit_transaction_commit (tx, "Scissors", CAL_EDIT_KIND_REGION);
  g_assert_cmpuint (cal_edit_step_get_box (step)->lo[0], ==, 10);
  g_assert_cmpuint (cal_edit_step_get_box (step)->hi[0], ==, 20);
  g_assert_cmpuint (cal_edit_step_get_box (step)->hi[2], ==, 20);
  g_clear_pointer (&tx, cal_edit_transaction_free);

  /* Keep inside: everything else goes. */
  memset (l, 1, 40 * 40 * 20);
  tx = cal_edit_transaction_new (mask);
  g_assert_cmpuint (cal_edit_scissors (tx, 0, clip, 40, 40, square, 4, TRUE, FALSE), ==, (40 * 40 - 100) * 20);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 100 * 20);
  g_clear_pointer (&tx, cal_edit_transaction_free);

  /* Only what is seen first: two slabs one behind the other along the
   * view (k 2..5 nearer the eye, whose z grows with k here: depth = z),
   * apart; the nearer one goes, the one behind stays. */
  {
    const double depth_clip[4][4] = { { 1 / 20.0, 0, 0, -1 }, { 0, -1 / 20.0, 0, 1 }, { 0, 0, 1 / 20.0, 0 }, { 0, 0, 0, 1 } };
    g_autoptr(CalEditTransaction) front = NULL;
    memset (l, 0, 40 * 40 * 20);
    for (guint32 k = 2; k < 6; k++)
      for (guint32 j = 5; j < 25; j++)
        for (guint32 i = 5; i < 25; i++)
          l[at (mask, i, j, k)] = 1;
    for (guint32 k = 10; k < 14; k++)
      for (guint32 j = 5; j < 25; j++)
        for (guint32 i = 5; i < 25; i++)
          l[at (mask, i, j, k)] = 1;
    front = cal_edit_transaction_new (mask);
    g_assert_cmpuint (cal_edit_scissors (front, 0, depth_clip, 40, 40, square, 4, FALSE, TRUE), ==, 10 * 10 * 4);
    g_assert_cmpuint (l[at (mask, 15, 15, 3)], ==, 0);
    g_assert_cmpuint (l[at (mask, 15, 15, 12)], ==, 1);
    g_assert_cmpuint (l[at (mask, 6, 6, 3)], ==, 1);    /* outside the outline */
    cal_edit_transaction_revert (front);
    g_assert_cmpuint (cal_mask_count (mask, 1), ==, 2 * 20 * 20 * 4);
  }

  /* Behind the eye nothing is inside; fewer than three points cut nothing. */
  memset (l, 1, 40 * 40 * 20);
  tx = cal_edit_transaction_new (mask);
  g_assert_cmpuint (cal_edit_scissors (tx, 0, behind, 40, 40, square, 4, FALSE, FALSE), ==, 0);
  g_assert_cmpuint (cal_edit_scissors (tx, 0, clip, 40, 40, square, 2, FALSE, FALSE), ==, 0);
}

/* ---- the history: random steps, undo all, redo all ---- */

static void
test_history_random (void)
{
  const double spacing[3] = { 0.8, 0.8, 1.5 };
  g_autoptr(CalMask) mask = cal_test_new_mask (41, 37, 19, spacing);
  g_autoptr(CalEditSession) session = cal_edit_session_new (mask, NULL);
  CalEditHistory *history = cal_edit_session_get_history (session);
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (states, copy_labels (mask));
  for (guint i = 0; i < 300; i++)
    {
      random_operation (session, rand, i);
      /* Steps that changed nothing add nothing. */
      g_ptr_array_set_size (states, cal_edit_history_get_position (history));
      g_ptr_array_add (states, copy_labels (mask));
      if (g_rand_int_range (rand, 0, 6) == 0 && cal_edit_history_can_undo (history))
        {
          guint undos = g_rand_int_range (rand, 1, 4);
          for (guint u = 0; u < undos && cal_edit_history_can_undo (history); u++)
            {
              g_assert_true (cal_edit_session_undo (session, &error));
              assert_labels (mask, g_ptr_array_index (states, cal_edit_history_get_position (history)), "undo");
            }
          if (g_rand_boolean (rand) && cal_edit_history_can_redo (history))
            {
              g_assert_true (cal_edit_session_redo (session, &error));
              assert_labels (mask, g_ptr_array_index (states, cal_edit_history_get_position (history)), "redo");
            }
          g_ptr_array_set_size (states, cal_edit_history_get_n_steps (history) + 1);
        }
    }
  g_assert_cmpuint (cal_edit_history_get_n_steps (history), >, 100);
  while (cal_edit_history_can_undo (history))
    {
      g_assert_true (cal_edit_session_undo (session, &error));
      assert_labels (mask, g_ptr_array_index (states, cal_edit_history_get_position (history)), "undo all");
    }
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 0);
  while (cal_edit_history_can_redo (history))
    {
      g_assert_true (cal_edit_session_redo (session, &error));
      assert_labels (mask, g_ptr_array_index (states, cal_edit_history_get_position (history)), "redo all");
    }
  g_assert_false (cal_edit_session_redo (session, &error));
  g_assert_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING);
}

static void
test_history_limits_and_names (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (32, 32, 8, spacing);
  g_autoptr(CalEditHistory) history = cal_edit_history_new (500, 0);
  g_autofree char *name = NULL;
  CalBrush brush;

  cal_brush_init (&brush);
  for (guint i = 0; i < 600; i++)
    {
      g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (mask);
      g_autoptr(CalEditStep) step = NULL;
      g_autofree char *what = NULL;
      const double c[3] = { i % 32, (i / 32) % 32, 4 };
      brush.erase = (i % 2) == 1;
      what = cal_brush_describe (&brush);
      cal_brush_paint_segment (&brush, tx, NULL, c, c, NULL);
      step = cal_edit_transaction_commit (tx, what, CAL_EDIT_KIND_STROKE);
      g_assert_nonnull (step);
      cal_edit_history_push (history, step);
    }
  g_assert_cmpuint (cal_edit_history_get_n_steps (history), ==, 500);
  g_assert_cmpuint (cal_edit_history_get_n_forgotten (history), ==, 100);
  g_assert_cmpuint (cal_edit_history_get_bytes (history), <, 500 * 1024);
  name = cal_edit_step_describe (cal_edit_history_get_step (history, 0));
  g_assert_true (g_str_has_prefix (name, "Brush 3.0 mm: "));
  g_assert_true (g_str_has_suffix (name, " voxels added"));
}

static void
test_session_modified (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (16, 16, 4, spacing);
  g_autoptr(CalEditSession) session = cal_edit_session_new (mask, NULL);
  const double c[3] = { 8, 8, 2 };
  CalBrush brush;

  cal_brush_init (&brush);
  g_assert_false (cal_edit_session_is_modified (session));
  cal_brush_paint_segment (&brush, cal_edit_session_begin (session), NULL, c, c, NULL);
  g_assert_true (cal_edit_session_commit (session, "Brush", CAL_EDIT_KIND_STROKE, NULL, NULL));
  g_assert_true (cal_edit_session_is_modified (session));
  cal_edit_session_set_saved (session);
  g_assert_false (cal_edit_session_is_modified (session));
  g_assert_true (cal_edit_session_undo (session, NULL));
  g_assert_true (cal_edit_session_is_modified (session));
  g_assert_true (cal_edit_session_redo (session, NULL));
  g_assert_false (cal_edit_session_is_modified (session));
  /* A revert puts back exactly what the stroke painted. */
  {
    g_autofree guint8 *before = copy_labels (mask);
    const double d[3] = { 3, 3, 1 };
    brush.erase = TRUE;
    cal_brush_paint_segment (&brush, cal_edit_session_begin (session), NULL, c, d, NULL);
    g_assert_cmpuint (cal_mask_count (mask, 1), <, 29);
    cal_edit_session_revert (session);
    assert_labels (mask, before, "revert");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/edit/step/round-trip", test_step_round_trip);
  g_test_add_func ("/edit/step/nothing-changed", test_nothing_changed);
  g_test_add_func ("/edit/brush/disc-and-sphere-anisotropic", test_brush_disc_anisotropic);
  g_test_add_func ("/edit/brush/stroke-leaves-no-gap", test_brush_stroke_leaves_no_gap);
  g_test_add_func ("/edit/brush/hu-range", test_brush_hu_range);
  g_test_add_func ("/edit/islands", test_islands);
  g_test_add_func ("/edit/fill-between/cone", test_fill_cone);
  g_test_add_func ("/edit/fill-between/single-and-disjoint", test_fill_single_and_disjoint);
  g_test_add_func ("/edit/scissors", test_scissors);
  g_test_add_func ("/edit/history/random-undo-redo-all", test_history_random);
  g_test_add_func ("/edit/history/limits-and-names", test_history_limits_and_names);
  g_test_add_func ("/edit/session/modified-and-revert", test_session_modified);
  return g_test_run ();
}
