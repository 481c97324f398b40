/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The signed-deviation map (cal-deviation-map.h) and the nearest-point
 * search under it (cal-surface-distance.h): exact distances to a flat
 * surface, a sphere inside a larger one (every vertex at the radius
 * difference, signed by which is outside), agreement with a search of
 * every triangle, and the area-weighted summary. */
#include <math.h>
#include <string.h>

#include "cal-deviation-map.h"
#include "cal-surface-distance.h"
#include "cal-surface.h"
#include "cal-test-util.h"

static CalMask *
ball_mask (guint32 n, double spacing, const double centre[3], double radius)
{
  const double sp[3] = { spacing, spacing, spacing };
  CalMask *mask = cal_test_new_mask (n, n, n, sp);
  guint8 *m = cal_mask_get_labels_mutable (mask);

  for (guint32 k = 0; k < n; k++)
    for (guint32 j = 0; j < n; j++)
      for (guint32 i = 0; i < n; i++)
        {
          double dx = i * spacing - centre[0], dy = j * spacing - centre[1], dz = k * spacing - centre[2];
          m[i + n * (j + (gsize) n * k)] = sqrt (dx * dx + dy * dy + dz * dz) <= radius;
        }
  return mask;
}

/* Bone where z (in voxels) is below `top`: its surface is the plane halfway
 * between slices top − 1 and top, plus the volume's sides. */
static CalMask *
slab_mask (guint32 n, double spacing, guint32 top)
{
  const double sp[3] = { spacing, spacing, spacing };
  CalMask *mask = cal_test_new_mask (n, n, n, sp);
  guint8 *m = cal_mask_get_labels_mutable (mask);

  memset (m, 1, (gsize) n * n * top);
  return mask;
}

static void
test_flat_surface_exact (void)
{
  g_autoptr(CalMask) ref = slab_mask (40, 0.5, 20);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalDeviationReference) dev = cal_deviation_reference_new (ref, NULL, &error);
  const double plane_z = 19.5 * 0.5;

  g_assert_no_error (error);
  /* Points over the middle of the slab, at known heights above and below
   * the plane: the distance is the height, + above (outside the bone). */
  for (double h = -4.0; h <= 4.0; h += 0.37)
    {
      double p[3] = { 10.1, 9.7, plane_z + h }, closest[3];
      double d = cal_deviation_reference_measure_point (dev, p, closest);

      g_assert_cmpfloat_with_epsilon (d, h, 1e-5);
      g_assert_cmpfloat_with_epsilon (closest[2], plane_z, 1e-5);
      g_assert_cmpfloat_with_epsilon (closest[0], p[0], 1e-5);
    }
}

/* Every vertex of a sphere of radius 23 mm is 3 mm outside one of radius
 * 20 mm with the same centre, to within the voxel steps of both surfaces;
 * measured the other way round, 3 mm inside. */
static void
test_sphere_in_sphere (void)
{
  const double centre[3] = { 32.25, 31.75, 32.0 }, spacing = 0.5;
  g_autoptr(CalMask) small = ball_mask (130, spacing, centre, 20.0);
  g_autoptr(CalMask) big = ball_mask (130, spacing, centre, 23.0);
  g_autoptr(GError) error = NULL;
  /* A vertex sits at most half a voxel diagonal from the ideal sphere,
   * and so does the other surface's nearest point. */
  const double slack = 2 * 0.5 * spacing * sqrt (3.0);

  for (int swap = 0; swap < 2; swap++)
    {
      CalMask *ref = swap ? big : small, *test = swap ? small : big;
      g_autoptr(CalDeviationReference) dev = cal_deviation_reference_new (ref, NULL, &error);
      g_autoptr(CalMesh) mesh = cal_surface_from_mask (test, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error);
      guint32 n = cal_mesh_get_n_vertices (mesh);
      g_autofree float *values = g_new (float, n);
      const double expected = swap ? -3.0 : 3.0;
      CalDeviationStats stats;

      g_assert_no_error (error);
      g_assert_true (cal_deviation_reference_measure (dev, cal_mesh_get_vertices (mesh), 3, n, values, NULL, &error));
      for (guint32 i = 0; i < n; i++)
        g_assert_cmpfloat (fabs (values[i] - expected), <=, slack);
      cal_deviation_stats_compute (values, cal_mesh_get_vertices (mesh), 3, n,
                                   cal_mesh_get_triangles (mesh), cal_mesh_get_n_triangles (mesh),
                                   NULL, 1.0, 5.0, &stats);
      g_test_message ("sphere in sphere (%s): %.4f ± %.4f mm, %u vertices", swap ? "inner" : "outer",
                      stats.mean, stats.sd, n);
      /* The nearest point of the other surface's voxel steps is a little
       * nearer than the ideal sphere (its corners stick out): a bias under
       * half a voxel, never more. */
      g_assert_cmpfloat (fabs (stats.mean - expected), <, spacing / 2);
      g_assert_cmpfloat (stats.sd, <, 0.2);
      g_assert_cmpfloat (stats.within_tolerance, ==, 0.0);
      g_assert_cmpuint (stats.n_points, ==, n);
    }
}

/* Where two masks agree their surfaces share vertices, and the map takes
 * those without a search: every vertex of a test mask that is the
 * reference plus a bump and less a dent gets what the search of the
 * reference's triangles gives, on the shared part (0) and elsewhere. */
static void
test_shared_vertices_match_search (void)
{
  const double centre[3] = { 12.25, 11.75, 12.0 }, bump[3] = { 12.0, 12.0, 22.0 }, dent[3] = { 12.0, 2.0, 12.0 };
  g_autoptr(CalMask) ref = ball_mask (50, 0.5, centre, 9.0);
  g_autoptr(CalMask) test = ball_mask (50, 0.5, centre, 9.0);
  g_autoptr(CalMask) extra = ball_mask (50, 0.5, bump, 3.0);
  g_autoptr(CalMask) hole = ball_mask (50, 0.5, dent, 3.0);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalDeviationReference) dev = cal_deviation_reference_new (ref, NULL, &error);
  g_autoptr(CalMesh) ref_mesh = cal_surface_from_mask (ref, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error);
  g_autoptr(CalSurfaceDistance) search = cal_surface_distance_new (ref_mesh);
  g_autoptr(CalMesh) mesh = NULL;
  guint8 *t = cal_mask_get_labels_mutable (test);
  gsize n_voxels = cal_grid_n_voxels (cal_mask_get_grid (test));
  guint32 n, shared = 0;
  g_autofree float *values = NULL;

  for (gsize i = 0; i < n_voxels; i++)
    t[i] = (t[i] | cal_mask_get_labels (extra)[i]) & !cal_mask_get_labels (hole)[i];
  mesh = cal_surface_from_mask (test, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  n = cal_mesh_get_n_vertices (mesh);
  values = g_new (float, n);
  g_assert_true (cal_deviation_reference_measure (dev, cal_mesh_get_vertices (mesh), 3, n, values, NULL, &error));
  for (guint32 i = 0; i < n; i++)
    {
      const float *v = cal_mesh_get_vertices (mesh) + 3 * (gsize) i;
      double p[3] = { v[0], v[1], v[2] };
      double d = cal_surface_distance_nearest (search, p, NULL);

      g_assert_cmpfloat_with_epsilon (fabs (values[i]), d, 1e-5);
      shared += d < 1e-6;
    }
  /* Both kinds were there: most of the sphere is shared. */
  g_assert_cmpuint (shared, >, n / 2);
  g_assert_cmpuint (shared, <, n);
}

/* A second comparison against the same reference, reusing its surface and
 * search, gives what a fresh one gives. */
static GMutex progress_lock;

static void
record_progress (double fraction, gpointer data)
{
  g_mutex_lock (&progress_lock);
  g_array_append_val ((GArray *) data, fraction);
  g_mutex_unlock (&progress_lock);
}

static void
test_reuse_reference (void)
{
  g_autoptr(GArray) progress = g_array_new (FALSE, FALSE, sizeof (double));
  const double centre[3] = { 12.25, 11.75, 12.0 }, moved[3] = { 13.0, 11.75, 12.5 };
  g_autoptr(CalMask) ref = ball_mask (50, 0.5, centre, 9.0);
  g_autoptr(CalMask) first = ball_mask (50, 0.5, centre, 10.0);
  g_autoptr(CalMask) second = ball_mask (50, 0.5, moved, 8.5);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalSurfaceComparison) a = cal_surface_comparison_compute (ref, first, NULL, 1.0, 5.0, NULL, &error);
  g_autoptr(CalSurfaceComparison) fresh = cal_surface_comparison_compute (ref, second, NULL, 1.0, 5.0, NULL, &error);
  g_autoptr(CalSurfaceComparison) reused = NULL;

  g_assert_no_error (error);
  reused = cal_surface_comparison_compute_with (g_steal_pointer (&a->reference), ref, second, NULL, 1.0, 5.0,
                                                record_progress, progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (reused->stats.mean, ==, fresh->stats.mean);
  g_assert_cmpfloat (reused->stats.sd, ==, fresh->stats.sd);
  g_assert_cmpfloat (reused->stats.max, ==, fresh->stats.max);
  g_assert_cmpfloat (reused->stats.within_tolerance, ==, fresh->stats.within_tolerance);
  g_assert_cmpuint (reused->stats.n_points, ==, fresh->stats.n_points);
  g_assert_true (cal_deviation_reference_get_mask (reused->reference) == ref);
  /* Progress rose to the end (chunks finish in any order, each a step). */
  g_assert_cmpuint (progress->len, >=, 2);
  g_assert_cmpfloat (g_array_index (progress, double, 0), >=, 0.0);
  {
    double top = 0;
    for (guint i = 0; i < progress->len; i++)
      top = MAX (top, g_array_index (progress, double, i));
    g_assert_cmpfloat_with_epsilon (top, 1.0, 1e-9);
  }
}

/* The hierarchy finds what looking at every triangle finds, near the
 * surface and far from it. */
static void
test_matches_every_triangle (void)
{
  const double centre[3] = { 12, 13, 11 };
  g_autoptr(CalMask) blob = ball_mask (48, 0.5, centre, 7.0);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(CalSurfaceDistance) index = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint8 *m = cal_mask_get_labels_mutable (blob);
  const float *v;
  const guint32 *t;

  /* Dents and a stray piece make it less regular than a ball. */
  for (int k = 0; k < 400; k++)
    m[g_rand_int_range (rand, 0, 48 * 48 * 48)] ^= 1;
  mesh = cal_surface_from_mask (blob, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  index = cal_surface_distance_new (mesh);
  v = cal_mesh_get_vertices (mesh);
  t = cal_mesh_get_triangles (mesh);
  for (int q = 0; q < 300; q++)
    {
      double spread = q < 200 ? 15.0 : 200.0;
      double p[3], closest[3], brute = INFINITY, d;

      for (int i = 0; i < 3; i++)
        p[i] = centre[i] + g_rand_double_range (rand, -spread, spread);
      for (guint32 f = 0; f < cal_mesh_get_n_triangles (mesh); f++)
        {
          double a[3], b[3], c[3], x[3], d2 = 0;

          for (int i = 0; i < 3; i++)
            {
              a[i] = v[3 * t[3 * f] + i];
              b[i] = v[3 * t[3 * f + 1] + i];
              c[i] = v[3 * t[3 * f + 2] + i];
            }
          cal_triangle_closest_point (p, a, b, c, x);
          for (int i = 0; i < 3; i++)
            d2 += (x[i] - p[i]) * (x[i] - p[i]);
          brute = MIN (brute, sqrt (d2));
        }
      d = cal_surface_distance_nearest (index, p, closest);
      g_assert_cmpfloat_with_epsilon (d, brute, 1e-9);
      g_assert_cmpfloat_with_epsilon (sqrt ((closest[0] - p[0]) * (closest[0] - p[0]) +
                                            (closest[1] - p[1]) * (closest[1] - p[1]) +
                                            (closest[2] - p[2]) * (closest[2] - p[2])), d, 1e-9);
    }
}

static void
test_triangle_regions (void)
{
  const double a[3] = { 0, 0, 0 }, b[3] = { 4, 0, 0 }, c[3] = { 0, 4, 0 };
  const struct { double p[3], q[3]; } cases[] = {
    { { 1, 1, 3 }, { 1, 1, 0 } },       /* over the face */
    { { -2, -1, 0 }, { 0, 0, 0 } },     /* beyond vertex a */
    { { 6, -1, 1 }, { 4, 0, 0 } },      /* beyond b */
    { { -1, 7, 0 }, { 0, 4, 0 } },      /* beyond c */
    { { 2, -3, 0 }, { 2, 0, 0 } },      /* beside edge ab */
    { { -3, 2, 5 }, { 0, 2, 0 } },      /* beside edge ac */
    { { 3, 3, 0 }, { 2, 2, 0 } },       /* beside edge bc */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double q[3];

      cal_triangle_closest_point (cases[i].p, a, b, c, q);
      for (int k = 0; k < 3; k++)
        g_assert_cmpfloat_with_epsilon (q[k], cases[i].q[k], 1e-12);
    }
}

/* Two triangles of different size: the summary weighs each vertex by the
 * area around it, and the region keeps only the points inside it. */
static void
test_stats_weighting (void)
{
  const float points[] = { 0, 0, 0,  4, 0, 0,  0, 4, 0,     /* 8 mm² at +0.5 */
                           10, 10, 10,  11, 10, 10,  10, 11, 10 };  /* 0.5 mm² at +2 */
  const guint32 triangles[] = { 0, 1, 2, 3, 4, 5 };
  const float values[] = { 0.5f, 0.5f, 0.5f, 2, 2, 2 };
  const double sp[3] = { 1, 1, 1 };
  g_autoptr(CalMask) roi = cal_test_new_mask (16, 16, 16, sp);
  CalDeviationStats stats;
  double mean = (8 * 0.5 + 0.5 * 2) / 8.5;

  cal_deviation_stats_compute (values, points, 3, 6, triangles, 2, NULL, 1.0, 5.0, &stats);
  g_assert_cmpfloat_with_epsilon (stats.area_mm2, 8.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (stats.mean, mean, 1e-9);
  g_assert_cmpfloat_with_epsilon (stats.rms, sqrt ((8 * 0.25 + 0.5 * 4) / 8.5), 1e-9);
  g_assert_cmpfloat_with_epsilon (stats.sd, sqrt ((8 * 0.25 + 0.5 * 4) / 8.5 - mean * mean), 1e-9);
  g_assert_cmpfloat_with_epsilon (stats.within_tolerance, 8 / 8.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (stats.histogram[55], 8 / 8.5, 1e-9);   /* [0.5, 0.6) */
  g_assert_cmpfloat_with_epsilon (stats.histogram[70], 0.5 / 8.5, 1e-9); /* [2.0, 2.1) */
  g_assert_cmpfloat (stats.min, ==, 0.5);
  g_assert_cmpfloat (stats.max, ==, 2.0);

  cal_mask_get_labels_mutable (roi)[10 + 16 * (10 + 16 * 10)] = 1;
  cal_mask_get_labels_mutable (roi)[11 + 16 * (10 + 16 * 10)] = 1;
  cal_deviation_stats_compute (values, points, 3, 6, triangles, 2, roi, 1.0, 5.0, &stats);
  g_assert_cmpuint (stats.n_points, ==, 2);
  g_assert_cmpfloat (stats.mean, ==, 2.0);
  g_assert_cmpfloat (stats.within_tolerance, ==, 0.0);
}

static void
test_empty_reference (void)
{
  const double sp[3] = { 1, 1, 1 };
  g_autoptr(CalMask) empty = cal_test_new_mask (8, 8, 8, sp);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalDeviationReference) dev = cal_deviation_reference_new (empty, NULL, &error);

  g_assert_null (dev);
  g_assert_error (error, CAL_DEVIATION_ERROR, CAL_DEVIATION_ERROR_EMPTY);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qc/deviation/flat-exact", test_flat_surface_exact);
  g_test_add_func ("/qc/deviation/sphere-in-sphere", test_sphere_in_sphere);
  g_test_add_func ("/qc/deviation/reuse-reference", test_reuse_reference);
  g_test_add_func ("/qc/deviation/shared-vertices", test_shared_vertices_match_search);
  g_test_add_func ("/qc/deviation/matches-every-triangle", test_matches_every_triangle);
  g_test_add_func ("/qc/deviation/triangle-regions", test_triangle_regions);
  g_test_add_func ("/qc/deviation/stats-weighting", test_stats_weighting);
  g_test_add_func ("/qc/deviation/empty-reference", test_empty_reference);
  return g_test_run ();
}
