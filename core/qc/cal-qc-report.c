/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-qc-report.h"

#include <math.h>
#include <string.h>

#include "cal-atomic-file.h"
#include "cal-defect-rim.h"
#include "cal-false-defects.h"
#include "cal-json.h"
#include "cal-mesh-check.h"
#include "cal-stl.h"
#include "cal-surface.h"

void
cal_qc_options_init (CalQcOptions *options)
{
  options->tolerance_mm = 1.0;
  options->range_mm = 5.0;
  options->band_mm = 10.0;
  options->find_defect_edge = TRUE;
  options->min_within_tolerance = 0.9;
  options->min_rim_thickness_mm = 2.0;
}

static void
check_clear (gpointer data)
{
  CalQcCheck *check = data;

  g_free (check->name);
  g_free (check->result);
  g_free (check->where);
}

CalQcReport *
cal_qc_report_new (const CalQcOptions *options)
{
  CalQcReport *report = g_new0 (CalQcReport, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (options)
    report->options = *options;
  else
    cal_qc_options_init (&report->options);
  report->threshold_hu = NAN;
  report->checks = g_array_new (FALSE, TRUE, sizeof (CalQcCheck));
  g_array_set_clear_func (report->checks, check_clear);
  report->software_version = g_strdup ("Calvaria " PACKAGE_VERSION_STRING);
  report->date = g_date_time_format_iso8601 (now);
  return report;
}

void
cal_qc_report_free (CalQcReport *report)
{
  if (report == NULL)
    return;
  g_free (report->method);
  g_free (report->model_name);
  g_free (report->model_sha256);
  g_free (report->device);
  g_free (report->made_at);
  g_free (report->history);
  g_free (report->reference_sha256);
  g_clear_pointer (&report->metrics, cal_metrics_free);
  g_clear_pointer (&report->metrics_region, cal_metrics_free);
  g_clear_object (&report->region);
  g_free (report->region_kind);
  g_clear_pointer (&report->false_defects, g_array_unref);
  g_clear_pointer (&report->checks, g_array_unref);
  g_free (report->stl_name);
  g_free (report->stl_sha256);
  g_clear_pointer (&report->picture, cal_display_mesh_free);
  g_free (report->deviation_values);
  g_free (report->thickness_values);
  g_free (report->software_version);
  g_free (report->date);
  g_free (report);
}

char *
cal_file_sha256 (const char *path, guint64 *size, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (1 << 20);
  guint64 total = 0;
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, 1 << 20, NULL, error)) > 0)
    {
      g_checksum_update (sum, buffer, n);
      total += (guint64) n;
    }
  if (n < 0)
    return NULL;
  if (size)
    *size = total;
  return g_strdup (g_checksum_get_string (sum));
}

static char *
labels_sha256 (CalMask *mask)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, cal_mask_get_labels (mask),
                                      cal_grid_n_voxels (cal_mask_get_grid (mask)));
}

static void
add_check (CalQcReport *report, const char *name, gboolean passed, char *result, char *where)
{
  CalQcCheck check = { g_strdup (name), passed, result, where };

  g_array_append_val (report->checks, check);
}

static char *
where_at (const double p[3])
{
  return g_strdup_printf ("at L %.1f, P %.1f, S %.1f mm", p[0], p[1], p[2]);
}

static gboolean
measure_stl (CalQcReport *report, CalMask *test, const char *stl_path, GError **error)
{
  g_autoptr(CalMesh) mesh = NULL;
  g_autofree char *failures = NULL, *base = g_path_get_basename (stl_path);
  CalMeshReport checks;

  if (!(report->stl_sha256 = cal_file_sha256 (stl_path, &report->stl_size, error)) ||
      !(mesh = cal_stl_read (stl_path, NULL, error)))
    return FALSE;
  report->stl_name = g_steal_pointer (&base);
  report->stl_triangles = cal_mesh_get_n_triangles (mesh);
  cal_mesh_check (mesh, test, 0, CAL_MESH_DEFAULT_OFFSET_TOLERANCE, &checks);
  failures = cal_mesh_report_failures (&checks);
  add_check (report, "Mesh checks (the exported STL)", checks.passed,
             checks.passed
               ? g_strdup_printf ("closed, manifold, outward; %u triangles, %.0f mm³, %+.3f mm mean offset from the mask",
                                  checks.n_triangles, checks.volume_mm3, checks.mean_offset_mm)
               : g_strdup (failures),
             NULL);
  return TRUE;
}

static void
measure_region (CalQcReport *report, CalMask *test, CalMask *given, CalMask **region, GCancellable *cancellable)
{
  g_autoptr(GError) local = NULL;
  CalDefectRimOptions options;
  CalDefectRim *rim;

  if (given)
    {
      /* Any label but 0 is the region; the metrics want 0 and 1. */
      CalMask *binary = cal_mask_copy (given);
      guint8 *l = cal_mask_get_labels_mutable (binary);
      gsize n = cal_grid_n_voxels (cal_mask_get_grid (binary));

      for (gsize v = 0; v < n; v++)
        report->region_voxels += (l[v] = l[v] != 0);
      *region = binary;
      report->region_kind = g_strdup ("painted label");
      return;
    }
  if (!report->options.find_defect_edge)
    return;
  cal_defect_rim_options_init (&options);
  options.band_mm = report->options.band_mm;
  rim = cal_find_defect_rim (test, &options, cancellable, &local);
  if (rim == NULL)
    {
      report->region_kind = g_strdup_printf ("none: %s", local->message);
      return;
    }
  report->n_openings = rim->openings->len;
  report->region_voxels = rim->n_region_voxels;
  report->region_kind = g_strdup_printf ("defect edge: %.1f mm band around %u opening%s", options.band_mm,
                                         rim->openings->len, rim->openings->len == 1 ? "" : "s");
  if (rim->n_region_voxels > 0)
    *region = g_object_ref (rim->region);
  cal_defect_rim_free (rim);
}

static void
add_surface_checks (CalQcReport *report, gboolean has_region)
{
  const CalQcOptions *o = &report->options;

  if (report->has_deviation)
    add_check (report, "Surface within tolerance of the reference",
               report->deviation.within_tolerance >= o->min_within_tolerance,
               g_strdup_printf ("%.2f %% of the surface within ±%.2f mm (at least %.0f %% passes)",
                                100 * report->deviation.within_tolerance, o->tolerance_mm,
                                100 * o->min_within_tolerance),
               NULL);
  if (report->has_rim_thickness)
    add_check (report, "Thinnest bone at the defect edge",
               report->rim_thinnest.thinnest_mm >= o->min_rim_thickness_mm,
               g_strdup_printf ("%.2f mm (5th percentile of %u points; median %.2f mm; at least %.1f mm passes)",
                                report->rim_thinnest.thinnest_mm, report->rim_thinnest.n_points,
                                report->rim_thinnest.median_mm, o->min_rim_thickness_mm),
               where_at (report->rim_thinnest.position));
  else if (has_region)
    add_check (report, "Thinnest bone at the defect edge", FALSE,
               g_strdup ("no surface point in the region: nothing measured"), NULL);
}

static void
add_false_defect_check (CalQcReport *report)
{
  GArray *pieces = report->false_defects;
  double total = 0;

  for (guint i = 0; i < pieces->len; i++)
    total += g_array_index (pieces, CalFalseDefect, i).volume_mm3;
  add_check (report, "Possible false defects (dense bone touching the skull, not in the mask)",
             pieces->len == 0,
             pieces->len == 0 ? g_strdup ("none")
                              : g_strdup_printf ("%u piece%s, %.0f mm³ in all; the largest %.0f mm³", pieces->len,
                                                 pieces->len == 1 ? "" : "s", total,
                                                 g_array_index (pieces, CalFalseDefect, 0).volume_mm3),
             pieces->len == 0 ? NULL : where_at (g_array_index (pieces, CalFalseDefect, 0).centroid));
}

/* The test's full-resolution surface, and with a reference the
 * deviation's numbers on it, as evaluate's; the reference's index is kept
 * for the pictures. */
static CalMesh *
measure_surface (CalQcReport *report, CalMask *test, CalMask *reference, CalMask *region,
                 CalDeviationReference **dev, GCancellable *cancellable, GError **error)
{
  g_autoptr(CalSurfaceComparison) comparison = NULL;

  if (reference == NULL)
    return cal_surface_from_mask (test, 0, CAL_SPACE_LPS, NULL, NULL, cancellable, error);
  comparison = cal_surface_comparison_compute (reference, test, region, report->options.tolerance_mm,
                                               report->options.range_mm, cancellable, error);
  if (comparison == NULL)
    return NULL;
  report->reference_sha256 = labels_sha256 (reference);
  report->reference_triangles = cal_deviation_reference_get_n_triangles (comparison->reference);
  report->has_deviation = TRUE;
  report->deviation = comparison->stats;
  report->deviation_region = comparison->region_stats;
  *dev = g_steal_pointer (&comparison->reference);
  return g_steal_pointer (&comparison->test_mesh);
}

gboolean
cal_qc_report_measure (CalQcReport   *report,
                       CalMask       *test,
                       CalMask       *reference,
                       CalMask       *given_region,
                       CalVolume     *ct,
                       const char    *stl_path,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const CalGrid *grid = cal_mask_get_grid (test);
  g_autoptr(CalMask) region = NULL;
  g_autoptr(CalMesh) full = NULL;
  g_autoptr(CalDeviationReference) dev = NULL;
  const float *points;
  guint32 n;

  memcpy (report->dims, grid->dims, sizeof report->dims);
  cal_grid_get_spacing (grid, report->spacing);
  cal_grid_orientation_code (grid, report->orientation);
  measure_region (report, test, given_region, &region, cancellable);
  if (!(full = measure_surface (report, test, reference, region, &dev, cancellable, error)))
    return FALSE;

  report->picture = cal_display_mesh_new (full, CAL_QC_PICTURE_TRIANGLES);
  g_clear_object (&full);
  points = report->picture->vertices;
  n = report->picture->n_vertices;
  if (dev)
    {
      report->deviation_values = g_new (float, n);
      if (!cal_deviation_reference_measure (dev, points, 6, n, report->deviation_values, cancellable, error))
        return FALSE;
    }
  report->thickness_values = g_new (float, n);
  if (!cal_thickness_measure (test, points, 6, n, report->thickness_values, cancellable, error))
    return FALSE;
  cal_thickness_thinnest (report->thickness_values, points, 6, n, NULL, &report->all_thinnest);
  if (region)
    report->has_rim_thickness = cal_thickness_thinnest (report->thickness_values, points, 6, n, region,
                                                        &report->rim_thinnest);

  if (stl_path && !measure_stl (report, test, stl_path, error))
    return FALSE;
  add_surface_checks (report, region != NULL);
  report->region = g_steal_pointer (&region);
  if (ct)
    {
      if (!(report->false_defects = cal_find_false_defects (ct, test, NULL, cancellable, error)))
        return FALSE;
      add_false_defect_check (report);
    }
  return TRUE;
}
