/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The device's FMA roofline, for benchmarks to put the network's
 * convolutions in proportion: nn-fma-peak.comp runs 16 independent chains
 * of multiply-adds per invocation with nothing read from memory. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress y;
  guint32 iterations;
  float   seed;
} PeakPush;

double
cal_nn_fma_peak (CalVkContext  *context,
                 guint32        invocations,
                 guint32        iterations,
                 GError       **error)
{
  CalVkKernel *kernel = cal_vk_kernel_new_sized (context, "nn-fma-peak", sizeof (PeakPush), 64, error);
  CalVkBuffer *out = kernel ? cal_vk_buffer_new (context, invocations * sizeof (float), "peak results", error) : NULL;
  PeakPush push = { 0, invocations, 0, (iterations + 7) / 8 * 8, 1.0f };   /* UNROLL in the shader */
  double gflops = 0;
  gint64 start;

  if (out != NULL)
    {
      push.y = out->address;
      start = g_get_monotonic_time ();
      if (cal_vk_batch_begin (context, error))
        {
          cal_vk_batch_dispatch (context, kernel, &push, invocations);
          if (cal_vk_batch_submit (context, error))
            gflops = 2.0 * 16 * invocations * (double) push.iterations / ((g_get_monotonic_time () - start) * 1e3);
        }
    }
  if (out)
    cal_vk_buffer_free (context, out);
  if (kernel)
    cal_vk_kernel_free (context, kernel);
  return gflops;
}
