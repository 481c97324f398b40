/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The U-net (cal-segment.h) as a CalSegmenter, on a compute cache. */
#pragma once

#include "cal-compute-cache.h"
#include "cal-segment.h"
#include "cal-segmenter.h"

G_BEGIN_DECLS

#define CAL_TYPE_UNET_SEGMENTER (cal_unet_segmenter_get_type ())
G_DECLARE_FINAL_TYPE (CalUnetSegmenter, cal_unet_segmenter, CAL, UNET_SEGMENTER, GObject)

/* cache: where the device and the engine are kept (NULL: a fresh one);
 * model: NULL for the shipped one; options: copied (NULL: the defaults). */
CalSegmenter *cal_unet_segmenter_new (CalComputeCache         *cache,
                                      const char              *model,
                                      const CalSegmentOptions *options);

G_END_DECLS
