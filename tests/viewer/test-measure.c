/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Measurements on slice views (cal-measure.h): the ruler's length in mm and
 * HU statistics inside rectangles and ellipses, against sums over voxel
 * indices done here, on an anisotropic grid and a rotated one. */
#include <math.h>

#include "cal-measure.h"

static const double identity[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
static const guint32 dims[3] = { 21, 17, 6 };
static const double spacing[3] = { 0.45, 0.7, 1.25 };

/* HU that say where a voxel is: i + 20 j + 1000 k, so a voxel of the wrong
 * slice shows in min and max. */
static double
hu_at (guint32 i, guint32 j, guint32 k)
{
  return i + 20.0 * j + 1000.0 * k - 2000;
}

static CalVolume *
make_volume (const double direction[3][3])
{
  CalGrid grid;
  const double origin[3] = { -12.3, 40.1, -7.5 };
  gint16 *hu = g_new (gint16, dims[0] * dims[1] * dims[2]);
  g_autoptr(GBytes) bytes = NULL;

  cal_grid_init (&grid, dims, spacing, direction, origin);
  for (guint32 k = 0; k < dims[2]; k++)
    for (guint32 j = 0; j < dims[1]; j++)
      for (guint32 i = 0; i < dims[0]; i++)
        hu[(k * dims[1] + j) * dims[0] + i] = (gint16) hu_at (i, j, k);
  bytes = g_bytes_new_take (hu, sizeof (gint16) * dims[0] * dims[1] * dims[2]);
  return cal_volume_new (&grid, CAL_VOXEL_INT16, bytes);
}

/* Plane coordinates of voxel (i, j, k)'s centre. */
static void
voxel_on_plane (CalVolume *ct, const CalSlicePlane *plane, double i, double j, double k,
                double *u, double *v, double *n)
{
  double ijk[3] = { i, j, k }, xyz[3];

  cal_grid_voxel_to_patient (cal_volume_get_grid (ct), ijk, xyz);
  cal_slice_plane_from_patient (plane, xyz, u, v, n);
}

static void
test_ruler_length (void)
{
  g_autoptr(CalVolume) ct = make_volume (identity);
  CalSlicePlane plane;
  CalMeasureShape ruler = { .kind = CAL_MEASURE_RULER, .orientation = CAL_SLICE_AXIAL };
  double n;

  cal_slice_plane_init (&plane, cal_volume_get_grid (ct), CAL_SLICE_AXIAL);
  voxel_on_plane (ct, &plane, 2, 3, 4, &ruler.u0, &ruler.v0, &ruler.n);
  voxel_on_plane (ct, &plane, 17, 11, 4, &ruler.u1, &ruler.v1, &n);
  g_assert_cmpfloat_with_epsilon (n, ruler.n, 1e-9);
  /* 15 voxels of 0.45 mm across, 8 of 0.7 mm down. */
  g_assert_cmpfloat_with_epsilon (cal_measure_length_mm (&ruler), hypot (15 * 0.45, 8 * 0.7), 1e-9);
  g_assert_cmpfloat (cal_measure_area_mm2 (&ruler), ==, 0);
}

typedef struct {
  guint64 n;
  double sum, sum2, min, max;
} Reference;

/* Mean, SD, min and max of the voxels of slice k for which inside() holds,
 * from indices: the sum that cal_measure_region must reproduce. */
static void
reference_add (Reference *ref, double hu)
{
  ref->min = ref->n ? MIN (ref->min, hu) : hu;
  ref->max = ref->n ? MAX (ref->max, hu) : hu;
  ref->n++;
  ref->sum += hu;
  ref->sum2 += hu * hu;
}

static void
assert_matches (const CalRegionStats *stats, const Reference *ref)
{
  double mean = ref->sum / ref->n;
  double sd = sqrt ((ref->sum2 - ref->n * mean * mean) / (ref->n - 1));

  g_assert_cmpuint (stats->n_voxels, ==, ref->n);
  g_assert_cmpfloat_with_epsilon (stats->mean_hu, mean, 1e-6);
  g_assert_cmpfloat_with_epsilon (stats->sd_hu, sd, 1e-6);
  g_assert_cmpfloat (stats->min_hu, ==, ref->min);
  g_assert_cmpfloat (stats->max_hu, ==, ref->max);
}

static void
test_rectangle_statistics (void)
{
  g_autoptr(CalVolume) ct = make_volume (identity);
  CalSlicePlane plane;
  CalMeasureShape box = { .kind = CAL_MEASURE_RECTANGLE, .orientation = CAL_SLICE_AXIAL };
  CalRegionStats stats;
  Reference ref = { 0 };
  double n;

  cal_slice_plane_init (&plane, cal_volume_get_grid (ct), CAL_SLICE_AXIAL);
  /* Corners a third of a voxel beyond the centres of (4, 5) and (9, 12):
   * 6 × 8 voxels of slice 3, drawn from the bottom right corner. */
  voxel_on_plane (ct, &plane, 9.3, 12.3, 3, &box.u0, &box.v0, &box.n);
  voxel_on_plane (ct, &plane, 3.7, 4.7, 3, &box.u1, &box.v1, &n);
  for (guint32 j = 5; j <= 12; j++)
    for (guint32 i = 4; i <= 9; i++)
      reference_add (&ref, hu_at (i, j, 3));
  g_assert_true (cal_measure_region (ct, &plane, &box, &stats));
  assert_matches (&stats, &ref);
  g_assert_cmpfloat_with_epsilon (stats.area_mm2, (5.6 * 0.45) * (7.6 * 0.7), 1e-9);
}

/* A circle of 2.13 mm radius around a voxel centre, on the plain grid and
 * on one turned 30° about the slice normal: the same voxels either way,
 * counted from indices. */
static void
test_ellipse_statistics (gconstpointer data)
{
  double turn = GPOINTER_TO_INT (data) * G_PI / 180;
  const double rotated[3][3] = { { cos (turn), -sin (turn), 0 }, { sin (turn), cos (turn), 0 }, { 0, 0, 1 } };
  g_autoptr(CalVolume) ct = make_volume (rotated);
  CalSlicePlane plane;
  CalMeasureShape circle = { .kind = CAL_MEASURE_ELLIPSE, .orientation = CAL_SLICE_AXIAL };
  CalRegionStats stats;
  Reference ref = { 0 };
  double cu, cv, r = 2.13;   /* not 2.1: three voxels of 0.7 mm, a centre on the edge */

  cal_slice_plane_init (&plane, cal_volume_get_grid (ct), CAL_SLICE_AXIAL);
  voxel_on_plane (ct, &plane, 10, 8, 2, &cu, &cv, &circle.n);
  circle.u0 = cu - r, circle.u1 = cu + r, circle.v0 = cv - r, circle.v1 = cv + r;
  for (guint32 j = 0; j < dims[1]; j++)
    for (guint32 i = 0; i < dims[0]; i++)
      {
        double du = ((double) i - 10) * spacing[0], dv = ((double) j - 8) * spacing[1];
        if (du * du + dv * dv <= r * r)
          reference_add (&ref, hu_at (i, j, 2));
      }
  g_assert_cmpuint (ref.n, >, 20);
  g_assert_true (cal_measure_region (ct, &plane, &circle, &stats));
  assert_matches (&stats, &ref);
  g_assert_cmpfloat_with_epsilon (stats.area_mm2, G_PI * r * r, 1e-9);
}

/* An outline that holds no voxel centre, or lies off the scan, gives none. */
static void
test_empty_region (void)
{
  g_autoptr(CalVolume) ct = make_volume (identity);
  CalSlicePlane plane;
  CalMeasureShape box = { .kind = CAL_MEASURE_RECTANGLE, .orientation = CAL_SLICE_AXIAL };
  CalRegionStats stats;
  double n;

  cal_slice_plane_init (&plane, cal_volume_get_grid (ct), CAL_SLICE_AXIAL);
  voxel_on_plane (ct, &plane, 4.1, 5.1, 1, &box.u0, &box.v0, &box.n);
  voxel_on_plane (ct, &plane, 4.9, 5.9, 1, &box.u1, &box.v1, &n);
  g_assert_false (cal_measure_region (ct, &plane, &box, &stats));
  g_assert_cmpuint (stats.n_voxels, ==, 0);
  g_assert_true (isnan (stats.mean_hu));
  g_assert_cmpfloat (stats.area_mm2, >, 0);
  voxel_on_plane (ct, &plane, 40, 50, 1, &box.u0, &box.v0, &box.n);
  voxel_on_plane (ct, &plane, 60, 70, 1, &box.u1, &box.v1, &n);
  g_assert_false (cal_measure_region (ct, &plane, &box, &stats));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/measure/ruler-length", test_ruler_length);
  g_test_add_func ("/measure/rectangle-statistics", test_rectangle_statistics);
  g_test_add_data_func ("/measure/circle-statistics", GINT_TO_POINTER (0), test_ellipse_statistics);
  g_test_add_data_func ("/measure/circle-statistics-turned-30", GINT_TO_POINTER (30), test_ellipse_statistics);
  g_test_add_func ("/measure/empty-region", test_empty_region);
  return g_test_run ();
}
