/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application's compute cache (compute/cal-compute-cache.h): the
 * device opened once, an executor built once per model and flags, the
 * cache released after a failure, everything freed with it. */
#include "cal-compute-cache.h"
#include "cal-nn-cpu.h"
#include "cal-segment.h"
#include "cal-test-vk.h"

#include <string.h>

/* One executor per model and flags, the device opened once.  With no GPU
 * (lavapipe is the only Vulkan device here) the default is the CPU
 * executor; named, lavapipe runs the shaders. */
static void
check_reuse (gboolean on_lavapipe)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model = cal_segment_default_model (&error);
  CalComputeCache *cache = cal_compute_cache_new ();
  CalNnExecutor *first, *again, *half;
  g_autofree char *notice = NULL, *half_notice = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (cal_compute_cache_get_devices_opened (cache), ==, 0);   /* lazily */
  first = cal_compute_cache_acquire (cache, model, CAL_NN_ENGINE_DEFAULT, &notice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_null (notice);   /* a Vulkan device exists: nothing to explain */
  g_assert_true (cal_nn_cpu_is (first) == !on_lavapipe);
  g_assert_nonnull (strstr (cal_nn_executor_get_device (first), on_lavapipe ? "llvmpipe" : "oneDNN"));
  cal_compute_cache_release (cache);

  again = cal_compute_cache_acquire (cache, model, CAL_NN_ENGINE_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again == first);
  cal_compute_cache_release (cache);
  g_assert_cmpuint (cal_compute_cache_get_devices_opened (cache), ==, 1);
  g_assert_cmpuint (cal_compute_cache_get_executors_built (cache), ==, 1);

  half = cal_compute_cache_acquire (cache, model, CAL_NN_ENGINE_HALF_STORAGE, &half_notice, &error);
  g_assert_no_error (error);
  g_assert_true (half != first);
  if (on_lavapipe)
    g_assert_nonnull (strstr (cal_nn_executor_get_device (half), "16-bit"));
  else   /* the CPU has no 16-bit arithmetic: it says so */
    g_assert_true (half_notice != NULL && strstr (half_notice, "stay 32-bit") != NULL);
  cal_compute_cache_release (cache);
  g_assert_cmpuint (cal_compute_cache_get_devices_opened (cache), ==, 1);
  g_assert_cmpuint (cal_compute_cache_get_executors_built (cache), ==, 2);
  g_assert_finalize_object (cache);
}

static void
test_reuse_cpu (void)
{
  check_reuse (FALSE);
}

static void
test_reuse_lavapipe (void)
{
  g_setenv ("CALVARIA_VK_DEVICE", "lavapipe", TRUE);
  check_reuse (TRUE);
  g_setenv ("CALVARIA_VK_DEVICE", "", TRUE);
}

/* A model that cannot be read: an error, and the cache is free again (a
 * held cache would hang the next acquire). */
static void
test_failure_releases (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model = cal_segment_default_model (&error);
  CalComputeCache *cache = cal_compute_cache_new ();
  CalNnExecutor *executor;

  executor = cal_compute_cache_acquire (cache, "/nonexistent/model.onnx", CAL_NN_ENGINE_DEFAULT, NULL, &error);
  g_assert_null (executor);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (cal_compute_cache_get_executors_built (cache), ==, 0);

  executor = cal_compute_cache_acquire (cache, model, CAL_NN_ENGINE_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (executor);
  cal_compute_cache_release (cache);
  g_assert_finalize_object (cache);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cal_test_vk_isolate_cache ();
  g_setenv ("CALVARIA_VK_DEVICE", "", TRUE);
  g_test_add_func ("/compute-cache/reuse-cpu", test_reuse_cpu);
  g_test_add_func ("/compute-cache/reuse-lavapipe", test_reuse_lavapipe);
  g_test_add_func ("/compute-cache/failure-releases", test_failure_releases);
  return g_test_run ();
}
