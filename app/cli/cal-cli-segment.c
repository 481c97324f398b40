/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli segment: CT → bone mask (and STL) with the skull model. */
#include "cal-cli.h"

#include <math.h>
#include <stdio.h>

#include "cal-loader.h"
#include "cal-mesh-export.h"
#include "cal-mesh-pipeline.h"
#include "cal-nifti.h"
#include "cal-nn-open.h"
#include "cal-onnx.h"
#include "cal-segment.h"

typedef struct {
  char    *model, *device, *series, *stl, *min_hu;
  double   threshold, min_island, min_hu_value;
  gboolean keep_all, accept_unknown, quiet, fp16;
  gint     smooth, budget_mib;
} SegmentArgs;

static int
write_stl (CalMask           *mask,
           const SegmentArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMesh) mesh = NULL;
  CalMeshOptions options;
  CalMeshReport report;

  cal_mesh_options_init (&options);
  options.label = 1;
  options.smooth_iterations = (guint) args->smooth;
  mesh = cal_mesh_build (mask, &options, &report, NULL, NULL, NULL, &error);
  if (mesh == NULL || !cal_mesh_export (mesh, &report, args->stl, CAL_STL_BINARY, FALSE, NULL, &error))
    {
      cal_cli_print_error (args->stl, error);
      return g_error_matches (error, CAL_MESH_ERROR, CAL_MESH_ERROR_CHECKS_FAILED) ? CAL_EXIT_REFUSED
                                                                                   : CAL_EXIT_OUTPUT;
    }
  if (!args->quiet)
    printf ("Wrote %s (%u triangles, watertight, LPS mm)\n", args->stl, report.n_triangles);
  return CAL_EXIT_OK;
}

static void
print_report (const CalSegmentReport *report,
              const char             *model,
              const char             *out)
{
  g_autofree char *model_name = g_path_get_basename (model);

  if (isinf (report->min_hu))
    printf ("Model: %s (bone above probability %.2f, no density floor)\n", model_name, report->threshold);
  else
    printf ("Model: %s (bone above probability %.2f and at %.0f HU or more; %" G_GUINT64_FORMAT
            " voxels below that left out)\n", model_name, report->threshold, report->min_hu,
            report->below_min_hu_voxels);
  if (!isnan (report->faint_threshold))
    printf ("Resampled CT: voxels under %.0f HU needed probability above %.2f (%" G_GUINT64_FORMAT
            " voxels left out by that)\n", report->faint_below_hu, report->faint_threshold, report->faint_voxels);
  printf ("Device: %s; network %.1f s (%.1f GFLOP of convolutions), whole segmentation %.1f s\n",
          report->device, report->network.seconds, report->network.flops / 1e9, report->seconds);
  cal_cli_print_patches (&report->network);
  printf ("Clean-up removed %" G_GUINT64_FORMAT " voxels outside the kept bone\n", report->removed_voxels);
  printf ("Bone: %" G_GUINT64_FORMAT " voxels, %.1f mm³ (voxel count × voxel volume)\n",
          report->bone_voxels, report->bone_mm3);
  printf ("Wrote %s\n", out);
}

static int
segment (const SegmentArgs *args,
         const char        *ct_path,
         const char        *out_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) load_report = cal_load_report_new ();
  g_autofree char *model = args->model ? g_strdup (args->model) : cal_segment_default_model (&error);
  g_autoptr(CalNnGraph) graph = NULL;
  g_autoptr(CalNnExecutor) executor = NULL;
  g_autofree char *notice = NULL;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) mask = NULL;
  CalSegmentOptions options;
  CalSegmentReport report = { 0 };

  if (model == NULL || (graph = cal_onnx_load (model, &error)) == NULL)
    {
      cal_cli_print_error (model ? model : "segment", error);
      return CAL_EXIT_INPUT;
    }
  /* The device first: a wrong --device should not cost a CT load. */
  executor = cal_nn_executor_open (args->device, graph,
                                   args->fp16 ? CAL_NN_ENGINE_HALF_STORAGE : CAL_NN_ENGINE_DEFAULT, &notice, &error);
  if (executor == NULL)
    {
      cal_cli_print_error ("segment", error);
      return cal_cli_exit_for_error (error);
    }
  if (notice)
    fprintf (stderr, "notice: %s\n", notice);
  ct = cal_volume_load (ct_path, args->series, (args->accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : 0) | cal_cli_load_flags (),
                        load_report, NULL, NULL, NULL, &error);
  if (ct == NULL)
    {
      cal_cli_print_input_error (error);
      return cal_cli_exit_for_error (error);
    }
  cal_cli_print_report (load_report);
  cal_segment_options_init (&options);
  options.threshold = args->threshold;
  options.min_hu = args->min_hu_value;
  options.keep_largest = !args->keep_all;
  options.min_island_mm3 = args->min_island;
  options.memory_budget = (guint64) args->budget_mib << 20;
  mask = cal_segment (executor, ct, &options, cal_cli_print_progress, (gpointer) &args->quiet, &report, NULL, &error);
  if (!args->quiet)
    fprintf (stderr, "\n");
  if (mask == NULL)
    {
      cal_cli_print_error ("segment", error);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? CAL_EXIT_USAGE : CAL_EXIT_REFUSED;
    }
  if (!cal_nifti_write_mask (mask, out_path, CAL_NIFTI_1, &error))
    {
      cal_cli_print_error (out_path, error);
      cal_segment_report_clear (&report);
      return CAL_EXIT_OUTPUT;
    }
  if (!args->quiet)
    print_report (&report, model, out_path);
  cal_segment_report_clear (&report);
  return args->stl ? write_stl (mask, args) : CAL_EXIT_OK;
}

/* --min-hu: NULL keeps the model's floor, “none” removes it. */
static gboolean
parse_min_hu (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (text, "none") == 0)
    {
      *value = -INFINITY;
      return TRUE;
    }
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

int
cal_cli_segment (int    argc,
                 char **argv)
{
  SegmentArgs args = { .threshold = NAN, .min_hu_value = NAN };
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &args.model, "ONNX model (default: the skull model Calvaria ships)", "M.onnx" },
    { "stl", 0, 0, G_OPTION_ARG_FILENAME, &args.stl, "Also write the bone's watertight surface (binary STL, LPS mm)", "OUT.stl" },
    { "smooth", 0, 0, G_OPTION_ARG_INT, &args.smooth, "With --stl: Taubin smoothing iterations (keeps volume)", "N" },
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &args.threshold, "Bone above this probability, for every voxel (default: the model's thresholds)", "P" },
    { "min-hu", 0, 0, G_OPTION_ARG_STRING, &args.min_hu, "Never call bone what is less dense than this; “none” "
      "turns the floor off (default: the model's)", "HU|none" },
    { "keep-all", 0, 0, G_OPTION_ARG_NONE, &args.keep_all, "Keep every piece of bone, not only the skull's (largest)", NULL },
    { "min-island", 0, 0, G_OPTION_ARG_DOUBLE, &args.min_island, "With --keep-all: remove pieces smaller than this", "MM3" },
    { "fp16", 0, 0, G_OPTION_ARG_NONE, &args.fp16, "Keep the network's activations as 16-bit floats (half the "
      "device memory; arithmetic stays 32-bit)", NULL },
    { "memory-budget", 0, 0, G_OPTION_ARG_INT, &args.budget_mib, "Device memory the network may use, MiB (default: "
      "half the device's); a CT that needs more runs in overlapping patches", "MIB" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, "Where the network runs: “cpu” (oneDNN; the default without a GPU), “lavapipe” (Vulkan on the CPU), "
      "a Vulkan device (number or part of its name, see “devices”), or “reference” (exact, slow)", "cpu|lavapipe|N|reference" },
    { "series", 0, 0, G_OPTION_ARG_STRING, &args.series, "DICOM series (UID or number from “info”)", "UID|N" },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &args.accept_unknown,
      "Read files that do not say where left and right are", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &args.quiet, "Print nothing on success", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("CT OUT_MASK.nii[.gz] — segment the skull with the U-net (defects stay open)");
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  cal_cli_add_load_options (context);
  if (!cal_cli_parse (context, &argc, &argv, 2,
                      "segment CT OUT_MASK.nii[.gz] [--stl OUT.stl] [--model M.onnx] [--device N]"))
    return CAL_EXIT_USAGE;
  if (!cal_nifti_path_is_nifti (argv[2]) || args.smooth < 0 || args.min_island < 0 || args.budget_mib < 0 ||
      !parse_min_hu (args.min_hu, &args.min_hu_value))
    {
      fprintf (stderr, "calvaria-cli: the mask must be a .nii or .nii.gz file; --smooth, --min-island and "
                       "--memory-budget take 0 or more; --min-hu takes a number of HU or “none”\n");
      return CAL_EXIT_USAGE;
    }
  status = segment (&args, argv[1], argv[2]);
  g_free (args.model), g_free (args.device), g_free (args.series), g_free (args.stl), g_free (args.min_hu);
  return status;
}
