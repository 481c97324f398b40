/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-threshold.h"

#include <math.h>

#include "cal-mask-components.h"
#include "cal-parallel.h"
#include "cal-task.h"

G_DEFINE_QUARK (cal-threshold-error-quark, cal_threshold_error)

static const CalThresholdPreset presets[] = {
  { "bone",          "Bone",                  226,  3071 },
  { "compact-bone",  "Compact bone (adult)",  662,  1988 },
  { "spongial-bone", "Spongial bone (adult)", 148,   661 },
  { "enamel",        "Enamel (adult)",       1553,  2850 },
  { "soft-tissue",   "Soft tissue",          -700,   225 },
  { "muscle",        "Muscle tissue (adult)",  -5,   135 },
  { "fat",           "Fat tissue (adult)",   -205,   -51 },
  { "skin",          "Skin tissue (adult)",  -718,  -177 },
};

const CalThresholdPreset *
cal_threshold_presets (guint *n_presets)
{
  *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

const CalThresholdPreset *
cal_threshold_preset_find (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].id, id) == 0)
      return &presets[i];
  return NULL;
}

void
cal_threshold_options_init (CalThresholdOptions *options)
{
  *options = (CalThresholdOptions) { .min_hu = presets[0].min_hu, .max_hu = presets[0].max_hu };
}

typedef struct {
  CalVolume *volume;
  guint8    *labels;
  double     lo, hi;
  guint64   *counts;   /* per slice */
} Threshold;

static void
threshold_slice (guint    k,
                 gpointer data)
{
  Threshold *t = data;
  const CalGrid *grid = cal_volume_get_grid (t->volume);
  gsize n = (gsize) grid->dims[0] * grid->dims[1], offset = n * k;
  guint64 count = 0;

  if (cal_volume_get_voxel_type (t->volume) == CAL_VOXEL_INT16)
    {
      const gint16 *v = (const gint16 *) cal_volume_get_data (t->volume) + offset;
      /* Integer bounds: HU are integers, so ceil/floor keep the meaning. */
      int lo = (int) MAX (ceil (t->lo), G_MININT16), hi = (int) MIN (floor (t->hi), G_MAXINT16);
      for (gsize i = 0; i < n; i++)
        {
          guint8 in = v[i] >= lo && v[i] <= hi;
          t->labels[offset + i] = in;
          count += in;
        }
    }
  else
    {
      const float *v = (const float *) cal_volume_get_data (t->volume) + offset;
      for (gsize i = 0; i < n; i++)
        {
          guint8 in = v[i] >= t->lo && v[i] <= t->hi;
          t->labels[offset + i] = in;
          count += in;
        }
    }
  t->counts[k] = count;
}

static void
report (CalProgressFunc progress,
        gpointer        data,
        double          fraction)
{
  if (progress != NULL)
    progress (fraction, data);
}

CalMask *
cal_threshold_segment (CalVolume                  *volume,
                       const CalThresholdOptions  *options,
                       CalThresholdSummary        *summary,
                       CalProgressFunc             progress,
                       gpointer                    progress_data,
                       GCancellable               *cancellable,
                       GError                    **error)
{
  const CalGrid *grid;
  g_autoptr(CalMask) mask = NULL;
  g_autofree guint64 *counts = NULL;
  CalThresholdSummary s = { 0 };
  Threshold t;

  g_return_val_if_fail (CAL_IS_VOLUME (volume), NULL);
  if (!isfinite (options->min_hu) || !isfinite (options->max_hu) ||
      options->min_hu > options->max_hu)
    {
      g_set_error (error, CAL_THRESHOLD_ERROR, CAL_THRESHOLD_ERROR_RANGE,
                   "The threshold range %g to %g HU is empty: the lower bound must not be "
                   "above the upper one", options->min_hu, options->max_hu);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  grid = cal_volume_get_grid (volume);
  mask = cal_mask_new (grid);
  counts = g_new0 (guint64, MAX (grid->dims[2], 1));
  t = (Threshold) { volume, cal_mask_get_labels_mutable (mask), options->min_hu,
                    options->max_hu, counts };
  cal_parallel_for (grid->dims[2], threshold_slice, &t);
  for (guint32 k = 0; k < grid->dims[2]; k++)
    s.n_thresholded += counts[k];
  report (progress, progress_data, 0.25);

  if (options->fill_cavities)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      s.n_filled = cal_mask_fill_cavities (mask, CAL_LABEL_BONE, options->max_cavity_mm3);
    }
  report (progress, progress_data, 0.5);
  if (options->min_island_mm3 > 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      s.n_islands_removed = cal_mask_remove_islands (mask, CAL_LABEL_BONE,
                                                     options->min_island_mm3);
    }
  report (progress, progress_data, 0.75);
  if (options->keep_largest)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      s.n_outside_largest = cal_mask_keep_largest_component (mask, CAL_LABEL_BONE);
    }
  report (progress, progress_data, 1.0);

  s.n_bone = s.n_thresholded + s.n_filled - s.n_islands_removed - s.n_outside_largest;
  s.bone_volume_mm3 = s.n_bone * cal_mask_voxel_volume (mask);
  if (summary != NULL)
    *summary = s;
  return g_steal_pointer (&mask);
}

static gpointer
segment_job (gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CalTaskJob *job = data;

  return cal_threshold_segment (CAL_VOLUME (job->input), job->options, job->report, job->progress,
                                job->progress_data, cancellable, error);
}

void
cal_threshold_segment_async (CalVolume                  *volume,
                             const CalThresholdOptions  *options,
                             CalProgressFunc             progress,
                             gpointer                    progress_data,
                             GCancellable               *cancellable,
                             GAsyncReadyCallback         callback,
                             gpointer                    user_data)
{
  cal_task_run (NULL, cal_threshold_segment_async, segment_job,
                cal_task_job_new (volume, options, sizeof *options, sizeof (CalThresholdSummary), progress,
                                  progress_data),
                cal_task_job_free, g_object_unref, cancellable, callback, user_data);
}

CalMask *
cal_threshold_segment_finish (GAsyncResult         *result,
                              CalThresholdSummary  *summary,
                              GError              **error)
{
  CalTaskJob *job;
  CalMask *mask = cal_task_finish (result, cal_threshold_segment_async, (gpointer *) &job, error);

  if (summary != NULL)
    *summary = *(CalThresholdSummary *) job->report;
  return mask;
}
