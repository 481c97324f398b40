/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Possible false defects (cal-false-defects.h) on a synthetic head CT: a
 * correct mask lists nothing; a piece of vault cut out of it is listed,
 * once, with its volume within 5 % and where it is. */
#include <math.h>
#include <string.h>

#include "cal-false-defects.h"
#include "cal-phantom.h"
#include "cal-test-util.h"

static CalVolume *ct;
static CalMask *labels;

static void
make_phantom (void)
{
  CalPhantomParams p;
  g_autoptr(GError) error = NULL;

  cal_phantom_params_from_seed (&p, 21);
  p.size = 128, p.pixel_mm = 1.8, p.slice_mm = 2.0;
  /* Metal's streaks are a check of their own; here, bone alone. */
  p.n_plates = 0, p.n_clips = 0;
  g_assert_true (cal_phantom_generate (&p, &ct, &labels, NULL, &error));
  g_assert_no_error (error);
}

static CalMask *
skull_mask (void)
{
  CalMask *mask = cal_mask_new (cal_mask_get_grid (labels));
  const guint8 *l = cal_mask_get_labels (labels);
  guint8 *m = cal_mask_get_labels_mutable (mask);

  for (gsize v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (labels)); v++)
    m[v] = l[v] == CAL_PHANTOM_SKULL;
  return mask;
}

static void
test_correct_mask (void)
{
  g_autoptr(CalMask) mask = skull_mask ();
  g_autoptr(GArray) pieces = cal_find_false_defects (ct, mask, NULL, NULL, NULL);

  g_assert_nonnull (pieces);
  for (guint i = 0; i < pieces->len; i++)
    g_test_message ("listed: %.1f mm³", g_array_index (pieces, CalFalseDefect, i).volume_mm3);
  g_assert_cmpuint (pieces->len, ==, 0);
}

static void
test_piece_cut_out (void)
{
  g_autoptr(CalMask) mask = skull_mask ();
  const CalGrid *grid = cal_mask_get_grid (mask);
  const guint32 *d = grid->dims;
  guint8 *m = cal_mask_get_labels_mutable (mask);
  guint32 ci = d[0] / 2, cj = d[1] / 2, top = 0;
  guint64 removed = 0;
  g_autoptr(GArray) pieces = NULL;
  const CalFalseDefect *piece;
  double voxel_mm3 = fabs (cal_grid_determinant (grid)), expected, centre[3];

  /* The vault's highest bone above the centre of the head. */
  for (guint32 k = 0; k < d[2]; k++)
    if (m[ci + (gsize) d[0] * (cj + (gsize) d[1] * k)])
      top = k;
  g_assert_cmpuint (top, >, 0);
  /* A piece 9 × 9 voxels (16 mm) of the vault through its whole thickness. */
  for (guint32 k = top > 8 ? top - 8 : 0; k <= top; k++)
    for (guint32 j = cj - 4; j <= cj + 4; j++)
      for (guint32 i = ci - 4; i <= ci + 4; i++)
        {
          gsize v = i + (gsize) d[0] * (j + (gsize) d[1] * k);
          removed += m[v];
          m[v] = 0;
        }
  expected = removed * voxel_mm3;
  pieces = cal_find_false_defects (ct, mask, NULL, NULL, NULL);
  g_assert_nonnull (pieces);
  g_assert_cmpuint (pieces->len, ==, 1);
  piece = &g_array_index (pieces, CalFalseDefect, 0);
  g_test_message ("cut out %.1f mm³, listed %.1f mm³ (mean %.0f HU)", expected, piece->volume_mm3, piece->mean_hu);
  g_assert_cmpfloat (fabs (piece->volume_mm3 / expected - 1), <, 0.05);
  {
    const double ijk[3] = { ci, cj, top };
    cal_grid_voxel_to_patient (grid, ijk, centre);
  }
  g_assert_cmpfloat (hypot (piece->centroid[0] - centre[0], piece->centroid[1] - centre[1]), <, 5.0);
  g_assert_cmpuint (piece->box.lo[0], >=, ci - 4);
  g_assert_cmpuint (piece->box.hi[0], <=, ci + 5);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  make_phantom ();
  g_test_add_func ("/false-defects/correct-mask", test_correct_mask);
  g_test_add_func ("/false-defects/piece-cut-out", test_piece_cut_out);
  status = g_test_run ();
  g_object_unref (ct);
  g_object_unref (labels);
  return status;
}
