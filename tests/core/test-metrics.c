/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal-metrics.h"
#include "cal-test-util.h"

/* The first seed's worked example: volumetric DSC 1/3, slice mean 0.375,
 * harmonic mean 1/3 (equal to the volumetric one here). */
static void
test_dsc_definitions (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) a = cal_test_new_mask (20, 20, 2, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (20, 20, 2, spacing);
  guint8 *la = cal_mask_get_labels_mutable (a), *lb = cal_mask_get_labels_mutable (b);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMetrics) m = NULL;

  for (int i = 0; i < 100; i++) la[i] = 1;
  for (int i = 50; i < 150; i++) lb[i] = 1;
  for (int i = 0; i < 200; i++) la[400 + i] = 1;
  for (int i = 150; i < 350; i++) lb[400 + i] = 1;
  m = cal_metrics_compute_cpu (a, b, NULL, CAL_METRICS_EXACT_EDT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (m->dsc, 1.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (m->dsc_slice_mean, 0.375, 1e-12);
  g_assert_cmpfloat_with_epsilon (m->dsc_slice_harmonic, 1.0 / 3.0, 1e-12);
}

static void
test_single_voxels (void)
{
  const double spacing[3] = { 0.5, 0.75, 2.0 };
  g_autoptr(CalMask) a = cal_test_new_mask (13, 11, 7, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (13, 11, 7, spacing);
  g_autoptr(CalMetrics) m = NULL;
  double expected = sqrt (pow (7 * 0.5, 2) + pow (3 * 0.75, 2) + pow (2 * 2.0, 2));

  cal_mask_get_labels_mutable (a)[1 + 13 * (2 + 11 * 1)] = 1;
  cal_mask_get_labels_mutable (b)[8 + 13 * (5 + 11 * 3)] = 1;
  m = cal_metrics_compute_cpu (a, b, NULL, CAL_METRICS_EXACT_EDT, NULL, NULL);
  g_assert_nonnull (m);
  g_assert_cmpfloat_with_epsilon (m->hd, expected, 1e-12);
  g_assert_cmpfloat_with_epsilon (m->hd95, expected, 1e-12);
  g_assert_cmpfloat_with_epsilon (m->assd, expected, 1e-12);
  g_assert_cmpfloat (m->dsc, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (m->deviation_mean, -expected, 1e-12);   /* test not around ref */
}

static void
fill_random (CalMask *mask, double density, guint32 seed)
{
  const CalGrid *g = cal_mask_get_grid (mask);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *l = cal_mask_get_labels_mutable (mask);

  for (guint64 i = 0; i < cal_grid_n_voxels (g); i++)
    l[i] = g_rand_double (rand) < density;
}

static void
fill_ball (CalMask *mask, double cx, double cy, double cz, double radius_mm, gboolean shell)
{
  const CalGrid *g = cal_mask_get_grid (mask);
  guint8 *l = cal_mask_get_labels_mutable (mask);
  double sp[3];

  cal_grid_get_spacing (g, sp);
  for (guint32 k = 0; k < g->dims[2]; k++)
    for (guint32 j = 0; j < g->dims[1]; j++)
      for (guint32 i = 0; i < g->dims[0]; i++)
        {
          double r = sqrt (pow ((i - cx) * sp[0], 2) + pow ((j - cy) * sp[1], 2) + pow ((k - cz) * sp[2], 2));
          l[i + g->dims[0] * (j + (gsize) g->dims[1] * k)] = shell ? (r <= radius_mm && r > radius_mm - 1.5)
                                                                    : r <= radius_mm;
        }
}

static void
assert_same (const CalMetrics *x, const CalMetrics *y)
{
  g_assert_cmpfloat (x->dsc, ==, y->dsc);
  g_assert_cmpfloat (x->dsc_slice_harmonic, ==, y->dsc_slice_harmonic);
  g_assert_cmpfloat (x->hd, ==, y->hd);
  g_assert_cmpfloat (x->hd95, ==, y->hd95);
  g_assert_cmpfloat_with_epsilon (x->assd, y->assd, 1e-12);
  g_assert_cmpfloat_with_epsilon (x->deviation_mean, y->deviation_mean, 1e-12);
  g_assert_cmpfloat_with_epsilon (x->deviation_sd, y->deviation_sd, 1e-12);
  g_assert_cmpuint (x->n_surface_ref, ==, y->n_surface_ref);
  g_assert_cmpuint (x->n_surface_test, ==, y->n_surface_test);
  for (guint64 i = 0; i < x->n_surface_ref; i++)
    {
      g_assert_cmpuint (x->deviation_index[i], ==, y->deviation_index[i]);
      g_assert_cmpfloat (x->deviation[i], ==, y->deviation[i]);
    }
}

/* One pass with a region gives the whole comparison and, in ->region,
 * what a pass restricted to the region gives, by both methods. */
static void
assert_region_from_one_pass (CalMask *a, CalMask *b, CalMask *roi)
{
  for (int method = CAL_METRICS_EXACT_EDT; method <= CAL_METRICS_BRUTE_FORCE; method++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CalMetrics) both = cal_metrics_compute_cpu_with_region (a, b, roi, method, NULL, &error);
      g_autoptr(CalMetrics) whole = cal_metrics_compute_cpu (a, b, NULL, method, NULL, &error);
      g_autoptr(CalMetrics) restricted = cal_metrics_compute_cpu (a, b, roi, method, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (both->region);
      g_assert_null (both->region_problem);
      assert_same (both->region, restricted);
      assert_same (both, whole);
    }
}

static void
assert_methods_agree (CalMask *a, CalMask *b, CalMask *roi)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMetrics) fast = cal_metrics_compute_cpu (a, b, roi, CAL_METRICS_EXACT_EDT, NULL, &error);
  g_autoptr(CalMetrics) slow = NULL;

  g_assert_no_error (error);
  slow = cal_metrics_compute_cpu (a, b, roi, CAL_METRICS_BRUTE_FORCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (fast->hd, slow->hd, 1e-9);
  g_assert_cmpfloat_with_epsilon (fast->hd95, slow->hd95, 1e-9);
  g_assert_cmpfloat_with_epsilon (fast->assd, slow->assd, 1e-9);
  g_assert_cmpfloat_with_epsilon (fast->deviation_mean, slow->deviation_mean, 1e-9);
  g_assert_cmpfloat_with_epsilon (fast->deviation_sd, slow->deviation_sd, 1e-9);
  g_assert_cmpuint (fast->n_surface_ref, ==, slow->n_surface_ref);
  for (guint64 i = 0; i < fast->n_surface_ref; i++)
    g_assert_cmpfloat_with_epsilon (fast->deviation[i], slow->deviation[i], 1e-5);
  g_assert_cmpfloat (fast->dsc, ==, slow->dsc);
  if (roi)
    assert_region_from_one_pass (a, b, roi);
}

/* Exact EDT against every pair of surface voxels, on odd shapes and
 * anisotropic spacing. */
static void
test_edt_equals_brute_force (void)
{
  static const struct { guint32 dims[3]; double spacing[3]; } shapes[] = {
    { { 13, 127, 5 }, { 0.48, 0.52, 1.25 } },
    { { 17, 9, 11 }, { 1.0, 1.0, 1.0 } },
    { { 31, 29, 3 }, { 0.3, 2.0, 0.7 } },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const guint32 *d = shapes[s].dims;
      g_autoptr(CalMask) a = cal_test_new_mask (d[0], d[1], d[2], shapes[s].spacing);
      g_autoptr(CalMask) b = cal_test_new_mask (d[0], d[1], d[2], shapes[s].spacing);
      g_autoptr(CalMask) roi = cal_test_new_mask (d[0], d[1], d[2], shapes[s].spacing);

      fill_random (a, 0.3, 11 + s);
      fill_random (b, 0.1, 97 + s);
      assert_methods_agree (a, b, NULL);

      fill_ball (a, d[0] / 2.0, d[1] / 2.0, d[2] / 2.0, 4.0, TRUE);
      fill_ball (b, d[0] / 2.0 + 1, d[1] / 2.0, d[2] / 2.0, 5.0, FALSE);
      assert_methods_agree (a, b, NULL);

      /* Full block against a corner voxel, then a region of interest. */
      memset (cal_mask_get_labels_mutable (a), 1, cal_grid_n_voxels (cal_mask_get_grid (a)));
      memset (cal_mask_get_labels_mutable (b), 0, cal_grid_n_voxels (cal_mask_get_grid (b)));
      cal_mask_get_labels_mutable (b)[0] = 1;
      assert_methods_agree (a, b, NULL);
      fill_random (roi, 0.5, 5);
      fill_random (b, 0.2, 3);
      assert_methods_agree (a, b, roi);
    }
}

/* A region holding no surface voxel of one mask: the whole comparison
 * stands, the region's metrics are absent and say why. */
static void
test_region_without_surface (void)
{
  const double spacing[3] = { 1.0, 1.0, 1.0 };
  g_autoptr(CalMask) a = cal_test_new_mask (20, 20, 20, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (20, 20, 20, spacing);
  g_autoptr(CalMask) region = cal_test_new_mask (20, 20, 20, spacing);
  g_autoptr(CalMetrics) m = NULL;
  g_autoptr(GError) error = NULL;

  fill_ball (a, 6, 6, 6, 4.0, FALSE);
  fill_ball (b, 7, 6, 6, 4.0, FALSE);
  cal_mask_get_labels_mutable (region)[19 + 20 * (19 + 20 * 19)] = 1;
  m = cal_metrics_compute_cpu_with_region (a, b, region, CAL_METRICS_EXACT_EDT, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (m->region);
  g_assert_cmpstr (m->region_problem, ==, "No reference surface inside the region of interest");
  g_assert_cmpfloat (m->hd, >, 0.0);

  /* A region on another grid is refused, not measured. */
  {
    g_autoptr(CalMask) elsewhere = cal_test_new_mask (21, 20, 20, spacing);
    g_autoptr(CalMetrics) none = cal_metrics_compute_cpu_with_region (a, b, elsewhere, CAL_METRICS_EXACT_EDT,
                                                                      NULL, &error);
    g_assert_null (none);
    g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_GRID_MISMATCH);
  }
}

static void
test_signed_deviation (void)
{
  const double spacing[3] = { 0.5, 0.5, 0.5 };
  g_autoptr(CalMask) ref = cal_test_new_mask (41, 41, 41, spacing);
  g_autoptr(CalMask) big = cal_test_new_mask (41, 41, 41, spacing);
  g_autoptr(CalMetrics) out = NULL, in = NULL;

  fill_ball (ref, 20, 20, 20, 6.0, FALSE);
  fill_ball (big, 20, 20, 20, 7.0, FALSE);
  out = cal_metrics_compute_cpu (ref, big, NULL, CAL_METRICS_EXACT_EDT, NULL, NULL);
  in = cal_metrics_compute_cpu (big, ref, NULL, CAL_METRICS_EXACT_EDT, NULL, NULL);
  /* A test surface 1 mm outside the reference: about +1 mm; inside: -1 mm. */
  g_assert_cmpfloat (fabs (out->deviation_mean - 1.0), <, 0.3);
  g_assert_cmpfloat (fabs (in->deviation_mean + 1.0), <, 0.3);
  g_assert_cmpfloat (out->deviation_sd, <, 0.3);
}

static void
test_errors (void)
{
  const double spacing[3] = { 1, 1, 1 }, other[3] = { 1, 1, 2 };
  g_autoptr(CalMask) a = cal_test_new_mask (5, 5, 5, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (5, 5, 5, other);
  g_autoptr(CalMask) c = cal_test_new_mask (5, 5, 5, spacing);
  g_autoptr(GError) error = NULL;

  cal_mask_get_labels_mutable (a)[3] = 1;
  cal_mask_get_labels_mutable (b)[3] = 1;
  g_assert_null (cal_metrics_compute_cpu (a, b, NULL, CAL_METRICS_EXACT_EDT, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_GRID_MISMATCH);
  g_clear_error (&error);
  g_assert_null (cal_metrics_compute_cpu (a, c, NULL, CAL_METRICS_EXACT_EDT, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY);
  g_clear_error (&error);
  cal_mask_get_labels_mutable (c)[4] = 2;
  g_assert_null (cal_metrics_compute_cpu (a, c, NULL, CAL_METRICS_EXACT_EDT, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_NOT_BINARY);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
test_percentile (void)
{
  double v[] = { 4, 1, 3, 2, 5 };

  /* numpy.percentile([1..5], 95) = 4.8 */
  g_assert_cmpfloat_with_epsilon (cal_metrics_percentile (v, 5, 0.95), 4.8, 1e-12);
  /* one value is its own percentile */
  g_assert_cmpfloat (cal_metrics_percentile (&v[2], 1, 0.95), ==, v[2]);

  /* Selection agrees with sorting on many ties and random values. */
  for (int round = 0; round < 50; round++)
    {
      gsize n = 1 + g_test_rand_int_range (0, 2000);
      g_autofree double *values = g_new (double, n), *sorted = NULL;
      double pos, expected;
      gsize lo;

      for (gsize i = 0; i < n; i++)
        values[i] = round % 2 ? g_test_rand_int_range (0, 7) : g_test_rand_double ();
      sorted = g_memdup2 (values, n * sizeof *values);
      qsort (sorted, n, sizeof *sorted, compare_doubles);
      pos = 0.95 * (double) (n - 1);
      lo = (gsize) floor (pos);
      expected = lo + 1 < n ? sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
      g_assert_cmpfloat_with_epsilon (cal_metrics_percentile (values, n, 0.95), expected, 1e-12);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/dsc-definitions", test_dsc_definitions);
  g_test_add_func ("/metrics/single-voxels", test_single_voxels);
  g_test_add_func ("/metrics/edt-equals-brute-force", test_edt_equals_brute_force);
  g_test_add_func ("/metrics/signed-deviation", test_signed_deviation);
  g_test_add_func ("/metrics/region-without-surface", test_region_without_surface);
  g_test_add_func ("/metrics/errors", test_errors);
  g_test_add_func ("/metrics/percentile", test_percentile);
  return g_test_run ();
}
