/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-segmenter.h"

G_DEFINE_INTERFACE (CalSegmenter, cal_segmenter, G_TYPE_OBJECT)

static void
cal_segmenter_default_init (CalSegmenterInterface *iface)
{
}

void
cal_segmentation_clear (CalSegmentation *segmentation)
{
  g_clear_pointer (&segmentation->device, g_free);
  g_clear_pointer (&segmentation->notice, g_free);
}

void
cal_segmenter_segment_async (CalSegmenter         *self,
                             CalVolume            *ct,
                             CalProgressFunc       progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_return_if_fail (CAL_IS_SEGMENTER (self));
  g_return_if_fail (CAL_IS_VOLUME (ct));
  CAL_SEGMENTER_GET_IFACE (self)->segment_async (self, ct, progress, progress_data, cancellable, callback,
                                                 user_data);
}

CalMask *
cal_segmenter_segment_finish (CalSegmenter     *self,
                              GAsyncResult     *result,
                              CalSegmentation  *segmentation,
                              GError          **error)
{
  CalSegmentation local = { 0 };
  CalMask *mask;

  g_return_val_if_fail (CAL_IS_SEGMENTER (self), NULL);
  mask = CAL_SEGMENTER_GET_IFACE (self)->segment_finish (self, result, &local, error);
  if (mask != NULL && segmentation != NULL)
    *segmentation = local;
  else
    cal_segmentation_clear (&local);
  return mask;
}
