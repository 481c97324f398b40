/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "cal-grid.h"
#include "cal-reorient.h"
#include "cal-mask.h"
#include "cal-volume.h"

static void
test_round_trip_oblique (void)
{
  const guint32 dims[3] = { 13, 127, 5 };
  const double spacing[3] = { 0.5, 0.75, 2.5 };
  double c = cos (0.3), s = sin (0.3);
  const double direction[3][3] = { { c, s, 0 }, { -s, c, 0 }, { 0, 0, 1 } };
  const double origin[3] = { -10, 20, 30 };
  double ijk[3] = { 3, 100, 4 }, xyz[3], back[3], sp[3];
  CalGrid grid;

  cal_grid_init (&grid, dims, spacing, direction, origin);
  cal_grid_voxel_to_patient (&grid, ijk, xyz);
  g_assert_cmpfloat_with_epsilon (xyz[2], 30 + 4 * 2.5, 1e-12);
  g_assert_true (cal_grid_patient_to_voxel (&grid, xyz, back));
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat_with_epsilon (back[a], ijk[a], 1e-9);
  cal_grid_get_spacing (&grid, sp);
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat_with_epsilon (sp[a], spacing[a], 1e-12);
  g_assert_true (cal_grid_is_oblique (&grid, 1.0));
  g_assert_cmpuint (cal_grid_n_voxels (&grid), ==, 13 * 127 * 5);
}

static void
test_orientation_codes (void)
{
  const guint32 dims[3] = { 2, 2, 2 };
  const double spacing[3] = { 1, 1, 1 }, origin[3] = { 0, 0, 0 };
  const double lps[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  const double ras_like[3][3] = { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 1 } };
  const double sagittal[3][3] = { { 0, 1, 0 }, { 0, 0, -1 }, { 1, 0, 0 } };
  CalGrid grid;
  char code[4];

  cal_grid_init (&grid, dims, spacing, lps, origin);
  cal_grid_orientation_code (&grid, code);
  g_assert_cmpstr (code, ==, "LPS");
  cal_grid_init (&grid, dims, spacing, ras_like, origin);
  cal_grid_orientation_code (&grid, code);
  g_assert_cmpstr (code, ==, "RAS");
  cal_grid_init (&grid, dims, spacing, sagittal, origin);
  cal_grid_orientation_code (&grid, code);
  g_assert_cmpstr (code, ==, "PIL");
  g_assert_false (cal_grid_is_oblique (&grid, 1.0));
}

static void
test_same_geometry (void)
{
  const guint32 dims[3] = { 10, 10, 10 };
  const double spacing[3] = { 1, 1, 1 }, other[3] = { 1, 1, 1.001 };
  CalGrid a, b;

  cal_grid_init_axis_aligned (&a, dims, spacing);
  cal_grid_init_axis_aligned (&b, dims, spacing);
  g_assert_true (cal_grid_same_geometry (&a, &b, 1e-6));
  cal_grid_init_axis_aligned (&b, dims, other);
  g_assert_false (cal_grid_same_geometry (&a, &b, 1e-6));
  g_assert_true (cal_grid_same_geometry (&a, &b, 0.01));
}

static void
test_singular_matrix (void)
{
  double m[4][4] = { { 1, 0, 0, 0 }, { 2, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } }, inv[4][4];

  g_assert_false (cal_mat4_invert (m, inv));
}

static void
test_volume_and_mask (void)
{
  const guint32 dims[3] = { 3, 2, 2 };
  const double spacing[3] = { 1, 1, 1 };
  gint16 values[12] = { -1024, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 3071 };
  g_autoptr(GBytes) bytes = g_bytes_new (values, sizeof values);
  CalVolume *volume;
  CalMask *mask;
  CalGrid grid;
  double lo, hi;

  cal_grid_init_axis_aligned (&grid, dims, spacing);
  volume = cal_volume_new (&grid, CAL_VOXEL_INT16, bytes);
  cal_volume_get_range (volume, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -1024);
  g_assert_cmpfloat (hi, ==, 3071);
  g_assert_cmpfloat (cal_volume_get_value (volume, 2, 1, 1), ==, 3071);
  g_assert_finalize_object (volume);

  mask = cal_mask_new (&grid);
  cal_mask_get_labels_mutable (mask)[4] = CAL_LABEL_BONE;
  g_assert_cmpuint (cal_mask_count (mask, CAL_LABEL_BONE), ==, 1);
  g_assert_cmpuint (cal_mask_get_max_label (mask), ==, 1);
  g_assert_finalize_object (mask);
}

/* Reordering a volume into any of the 48 orientations keeps every voxel
 * at its place in the patient, lands the axes where the code says, and
 * the inverse map gives the stored volume back, byte for byte. */
static void
test_reorder_orientations (void)
{
  static const char *const letters[3][2] = { { "L", "R" }, { "P", "A" }, { "S", "I" } };
  static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
  const guint32 dims[3] = { 5, 4, 3 };
  const double spacing[3] = { 0.5, 0.75, 2.0 };
  /* A stored orientation of its own (RSA: rows superior, slices anterior), slightly oblique. */
  const double direction[3][3] = { { -1, 0, 0 }, { 0, 0.02, 0.9998 }, { 0, -0.9998, 0.02 } };
  const double origin[3] = { 10, -20, 30 };
  g_autofree gint16 *values = g_new (gint16, 60);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CalVolume) stored = NULL;
  CalGrid grid;
  guint n = 0;

  for (int v = 0; v < 60; v++)
    values[v] = (gint16) (v * 7 - 100);
  bytes = g_bytes_new (values, 60 * sizeof (gint16));
  cal_grid_init (&grid, dims, spacing, direction, origin);
  stored = cal_volume_new (&grid, CAL_VOXEL_INT16, bytes);
  for (int p = 0; p < 6; p++)
    for (int signs = 0; signs < 8; signs++)
      {
        char code[4] = { 0 }, got[4];
        CalAxisMap map, back;
        g_autoptr(CalVolume) turned = NULL, again = NULL;
        const CalGrid *tg;

        for (int t = 0; t < 3; t++)
          code[t] = letters[perms[p][t]][(signs >> t) & 1][0];
        g_assert_true (cal_orientation_code_is_valid (code));
        cal_axis_map_to_orientation (&grid, code, &map);
        turned = cal_volume_reorder (stored, &map);
        tg = cal_volume_get_grid (turned);
        cal_grid_orientation_code (tg, got);
        g_assert_cmpstr (got, ==, code);
        /* Every voxel of the result is the stored voxel at the same place. */
        for (guint32 k = 0; k < tg->dims[2]; k++)
          for (guint32 j = 0; j < tg->dims[1]; j++)
            for (guint32 i = 0; i < tg->dims[0]; i++)
              {
                double ijk[3] = { i, j, k }, xyz[3], src[3];
                cal_grid_voxel_to_patient (tg, ijk, xyz);
                g_assert_true (cal_grid_patient_to_voxel (&grid, xyz, src));
                for (int a = 0; a < 3; a++)
                  g_assert_cmpfloat (fabs (src[a] - round (src[a])), <, 1e-9);
                g_assert_cmpfloat (cal_volume_get_value (turned, i, j, k), ==,
                                   cal_volume_get_value (stored, (guint32) round (src[0]), (guint32) round (src[1]),
                                                         (guint32) round (src[2])));
              }
        cal_axis_map_invert (&map, &back);
        again = cal_volume_reorder (turned, &back);
        g_assert_true (g_bytes_equal (cal_volume_get_bytes (again), bytes));
        g_assert_true (cal_grid_same_geometry (cal_volume_get_grid (again), &grid, 1e-9));
        g_assert_true (cal_axis_map_is_identity (&map) == (strcmp (code, "RSA") == 0));
        n++;
      }
  g_assert_cmpuint (n, ==, 48);
  for (guint i = 0; i < 5; i++)
    g_assert_false (cal_orientation_code_is_valid ((const char *[]) { "LPL", "LP", "LPSX", "lps", "XYZ" }[i]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/grid/round-trip-oblique", test_round_trip_oblique);
  g_test_add_func ("/grid/orientation-codes", test_orientation_codes);
  g_test_add_func ("/grid/same-geometry", test_same_geometry);
  g_test_add_func ("/grid/singular", test_singular_matrix);
  g_test_add_func ("/grid/volume-and-mask", test_volume_and_mask);
  g_test_add_func ("/grid/reorder-orientations", test_reorder_orientations);
  return g_test_run ();
}
