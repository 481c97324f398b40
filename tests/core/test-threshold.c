/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "cal-mask-components.h"
#include "cal-threshold.h"
#include "cal-threshold-segmenter.h"
#include "cal-test-util.h"

static CalVolume *
new_volume (guint32 nx, guint32 ny, guint32 nz, const double spacing[3], gint16 **voxels)
{
  const guint32 dims[3] = { nx, ny, nz };
  CalGrid grid;
  gsize n = (gsize) nx * ny * nz;
  gint16 *data = g_new0 (gint16, n);
  CalVolume *volume;

  cal_grid_init_axis_aligned (&grid, dims, spacing);
  volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (data, n * sizeof (gint16)));
  *voxels = (gint16 *) cal_volume_get_data (volume);   /* test-only: fill before use */
  return volume;
}

static void
test_range_and_presets (void)
{
  const double spacing[3] = { 0.5, 0.5, 2 };
  gint16 *v;
  g_autoptr(CalVolume) volume = new_volume (5, 4, 3, spacing, &v);
  g_autoptr(CalMask) mask = NULL;
  g_autoptr(GError) error = NULL;
  CalThresholdOptions options;
  CalThresholdSummary summary;
  const CalThresholdPreset *bone = cal_threshold_preset_find ("bone");
  guint n;

  g_assert_nonnull (bone);
  g_assert_cmpfloat (bone->min_hu, ==, 226);
  g_assert_cmpfloat (bone->max_hu, ==, 3071);
  g_assert_nonnull (cal_threshold_presets (&n));
  g_assert_cmpuint (n, >=, 5);
  g_assert_null (cal_threshold_preset_find ("no-such-preset"));

  for (int i = 0; i < 60; i++)
    v[i] = (gint16) (i * 100 - 1000);   /* -1000 .. 4900 HU */
  cal_threshold_options_init (&options);
  mask = cal_threshold_segment (volume, &options, &summary, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 60; i++)
    g_assert_cmpint (cal_mask_get_labels (mask)[i], ==, v[i] >= 226 && v[i] <= 3071);
  g_assert_cmpuint (summary.n_bone, ==, 28);   /* 300 .. 3000 HU */
  g_assert_cmpfloat_with_epsilon (summary.bone_volume_mm3, 28 * 0.5, 1e-9);
  g_clear_object (&mask);

  /* Inclusive bounds on the exact HU. */
  options.min_hu = 300;
  options.max_hu = 500;
  mask = cal_threshold_segment (volume, &options, &summary, NULL, NULL, NULL, &error);
  g_assert_cmpuint (summary.n_bone, ==, 3);
  g_clear_object (&mask);

  options.min_hu = 600;
  options.max_hu = 500;
  g_assert_null (cal_threshold_segment (volume, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_THRESHOLD_ERROR, CAL_THRESHOLD_ERROR_RANGE);
}

/* Flood fill, the obvious way: the oracle for the run-based labelling. */
static guint32
flood_components (const guint8 *labels, const guint32 *d, guint8 label, gboolean diagonal,
                  guint64 *sizes, guint32 max)
{
  gsize n = (gsize) d[0] * d[1] * d[2];
  g_autofree guint32 *seen = g_new0 (guint32, n);
  g_autofree gsize *stack = g_new (gsize, n);
  guint32 count = 0;

  for (gsize start = 0; start < n; start++)
    {
      gsize top = 0;
      if (labels[start] != label || seen[start])
        continue;
      g_assert_cmpuint (count, <, max);
      sizes[count] = 0;
      seen[start] = ++count;
      stack[top++] = start;
      while (top > 0)
        {
          gsize at = stack[--top];
          int x = at % d[0], y = (at / d[0]) % d[1], z = at / ((gsize) d[0] * d[1]);
          sizes[count - 1]++;
          for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
              for (int dx = -1; dx <= 1; dx++)
                {
                  int nx = x + dx, ny = y + dy, nz = z + dz;
                  gsize to;
                  if (abs (dx) + abs (dy) + abs (dz) == 0 ||
                      (!diagonal && abs (dx) + abs (dy) + abs (dz) > 1))
                    continue;
                  if (nx < 0 || ny < 0 || nz < 0 || nx >= (int) d[0] || ny >= (int) d[1] ||
                      nz >= (int) d[2])
                    continue;
                  to = nx + d[0] * (ny + (gsize) d[1] * nz);
                  if (labels[to] == label && !seen[to])
                    {
                      seen[to] = count;
                      stack[top++] = to;
                    }
                }
        }
    }
  return count;
}

static int
compare_sizes (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

static void
test_components_match_flood_fill (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (int round = 0; round < 30; round++)
    {
      g_autoptr(CalMask) mask = cal_test_new_mask (13, 11, 9, spacing);
      guint8 *l = cal_mask_get_labels_mutable (mask);
      const guint32 *d = cal_mask_get_grid (mask)->dims;
      double density = 0.2 + 0.02 * round;

      for (int i = 0; i < 13 * 11 * 9; i++)
        l[i] = g_rand_double (rand) < density;
      for (guint8 label = 0; label <= 1; label++)
        {
          g_autoptr(CalComponents) c = cal_mask_components (mask, label, NULL);
          guint64 expected[2000];
          guint32 n = flood_components (l, d, label, label == 0, expected, 2000);
          g_autofree guint64 *got = g_memdup2 (c->sizes, sizeof (guint64) * c->n_components);

          g_assert_cmpuint (c->n_components, ==, n);
          qsort (expected, n, sizeof (guint64), compare_sizes);
          qsort (got, n, sizeof (guint64), compare_sizes);
          for (guint32 i = 0; i < n; i++)
            g_assert_cmpuint (got[i], ==, expected[i]);
        }
    }
}

static void
set_box (CalMask *mask, int x0, int y0, int z0, int x1, int y1, int z1, guint8 value)
{
  const guint32 *d = cal_mask_get_grid (mask)->dims;
  guint8 *l = cal_mask_get_labels_mutable (mask);

  for (int z = z0; z <= z1; z++)
    for (int y = y0; y <= y1; y++)
      for (int x = x0; x <= x1; x++)
        l[x + d[0] * (y + (gsize) d[1] * z)] = value;
}

static void
test_islands_and_largest (void)
{
  const double spacing[3] = { 0.5, 0.5, 2.0 };   /* 0.5 mm³ voxels */
  g_autoptr(CalMask) mask = cal_test_new_mask (20, 20, 10, spacing);

  set_box (mask, 0, 0, 0, 9, 9, 3, 1);      /* 400 voxels, 200 mm³ */
  set_box (mask, 15, 15, 6, 17, 17, 6, 1);  /* 9 voxels, 4.5 mm³ */
  set_box (mask, 12, 0, 8, 12, 0, 8, 1);    /* 1 voxel */
  set_box (mask, 11, 1, 8, 11, 1, 8, 1);    /* touches it only along an edge: separate */
  g_assert_cmpuint (cal_mask_remove_islands (mask, 1, 4.0), ==, 2);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 409);
  g_assert_cmpuint (cal_mask_keep_largest_component (mask, 1), ==, 9);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 400);
  g_assert_cmpuint (cal_mask_keep_largest_component (mask, 1), ==, 0);
}

/* Pieces within the reach of the largest, measured in mm on an
 * anisotropic grid: one across a one-voxel gap (0.8 mm), one diagonal
 * (0.89 mm), one at exactly the reach on another grid, are kept; one
 * further (1.2 mm), one diagonal further (1.13 mm) and one across slices
 * (no reach along z) are dropped. */
static void
test_largest_and_near (void)
{
  const double spacing[3] = { 0.4, 0.4, 1.0 }, reach[3] = { 0.9, 0.9, 0 };
  const double exact_spacing[3] = { 0.45, 0.45, 1.0 };
  g_autoptr(CalMask) mask = cal_test_new_mask (30, 30, 6, spacing);
  g_autoptr(CalMask) exact = cal_test_new_mask (12, 4, 1, exact_spacing);
  const guint8 *l = cal_mask_get_labels (mask);

  set_box (mask, 0, 0, 0, 9, 9, 2, 1);       /* the largest: 300 voxels */
  set_box (mask, 11, 2, 1, 12, 2, 1, 1);     /* x gap of one voxel: 0.8 mm, kept */
  set_box (mask, 11, 11, 1, 11, 11, 1, 1);   /* (2, 2) from the corner: 1.13 mm, dropped */
  set_box (mask, 11, 10, 0, 11, 10, 0, 1);   /* (2, 1): 0.89 mm, kept */
  set_box (mask, 12, 6, 2, 12, 6, 2, 1);     /* x gap of two voxels: 1.2 mm, dropped */
  set_box (mask, 3, 3, 4, 4, 4, 4, 1);       /* across a slice: no reach along z, dropped */
  g_assert_cmpuint (cal_mask_keep_largest_and_near (mask, 1, reach), ==, 1 + 1 + 4);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, 300 + 2 + 1);
  g_assert_cmpuint (l[11 + 30 * 2 + 900 * 1], ==, 1);
  g_assert_cmpuint (l[11 + 30 * 10], ==, 1);
  g_assert_cmpuint (l[11 + 30 * 11 + 900 * 1], ==, 0);

  set_box (exact, 0, 0, 0, 4, 3, 0, 1);
  set_box (exact, 6, 0, 0, 6, 0, 0, 1);      /* 2 × 0.45 mm = the reach: kept */
  set_box (exact, 11, 0, 0, 11, 0, 0, 1);    /* 2.7 mm: dropped */
  g_assert_cmpuint (cal_mask_keep_largest_and_near (exact, 1, reach), ==, 1);
  g_assert_cmpuint (cal_mask_get_labels (exact)[6], ==, 1);
}

static gboolean
within_reach (const int u[3], const int v[3], const double spacing[3], const double reach[3])
{
  double sum = 0;

  for (int a = 0; a < 3; a++)
    {
      double d = (u[a] - v[a]) * spacing[a];
      if (reach[a] <= 0 && u[a] != v[a])
        return FALSE;
      if (reach[a] > 0)
        sum += (d / reach[a]) * (d / reach[a]);
    }
  return sum <= 1 + 1e-6;
}

/* Random sparse masks against the definition, voxel pair by voxel pair. */
static void
test_largest_and_near_matches_definition (void)
{
  const double spacing[3] = { 0.35, 0.5, 1.25 };
  const double reaches[3][3] = { { 0.9, 0.9, 0 }, { 0, 1.0, 2.5 }, { 0.7, 0, 0 } };
  GRand *rand = g_rand_new_with_seed (29);
  guint n_kept = 0, n_dropped = 0;

  for (int trial = 0; trial < 12; trial++)
    {
      g_autoptr(CalMask) mask = cal_test_new_mask (14, 12, 5, spacing);
      g_autoptr(CalMask) before = NULL;
      const double *reach = reaches[trial % 3];
      guint8 *l = cal_mask_get_labels_mutable (mask);
      guint64 n = 14 * 12 * 5;
      g_autofree guint32 *id = g_new (guint32, n);
      g_autoptr(CalComponents) c = NULL;
      guint32 largest = 0;

      for (guint64 v = 0; v < n; v++)
        l[v] = g_rand_double (rand) < 0.22;
      set_box (mask, 2, 2, 1, 6, 6, 3, 1);
      c = cal_mask_components (mask, 1, id);
      for (guint32 k = 1; k < c->n_components; k++)
        if (c->sizes[k] > c->sizes[largest])
          largest = k;
      before = cal_mask_copy (mask);
      cal_mask_keep_largest_and_near (mask, 1, reach);
      for (guint32 k = 0; k < c->n_components; k++)
        {
          gboolean near = k == largest, kept = FALSE;
          for (guint64 v = 0; v < n && !near; v++)
            for (guint64 w = 0; w < n && id[v] == k && !near; w++)
              {
                int u[3] = { (int) (v % 14), (int) (v / 14 % 12), (int) (v / 168) };
                int x[3] = { (int) (w % 14), (int) (w / 14 % 12), (int) (w / 168) };
                near = id[w] == largest && within_reach (u, x, spacing, reach);
              }
          for (guint64 v = 0; v < n; v++)
            if (id[v] == k)
              {
                kept = cal_mask_get_labels (mask)[v] == 1;
                break;
              }
          g_assert_cmpint (kept, ==, near);
          n_kept += kept && k != largest;
          n_dropped += !kept;
        }
      g_assert_cmpuint (cal_mask_count (mask, 1), <=, cal_mask_count (before, 1));
    }
  /* Both outcomes occur often enough for the comparison to mean something. */
  g_assert_cmpuint (n_kept, >, 50);
  g_assert_cmpuint (n_dropped, >, 50);
  g_rand_free (rand);
}

/* A hollow cube: its closed pocket is filled; cut a hole through one wall
 * (a defect) and it stays open; a gap only at a corner is open too; a
 * pocket over the size limit is left alone. */
static void
test_fill_cavities (void)
{
  const double spacing[3] = { 1, 1, 1 };

  for (int variant = 0; variant < 4; variant++)
    {
      g_autoptr(CalMask) mask = cal_test_new_mask (12, 12, 12, spacing);
      guint64 filled, expected;

      set_box (mask, 2, 2, 2, 9, 9, 9, 1);
      set_box (mask, 4, 4, 4, 7, 7, 7, 0);   /* 64-voxel pocket, walls 2 thick */
      if (variant == 1)
        set_box (mask, 5, 5, 2, 6, 6, 3, 0);   /* a defect through the bottom wall */
      if (variant == 2)
        {
          /* A diagonal channel: pocket corner (4,4,4) -> (3,3,3) -> (2,2,2). */
          set_box (mask, 3, 3, 3, 3, 3, 3, 0);
          set_box (mask, 2, 2, 2, 2, 2, 2, 0);
        }
      filled = cal_mask_fill_cavities (mask, 1, variant == 3 ? 63.0 : 0);
      expected = variant == 0 ? 64 : 0;
      g_assert_cmpuint (filled, ==, expected);
    }
}

static void
progress_cb (double fraction, gpointer data)
{
  double *last = data;
  g_assert_cmpfloat (fraction, >=, *last);
  *last = fraction;
}

static void
ready_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GAsyncResult **out = data;
  *out = g_object_ref (result);
}

static void
test_async_and_cancel (void)
{
  const double spacing[3] = { 1, 1, 1 };
  gint16 *v;
  g_autoptr(CalVolume) volume = new_volume (32, 32, 16, spacing, &v);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalMask) mask = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CalThresholdOptions options;
  CalThresholdSummary summary;
  double last = 0;

  for (int i = 0; i < 32 * 32 * 16; i++)
    v[i] = (i % 7 == 0) ? 1000 : -1000;
  cal_threshold_options_init (&options);
  options.keep_largest = TRUE;
  options.min_island_mm3 = 2;
  cal_threshold_segment_async (volume, &options, progress_cb, &last, NULL, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  mask = cal_threshold_segment_finish (result, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  g_assert_cmpuint (summary.n_bone, ==, cal_mask_count (mask, 1));
  g_assert_cmpuint (summary.n_thresholded, ==, (32 * 32 * 16 + 6) / 7);
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  cal_threshold_segment_async (volume, &options, NULL, NULL, cancellable, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (cal_threshold_segment_finish (result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The threshold as a CalSegmenter: the same mask as called directly, and
 * a report that says which HU range is bone. */
static void
test_as_segmenter (void)
{
  const double spacing[3] = { 1, 1, 2 };
  gint16 *v;
  g_autoptr(CalVolume) volume = new_volume (24, 20, 8, spacing, &v);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalMask) mask = NULL, direct = NULL;
  g_autoptr(GError) error = NULL;
  CalThresholdOptions options;
  CalSegmentation segmentation = { 0 };
  CalSegmenter *segmenter;

  for (int i = 0; i < 24 * 20 * 8; i++)
    v[i] = (i % 5 == 0) ? 400 : (i % 3 == 0 ? 3500 : -200);
  cal_threshold_options_init (&options);
  options.min_island_mm3 = 0;
  segmenter = cal_threshold_segmenter_new (&options);
  cal_segmenter_segment_async (segmenter, volume, NULL, NULL, NULL, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  mask = cal_segmenter_segment_finish (segmenter, result, &segmentation, &error);
  g_assert_no_error (error);
  direct = cal_threshold_segment (volume, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (cal_mask_get_labels (mask), 24 * 20 * 8, cal_mask_get_labels (direct), 24 * 20 * 8);
  g_assert_cmpint (segmentation.kind, ==, CAL_SEGMENTER_THRESHOLD);
  g_assert_cmpuint (segmentation.bone_voxels, ==, cal_mask_count (mask, 1));
  g_assert_cmpfloat (segmentation.bone_mm3, ==, 2.0 * segmentation.bone_voxels);
  g_assert_cmpfloat (segmentation.min_hu, ==, options.min_hu);
  g_assert_cmpfloat (segmentation.max_hu, ==, options.max_hu);
  g_assert_true (isnan (segmentation.threshold));
  g_assert_null (segmentation.device);
  cal_segmentation_clear (&segmentation);
  g_assert_finalize_object (segmenter);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/threshold/range-and-presets", test_range_and_presets);
  g_test_add_func ("/threshold/as-segmenter", test_as_segmenter);
  g_test_add_func ("/threshold/components-match-flood-fill", test_components_match_flood_fill);
  g_test_add_func ("/threshold/islands-and-largest", test_islands_and_largest);
  g_test_add_func ("/threshold/largest-and-near", test_largest_and_near);
  g_test_add_func ("/threshold/largest-and-near-matches-definition", test_largest_and_near_matches_definition);
  g_test_add_func ("/threshold/fill-cavities", test_fill_cavities);
  g_test_add_func ("/threshold/async-and-cancel", test_async_and_cancel);
  return g_test_run ();
}
