/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The QC report as JSON: the same numbers as the PDF, with the keys of
 * `calvaria-cli evaluate --json` for the metrics. */
#include "cal-qc-report.h"

#include <math.h>

#include "cal-atomic-file.h"
#include "cal-colour-scale.h"
#include "cal-false-defects.h"
#include "cal-json.h"

static void
json_nullable_number (CalJson *json, const char *key, double value)
{
  cal_json_number (json, key, value);   /* NAN becomes null */
}

void
cal_metrics_write_json (CalJson *json, const CalMetrics *m)
{
  cal_json_number (json, "dsc", m->dsc);
  cal_json_number (json, "dsc_slice_mean", m->dsc_slice_mean);
  cal_json_number (json, "dsc_slice_harmonic", m->dsc_slice_harmonic);
  cal_json_number (json, "hd", m->hd);
  cal_json_number (json, "hd95", m->hd95);
  cal_json_number (json, "assd", m->assd);
  cal_json_number (json, "deviation_mean", m->deviation_mean);
  cal_json_number (json, "deviation_sd", m->deviation_sd);
  cal_json_int (json, "surface_voxels_reference", (gint64) m->n_surface_ref);
  cal_json_int (json, "surface_voxels_test", (gint64) m->n_surface_test);
}

static void
json_metrics (CalJson *json, const char *key, const CalMetrics *m)
{
  cal_json_begin_object (json, key);
  cal_metrics_write_json (json, m);
  cal_json_string (json, "device", m->device);
  cal_json_end_object (json);
}

void
cal_deviation_stats_write_json (CalJson *json, const CalDeviationStats *st)
{
  cal_json_number (json, "mean", st->mean);
  cal_json_number (json, "sd", st->sd);
  cal_json_number (json, "rms", st->rms);
  cal_json_number (json, "min", st->min);
  cal_json_number (json, "max", st->max);
  cal_json_number (json, "tolerance_mm", st->tolerance_mm);
  cal_json_number (json, "within_tolerance", st->within_tolerance);
  cal_json_number (json, "area_mm2", st->area_mm2);
  cal_json_int (json, "vertices", st->n_points);
}

static void
json_deviation (CalJson *json, const char *key, const CalDeviationStats *st)
{
  cal_json_begin_object (json, key);
  cal_deviation_stats_write_json (json, st);
  cal_json_number (json, "range_mm", st->range_mm);
  cal_json_numbers (json, "histogram", st->histogram, CAL_DEVIATION_BINS);
  cal_json_number (json, "below_range", st->below_range);
  cal_json_number (json, "above_range", st->above_range);
  cal_json_end_object (json);
}

static void
json_thinnest (CalJson *json, const char *key, const CalThinnest *t)
{
  cal_json_begin_object (json, key);
  cal_json_number (json, "thinnest_mm", t->thinnest_mm);
  cal_json_numbers (json, "position_lps_mm", t->position, 3);
  cal_json_number (json, "median_mm", t->median_mm);
  cal_json_int (json, "points", t->n_points);
  cal_json_end_object (json);
}

static void
json_provenance (CalJson *json, const CalQcReport *r)
{
  cal_json_begin_object (json, "scan");
  {
    double dims[3] = { r->dims[0], r->dims[1], r->dims[2] };
    cal_json_numbers (json, "dimensions", dims, 3);
  }
  cal_json_numbers (json, "spacing_mm", r->spacing, 3);
  cal_json_string (json, "orientation", r->orientation);
  cal_json_end_object (json);
  cal_json_begin_object (json, "mask");
  cal_json_string (json, "method", r->method);
  cal_json_string (json, "model", r->model_name);
  cal_json_string (json, "model_sha256", r->model_sha256);
  json_nullable_number (json, "threshold_hu", r->threshold_hu);
  cal_json_string (json, "device", r->device);
  cal_json_string (json, "made_at", r->made_at);
  cal_json_string (json, "editing_history", r->history);
  cal_json_end_object (json);
}

static void
json_checks (CalJson *json, const CalQcReport *r)
{
  cal_json_begin_array (json, "checks");
  for (guint i = 0; i < r->checks->len; i++)
    {
      const CalQcCheck *c = &g_array_index (r->checks, CalQcCheck, i);

      cal_json_begin_object (json, NULL);
      cal_json_string (json, "name", c->name);
      cal_json_bool (json, "passed", c->passed);
      cal_json_string (json, "result", c->result);
      cal_json_string (json, "where", c->where);
      cal_json_end_object (json);
    }
  cal_json_end_array (json);
  if (r->false_defects)
    {
      cal_json_begin_array (json, "false_defects");
      for (guint i = 0; i < r->false_defects->len; i++)
        {
          const CalFalseDefect *d = &g_array_index (r->false_defects, CalFalseDefect, i);

          cal_json_begin_object (json, NULL);
          cal_json_number (json, "volume_mm3", d->volume_mm3);
          cal_json_numbers (json, "centroid_lps_mm", d->centroid, 3);
          cal_json_number (json, "mean_hu", d->mean_hu);
          cal_json_end_object (json);
        }
      cal_json_end_array (json);
    }
}

static void
json_stl (CalJson *json, const CalQcReport *r)
{
  cal_json_begin_object (json, "stl");
  cal_json_string (json, "file", r->stl_name);
  cal_json_int (json, "bytes", (gint64) r->stl_size);
  cal_json_int (json, "triangles", r->stl_triangles);
  cal_json_string (json, "sha256", r->stl_sha256);
  cal_json_end_object (json);
}

gboolean
cal_qc_report_write_json (CalQcReport *r, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  CalJson json;

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_json_string (&json, "software", r->software_version);
  cal_json_string (&json, "date", r->date);
  json_provenance (&json, r);
  if (r->metrics || r->has_deviation)
    {
      cal_json_begin_object (&json, "comparison");
      cal_json_string (&json, "reference_voxels_sha256", r->reference_sha256);
      if (r->metrics)
        json_metrics (&json, "metrics", r->metrics);
      if (r->has_deviation)
        {
          json_deviation (&json, "surface_deviation", &r->deviation);
          cal_json_int (&json, "reference_triangles", r->reference_triangles);
          cal_json_string (&json, "surface_deviation_definition", CAL_DEVIATION_DEFINITION);
          cal_json_string (&json, "colour_scale", CAL_DEVIATION_SCALE_NAME);
        }
      cal_json_end_object (&json);
    }
  cal_json_begin_object (&json, "region");
  cal_json_string (&json, "kind", r->region_kind);
  cal_json_int (&json, "openings", r->n_openings);
  cal_json_int (&json, "voxels", (gint64) r->region_voxels);
  if (r->metrics_region)
    json_metrics (&json, "metrics", r->metrics_region);
  if (r->has_deviation && r->region_kind && r->deviation_region.n_points > 0)
    json_deviation (&json, "surface_deviation", &r->deviation_region);
  if (r->has_rim_thickness)
    json_thinnest (&json, "thickness", &r->rim_thinnest);
  cal_json_end_object (&json);
  json_thinnest (&json, "thickness", &r->all_thinnest);
  json_checks (&json, r);
  json_stl (&json, r);
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  return cal_atomic_file_replace (path, text, strlen (text), error);
}
