/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli infer: an ONNX model on the GPU (lavapipe without one),
 * over a CT (probability map as NIfTI) or, with --raw, on a bare tensor
 * (.npy in, .npy out) to check a model against the framework that
 * trained it. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-nn-engine.h"
#include "cal-nn-volume.h"
#include "cal-npy.h"
#include "cal-onnx.h"

static int
run_raw (CalNnEngine *engine,
         const char  *in_path,
         const char  *out_path,
         gboolean     reference,
         gboolean     quiet)
{
  g_autoptr(GError) error = NULL;
  CalNnShape shape, out_shape;
  g_autofree float *input = cal_npy_read (in_path, &shape, &error);
  float **outputs;
  CalNnRunStats stats;
  gboolean written;

  if (input == NULL)
    {
      cal_cli_print_error (in_path, error);
      return CAL_EXIT_INPUT;
    }
  if (reference)
    outputs = cal_nn_reference_run (cal_nn_engine_get_graph (engine), (const float **) &input, &shape, &out_shape,
                                    &error);
  else
    outputs = cal_nn_engine_run (engine, (const float **) &input, &shape, &out_shape, NULL, &error);
  if (outputs == NULL)
    {
      cal_cli_print_error ("infer", error);
      return g_error_matches (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE) ? CAL_EXIT_INPUT : CAL_EXIT_REFUSED;
    }
  written = cal_npy_write (out_path, outputs[0], &out_shape, &error);
  g_strfreev ((char **) outputs);
  if (!written)
    {
      cal_cli_print_error (out_path, error);
      return CAL_EXIT_OUTPUT;
    }
  cal_nn_engine_get_stats (engine, &stats);
  if (!quiet && reference)
    printf ("Ran on the CPU reference (slow, exact)\nWrote %s\n", out_path);
  else if (!quiet)
    {
      g_autofree char *in_text = cal_nn_shape_to_string (&shape), *out_text = cal_nn_shape_to_string (&out_shape);
      printf ("Ran %s → %s in %.3f s (%.2f GFLOP of convolutions, %.1f GFLOP/s)\n", in_text, out_text,
              stats.seconds, stats.flops / 1e9, stats.flops / 1e9 / MAX (stats.seconds, 1e-9));
      printf ("Wrote %s\n", out_path);
    }
  return CAL_EXIT_OK;
}

static int
run_volume (CalNnEngine *engine,
            const char  *ct_path,
            const char  *out_path,
            const char  *series,
            gboolean     accept_unknown,
            guint64      budget,
            gboolean     quiet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalVolume) ct = NULL, prob = NULL;
  const CalVkDeviceInfo *info = cal_vk_context_get_info (cal_nn_engine_get_context (engine));
  CalNnVolumeStats stats;

  if (!cal_nifti_path_is_nifti (out_path))
    {
      fprintf (stderr, "calvaria-cli: the probability map must be a .nii or .nii.gz file\n");
      return CAL_EXIT_USAGE;
    }
  ct = cal_volume_load (ct_path, series, (accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : 0) | cal_cli_load_flags (),
                        report, NULL, NULL, NULL, &error);
  if (ct == NULL)
    {
      cal_cli_print_input_error (error);
      return cal_cli_exit_for_error (error);
    }
  cal_cli_print_report (report);
  /* Half the device's memory for activations leaves room for the display
   * and other programs. */
  prob = cal_nn_infer_volume (engine, ct, budget ? budget : info->device_memory / 2, cal_cli_print_progress, &quiet,
                              &stats,
                              NULL, &error);
  if (!quiet)
    fprintf (stderr, "\n");
  if (prob == NULL)
    {
      cal_cli_print_error ("infer", error);
      return CAL_EXIT_REFUSED;
    }
  if (!cal_nifti_write_volume (prob, out_path, CAL_NIFTI_1, &error))
    {
      cal_cli_print_error (out_path, error);
      return CAL_EXIT_OUTPUT;
    }
  if (!quiet)
    {
      printf ("Device: %s%s\n", info->name,
              cal_nn_engine_get_half_storage (engine) ? " (activations as 16-bit floats)" : "");
      printf ("Network input spacing: %.3f × %.3f × %.3f mm\n", stats.resampled_spacing[0],
              stats.resampled_spacing[1], stats.resampled_spacing[2]);
      cal_cli_print_patches (&stats);
      printf ("Inference: %.2f s, %.1f GFLOP of convolutions (%.1f GFLOP/s)\n", stats.seconds, stats.flops / 1e9,
              stats.flops / 1e9 / MAX (stats.seconds, 1e-9));
      printf ("Wrote %s (foreground probability, 0 to 1, float32)\n", out_path);
    }
  return CAL_EXIT_OK;
}

int
cal_cli_infer (int    argc,
               char **argv)
{
  g_autofree char *device = NULL, *raw = NULL, *series = NULL;
  gboolean quiet = FALSE, accept_unknown = FALSE, reference = FALSE, fp16 = FALSE;
  int budget_mib = 0;
  const GOptionEntry entries[] = {
    { "raw", 0, 0, G_OPTION_ARG_FILENAME, &raw, "Run the bare network on a float32 tensor (NCHW or NCDHW .npy); "
      "no preprocessing", "IN.npy" },
    { "reference", 0, 0, G_OPTION_ARG_NONE, &reference, "With --raw: run the plain CPU reference of every "
      "operator instead of the GPU kernels (slow; to check them)", NULL },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "Vulkan device (number or part of its name, see “devices”)", "N" },
    { "fp16", 0, 0, G_OPTION_ARG_NONE, &fp16, "Keep activations as 16-bit floats (half the device memory; "
      "arithmetic stays 32-bit); needs a device with 16-bit storage", NULL },
    { "memory-budget", 0, 0, G_OPTION_ARG_INT, &budget_mib, "Device memory the network may use, MiB (default: "
      "half the device's); a CT that needs more runs in overlapping patches", "MIB" },
    { "series", 0, 0, G_OPTION_ARG_STRING, &series, "DICOM series (UID or number from “info”)", "UID|N" },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &accept_unknown,
      "Read files that do not say where left and right are", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing on success", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("MODEL.onnx CT OUT.nii[.gz] | MODEL.onnx --raw IN.npy OUT.npy — run a network");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalNnGraph) graph = NULL;
  g_autoptr(CalVkContext) vk = NULL;
  g_autoptr(CalNnEngine) engine = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  cal_cli_add_load_options (context);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "calvaria-cli: %s\n", error->message);
      return CAL_EXIT_USAGE;
    }
  if (budget_mib < 0)
    {
      fprintf (stderr, "calvaria-cli: --memory-budget takes a number of MiB above 0\n");
      return CAL_EXIT_USAGE;
    }
  if (argc != (raw ? 3 : 4))
    {
      fprintf (stderr, "Usage: calvaria-cli infer MODEL.onnx CT OUT.nii[.gz] [--device N]\n"
                       "       calvaria-cli infer MODEL.onnx --raw IN.npy OUT.npy [--device N]\n");
      return CAL_EXIT_USAGE;
    }
  graph = cal_onnx_load (argv[1], &error);
  if (graph == NULL)
    {
      cal_cli_print_error (argv[1], error);
      return CAL_EXIT_INPUT;
    }
  vk = cal_cli_open_unet_device (device, &error);
  engine = vk ? cal_nn_engine_new_full (vk, graph, fp16 ? CAL_NN_ENGINE_HALF_STORAGE : CAL_NN_ENGINE_DEFAULT, &error)
              : NULL;
  if (engine == NULL)
    {
      cal_cli_print_error ("infer", error);
      return cal_cli_exit_for_error (error);
    }
  if (raw)
    return run_raw (engine, raw, argv[2], reference, quiet);
  return run_volume (engine, argv[2], argv[3], series, accept_unknown, (guint64) budget_mib << 20, quiet);
}
