/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The threshold (cal-threshold.h) as a CalSegmenter. */
#pragma once

#include "cal-segmenter.h"
#include "cal-threshold.h"

G_BEGIN_DECLS

#define CAL_TYPE_THRESHOLD_SEGMENTER (cal_threshold_segmenter_get_type ())
G_DECLARE_FINAL_TYPE (CalThresholdSegmenter, cal_threshold_segmenter, CAL, THRESHOLD_SEGMENTER, GObject)

/* options: copied; NULL: bone (226–3071 HU), nothing else. */
CalSegmenter *cal_threshold_segmenter_new (const CalThresholdOptions *options);

G_END_DECLS
