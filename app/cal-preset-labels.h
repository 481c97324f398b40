/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-slice-render.h"
#include "cal-threshold.h"

G_BEGIN_DECLS

/* Core's presets carry English names; these are the translated ones. */
const char *cal_threshold_preset_label (const CalThresholdPreset *preset);
const char *cal_hu_preset_label    (const CalHuPreset    *preset);

/* Models for combo rows, in the order of core's preset tables: the
 * translated names with their HU ranges. */
GListModel *cal_threshold_preset_model_new (void);
GListModel *cal_hu_preset_model_new    (void);
/* Where preset `id` stands in cal_hu_presets(); G_MAXUINT when none. */
guint       cal_hu_preset_position     (const char *id);

G_END_DECLS
