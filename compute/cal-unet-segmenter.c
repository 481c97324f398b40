/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-unet-segmenter.h"

#include <math.h>
#include <string.h>

struct _CalUnetSegmenter {
  GObject            parent_instance;
  CalComputeCache   *cache;
  char              *model;
  CalSegmentOptions  options;
};

static void segmenter_iface_init (CalSegmenterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CalUnetSegmenter, cal_unet_segmenter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CAL_TYPE_SEGMENTER, segmenter_iface_init))

static void
unet_segment_async (CalSegmenter         *segmenter,
                    CalVolume            *ct,
                    CalProgressFunc       progress,
                    gpointer              progress_data,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data)
{
  CalUnetSegmenter *self = CAL_UNET_SEGMENTER (segmenter);

  cal_segment_async (self->cache, self->model, ct, &self->options, progress, progress_data, cancellable, callback,
                     user_data);
}

static CalMask *
unet_segment_finish (CalSegmenter     *segmenter,
                     GAsyncResult     *result,
                     CalSegmentation  *segmentation,
                     GError          **error)
{
  CalSegmentReport report = { 0 };
  CalMask *mask = cal_segment_finish (result, &report, error);

  *segmentation = (CalSegmentation) {
    .kind = CAL_SEGMENTER_NETWORK,
    .bone_voxels = report.bone_voxels,
    .removed_voxels = report.removed_voxels,
    .bone_mm3 = report.bone_mm3,
    .seconds = report.seconds,
    .threshold = report.threshold,
    .faint_threshold = isnan (report.faint_threshold) ? 0 : report.faint_threshold,
    .faint_below_hu = report.faint_below_hu,
    .min_hu = report.min_hu,
    .max_hu = INFINITY,
    .device = g_steal_pointer (&report.device),
    .notice = g_steal_pointer (&report.notice),
  };
  memcpy (segmentation->stored_orientation, report.network.stored_orientation, 4);
  memcpy (segmentation->network_orientation, report.network.network_orientation, 4);
  cal_segment_report_clear (&report);
  return mask;
}

static void
segmenter_iface_init (CalSegmenterInterface *iface)
{
  iface->segment_async = unet_segment_async;
  iface->segment_finish = unet_segment_finish;
}

static void
cal_unet_segmenter_finalize (GObject *object)
{
  CalUnetSegmenter *self = CAL_UNET_SEGMENTER (object);

  g_clear_object (&self->cache);
  g_free (self->model);
  G_OBJECT_CLASS (cal_unet_segmenter_parent_class)->finalize (object);
}

static void
cal_unet_segmenter_class_init (CalUnetSegmenterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_unet_segmenter_finalize;
}

static void
cal_unet_segmenter_init (CalUnetSegmenter *self)
{
  cal_segment_options_init (&self->options);
}

CalSegmenter *
cal_unet_segmenter_new (CalComputeCache         *cache,
                        const char              *model,
                        const CalSegmentOptions *options)
{
  CalUnetSegmenter *self = g_object_new (CAL_TYPE_UNET_SEGMENTER, NULL);

  self->cache = cache ? g_object_ref (cache) : cal_compute_cache_new ();
  self->model = g_strdup (model);
  if (options != NULL)
    self->options = *options;
  return CAL_SEGMENTER (self);
}
