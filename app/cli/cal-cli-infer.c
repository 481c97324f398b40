/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli infer: an ONNX model on the GPU (lavapipe without one),
 * over a CT (probability map as NIfTI) or, with --raw, on a bare tensor
 * (.npy in, .npy out) to check a model against the framework that
 * trained it. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-nn-open.h"
#include "cal-nn-volume.h"
#include "cal-npy.h"
#include "cal-onnx.h"

static int
run_raw (CalNnExecutor *executor,
         const char    *in_path,
         const char    *out_path,
         gboolean       quiet)
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
  outputs = cal_nn_executor_run (executor, (const float **) &input, &shape, &out_shape, NULL, &error);
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
  cal_nn_executor_get_stats (executor, &stats);
  if (!quiet)
    {
      g_autofree char *in_text = cal_nn_shape_to_string (&shape), *out_text = cal_nn_shape_to_string (&out_shape);
      printf ("Device: %s\n", cal_nn_executor_get_device (executor));
      printf ("Ran %s → %s in %.3f s (%.2f GFLOP of convolutions, %.1f GFLOP/s)\n", in_text, out_text,
              stats.seconds, stats.flops / 1e9, stats.flops / 1e9 / MAX (stats.seconds, 1e-9));
      printf ("Wrote %s\n", out_path);
    }
  return CAL_EXIT_OK;
}

static int
run_volume (CalNnExecutor *executor,
            const char    *ct_path,
            const char    *out_path,
            const char    *series,
            gboolean       accept_unknown,
            guint64        budget,
            gboolean       quiet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalVolume) ct = NULL, prob = NULL;
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
  prob = cal_nn_infer_volume (executor, ct, budget ? budget : cal_nn_executor_default_budget (executor),
                              cal_cli_print_progress, &quiet, &stats, NULL, &error);
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
      printf ("Device: %s\n", cal_nn_executor_get_device (executor));
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
    { "reference", 0, 0, G_OPTION_ARG_NONE, &reference, "The same as --device reference: the plain CPU "
      "reference of every operator instead of the GPU kernels (exact, slow; to check them)", NULL },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "Where the network runs: “cpu” (oneDNN; the default without a GPU), “lavapipe” (Vulkan on the CPU), "
      "a Vulkan device (number or part of its name, see “devices”), or “reference” (exact, slow)", "cpu|lavapipe|N|reference" },
    { "fp16", 0, 0, G_OPTION_ARG_NONE, &fp16, "Keep activations as 16-bit floats (half the device memory; "
      "arithmetic stays 32-bit); needs a GPU with 16-bit storage (the CPU runs 32-bit and says so)", NULL },
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
  g_autoptr(CalNnExecutor) executor = NULL;
  g_autofree char *notice = NULL;

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
  if (reference && device != NULL && g_ascii_strcasecmp (device, CAL_NN_DEVICE_REFERENCE) != 0)
    {
      fprintf (stderr, "calvaria-cli: --reference and --device %s ask for two different devices\n", device);
      return CAL_EXIT_USAGE;
    }
  executor = cal_nn_executor_open (reference ? CAL_NN_DEVICE_REFERENCE : device, graph,
                                   fp16 ? CAL_NN_ENGINE_HALF_STORAGE : CAL_NN_ENGINE_DEFAULT, &notice, &error);
  if (executor == NULL)
    {
      cal_cli_print_error ("infer", error);
      return cal_cli_exit_for_error (error);
    }
  if (notice)
    fprintf (stderr, "notice: %s\n", notice);
  if (raw)
    return run_raw (executor, raw, argv[2], quiet);
  return run_volume (executor, argv[2], argv[3], series, accept_unknown, (guint64) budget_mib << 20, quiet);
}
