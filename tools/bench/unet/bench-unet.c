/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tools/bench/unet.py's Calvaria side:
 *   bench-unet peak                    GFLOP/s of the FMA roofline shader
 *   bench-unet cpu-peak                GFLOP/s of a C multiply-add loop on every core
 *   bench-unet MODEL IN.npy [N [cpu]]  the network, warmed up, then N timed
 *                                      runs (on the Vulkan device, or on the
 *                                      CPU executor)
 * Prints one "key value" per line for the driver to read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal-nn-cpu.h"
#include "cal-nn-engine.h"
#include "cal-npy.h"
#include "cal-onnx.h"
#include "cpu-peak.h"

static int
fail (const char *what, GError *error)
{
  fprintf (stderr, "bench-unet: %s: %s\n", what, error->message);
  return 1;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVkContext) vk = NULL;
  g_autoptr(CalNnGraph) graph = NULL;
  g_autoptr(CalNnExecutor) executor = NULL;
  g_autofree float *input = NULL;
  CalNnShape shape, out_shape;
  CalNnRunStats stats;
  gboolean on_cpu = argc > 4 && strcmp (argv[4], "cpu") == 0;
  int runs;
  double best = G_MAXDOUBLE;

  if (argc == 2 && strcmp (argv[1], "cpu-peak") == 0)
    {
      const char *isa = NULL;
      double peak = cal_bench_cpu_fma_peak (&isa);
      printf ("isa %s\npeak_gflops %.2f\n", isa, peak);
      return peak > 0 ? 0 : 1;
    }
  if (!on_cpu)
    {
      if ((vk = cal_vk_context_new (NULL, &error)) == NULL)
        return fail ("Vulkan", error);
      printf ("device %s\n", cal_vk_context_get_info (vk)->name);
    }
  if (argc == 2 && strcmp (argv[1], "peak") == 0)
    {
      double peak = 0;
      for (int i = 0; i < 3; i++)   /* the best of three: the machine is shared */
        peak = MAX (peak, cal_nn_fma_peak (vk, 1u << 16, 4096, &error));
      if (error)
        return fail ("peak", error);
      printf ("peak_gflops %.2f\n", peak);
      return 0;
    }
  if (argc < 3 || (vk == NULL && !on_cpu))
    {
      fprintf (stderr, "usage: bench-unet peak | cpu-peak | bench-unet MODEL.onnx IN.npy [RUNS [cpu]]\n");
      return 2;
    }
  runs = argc > 3 ? atoi (argv[3]) : 3;
  if ((graph = cal_onnx_load (argv[1], &error)) == NULL)
    return fail (argv[1], error);
  if ((input = cal_npy_read (argv[2], &shape, &error)) == NULL)
    return fail (argv[2], error);
  if (on_cpu)
    executor = cal_nn_cpu_new (graph, &error);
  else
    {
      CalNnEngine *engine = cal_nn_engine_new (vk, graph, &error);
      executor = engine ? cal_nn_engine_as_executor (engine) : NULL;
    }
  if (executor == NULL)
    return fail ("executor", error);
  if (on_cpu)
    printf ("device %s\n", cal_nn_executor_get_device (executor));
  for (int i = 0; i <= runs; i++)
    {
      float **out = cal_nn_executor_run (executor, (const float **) &input, &shape, &out_shape, NULL, &error);
      if (out == NULL)
        return fail ("run", error);
      g_strfreev ((char **) out);
      cal_nn_executor_get_stats (executor, &stats);
      if (i > 0)   /* the first run builds pipelines and buffers */
        best = MIN (best, stats.seconds);
    }
  printf ("flops %.0f\nseconds %.4f\ngflops %.2f\nsubmissions %u\n", stats.flops, best, stats.flops / best / 1e9,
          stats.submissions);
  return 0;
}
