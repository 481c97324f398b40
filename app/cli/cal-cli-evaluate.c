/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli evaluate: how far a segmentation is from a reference, in mm.
 * For now the exact CPU path; the Vulkan path (issue 3) plugs in here. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-json.h"
#include "cal-loader.h"
#include "cal-metrics.h"

static CalMask *
load_mask (const char *path,
           gboolean    accept_unknown,
           GError    **error)
{
  return cal_mask_load (path, 0, accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : 0,
                        NULL, NULL, error);
}

static void
print_text (const CalMetrics *m)
{
  printf ("Device:                 CPU (exact reference implementation)\n");
  printf ("DSC (volumetric):       %.6f\n", m->dsc);
  printf ("DSC per axial slice:    arithmetic mean %.6f, harmonic mean %.6f\n",
          m->dsc_slice_mean, m->dsc_slice_harmonic);
  printf ("Hausdorff (max):        %.4f mm\n", m->hd);
  printf ("Hausdorff 95%%:          %.4f mm (max of the two directed 95th percentiles, linear interpolation)\n", m->hd95);
  printf ("ASSD:                   %.4f mm (mean of both directions' surface distances, pooled)\n", m->assd);
  printf ("Signed deviation:       %+.4f ± %.4f mm (test relative to reference; + = test outside)\n",
          m->deviation_mean, m->deviation_sd);
  printf ("Surface voxels:         %" G_GUINT64_FORMAT " reference, %" G_GUINT64_FORMAT " test (6-neighbourhood)\n",
          m->n_surface_ref, m->n_surface_test);
}

static void
print_json (const CalMetrics *m)
{
  g_autofree char *text = NULL;
  CalJson json;

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_json_number (&json, "dsc", m->dsc);
  cal_json_number (&json, "dsc_slice_mean", m->dsc_slice_mean);
  cal_json_number (&json, "dsc_slice_harmonic", m->dsc_slice_harmonic);
  cal_json_number (&json, "hd", m->hd);
  cal_json_number (&json, "hd95", m->hd95);
  cal_json_number (&json, "assd", m->assd);
  cal_json_number (&json, "deviation_mean", m->deviation_mean);
  cal_json_number (&json, "deviation_sd", m->deviation_sd);
  cal_json_int (&json, "surface_voxels_reference", (gint64) m->n_surface_ref);
  cal_json_int (&json, "surface_voxels_test", (gint64) m->n_surface_test);
  cal_json_string (&json, "units", "mm");
  cal_json_string (&json, "device", "cpu");
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  fputs (text, stdout);
}

int
cal_cli_evaluate (int    argc,
                  char **argv)
{
  gboolean json = FALSE, accept_unknown = FALSE;
  g_autofree char *roi_path = NULL;
  const GOptionEntry entries[] = {
    { "roi", 0, 0, G_OPTION_ARG_FILENAME, &roi_path, "Only count surface inside this mask", "MASK" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (distances in mm)", NULL },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &accept_unknown,
      "Accept masks that do not say where left and right are", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("REF TEST — DSC, Hausdorff, ASSD and signed deviation of TEST against REF");
  g_autoptr(CalMask) ref = NULL, test = NULL, roi = NULL;
  g_autoptr(CalMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cal_cli_parse (context, &argc, &argv, 2, "evaluate REF TEST [--roi MASK] [--json]"))
    return CAL_EXIT_USAGE;

  if (!(ref = load_mask (argv[1], accept_unknown, &error)) ||
      !(test = load_mask (argv[2], accept_unknown, &error)) ||
      (roi_path && !(roi = load_mask (roi_path, accept_unknown, &error))))
    {
      cal_cli_print_error ("evaluate", error);
      return cal_cli_exit_for_error (error);
    }
  metrics = cal_metrics_compute_cpu (ref, test, roi, CAL_METRICS_EXACT_EDT, NULL, &error);
  if (metrics == NULL)
    {
      cal_cli_print_error ("evaluate", error);
      return CAL_EXIT_INPUT;
    }
  if (json)
    print_json (metrics);
  else
    print_text (metrics);
  return CAL_EXIT_OK;
}
