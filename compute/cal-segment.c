/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-call bone segmentation: network, threshold, clean-up. */
#include "cal-segment.h"

#include <math.h>

#include "cal-mask-components.h"
#include "cal-compute-cache.h"
#include "cal-onnx.h"
#include "cal-parallel.h"
#include "cal-task.h"

#define DEFAULT_MODEL_NAME "calvaria-skull.onnx"
/* The network's share of the progress bar: the clean-up is the rest. */
#define NETWORK_SHARE 0.9

void
cal_segment_options_init (CalSegmentOptions *options)
{
  *options = (CalSegmentOptions) {
    .threshold = NAN,
    .min_hu = NAN,
    .keep_largest = TRUE,
    .min_island_mm3 = 0,
    .memory_budget = 0,
  };
}

void
cal_segment_report_clear (CalSegmentReport *report)
{
  g_clear_pointer (&report->device, g_free);
  g_clear_pointer (&report->notice, g_free);
}

char *
cal_segment_default_model (GError **error)
{
  const char *dirs[] = { g_getenv ("CALVARIA_MODEL_DIR"), CALVARIA_MODEL_DIR, CALVARIA_SOURCE_MODEL_DIR };
  g_autoptr(GString) looked = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = NULL;
      if (dirs[i] == NULL || *dirs[i] == '\0')
        continue;
      path = g_build_filename (dirs[i], DEFAULT_MODEL_NAME, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
      g_string_append_printf (looked, "%s%s", looked->len ? ", " : "", dirs[i]);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "The default skull model (%s) is not installed; looked in %s. Give a model with --model "
               "or set CALVARIA_MODEL_DIR", DEFAULT_MODEL_NAME, looked->str);
  return NULL;
}

typedef struct {
  CalProgressFunc progress;
  gpointer        data;
} ProgressScale;

static void
network_progress (double   fraction,
                  gpointer user_data)
{
  ProgressScale *scale = user_data;

  if (scale->progress)
    scale->progress (fraction * NETWORK_SHARE, scale->data);
}

static double
ct_value (CalVolume *ct,
          gsize      v)
{
  gconstpointer data = cal_volume_get_data (ct);

  return cal_volume_get_voxel_type (ct) == CAL_VOXEL_INT16 ? ((const gint16 *) data)[v] : ((const float *) data)[v];
}

/* Bone where the probability exceeds the threshold and the CT is at least
 * min_hu: the network decides what is bone, the floor keeps it from
 * calling anything less dense than bone's definition (noise, partial
 * volume at a defect's rim).  Where a faint threshold applies (a
 * resampled CT), a voxel less dense than faint_below_hu needs that
 * probability instead: just over the floor, the scan's noise alone can
 * make soft tissue at a defect's rim or bloom beside metal look like
 * bone, and the probability, coarser than the scan, is least sure there. */
static CalMask *
bone_from_probability (CalVolume        *probability,
                       CalVolume        *ct,
                       CalSegmentReport *report)
{
  const float *p = cal_volume_get_data (probability);
  const CalGrid *grid = cal_volume_get_grid (probability);
  gsize n = cal_grid_n_voxels (grid);
  guint8 *labels = g_malloc (n);
  gboolean has_floor = !isinf (report->min_hu), has_faint = !isnan (report->faint_threshold);

  g_assert (cal_grid_n_voxels (cal_volume_get_grid (ct)) == n);
  report->below_min_hu_voxels = 0;
  report->faint_voxels = 0;
  for (gsize v = 0; v < n; v++)
    {
      gboolean likely = p[v] > report->threshold;
      double hu = likely && (has_floor || has_faint) ? ct_value (ct, v) : 0;
      gboolean dense = !likely || !has_floor || hu >= report->min_hu;
      gboolean sure = !likely || !dense || !has_faint || hu >= report->faint_below_hu || p[v] > report->faint_threshold;
      labels[v] = likely && dense && sure;
      report->below_min_hu_voxels += !dense;
      report->faint_voxels += !sure;
    }
  return cal_mask_new_take (grid, labels);
}

static gboolean
check_options (const CalSegmentOptions *options,
               double                   threshold,
               double                   min_hu,
               GError                 **error)
{
  if (!(threshold > 0 && threshold < 1) || !(options->min_island_mm3 >= 0) || isnan (min_hu) ||
      min_hu == INFINITY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Segmentation settings out of range: the threshold is a probability between 0 and 1 "
                   "(exclusive), the density floor a number of HU (or none), the smallest island 0 mm³ or more");
      return FALSE;
    }
  return TRUE;
}

CalMask *
cal_segment (CalNnExecutor            *executor,
             CalVolume                *ct,
             const CalSegmentOptions  *options,
             CalProgressFunc           progress,
             gpointer                  progress_data,
             CalSegmentReport         *report,
             GCancellable             *cancellable,
             GError                  **error)
{
  CalSegmentOptions defaults;
  const CalNnPreprocess *pre = &cal_nn_executor_get_graph (executor)->preprocess;
  ProgressScale scale = { progress, progress_data };
  g_autoptr(CalVolume) probability = NULL;
  CalMask *mask;
  CalSegmentReport local = { 0 };
  gint64 start = g_get_monotonic_time ();
  guint64 above;

  g_return_val_if_fail (executor != NULL && CAL_IS_VOLUME (ct), NULL);
  if (options == NULL)
    cal_segment_options_init (&defaults), options = &defaults;
  local.threshold = isnan (options->threshold) ? pre->threshold : options->threshold;
  local.min_hu = isnan (options->min_hu) ? pre->min_hu : options->min_hu;
  if (!check_options (options, local.threshold, local.min_hu, error))
    return NULL;
  probability = cal_nn_infer_volume (executor, ct, options->memory_budget ? options->memory_budget
                                                                          : cal_nn_executor_default_budget (executor),
                                     network_progress, &scale, &local.network, cancellable, error);
  if (probability == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* On a CT resampled for the network, the model may ask for a lower
   * threshold: the probability, coarser than the scan, then only says
   * where bone is, and the density floor on the scan's own grid draws its
   * edge (docs/segmentation.md). */
  local.faint_threshold = local.faint_below_hu = NAN;
  if (isnan (options->threshold) && local.network.resampled)
    {
      if (!isnan (pre->threshold_resampled))
        local.threshold = pre->threshold_resampled;
      local.faint_threshold = pre->faint_threshold_resampled;
      local.faint_below_hu = pre->faint_below_hu;
    }
  mask = bone_from_probability (probability, ct, &local);
  above = cal_mask_count (mask, 1);
  /* The skull is the largest piece.  On a resampled CT, pieces within one
   * of the network's pixels of it in the slice plane are kept with it: the
   * network never saw a gap narrower than its pixel, and a thin wall whose
   * probability dips below the threshold there (an orbit's wall at 0.4 mm
   * pixels, 0.9 mm to the network) is still attached bone
   * (docs/segmentation.md, "Thin bone and pixel size"). */
  if (options->keep_largest && local.network.resampled)
    cal_mask_keep_largest_and_near (mask, 1, local.network.plane_pixel_on_ct);
  else if (options->keep_largest)
    cal_mask_keep_largest_component (mask, 1);
  else if (options->min_island_mm3 > 0)
    cal_mask_remove_islands (mask, 1, options->min_island_mm3);
  local.bone_voxels = cal_mask_count (mask, 1);
  local.removed_voxels = above - local.bone_voxels;
  local.bone_mm3 = local.bone_voxels * cal_mask_voxel_volume (mask);
  local.seconds = (g_get_monotonic_time () - start) / 1e6;
  local.device = g_strdup (cal_nn_executor_get_device (executor));
  if (progress)
    progress (1.0, progress_data);
  if (report)
    *report = local;
  else
    cal_segment_report_clear (&local);
  return mask;
}

typedef struct {
  CalComputeCache  *cache;     /* owned */
  char             *model;     /* NULL: the default model */
  CalVolume        *ct;
  CalSegmentOptions options;
  CalProgressFunc   progress;
  gpointer          progress_data;
  CalSegmentReport  report;
} SegmentData;

static void
segment_data_free (SegmentData *data)
{
  g_object_unref (data->cache);
  g_free (data->model);
  g_object_unref (data->ct);
  cal_segment_report_clear (&data->report);
  g_free (data);
}

/* The model, the device and the executor come from the cache, in the
 * worker: the first run opens the device and builds the engine (compiling
 * its shaders), later runs reuse them.  Without any Vulkan device the CPU
 * reference runs it, and the report's notice says so. */
static CalMask *
segment_with_model (SegmentData   *data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *path = data->model ? g_strdup (data->model) : cal_segment_default_model (error);
  g_autofree char *notice = NULL;
  CalNnExecutor *executor;
  CalMask *mask;

  if (path == NULL ||
      (executor = cal_compute_cache_acquire (data->cache, path, data->options.half_storage ? CAL_NN_ENGINE_HALF_STORAGE
                                                                                          : CAL_NN_ENGINE_DEFAULT,
                                             &notice, error)) == NULL)
    return NULL;
  mask = cal_segment (executor, data->ct, &data->options, data->progress, data->progress_data, &data->report,
                      cancellable, error);
  cal_compute_cache_release (data->cache);
  if (mask != NULL)
    data->report.notice = g_steal_pointer (&notice);
  return mask;
}

static gpointer
segment_job (gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  return segment_with_model (data, cancellable, error);
}

void
cal_segment_async (CalComputeCache          *cache,
                   const char               *model,
                   CalVolume                *ct,
                   const CalSegmentOptions  *options,
                   CalProgressFunc           progress,
                   gpointer                  progress_data,
                   GCancellable             *cancellable,
                   GAsyncReadyCallback       callback,
                   gpointer                  user_data)
{
  SegmentData *data = g_new0 (SegmentData, 1);

  data->cache = cache ? g_object_ref (cache) : cal_compute_cache_new ();
  data->model = g_strdup (model);
  data->ct = g_object_ref (ct);
  if (options)
    data->options = *options;
  else
    cal_segment_options_init (&data->options);
  data->progress = progress;
  data->progress_data = progress_data;
  cal_task_run (NULL, cal_segment_async, segment_job, data, (GDestroyNotify) segment_data_free, g_object_unref,
                cancellable, callback, user_data);
}

CalMask *
cal_segment_finish (GAsyncResult      *result,
                    CalSegmentReport  *report,
                    GError           **error)
{
  SegmentData *data;
  CalMask *mask = cal_task_finish (result, cal_segment_async, (gpointer *) &data, error);

  if (report)
    {
      *report = data->report;
      data->report.device = NULL;
      data->report.notice = NULL;
    }
  return mask;
}
