/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli threshold: a bone mask from a CT by HU range and clean-up. */
#include "cal-cli.h"

#include <math.h>
#include <stdio.h>

#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-threshold.h"

static void
print_presets (FILE *out)
{
  guint n;
  const CalThresholdPreset *presets = cal_threshold_presets (&n);

  fprintf (out, "Presets (HU, as InVesalius names them):\n");
  for (guint i = 0; i < n; i++)
    fprintf (out, "  %-14s %6.0f to %5.0f HU  %s\n", presets[i].id, presets[i].min_hu,
             presets[i].max_hu, presets[i].name);
}

int
cal_cli_threshold (int    argc,
                   char **argv)
{
  /* A brain-sized pocket is never filled unless asked: 10 mL is far above
   * any pore of diploë and far below the intracranial space. */
  double min_hu = NAN, max_hu = NAN, min_island = 0, max_cavity = 10000;
  gboolean largest = FALSE, fill = FALSE, accept_unknown = FALSE, list = FALSE, quiet = FALSE;
  g_autofree char *preset_id = NULL;
  g_autofree char *series = NULL;
  const GOptionEntry entries[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset_id, "HU range by name (default: bone, 226 to 3071 HU)", "NAME" },
    { "min", 0, 0, G_OPTION_ARG_DOUBLE, &min_hu, "Lowest HU that counts (inclusive)", "HU" },
    { "max", 0, 0, G_OPTION_ARG_DOUBLE, &max_hu, "Highest HU that counts (inclusive)", "HU" },
    { "largest", 0, 0, G_OPTION_ARG_NONE, &largest, "Keep only the largest connected piece (face-connected)", NULL },
    { "min-island", 0, 0, G_OPTION_ARG_DOUBLE, &min_island, "Remove pieces smaller than this", "MM3" },
    { "fill-cavities", 0, 0, G_OPTION_ARG_NONE, &fill, "Fill pockets enclosed by bone (defects open to the outside stay open)", NULL },
    { "max-cavity", 0, 0, G_OPTION_ARG_DOUBLE, &max_cavity, "Fill only pockets up to this volume (default 10000; 0: any size)", "MM3" },
    { "series", 0, 0, G_OPTION_ARG_STRING, &series, "DICOM series (UID or number from “info”)", "UID|N" },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &accept_unknown,
      "Read files that do not say where left and right are", NULL },
    { "list-presets", 0, 0, G_OPTION_ARG_NONE, &list, "List the presets and exit", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing on success", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("CT OUT_MASK.nii[.gz] — segment bone by HU range");
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalVolume) volume = NULL;
  g_autoptr(CalMask) mask = NULL;
  g_autoptr(GError) error = NULL;
  const CalThresholdPreset *preset;
  CalThresholdOptions options;
  CalThresholdSummary summary;

  g_option_context_add_main_entries (context, entries, NULL);
  cal_cli_add_load_options (context);
  if (argc == 2 && g_strcmp0 (argv[1], "--list-presets") == 0)
    {
      print_presets (stdout);
      return CAL_EXIT_OK;
    }
  if (!cal_cli_parse (context, &argc, &argv, 2,
                      "threshold CT OUT_MASK.nii[.gz] [--preset NAME | --min HU --max HU] "
                      "[--largest] [--min-island MM3] [--fill-cavities [--max-cavity MM3]]"))
    return CAL_EXIT_USAGE;
  if (!cal_nifti_path_is_nifti (argv[2]))
    {
      fprintf (stderr, "calvaria-cli: the output mask must be a .nii or .nii.gz file\n");
      return CAL_EXIT_USAGE;
    }
  preset = cal_threshold_preset_find (preset_id ? preset_id : "bone");
  if (preset == NULL)
    {
      fprintf (stderr, "calvaria-cli: no preset “%s”\n", preset_id);
      print_presets (stderr);
      return CAL_EXIT_USAGE;
    }
  cal_threshold_options_init (&options);
  options.min_hu = isnan (min_hu) ? preset->min_hu : min_hu;
  options.max_hu = isnan (max_hu) ? preset->max_hu : max_hu;
  options.keep_largest = largest;
  options.min_island_mm3 = min_island;
  options.fill_cavities = fill;
  options.max_cavity_mm3 = max_cavity;

  volume = cal_volume_load (argv[1], series,
                            (accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : 0) | cal_cli_load_flags (),
                            report, NULL, NULL, NULL, &error);
  if (volume == NULL)
    {
      cal_cli_print_input_error (error);
      return cal_cli_exit_for_error (error);
    }
  cal_cli_print_report (report);
  mask = cal_threshold_segment (volume, &options, &summary, NULL, NULL, NULL, &error);
  if (mask == NULL)
    {
      cal_cli_print_error ("threshold", error);
      return CAL_EXIT_USAGE;
    }
  if (!cal_nifti_write_mask (mask, argv[2], CAL_NIFTI_1, &error))
    {
      cal_cli_print_error (argv[2], error);
      return CAL_EXIT_OUTPUT;
    }
  if (!quiet)
    {
      printf ("Threshold: %g to %g HU (inclusive)\n", options.min_hu, options.max_hu);
      if (fill)
        printf ("Cavities filled: %" G_GUINT64_FORMAT " voxels\n", summary.n_filled);
      if (min_island > 0)
        printf ("Islands under %g mm³ removed: %" G_GUINT64_FORMAT " voxels\n", min_island,
                summary.n_islands_removed);
      if (largest)
        printf ("Outside the largest piece, removed: %" G_GUINT64_FORMAT " voxels\n",
                summary.n_outside_largest);
      printf ("Bone: %" G_GUINT64_FORMAT " voxels, %.1f mm³ (voxel count × voxel volume)\n",
              summary.n_bone, summary.bone_volume_mm3);
      printf ("Wrote %s\n", argv[2]);
    }
  return CAL_EXIT_OK;
}
