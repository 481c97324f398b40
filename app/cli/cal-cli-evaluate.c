/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli evaluate: how far a segmentation is from a reference, in mm,
 * on the GPU (Vulkan) or, where none can be used, on the CPU. */
#include "cal-cli.h"

#include <stdio.h>
#include <string.h>

#include "cal-atomic-file.h"
#include "cal-deviation-map.h"
#include "cal-evaluate.h"
#include "cal-json.h"
#include "cal-loader.h"
#include "cal-qc-report.h"

static CalMask *
load_mask (const char *path,
           gboolean    accept_unknown,
           GError    **error)
{
  return cal_mask_load (path, 0, accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : 0,
                        NULL, NULL, error);
}

typedef struct {
  CalVkProfile profile;
  gboolean     on_gpu;
  double       compute_ms;   /* wall time of the evaluation, loading excluded */
} Timing;

/* st: the deviation map's summary (NULL without the map). */
static void
print_text (const CalMetrics        *m,
            const CalDeviationStats *st,
            const Timing            *timing)
{
  if (timing->on_gpu)
    printf ("Device:                 %s (Vulkan)\n", m->device);
  else
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
  if (st == NULL)
    return;
  printf ("Deviation map:          %+.4f ± %.4f mm, RMS %.4f mm, %.2f %% within ±%.2f mm, from %+.4f to %+.4f mm\n"
          "                        (%s; %u vertices, %.1f mm²)\n",
          st->mean, st->sd, st->rms, 100 * st->within_tolerance, st->tolerance_mm, st->min, st->max,
          CAL_DEVIATION_DEFINITION, st->n_points, st->area_mm2);
}

static void
json_surface (CalJson                    *json,
              const CalSurfaceComparison *surface,
              const CalDeviationStats    *st)
{
  cal_json_begin_object (json, "surface_deviation");
  cal_json_string (json, "definition", CAL_DEVIATION_DEFINITION);
  cal_deviation_stats_write_json (json, st);
  cal_json_int (json, "reference_triangles", cal_deviation_reference_get_n_triangles (surface->reference));
  cal_json_end_object (json);
}

/* Points (x, y, z in LPS mm, one per line, a header line allowed) read
 * from a CSV file, as floats like a mesh's vertices. */
static GArray *
read_points (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *points = g_array_new (FALSE, FALSE, sizeof (float));

  if (!g_file_get_contents (path, &text, NULL, error))
    return (g_array_unref (points), NULL);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      float p[3];

      if (lines[i][0] == '\0' || g_ascii_isalpha (lines[i][0]))
        continue;
      if (sscanf (lines[i], "%f,%f,%f", &p[0], &p[1], &p[2]) != 3)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Line %u of the points file is not “x,y,z” in mm", i + 1);
          return (g_array_unref (points), NULL);
        }
      g_array_append_vals (points, p, 3);
    }
  return points;
}

/* The deviation at given points (the same definition as the map), written
 * like --deviation-map. */
static gboolean
write_deviation_at (const char *points_path, const char *out_path, CalMask *ref, GError **error)
{
  g_autoptr(GArray) points = read_points (points_path, error);
  g_autoptr(CalDeviationReference) dev = NULL;
  g_autofree float *values = NULL;
  g_autoptr(GString) text = g_string_new ("x_mm,y_mm,z_mm,deviation_mm\n");
  guint32 n;

  if (points == NULL || !(dev = cal_deviation_reference_new (ref, NULL, error)))
    return FALSE;
  n = points->len / 3;
  values = g_new (float, MAX (n, 1u));
  if (!cal_deviation_reference_measure (dev, (const float *) points->data, 3, n, values, NULL, error))
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    {
      const float *p = &g_array_index (points, float, 3 * i);
      g_string_append_printf (text, "%.4f,%.4f,%.4f,%.6f\n", p[0], p[1], p[2], values[i]);
    }
  return cal_atomic_file_replace (out_path, text->str, text->len, error);
}

/* x, y, z (LPS mm) and the deviation of every vertex of the test's
 * surface, one per line. */
static gboolean
write_deviation_map (const char                 *path,
                     const CalSurfaceComparison *surface,
                     GError                    **error)
{
  CalMesh *mesh = surface->test_mesh;
  const float *v = cal_mesh_get_vertices (mesh), *d = cal_mesh_get_scalars (mesh);
  guint32 n = cal_mesh_get_n_vertices (mesh);
  g_autoptr(GString) text = g_string_sized_new (48 * (gsize) n + 64);

  g_string_append (text, "x_mm,y_mm,z_mm,deviation_mm\n");
  for (guint32 i = 0; i < n; i++)
    g_string_append_printf (text, "%.4f,%.4f,%.4f,%.6f\n", v[3 * i], v[3 * i + 1], v[3 * i + 2], d[i]);
  return cal_atomic_file_replace (path, text->str, text->len, error);
}

static void
json_timing (CalJson      *json,
             const Timing *timing)
{
  cal_json_begin_object (json, "timing");
  cal_json_number (json, "compute_ms", timing->compute_ms);
  if (timing->on_gpu)
    {
      cal_json_int (json, "dispatches", timing->profile.n_dispatches);
      cal_json_int (json, "submissions", timing->profile.n_submissions);
      cal_json_number (json, "max_submission_ms", timing->profile.max_submission_ms);
      if (timing->profile.has_timestamps)
        {
          cal_json_number (json, "gpu_total_ms", timing->profile.total_ms);
          cal_json_number (json, "max_dispatch_ms", timing->profile.max_dispatch_ms);
          cal_json_string (json, "max_dispatch_kernel", timing->profile.max_dispatch_name);
        }
    }
  cal_json_end_object (json);
}

static void
print_json (const CalMetrics           *m,
            const CalSurfaceComparison *surface,
            const CalDeviationStats    *st,
            const Timing               *timing)
{
  g_autofree char *text = NULL;
  CalJson json;

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_metrics_write_json (&json, m);
  if (surface)
    json_surface (&json, surface, st);
  cal_json_string (&json, "units", "mm");
  cal_json_string (&json, "device", timing->on_gpu ? m->device : "cpu");
  json_timing (&json, timing);
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  fputs (text, stdout);
}

int
cal_cli_evaluate (int    argc,
                  char **argv)
{
  gboolean json = FALSE, accept_unknown = FALSE, no_map = FALSE;
  double tolerance = 1.0;
  g_autofree char *roi_path = NULL, *device = NULL, *notice = NULL, *map_path = NULL, *points_path = NULL;
  const GOptionEntry entries[] = {
    { "roi", 0, 0, G_OPTION_ARG_FILENAME, &roi_path, "Only count surface inside this mask", "MASK" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (distances in mm)", NULL },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device,
      "Vulkan device index or name (see `calvaria-cli devices`), “lavapipe”, or “cpu” (the default without a GPU)", "N|lavapipe|cpu" },
    { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &tolerance,
      "Deviation counted as within tolerance, in mm (default 1)", "MM" },
    { "deviation-map", 0, 0, G_OPTION_ARG_FILENAME, &map_path,
      "Write every test-surface vertex and its signed deviation (CSV, LPS mm)", "FILE" },
    { "no-surface-map", 0, 0, G_OPTION_ARG_NONE, &no_map,
      "Only the voxel metrics: no signed-deviation map of the surface (about half the time)", NULL },
    { "deviation-points", 0, 0, G_OPTION_ARG_FILENAME, &points_path,
      "With --deviation-map: the deviation at these points (CSV x,y,z in LPS mm) instead", "FILE" },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &accept_unknown,
      "Accept masks that do not say where left and right are", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("REF TEST — DSC, Hausdorff, ASSD and signed deviation of TEST against REF");
  g_autoptr(CalMask) ref = NULL, test = NULL, roi = NULL;
  g_autoptr(CalMetrics) metrics = NULL;
  g_autoptr(CalSurfaceComparison) surface = NULL;
  const CalDeviationStats *shown;
  g_autoptr(CalVkContext) vk = NULL;
  g_autoptr(GError) error = NULL;
  Timing timing = { 0 };
  gint64 start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cal_cli_parse (context, &argc, &argv, 2, "evaluate REF TEST [--roi MASK] [--json] [--device N]"))
    return CAL_EXIT_USAGE;
  if (!(tolerance >= 0 && tolerance <= 100))
    {
      fprintf (stderr, "calvaria-cli evaluate: --tolerance must be between 0 and 100 mm\n");
      return CAL_EXIT_USAGE;
    }
  if (!cal_cli_open_device (device, &vk, &error))
    {
      cal_cli_print_error ("evaluate", error);
      return cal_cli_exit_for_error (error);
    }

  if (!(ref = load_mask (argv[1], accept_unknown, &error)) ||
      !(test = load_mask (argv[2], accept_unknown, &error)) ||
      (roi_path && !(roi = load_mask (roi_path, accept_unknown, &error))))
    {
      cal_cli_print_error ("evaluate", error);
      return cal_cli_exit_for_error (error);
    }
  start = g_get_monotonic_time ();
  metrics = cal_evaluate (vk, ref, test, roi, NULL, NULL, NULL, &notice, &error);
  if (metrics != NULL && !no_map)
    surface = cal_surface_comparison_compute (ref, test, roi, tolerance, 5.0, NULL, &error);
  timing.compute_ms = (double) (g_get_monotonic_time () - start) / 1000.0;
  if (metrics == NULL || (surface == NULL && !no_map))
    {
      cal_cli_print_error ("evaluate", error);
      return CAL_EXIT_INPUT;
    }
  if (points_path && map_path == NULL)
    {
      fprintf (stderr, "calvaria-cli evaluate: --deviation-points needs --deviation-map FILE to write to\n");
      return CAL_EXIT_USAGE;
    }
  if (no_map && map_path && points_path == NULL)
    {
      fprintf (stderr, "calvaria-cli evaluate: --deviation-map needs the map: drop --no-surface-map\n");
      return CAL_EXIT_USAGE;
    }
  if (map_path && (points_path ? !write_deviation_at (points_path, map_path, ref, &error)
                               : !write_deviation_map (map_path, surface, &error)))
    {
      cal_cli_print_error ("evaluate", error);
      return CAL_EXIT_OUTPUT;
    }
  if (notice)
    fprintf (stderr, "notice: %s\n", notice);
  timing.on_gpu = vk != NULL && notice == NULL;
  if (timing.on_gpu)
    cal_vk_context_get_profile (vk, &timing.profile);
  /* With --roi, the map's summary counts only the surface in it, as the
   * voxel metrics do. */
  shown = surface == NULL ? NULL : roi ? &surface->region_stats : &surface->stats;
  if (json)
    print_json (metrics, surface, shown, &timing);
  else
    print_text (metrics, shown, &timing);
  return CAL_EXIT_OK;
}
