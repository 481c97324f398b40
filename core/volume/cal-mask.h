/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-grid.h"

G_BEGIN_DECLS

/* Labels: 0 is background, 1 is bone; other values are free for later use. */
#define CAL_LABEL_BACKGROUND 0
#define CAL_LABEL_BONE       1

#define CAL_TYPE_MASK (cal_mask_get_type ())
G_DECLARE_FINAL_TYPE (CalMask, cal_mask, CAL, MASK, GObject)

CalMask       *cal_mask_new              (const CalGrid *grid);
CalMask       *cal_mask_new_take         (const CalGrid *grid,
                                          guint8        *labels);
/* A copy to hand a worker: the window's mask is edited in place. */
CalMask       *cal_mask_copy             (CalMask       *self);
const CalGrid *cal_mask_get_grid         (CalMask       *self);
const guint8  *cal_mask_get_labels       (CalMask       *self);
guint8        *cal_mask_get_labels_mutable (CalMask     *self);
guint64        cal_mask_count            (CalMask       *self,
                                          guint8         label);
guint8         cal_mask_get_max_label    (CalMask       *self);

G_END_DECLS
