/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-threshold-segmenter.h"

#include <math.h>

struct _CalThresholdSegmenter {
  GObject             parent_instance;
  CalThresholdOptions options;
};

static void segmenter_iface_init (CalSegmenterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CalThresholdSegmenter, cal_threshold_segmenter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CAL_TYPE_SEGMENTER, segmenter_iface_init))

static void
threshold_segment_async (CalSegmenter         *segmenter,
                         CalVolume            *ct,
                         CalProgressFunc       progress,
                         gpointer              progress_data,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  CalThresholdSegmenter *self = CAL_THRESHOLD_SEGMENTER (segmenter);

  cal_threshold_segment_async (ct, &self->options, progress, progress_data, cancellable, callback, user_data);
}

static CalMask *
threshold_segment_finish (CalSegmenter     *segmenter,
                          GAsyncResult     *result,
                          CalSegmentation  *segmentation,
                          GError          **error)
{
  CalThresholdSegmenter *self = CAL_THRESHOLD_SEGMENTER (segmenter);
  CalThresholdSummary summary = { 0 };
  CalMask *mask = cal_threshold_segment_finish (result, &summary, error);

  *segmentation = (CalSegmentation) {
    .kind = CAL_SEGMENTER_THRESHOLD,
    .bone_voxels = summary.n_bone,
    .removed_voxels = summary.n_islands_removed + summary.n_outside_largest,
    .bone_mm3 = summary.bone_volume_mm3,
    .seconds = NAN,
    .threshold = NAN,
    .min_hu = self->options.min_hu,
    .max_hu = self->options.max_hu,
  };
  return mask;
}

static void
segmenter_iface_init (CalSegmenterInterface *iface)
{
  iface->segment_async = threshold_segment_async;
  iface->segment_finish = threshold_segment_finish;
}

static void
cal_threshold_segmenter_class_init (CalThresholdSegmenterClass *klass)
{
}

static void
cal_threshold_segmenter_init (CalThresholdSegmenter *self)
{
  cal_threshold_options_init (&self->options);
}

CalSegmenter *
cal_threshold_segmenter_new (const CalThresholdOptions *options)
{
  CalThresholdSegmenter *self = g_object_new (CAL_TYPE_THRESHOLD_SEGMENTER, NULL);

  if (options != NULL)
    self->options = *options;
  return CAL_SEGMENTER (self);
}
