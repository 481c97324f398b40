/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli mesh: a mask's surface as a checked, watertight STL. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-json.h"
#include "cal-loader.h"
#include "cal-mesh-export.h"
#include "cal-mesh-pipeline.h"

static void
print_report_json (const CalMeshReport  *r,
                   const CalMeshOptions *options,
                   gboolean              written,
                   double                load_ms,
                   double                write_ms)
{
  g_autofree char *text = NULL;
  CalJson json;

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_json_string (&json, "space", cal_space_to_string (options->space));
  cal_json_string (&json, "units", "mm");
  cal_json_int (&json, "triangles", r->n_triangles);
  cal_json_int (&json, "vertices", r->n_vertices);
  cal_json_int (&json, "components", r->n_components);
  cal_json_int (&json, "pieces", r->n_components - r->n_cavities);
  cal_json_int (&json, "cavities", r->n_cavities);
  cal_json_int (&json, "boundary_edges", (gint64) r->n_boundary_edges);
  cal_json_int (&json, "nonmanifold_edges", (gint64) r->n_nonmanifold_edges);
  cal_json_int (&json, "misoriented_edges", (gint64) r->n_misoriented_edges);
  cal_json_int (&json, "nonmanifold_vertices", (gint64) r->n_nonmanifold_vertices);
  cal_json_int (&json, "degenerate_triangles", (gint64) r->n_degenerate_triangles);
  cal_json_int (&json, "duplicate_triangles", (gint64) r->n_duplicate_triangles);
  cal_json_number (&json, "volume_mm3", r->volume_mm3);
  cal_json_number (&json, "area_mm2", r->area_mm2);
  cal_json_number (&json, "mask_volume_mm3", r->mask_volume_mm3);
  cal_json_number (&json, "volume_difference", r->volume_difference);
  cal_json_number (&json, "mean_offset_mm", r->mean_offset_mm);
  cal_json_bool (&json, "passed", r->passed);
  cal_json_bool (&json, "written", written);
  cal_json_bool (&json, "decimate_target_reached", r->decimate_target_reached);
  cal_json_begin_object (&json, "timing_ms");
  cal_json_number (&json, "load", load_ms);
  cal_json_number (&json, "surface", r->surface_ms);
  cal_json_number (&json, "smooth", r->smooth_ms);
  cal_json_number (&json, "decimate", r->decimate_ms);
  cal_json_number (&json, "checks", r->check_ms);
  cal_json_number (&json, "write", write_ms);
  cal_json_end_object (&json);
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  fputs (text, stdout);
}

static gboolean
quiet_output (gboolean quiet,
            gboolean json)
{
  return quiet || json;
}

int
cal_cli_mesh (int    argc,
              char **argv)
{
  gint label = 0, mask_index = 0, smooth = 0;
  double reduction = 0, max_error = 0.1;
  gboolean largest = FALSE, ras = FALSE, ascii = FALSE, force = FALSE, json = FALSE;
  gboolean accept_unknown = FALSE, quiet = FALSE;
  const GOptionEntry entries[] = {
    { "smooth", 0, 0, G_OPTION_ARG_INT, &smooth, "Taubin smoothing iterations (keeps volume)", "N" },
    { "decimate", 0, 0, G_OPTION_ARG_DOUBLE, &reduction, "Remove this fraction of the triangles (0 to 1)", "R" },
    { "max-error", 0, 0, G_OPTION_ARG_DOUBLE, &max_error, "Decimation never moves the surface further than this (default 0.1)", "MM" },
    { "largest", 0, 0, G_OPTION_ARG_NONE, &largest, "Keep only the largest connected solid", NULL },
    { "ras", 0, 0, G_OPTION_ARG_NONE, &ras, "Write RAS coordinates (default: LPS, as DICOM)", NULL },
    { "ascii", 0, 0, G_OPTION_ARG_NONE, &ascii, "Write ASCII STL (default: binary)", NULL },
    { "label", 0, 0, G_OPTION_ARG_INT, &label, "Mesh this label only (default: every non-zero label)", "N" },
    { "mask", 0, 0, G_OPTION_ARG_INT, &mask_index, "Mask N of an InVesalius project (default 0)", "N" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Write the STL even when the mesh checks fail", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the mesh checks as JSON", NULL },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &accept_unknown,
      "Read masks that do not say where left and right are", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing on success", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("MASK OUT.stl — the mask's surface as a watertight STL in patient mm");
  g_autoptr(CalLoadReport) load_report = cal_load_report_new ();
  g_autoptr(CalMask) mask = NULL;
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(GError) error = NULL;
  CalMeshOptions options;
  CalMeshReport report;
  gboolean written;
  gint64 start = g_get_monotonic_time ();
  double load_ms, write_ms;

  g_option_context_add_main_entries (context, entries, NULL);
  cal_cli_add_load_options (context);
  if (!cal_cli_parse (context, &argc, &argv, 2,
                      "mesh MASK OUT.stl [--smooth N] [--decimate R] [--largest] [--ras] [--ascii]"))
    return CAL_EXIT_USAGE;
  if (label < 0 || label > 255 || smooth < 0 || reduction < 0 || reduction >= 1 || max_error <= 0)
    {
      fprintf (stderr, "calvaria-cli: --label takes 0 to 255, --smooth 0 or more, --decimate "
                       "0 to below 1, --max-error more than 0\n");
      return CAL_EXIT_USAGE;
    }
  cal_mesh_options_init (&options);
  options.label = (guint8) label;
  options.space = ras ? CAL_SPACE_RAS : CAL_SPACE_LPS;
  options.keep_largest = largest;
  options.smooth_iterations = (guint) smooth;
  options.decimate_reduction = reduction;
  options.decimate_max_error_mm = max_error;

  mask = cal_mask_load (argv[1], (guint) mask_index,
                        (accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : 0) | cal_cli_load_flags (),
                        load_report, NULL, &error);
  if (mask == NULL)
    {
      cal_cli_print_input_error (error);
      return cal_cli_exit_for_error (error);
    }
  cal_cli_print_report (load_report);
  load_ms = (g_get_monotonic_time () - start) / 1000.0;
  mesh = cal_mesh_build (mask, &options, &report, NULL, NULL, NULL, &error);
  if (mesh == NULL)
    {
      cal_cli_print_error ("mesh", error);
      return CAL_EXIT_INPUT;
    }
  start = g_get_monotonic_time ();
  written = cal_mesh_export (mesh, &report, argv[2], ascii ? CAL_STL_ASCII : CAL_STL_BINARY,
                             force, NULL, &error);
  write_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (json)
    print_report_json (&report, &options, written, load_ms, write_ms);
  else if (!quiet || !report.passed)
    {
      g_autofree char *text = cal_mesh_report_describe (&report);
      printf ("Coordinates: %s, mm\n%s", cal_space_to_string (options.space), text);
    }
  if (!quiet_output (quiet, json) && !report.decimate_target_reached)
    printf ("Decimation stopped at %u triangles: removing more would move the surface "
            "more than %g mm (--max-error)\n", report.n_triangles, max_error);
  if (!written)
    {
      cal_cli_print_error (argv[2], error);
      return g_error_matches (error, CAL_MESH_ERROR, CAL_MESH_ERROR_CHECKS_FAILED)
             ? CAL_EXIT_REFUSED : CAL_EXIT_OUTPUT;
    }
  if (!quiet && !json)
    printf ("Wrote %s%s\n", argv[2], report.passed ? "" : " (checks failed; written because of --force)");
  return CAL_EXIT_OK;
}
