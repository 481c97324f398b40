/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli info: what a scan is, in numbers with units.  Patient
 * identifiers are never read into what this prints. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-dicom.h"
#include "cal-inv3.h"
#include "cal-json.h"
#include "cal-loader.h"
#include "cal-untrusted-text.h"

typedef struct {
  gboolean     json;
  char        *series;
  gboolean     accept_unknown;
} InfoOptions;

static const char *
axis_name (char letter)
{
  switch (letter)
    {
    case 'L': return "Left";
    case 'R': return "Right";
    case 'P': return "Posterior";
    case 'A': return "Anterior";
    case 'S': return "Superior";
    case 'I': return "Inferior";
    default:  return "?";
    }
}

static void
print_text (CalVolume      *volume,
            CalLoadReport  *report,
            CalDicomScan   *scan,
            CalInv3Project *project)
{
  const CalGrid *grid = cal_volume_get_grid (volume);
  double spacing[3], lo, hi, origin[3], zero[3] = { 0, 0, 0 };
  char code[4];

  cal_grid_get_spacing (grid, spacing);
  cal_grid_orientation_code (grid, code);
  cal_grid_voxel_to_patient (grid, zero, origin);
  cal_volume_get_range (volume, &lo, &hi);

  printf ("Format:       %s%s%s%s\n", report->format ? report->format : "?",
          report->details ? " (" : "", report->details ? report->details : "",
          report->details ? ")" : "");
  printf ("Dimensions:   %u×%u×%u voxels\n", grid->dims[0], grid->dims[1], grid->dims[2]);
  printf ("Spacing:      %.4g × %.4g × %.4g mm\n", spacing[0], spacing[1], spacing[2]);
  if (grid->orientation_known)
    printf ("Orientation:  %s (voxel axes i, j, k point to patient %s, %s, %s)%s\n", code,
            axis_name (code[0]), axis_name (code[1]), axis_name (code[2]),
            cal_grid_is_oblique (grid, 1.0) ? ", oblique" : "");
  else
    printf ("Orientation:  UNKNOWN (the file does not say where left and right are)\n");
  printf ("Origin:       %.2f, %.2f, %.2f mm (LPS, centre of the first voxel)\n",
          origin[0], origin[1], origin[2]);
  printf ("Extent:       %.1f × %.1f × %.1f mm\n", spacing[0] * grid->dims[0],
          spacing[1] * grid->dims[1], spacing[2] * grid->dims[2]);
  printf ("Values:       %g … %g %s (%s)\n", lo, hi,
          cal_volume_get_voxel_type (volume) == CAL_VOXEL_INT16 ? "HU" : "(scaled)",
          cal_volume_get_voxel_type (volume) == CAL_VOXEL_INT16 ? "int16" : "float32");
  if (report->gantry_tilt_deg != 0)
    printf ("Gantry tilt:  %.2f° (corrected)\n", report->gantry_tilt_deg);

  if (scan != NULL)
    {
      /* Neither the folder nor SeriesDescription is printed: both are free
       * text that often carries the patient's name (the window shows the
       * description, escaped, only where the user picks a series). */
      printf ("Series:       %u in the folder\n", scan->series->len);
      for (guint i = 0; i < scan->series->len; i++)
        {
          CalDicomSeries *s = g_ptr_array_index (scan->series, i);
          g_autofree char *modality = cal_untrusted_text_escape (s->modality);
          g_autofree char *uid = cal_untrusted_text_escape (s->uid);
          printf ("  %u. %-3s %4u images  %u×%u  #%d%s\n      UID %s\n", i + 1,
                  modality, s->headers->len, s->columns, s->rows, s->number,
                  i == 0 ? "  (default)" : "", uid);
        }
    }
  if (project != NULL)
    for (guint i = 0; i < project->mask_names->len; i++)
      {
        double *range = &g_array_index (project->mask_ranges, double, 2 * i);
        g_autofree char *name = cal_untrusted_text_escape (g_ptr_array_index (project->mask_names, i));
        printf ("Mask %u:       “%s”, threshold %g … %g HU\n", i, name, range[0], range[1]);
      }
}

static void
print_json (CalVolume      *volume,
            CalLoadReport  *report,
            CalDicomScan   *scan,
            CalInv3Project *project)
{
  const CalGrid *grid = cal_volume_get_grid (volume);
  double spacing[3], lo, hi, origin[3], zero[3] = { 0, 0, 0 }, dims[3];
  g_autofree char *text = NULL;
  char code[4];
  CalJson json;

  cal_grid_get_spacing (grid, spacing);
  cal_grid_orientation_code (grid, code);
  cal_grid_voxel_to_patient (grid, zero, origin);
  cal_volume_get_range (volume, &lo, &hi);
  for (int a = 0; a < 3; a++)
    dims[a] = grid->dims[a];

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_json_string (&json, "format", report->format);
  cal_json_string (&json, "details", report->details);
  cal_json_numbers (&json, "dims", dims, 3);
  cal_json_numbers (&json, "spacing_mm", spacing, 3);
  cal_json_bool (&json, "orientation_known", grid->orientation_known);
  cal_json_string (&json, "orientation", grid->orientation_known ? code : NULL);
  cal_json_numbers (&json, "origin_lps_mm", origin, 3);
  cal_json_begin_array (&json, "affine_lps");
  for (int r = 0; r < 4; r++)
    cal_json_numbers (&json, NULL, grid->affine[r], 4);
  cal_json_end_array (&json);
  cal_json_string (&json, "voxel_type",
                   cal_volume_get_voxel_type (volume) == CAL_VOXEL_INT16 ? "int16" : "float32");
  cal_json_number (&json, "hu_min", lo);
  cal_json_number (&json, "hu_max", hi);
  cal_json_number (&json, "gantry_tilt_deg", report->gantry_tilt_deg);
  cal_json_begin_array (&json, "warnings");
  for (guint i = 0; i < report->warnings->len; i++)
    cal_json_string (&json, NULL, g_ptr_array_index (report->warnings, i));
  cal_json_end_array (&json);
  cal_json_begin_array (&json, "notes");
  for (guint i = 0; i < report->notes->len; i++)
    cal_json_string (&json, NULL, g_ptr_array_index (report->notes, i));
  cal_json_end_array (&json);
  if (scan != NULL)
    {
      cal_json_begin_array (&json, "series");
      for (guint i = 0; i < scan->series->len; i++)
        {
          CalDicomSeries *s = g_ptr_array_index (scan->series, i);
          cal_json_begin_object (&json, NULL);
          cal_json_int (&json, "index", i + 1);
          cal_json_string (&json, "uid", s->uid);
          cal_json_string (&json, "modality", s->modality);
          cal_json_int (&json, "number", s->number);
          cal_json_int (&json, "images", s->headers->len);
          cal_json_int (&json, "rows", s->rows);
          cal_json_int (&json, "columns", s->columns);
          cal_json_end_object (&json);
        }
      cal_json_end_array (&json);
      cal_json_int (&json, "skipped_files", scan->skipped->len);
    }
  if (project != NULL)
    {
      cal_json_begin_array (&json, "masks");
      for (guint i = 0; i < project->mask_names->len; i++)
        {
          cal_json_begin_object (&json, NULL);
          cal_json_int (&json, "index", i);
          cal_json_string (&json, "name", g_ptr_array_index (project->mask_names, i));
          cal_json_numbers (&json, "threshold_hu", &g_array_index (project->mask_ranges, double, 2 * i), 2);
          cal_json_end_object (&json);
        }
      cal_json_end_array (&json);
    }
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  fputs (text, stdout);
}

int
cal_cli_info (int    argc,
              char **argv)
{
  InfoOptions opt = { 0 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt.json, "Print JSON", NULL },
    { "series", 0, 0, G_OPTION_ARG_STRING, &opt.series, "DICOM series to describe (UID or number from the list)", "UID|N" },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &opt.accept_unknown,
      "Describe files that do not say where left and right are", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE|DIR — describe a CT scan");
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalDicomScan) scan = NULL;
  g_autoptr(CalInv3Project) project = NULL;
  g_autoptr(CalVolume) volume = NULL;
  g_autoptr(GError) error = NULL;
  CalLoadFlags flags;
  const char *path;

  g_option_context_add_main_entries (context, entries, NULL);
  cal_cli_add_load_options (context);
  if (!cal_cli_parse (context, &argc, &argv, 1, "info FILE|DIR [--json] [--series UID|N]"))
    return CAL_EXIT_USAGE;
  path = argv[1];
  flags = (opt.accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : CAL_LOAD_FLAGS_NONE) | cal_cli_load_flags ();

  switch (cal_format_guess (path))
    {
    case CAL_FORMAT_DICOM:
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          CalDicomSeries *series;
          scan = cal_dicom_scan (path, NULL, &error);
          series = scan ? cal_dicom_scan_pick (scan, opt.series, &error) : NULL;
          if (series)
            {
              cal_dicom_scan_report (scan, report);
              volume = cal_dicom_series_load (series, flags, report, NULL, NULL, NULL, &error);
            }
        }
      else
        volume = cal_dicom_load (path, opt.series, flags, report, NULL, NULL, NULL, &error);
      break;
    case CAL_FORMAT_INV3:
      project = cal_inv3_project_load (path, FALSE, report, NULL, &error);
      if (project)
        volume = g_object_ref (project->volume);
      break;
    default:
      volume = cal_volume_load (path, opt.series, flags, report, NULL, NULL, NULL, &error);
      break;
    }

  if (volume == NULL)
    {
      cal_cli_print_input_error (error);
      g_free (opt.series);
      return cal_cli_exit_for_error (error);
    }
  if (opt.json)
    print_json (volume, report, scan, project);
  else
    {
      print_text (volume, report, scan, project);
      cal_cli_print_report (report);
    }
  g_free (opt.series);
  return CAL_EXIT_OK;
}
