/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "cal-grid.h"
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/grid/round-trip-oblique", test_round_trip_oblique);
  g_test_add_func ("/grid/orientation-codes", test_orientation_codes);
  g_test_add_func ("/grid/same-geometry", test_same_geometry);
  g_test_add_func ("/grid/singular", test_singular_matrix);
  g_test_add_func ("/grid/volume-and-mask", test_volume_and_mask);
  return g_test_run ();
}
