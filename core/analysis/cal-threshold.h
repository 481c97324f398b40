/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/* HU ranges as InVesalius names them (its threshold presets for CT). */
typedef struct {
  const char *id;      /* for the command line and settings: "bone" */
  const char *name;    /* for people (translatable in the app) */
  double      min_hu;
  double      max_hu;
} CalThresholdPreset;

const CalThresholdPreset *cal_threshold_presets     (guint      *n_presets);
const CalThresholdPreset *cal_threshold_preset_find (const char *id);

/*
 * Threshold segmentation with the clean-up bone needs, in this order:
 * 1. voxels with min_hu <= HU <= max_hu become bone (label 1);
 * 2. enclosed cavities (background that cannot reach the volume's border,
 *    e.g. marrow below the threshold) are filled when fill_cavities, up to
 *    max_cavity_mm3 each (0: any size); defects open to the outside stay
 *    open (see cal-mask-components.h);
 * 3. bone islands under min_island_mm3 are removed;
 * 4. with keep_largest, only the largest 6-connected bone component stays.
 */
typedef struct {
  double   min_hu;
  double   max_hu;
  gboolean fill_cavities;
  double   max_cavity_mm3;
  double   min_island_mm3;
  gboolean keep_largest;
} CalThresholdOptions;

void     cal_threshold_options_init (CalThresholdOptions *options);   /* bone, nothing else */

/* What the clean-up changed, for the report. */
typedef struct {
  guint64 n_thresholded;
  guint64 n_filled;
  guint64 n_islands_removed;
  guint64 n_outside_largest;
  guint64 n_bone;
  double  bone_volume_mm3;
} CalThresholdSummary;

CalMask *cal_threshold_segment        (CalVolume                  *volume,
                                       const CalThresholdOptions  *options,
                                       CalThresholdSummary        *summary,
                                       CalProgressFunc             progress,
                                       gpointer                    progress_data,
                                       GCancellable               *cancellable,
                                       GError                    **error);

/* The same in a worker thread; progress is called from that thread. */
void     cal_threshold_segment_async  (CalVolume                  *volume,
                                       const CalThresholdOptions  *options,
                                       CalProgressFunc             progress,
                                       gpointer                    progress_data,
                                       GCancellable               *cancellable,
                                       GAsyncReadyCallback         callback,
                                       gpointer                    user_data);
CalMask *cal_threshold_segment_finish (GAsyncResult               *result,
                                       CalThresholdSummary        *summary,
                                       GError                    **error);

#define CAL_THRESHOLD_ERROR (cal_threshold_error_quark ())
GQuark cal_threshold_error_quark (void);

typedef enum {
  CAL_THRESHOLD_ERROR_RANGE,   /* min above max, or not finite */
} CalThresholdError;

G_END_DECLS
