/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-measure.h"

G_BEGIN_DECLS

/*
 * The measurements made on one scan's slice views (rulers, rectangles and
 * ellipses; cal-measure.h defines what each number means), numbered 1, 2, …
 * in the order they were made, and the one being drawn (the draft).  A
 * region keeps the statistics computed when it was made: the CT never
 * changes under it.  "changed" follows every addition and removal,
 * "draft-changed" every move of the draft.
 */
typedef struct {
  CalMeasureShape shape;
  guint           number;
  gboolean        has_stats;    /* a region with at least one voxel inside */
  CalRegionStats  stats;
} CalMeasurement;

#define CAL_TYPE_MEASUREMENTS (cal_measurements_get_type ())
G_DECLARE_FINAL_TYPE (CalMeasurements, cal_measurements, CAL, MEASUREMENTS, GObject)

CalMeasurements      *cal_measurements_new        (void);
guint                 cal_measurements_get_n      (CalMeasurements       *self);
const CalMeasurement *cal_measurements_get        (CalMeasurements       *self,
                                                   guint                  index);
/* Measures `shape` (a region on `ct`, whose plane for the shape's
 * orientation is `plane`) and keeps it; returns its number. */
guint                 cal_measurements_add        (CalMeasurements       *self,
                                                   CalVolume             *ct,
                                                   const CalSlicePlane   *plane,
                                                   const CalMeasureShape *shape);
/* The index of measurement `number`, or G_MAXUINT when there is none. */
guint                 cal_measurements_find       (CalMeasurements       *self,
                                                   guint                  number);
void                  cal_measurements_remove     (CalMeasurements       *self,
                                                   guint                  index);
/* Forgets every measurement and the draft; numbering starts again at 1. */
void                  cal_measurements_clear      (CalMeasurements       *self);
/* The shape being drawn, measured as the pointer moves; NULL: none. */
const CalMeasurement *cal_measurements_get_draft  (CalMeasurements       *self);
void                  cal_measurements_set_draft  (CalMeasurements       *self,
                                                   CalVolume             *ct,
                                                   const CalSlicePlane   *plane,
                                                   const CalMeasureShape *shape);

/* "1: 42.3 mm", "2: 812 ± 120 HU" (mean ± sample SD): what a view prints
 * beside the measurement. */
char                 *cal_measurement_short_label (const CalMeasurement *measurement);

G_END_DECLS
