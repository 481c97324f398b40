/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GPU metrics against the CPU reference (brute force where the input
 * is small enough, the exact EDT path elsewhere), on lavapipe in CI. */
#include <math.h>
#include <string.h>

#include "cal-evaluate.h"
#include "cal-gpu-metrics.h"
#include "cal-test-util.h"
#include "cal-test-vk.h"
#include "cal-vk-private.h"

#define DISTANCE_TOLERANCE_MM 1e-4

static CalVkContext *context;

static void
fill_random (CalMask *mask,
             double   density)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  guint8 *labels = cal_mask_get_labels_mutable (mask);

  for (gsize i = 0; i < cal_grid_n_voxels (grid); i++)
    labels[i] = g_test_rand_double () < density;
}

/* Voxels within radius (mm) of centre (mm from voxel 0), optionally only
 * those farther than inner: a shell. */
static void
fill_ball (CalMask      *mask,
           const double  centre[3],
           double        radius,
           double        inner)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  guint8 *labels = cal_mask_get_labels_mutable (mask);
  double s[3];
  gsize idx = 0;

  cal_grid_get_spacing (grid, s);
  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (guint32 j = 0; j < grid->dims[1]; j++)
      for (guint32 i = 0; i < grid->dims[0]; i++, idx++)
        {
          double dx = i * s[0] - centre[0], dy = j * s[1] - centre[1], dz = k * s[2] - centre[2];
          double r = sqrt (dx * dx + dy * dy + dz * dz);
          if (r <= radius && r > inner)
            labels[idx] = 1;
        }
}

static void
assert_same_metrics (const CalMetrics *gpu,
                     const CalMetrics *cpu)
{
  /* Overlap counts are integers on both sides: exactly equal. */
  g_assert_cmpfloat (gpu->dsc, ==, cpu->dsc);
  g_assert_cmpfloat (gpu->dsc_slice_mean, ==, cpu->dsc_slice_mean);
  g_assert_cmpfloat (gpu->dsc_slice_harmonic, ==, cpu->dsc_slice_harmonic);
  g_assert_cmpuint (gpu->n_surface_ref, ==, cpu->n_surface_ref);
  g_assert_cmpuint (gpu->n_surface_test, ==, cpu->n_surface_test);
  g_assert_cmpfloat_with_epsilon (gpu->hd, cpu->hd, DISTANCE_TOLERANCE_MM);
  g_assert_cmpfloat_with_epsilon (gpu->hd95, cpu->hd95, DISTANCE_TOLERANCE_MM);
  g_assert_cmpfloat_with_epsilon (gpu->assd, cpu->assd, DISTANCE_TOLERANCE_MM);
  g_assert_cmpfloat_with_epsilon (gpu->deviation_mean, cpu->deviation_mean, DISTANCE_TOLERANCE_MM);
  g_assert_cmpfloat_with_epsilon (gpu->deviation_sd, cpu->deviation_sd, DISTANCE_TOLERANCE_MM);
  for (guint64 i = 0; i < cpu->n_surface_ref; i++)
    {
      g_assert_cmpuint (gpu->deviation_index[i], ==, cpu->deviation_index[i]);
      g_assert_cmpfloat_with_epsilon (gpu->deviation[i], cpu->deviation[i], DISTANCE_TOLERANCE_MM);
    }
}

static void
check_against_cpu (CalMask          *a,
                   CalMask          *b,
                   CalMask          *roi,
                   CalMetricsMethod  method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMetrics) cpu = cal_metrics_compute_cpu (a, b, roi, method, NULL, &error);
  g_autoptr(CalMetrics) gpu = NULL;

  g_assert_no_error (error);
  gpu = cal_gpu_metrics_compute (context, a, b, roi, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gpu->device, ==, cal_vk_context_get_info (context)->name);
  assert_same_metrics (gpu, cpu);
  if (roi)
    {
      /* One run with the region: the whole comparison, and the region's
       * as a run restricted to it. */
      g_autoptr(CalMetrics) both = cal_gpu_metrics_compute_with_region (context, a, b, roi, NULL, NULL, NULL, &error);
      g_autoptr(CalMetrics) whole = cal_metrics_compute_cpu (a, b, NULL, method, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (both->region);
      assert_same_metrics (both->region, cpu);
      assert_same_metrics (both, whole);
    }
}

static void
test_single_voxels (void)
{
  const double spacing[3] = { 0.5, 0.75, 2.0 };
  g_autoptr(CalMask) a = cal_test_new_mask (13, 11, 7, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (13, 11, 7, spacing);

  cal_mask_get_labels_mutable (a)[1 + 13 * (2 + 11 * 1)] = 1;
  cal_mask_get_labels_mutable (b)[8 + 13 * (5 + 11 * 3)] = 1;
  check_against_cpu (a, b, NULL, CAL_METRICS_BRUTE_FORCE);
  check_against_cpu (b, a, NULL, CAL_METRICS_BRUTE_FORCE);
}

static void
test_full_block (void)
{
  const double spacing[3] = { 0.9, 0.6, 1.3 };
  g_autoptr(CalMask) a = cal_test_new_mask (9, 8, 7, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (9, 8, 7, spacing);
  guint8 *la = cal_mask_get_labels_mutable (a), *lb = cal_mask_get_labels_mutable (b);

  memset (la, 1, 9 * 8 * 7);
  memset (lb, 1, 9 * 8 * 7);
  for (guint k = 0; k < 3; k++)
    for (guint j = 0; j < 3; j++)
      for (guint i = 0; i < 3; i++)
        lb[i + 9 * (j + 8 * k)] = 0;
  check_against_cpu (a, b, NULL, CAL_METRICS_BRUTE_FORCE);
  check_against_cpu (a, a, NULL, CAL_METRICS_BRUTE_FORCE);
}

static void
test_thin_shells (void)
{
  const double spacing[3] = { 0.48, 0.48, 0.54 };
  const double c1[3] = { 7.0, 6.5, 5.9 }, c2[3] = { 7.4, 6.1, 6.3 };
  g_autoptr(CalMask) a = cal_test_new_mask (31, 29, 23, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (31, 29, 23, spacing);

  fill_ball (a, c1, 5.5, 5.0);
  fill_ball (b, c2, 5.2, 4.8);
  check_against_cpu (a, b, NULL, CAL_METRICS_BRUTE_FORCE);
}

static void
test_random_odd_shape (void)
{
  const double spacing[3] = { 0.7, 0.45, 2.5 };

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(CalMask) a = cal_test_new_mask (13, 127, 5, spacing);
      g_autoptr(CalMask) b = cal_test_new_mask (13, 127, 5, spacing);
      g_autoptr(CalMask) roi = cal_test_new_mask (13, 127, 5, spacing);

      fill_random (a, 0.3);
      fill_random (b, 0.05 + 0.2 * round);
      fill_random (roi, 0.5);
      check_against_cpu (a, b, NULL, CAL_METRICS_BRUTE_FORCE);
      check_against_cpu (a, b, roi, CAL_METRICS_BRUTE_FORCE);
    }
}

/* A grid whose axes run against LPS and are not in x, y, z order: only
 * the spacing matters to distances, the indices must map back exactly. */
static void
test_flipped_axes (void)
{
  const guint32 dims[3] = { 17, 6, 11 };
  const double spacing[3] = { 0.8, 0.55, 1.7 }, origin[3] = { 40, 12, -30 };
  const double direction[3][3] = { { 0, 0, -1 }, { -1, 0, 0 }, { 0, 1, 0 } };
  g_autoptr(CalMask) a = NULL, b = NULL;
  CalGrid grid;

  cal_grid_init (&grid, dims, spacing, direction, origin);
  a = cal_mask_new (&grid);
  b = cal_mask_new (&grid);
  fill_random (a, 0.4);
  fill_random (b, 0.4);
  check_against_cpu (a, b, NULL, CAL_METRICS_BRUTE_FORCE);
}

/* Larger than brute force can afford: against the CPU's exact EDT. */
static void
test_larger_volume (void)
{
  const double spacing[3] = { 0.48, 0.48, 0.54 };
  const double c1[3] = { 15.0, 14.0, 12.0 }, c2[3] = { 15.6, 13.8, 12.9 };
  g_autoptr(CalMask) a = cal_test_new_mask (64, 61, 47, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (64, 61, 47, spacing);

  fill_ball (a, c1, 11.0, 8.0);
  fill_ball (b, c2, 11.5, 7.0);
  fill_random (b, 0.002);   /* stray islands, far from the reference */
  check_against_cpu (a, b, NULL, CAL_METRICS_EXACT_EDT);
}

/* One row or line per submission: every dispatch boundary is exercised. */
static void
test_tiny_submissions (void)
{
  const double spacing[3] = { 0.7, 0.45, 2.5 };
  g_autoptr(CalMask) a = cal_test_new_mask (13, 127, 5, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (13, 127, 5, spacing);
  CalVkProfile profile;

  fill_random (a, 0.3);
  fill_random (b, 0.3);
  /* Corners set: the bounding box is the whole volume. */
  cal_mask_get_labels_mutable (a)[0] = 1;
  cal_mask_get_labels_mutable (a)[13 * 127 * 5 - 1] = 1;
  cal_vk_context_set_submission_target (context, 1e-6);
  cal_vk_context_reset_profile (context);
  check_against_cpu (a, b, NULL, CAL_METRICS_BRUTE_FORCE);
  cal_vk_context_get_profile (context, &profile);
  cal_vk_context_set_submission_target (context, 20.0);
  /* 635 rows to count, then per direction: 635 rows, 13 × 5 lines along
   * y, 13 × 127 lines along z, 635 rows to gather. */
  g_assert_cmpuint (profile.n_dispatches, ==, 635 + 2 * (635 + 65 + 1651 + 635));
  /* One dispatch per submission; buffer fills are submissions of their own. */
  g_assert_cmpuint (profile.n_submissions, >=, profile.n_dispatches);
}

static void
test_input_errors (void)
{
  const double spacing[3] = { 1, 1, 1 }, other[3] = { 1, 1, 1.5 };
  g_autoptr(CalMask) a = cal_test_new_mask (5, 5, 5, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (5, 5, 5, other);
  g_autoptr(CalMask) empty = cal_test_new_mask (5, 5, 5, spacing);
  g_autoptr(CalMask) labels = cal_test_new_mask (5, 5, 5, spacing);
  g_autoptr(CalMask) roi = cal_test_new_mask (5, 5, 5, spacing);
  g_autoptr(GError) error = NULL;

  cal_mask_get_labels_mutable (a)[62] = 1;
  cal_mask_get_labels_mutable (b)[62] = 1;
  cal_mask_get_labels_mutable (labels)[62] = 2;
  cal_mask_get_labels_mutable (roi)[0] = 1;
  g_assert_null (cal_gpu_metrics_compute (context, a, b, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_GRID_MISMATCH);
  g_clear_error (&error);
  g_assert_null (cal_gpu_metrics_compute (context, a, empty, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (cal_gpu_metrics_compute (context, a, labels, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_NOT_BINARY);
  g_clear_error (&error);
  /* Surfaces exist, but none inside the region of interest. */
  g_assert_null (cal_gpu_metrics_compute (context, a, a, roi, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY);
}

static void
test_cancelled (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) a = cal_test_new_mask (20, 20, 20, spacing);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  fill_random (a, 0.5);
  g_cancellable_cancel (cancellable);
  g_assert_null (cal_gpu_metrics_compute (context, a, a, NULL, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Out of device memory: an error from the GPU path, and the CPU result
 * with a notice from cal_evaluate(). */
static void
test_out_of_memory_falls_back (void)
{
  const double spacing[3] = { 0.7, 0.45, 2.5 };
  g_autoptr(CalVkContext) small = cal_vk_context_new (NULL, NULL);
  g_autoptr(CalMask) a = cal_test_new_mask (13, 127, 5, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (13, 127, 5, spacing);
  g_autoptr(CalMetrics) failed = NULL, m = NULL, cpu = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;

  fill_random (a, 0.3);
  fill_random (b, 0.3);
  cal_vk_context_set_memory_budget (small, 4096);
  failed = cal_gpu_metrics_compute (small, a, b, NULL, NULL, NULL, NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY);
  g_assert_nonnull (strstr (error->message, "out of memory"));
  g_clear_error (&error);

  m = cal_evaluate (small, a, b, NULL, NULL, NULL, NULL, &notice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (notice);
  g_assert_nonnull (strstr (notice, "CPU"));
  g_assert_cmpstr (m->device, ==, "cpu");
  cpu = cal_metrics_compute_cpu (a, b, NULL, CAL_METRICS_EXACT_EDT, NULL, NULL);
  assert_same_metrics (m, cpu);
}

/* A lost device stays lost; evaluation moves to the CPU. */
static void
test_device_lost_falls_back (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalVkContext) lost = cal_vk_context_new (NULL, NULL);
  g_autoptr(CalMask) a = cal_test_new_mask (9, 9, 9, spacing);
  g_autoptr(CalMetrics) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;

  fill_random (a, 0.5);
  g_assert_false (cal_vk_check (lost, VK_ERROR_DEVICE_LOST, "Test", &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_DEVICE_LOST);
  g_assert_true (cal_vk_context_is_lost (lost));
  g_clear_error (&error);
  m = cal_evaluate (lost, a, a, NULL, NULL, NULL, NULL, &notice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (notice, "lost"));
  g_assert_cmpstr (m->device, ==, "cpu");
  g_assert_cmpfloat (m->dsc, ==, 1.0);
}

typedef struct {
  GMainLoop  *loop;
  CalMetrics *metrics;
  char       *notice;
  double      last_fraction;
  guint       n_progress;
  gboolean    monotonic;
} AsyncState;

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  AsyncState *state = user_data;

  state->monotonic = state->monotonic && fraction >= state->last_fraction && fraction <= 1.0;
  state->last_fraction = fraction;
  state->n_progress++;
}

static void
evaluated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncState *state = user_data;
  g_autoptr(GError) error = NULL;

  state->metrics = cal_evaluate_finish (result, &state->notice, &error);
  g_assert_no_error (error);
  g_main_loop_quit (state->loop);
}

static void
test_async_progress (void)
{
  const double spacing[3] = { 0.48, 0.48, 0.54 };
  const double c1[3] = { 8.0, 8.0, 7.0 };
  g_autoptr(CalMask) a = cal_test_new_mask (40, 37, 29, spacing);
  g_autoptr(CalMask) b = cal_test_new_mask (40, 37, 29, spacing);
  g_autoptr(CalMetrics) cpu = NULL;
  AsyncState state = { .loop = g_main_loop_new (NULL, FALSE), .monotonic = TRUE };

  fill_ball (a, c1, 6.0, 0.0);
  fill_ball (b, c1, 6.5, 0.0);
  cal_evaluate_async (context, a, b, NULL, progress_cb, &state, NULL, evaluated_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_nonnull (state.metrics);
  g_assert_null (state.notice);
  g_assert_cmpuint (state.n_progress, >=, 9);
  g_assert_true (state.monotonic);
  g_assert_cmpfloat_with_epsilon (state.last_fraction, 1.0, 1e-9);
  cpu = cal_metrics_compute_cpu (a, b, NULL, CAL_METRICS_EXACT_EDT, NULL, NULL);
  assert_same_metrics (state.metrics, cpu);
  cal_metrics_free (state.metrics);
  g_main_loop_unref (state.loop);
}

/* A worker thread lets go of its task (and the task of its data, which
 * holds the context) only after the task's callback has run in the main
 * loop: wait for that before checking that nothing else holds the
 * context.  A reference really left behind still fails, after 10 s. */
static void
wait_for_last_reference (gpointer object)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1 && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

int
main (int argc, char **argv)
{
  int status;

  cal_test_vk_isolate_cache ();
  g_test_init (&argc, &argv, NULL);
  context = cal_test_vk_context_or_skip ();
  g_test_message ("Vulkan device: %s", cal_vk_context_get_info (context)->name);
  g_test_add_func ("/gpu-metrics/single-voxels", test_single_voxels);
  g_test_add_func ("/gpu-metrics/full-block", test_full_block);
  g_test_add_func ("/gpu-metrics/thin-shells", test_thin_shells);
  g_test_add_func ("/gpu-metrics/random-13x127x5", test_random_odd_shape);
  g_test_add_func ("/gpu-metrics/flipped-axes", test_flipped_axes);
  g_test_add_func ("/gpu-metrics/larger-volume", test_larger_volume);
  g_test_add_func ("/gpu-metrics/tiny-submissions", test_tiny_submissions);
  g_test_add_func ("/gpu-metrics/input-errors", test_input_errors);
  g_test_add_func ("/gpu-metrics/cancelled", test_cancelled);
  g_test_add_func ("/gpu-metrics/out-of-memory-falls-back", test_out_of_memory_falls_back);
  g_test_add_func ("/gpu-metrics/device-lost-falls-back", test_device_lost_falls_back);
  g_test_add_func ("/gpu-metrics/async-progress", test_async_progress);
  status = g_test_run ();
  wait_for_last_reference (context);
  g_assert_finalize_object (context);
  return status;
}
