/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model's preprocessing, read from its metadata_props so that a model
 * file says how to feed it.  Keys and defaults: docs/onnx-models.md. */
#include "cal-nn-private.h"
#include "cal-reorient.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static gboolean
bad_key (GError    **error,
         const char *key,
         const char *value,
         const char *expected)
{
  g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
               "The model's metadata “%s” is “%s”; expected %s (see docs/onnx-models.md)", key, value, expected);
  return FALSE;
}

/* n comma-separated numbers; fewer than n only where min_n allows. */
static gboolean
parse_numbers (const char *text,
               double     *values,
               guint       min_n,
               guint       max_n)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint n = g_strv_length (parts);

  if (n < min_n || n > max_n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      char *end = NULL;
      g_strstrip (parts[i]);
      values[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (values[i]))
        return FALSE;
    }
  return TRUE;
}

/* A model's voxel size: 0 keeps the CT's own; anything else must be a size
 * a CT can be resampled to (1e-9 mm would make the CT 10^18 voxels). */
#define MIN_MODEL_SPACING_MM 0.05
#define MAX_MODEL_SPACING_MM 20

static gboolean
spacing_is_usable (const double spacing[3])
{
  for (int a = 0; a < 3; a++)
    if (!(spacing[a] == 0 || (spacing[a] >= MIN_MODEL_SPACING_MM && spacing[a] <= MAX_MODEL_SPACING_MM)))
      return FALSE;
  return TRUE;
}

gboolean
cal_nn_spacing_in_range (const double range[2],
                         const double spacing[3])
{
  return range[1] > 0 && spacing[0] >= range[0] && spacing[0] <= range[1] &&
         spacing[1] >= range[0] && spacing[1] <= range[1];
}

/* The range must hold the spacing the model resamples to (else a CT
 * resampled to it would be outside it) and be one of usable sizes. */
static gboolean
spacing_range_is_usable (const double range[2],
                         const double spacing[3])
{
  return range[0] >= MIN_MODEL_SPACING_MM && range[1] <= MAX_MODEL_SPACING_MM && range[0] <= range[1] &&
         spacing[0] > 0 && spacing[1] > 0 && cal_nn_spacing_in_range (range, spacing);
}

static gboolean
parse_count (const char *text,
             guint       min,
             guint       max,
             guint      *value)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

gboolean
cal_nn_preprocess_parse (CalNnGraph  *graph,
                         GError     **error)
{
  CalNnPreprocess *p = &graph->preprocess;
  const char *v;
  double window[2], spacing[3] = { 0, 0, 0 }, faint[2];
  const CalNnShape *input = graph->inputs->len > 0
    ? &cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, 0))->shape : NULL;

  *p = (CalNnPreprocess) {
    .hu_low = -1000, .hu_high = 2000, .threshold = 0.5, .threshold_resampled = NAN, .min_hu = -INFINITY,
    .faint_threshold_resampled = NAN, .faint_below_hu = NAN,
    .size_multiple = 16,
    .context_slices = input && input->rank == 4 && input->d[1] > 0 ? (guint) input->d[1] : 1,
    .output_is_logits = FALSE, .foreground_channel = 0,
  };
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.hu_window")) &&
      (!parse_numbers (v, window, 2, 2) || window[1] <= window[0]))
    return bad_key (error, "calvaria.hu_window", v, "two HU values, low then high, as “-1000,2000”");
  if (v)
    p->hu_low = window[0], p->hu_high = window[1];
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.spacing_mm")) &&
      (!parse_numbers (v, spacing, 2, 3) || !spacing_is_usable (spacing)))
    return bad_key (error, "calvaria.spacing_mm", v, "x,y[,z] in mm, each 0 (the CT's own) or "
                    "from " G_STRINGIFY (MIN_MODEL_SPACING_MM) " to " G_STRINGIFY (MAX_MODEL_SPACING_MM)
                    " mm, as “0.5,0.5”");
  memcpy (p->spacing, spacing, sizeof spacing);
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.spacing_range_mm")) &&
      (!parse_numbers (v, p->spacing_range, 2, 2) || !spacing_range_is_usable (p->spacing_range, spacing)))
    return bad_key (error, "calvaria.spacing_range_mm", v, "the smallest and largest in-plane pixel size in mm "
                    "that the model takes as it is, around calvaria.spacing_mm's, as “0.7,1.2”");
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.orientation")) && !cal_orientation_code_is_valid (v))
    return bad_key (error, "calvaria.orientation", v, "three letters, one of L/R, P/A and S/I each, that say where "
                    "the training arrays' x, y and z pointed, as “LPS”");
  if (v)
    g_strlcpy (p->orientation, v, sizeof p->orientation);
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.context_slices")) &&
      (!parse_count (v, 1, 63, &p->context_slices) || p->context_slices % 2 == 0))
    return bad_key (error, "calvaria.context_slices", v, "an odd number of slices, as “3”");
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.threshold")) &&
      (!parse_numbers (v, &p->threshold, 1, 1) || p->threshold <= 0 || p->threshold >= 1))
    return bad_key (error, "calvaria.threshold", v, "a probability between 0 and 1, as “0.5”");
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.threshold_resampled")) &&
      (!parse_numbers (v, &p->threshold_resampled, 1, 1) || !(p->threshold_resampled > 0) ||
       p->threshold_resampled >= 1))
    return bad_key (error, "calvaria.threshold_resampled", v, "a probability between 0 and 1, as “0.3”");
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.threshold_resampled_faint")) &&
      (!parse_numbers (v, faint, 2, 2) || !(faint[0] > 0 && faint[0] < 1)))
    return bad_key (error, "calvaria.threshold_resampled_faint", v, "a probability between 0 and 1, then a HU "
                    "value: where the CT was resampled, voxels less dense than that need that probability, "
                    "as “0.4,300”");
  if (v)
    p->faint_threshold_resampled = faint[0], p->faint_below_hu = faint[1];
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.min_hu")) && !parse_numbers (v, &p->min_hu, 1, 1))
    return bad_key (error, "calvaria.min_hu", v, "one HU value, as “226”");
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.size_multiple")) &&
      !parse_count (v, 1, 1024, &p->size_multiple))
    return bad_key (error, "calvaria.size_multiple", v, "a whole number of voxels, as “16”");
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.output")))
    {
      if (strcmp (v, "logits") != 0 && strcmp (v, "probabilities") != 0)
        return bad_key (error, "calvaria.output", v, "“logits” or “probabilities”");
      p->output_is_logits = strcmp (v, "logits") == 0;
    }
  if ((v = g_hash_table_lookup (graph->metadata, "calvaria.foreground_channel")) &&
      !parse_count (v, 0, 255, &p->foreground_channel))
    return bad_key (error, "calvaria.foreground_channel", v, "an output channel number, as “1”");
  g_strfreev (p->labels);
  v = g_hash_table_lookup (graph->metadata, "calvaria.labels");
  p->labels = g_strsplit (v ? v : "background,bone", ",", -1);
  if (input && input->rank == 4 && input->d[1] > 0 && (guint) input->d[1] != p->context_slices)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
                   "The model takes %" G_GINT64_FORMAT " input channels but its metadata "
                   "calvaria.context_slices says %u", input->d[1], p->context_slices);
      return FALSE;
    }
  return TRUE;
}
