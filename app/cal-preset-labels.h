/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-slice-render.h"
#include "cal-threshold.h"

G_BEGIN_DECLS

/* Core's presets carry English names; these are the translated ones. */
const char *cal_threshold_preset_label (const CalThresholdPreset *preset);
const char *cal_window_preset_label    (const CalWindowPreset    *preset);

G_END_DECLS
