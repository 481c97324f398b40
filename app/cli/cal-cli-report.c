/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli report: the QC report (cal-qc-report.h) from files: a PDF
 * and a JSON beside it, the same the window writes beside an exported STL. */
#include "cal-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cal-edit-session.h"
#include "cal-evaluate.h"
#include "cal-loader.h"
#include "cal-qc-report.h"

typedef struct {
  char    *reference, *ct, *stl, *model, *region, *device, *method, *json, *history;
  double   threshold;
  CalQcOptions qc;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->reference);
  g_free (a->ct);
  g_free (a->stl);
  g_free (a->model);
  g_free (a->region);
  g_free (a->device);
  g_free (a->method);
  g_free (a->json);
  g_free (a->history);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

static CalMask *
load_mask (const char *path, GError **error)
{
  return cal_mask_load (path, 0, cal_cli_load_flags (), NULL, NULL, error);
}

/* The voxel metrics, whole and in the region, on the device chosen. */
static gboolean
add_metrics (CalQcReport *report, CalMask *reference, CalMask *test, const char *device, GError **error)
{
  g_autoptr(CalVkContext) vk = NULL;
  g_autofree char *notice = NULL;

  if (!cal_cli_open_device (device, &vk, error) ||
      !(report->metrics = cal_evaluate_with_region (vk, reference, test, report->region, NULL, NULL, NULL,
                                                    &notice, error)))
    return FALSE;
  if (notice)
    fprintf (stderr, "notice: %s\n", notice);
  /* A region where one mask has no surface has no distances: said in
   * the report by their absence, not an error. */
  report->metrics_region = g_steal_pointer (&report->metrics->region);
  if (report->region && report->metrics_region == NULL)
    fprintf (stderr, "notice: no metrics in the region: %s\n", report->metrics->region_problem);
  return TRUE;
}

static gboolean
describe_model (CalQcReport *report, const char *model, GError **error)
{
  if (model == NULL)
    return TRUE;
  if (!(report->model_sha256 = cal_file_sha256 (model, NULL, error)))
    return FALSE;
  report->model_name = g_path_get_basename (model);
  return TRUE;
}

static int
fail (const char *what, GError *error, int code)
{
  cal_cli_print_error (what, error);
  return code;
}

int
cal_cli_report (int argc, char **argv)
{
  g_auto(Args) a = { .threshold = NAN };
  g_autoptr(GOptionContext) context = g_option_context_new ("MASK OUT.pdf — the QC report before printing");
  g_autoptr(CalMask) test = NULL, reference = NULL, region = NULL;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalQcReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json_path = NULL;

  cal_qc_options_init (&a.qc);
  {
    const GOptionEntry entries[] = {
      { "reference", 0, 0, G_OPTION_ARG_FILENAME, &a.reference, "Compare with this mask (same grid)", "MASK" },
      { "ct", 0, 0, G_OPTION_ARG_FILENAME, &a.ct, "The CT the mask was made from (for possible false defects)", "SCAN" },
      { "stl", 0, 0, G_OPTION_ARG_FILENAME, &a.stl, "The exported STL: its checks, size, triangles and SHA-256", "FILE" },
      { "model", 0, 0, G_OPTION_ARG_FILENAME, &a.model, "The model that made the mask (its name and SHA-256)", "FILE" },
      { "method", 0, 0, G_OPTION_ARG_STRING, &a.method, "How the mask was made, in words", "TEXT" },
      { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &a.threshold, "The threshold used, in HU", "HU" },
      { "history", 0, 0, G_OPTION_ARG_STRING, &a.history, "The editing history's summary", "TEXT" },
      { "region", 0, 0, G_OPTION_ARG_FILENAME, &a.region, "Region of interest (a label mask); default: the defect edge found", "MASK" },
      { "band", 0, 0, G_OPTION_ARG_DOUBLE, &a.qc.band_mm, "Width of the defect edge's band (default 10)", "MM" },
      { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &a.qc.tolerance_mm, "Deviation within tolerance, the map's grey band (default 1)", "MM" },
      { "range", 0, 0, G_OPTION_ARG_DOUBLE, &a.qc.range_mm, "The colour map's ends (default 5)", "MM" },
      { "device", 0, 0, G_OPTION_ARG_STRING, &a.device, "Vulkan device for the metrics, “lavapipe”, or “cpu” (the default without a GPU)", "N|lavapipe|cpu" },
      { "json", 0, 0, G_OPTION_ARG_FILENAME, &a.json, "Where the JSON goes (default: beside the PDF)", "FILE" },
      { NULL }
    };
    g_option_context_add_main_entries (context, entries, NULL);
  }
  cal_cli_add_load_options (context);
  if (!cal_cli_parse (context, &argc, &argv, 2, "report MASK OUT.pdf [--reference MASK] [--ct SCAN] [--stl FILE]"))
    return CAL_EXIT_USAGE;
  if (!(a.qc.band_mm > 0 && a.qc.band_mm <= 100 && a.qc.tolerance_mm >= 0 && a.qc.range_mm > a.qc.tolerance_mm &&
        a.qc.range_mm <= 100))
    {
      fprintf (stderr, "calvaria-cli report: --band must be 0–100 mm, and --range above --tolerance, at most 100 mm\n");
      return CAL_EXIT_USAGE;
    }
  if (!(test = load_mask (argv[1], &error)) ||
      (a.reference && !(reference = load_mask (a.reference, &error))) ||
      (a.region && !(region = load_mask (a.region, &error))) ||
      (a.ct && !(ct = cal_volume_load (a.ct, NULL, cal_cli_load_flags (), NULL, NULL, NULL, NULL, &error))))
    {
      cal_cli_print_input_error (error);
      return cal_cli_exit_for_error (error);
    }
  if (ct && !cal_edit_mask_fits_volume (test, ct, &error))
    return fail (argv[1], error, CAL_EXIT_INPUT);

  report = cal_qc_report_new (&a.qc);
  report->method = g_strdup (a.method);
  report->threshold_hu = a.threshold;
  report->history = g_strdup (a.history);
  if (!describe_model (report, a.model, &error) ||
      !cal_qc_report_measure (report, test, reference, region, ct, a.stl, NULL, &error) ||
      (reference && !add_metrics (report, reference, test, a.device, &error)))
    return fail ("report", error, CAL_EXIT_INPUT);
  if (report->metrics)
    report->device = g_strdup (report->metrics->device);

  if (a.json)
    json_path = g_strdup (a.json);
  else if (g_str_has_suffix (argv[2], ".pdf"))
    {
      g_autofree char *stem = g_strndup (argv[2], strlen (argv[2]) - 4);
      json_path = g_strconcat (stem, ".json", NULL);
    }
  else
    json_path = g_strconcat (argv[2], ".json", NULL);
  if (!cal_qc_report_write_pdf (report, argv[2], &error) ||
      !cal_qc_report_write_json (report, json_path, &error))
    return fail ("report", error, CAL_EXIT_OUTPUT);
  for (guint i = 0; i < report->checks->len; i++)
    {
      const CalQcCheck *c = &g_array_index (report->checks, CalQcCheck, i);
      printf ("%s  %s: %s\n", c->passed ? "PASS" : "FAIL", c->name, c->result);
    }
  if (report->metrics)
    printf ("Metrics computed on %s\n", report->device && g_strcmp0 (report->device, "cpu") != 0
                                             ? report->device : "the CPU (Calvaria's CPU path)");
  printf ("Wrote %s and %s\n", argv[2], json_path);
  return CAL_EXIT_OK;
}
