/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-mask.h"
#include "cal-compute-cache.h"
#include "cal-nn-volume.h"

G_BEGIN_DECLS

/*
 * Bone from a CT in one call: the model's preprocessing and the U-net on
 * an executor (a Vulkan engine or the CPU reference; cal-nn-volume.h), its threshold and its density floor (no voxel
 * less dense than the model's definition of bone is bone; on a CT resampled for the network, the model's own
 * threshold for that and, if it has one, a stricter one for faint voxels just over the floor), then the clean-up: the largest
 * face-connected piece of bone is the skull (on a CT resampled for the
 * network, with the pieces that come within one of the network's pixels
 * of it in the slice plane), or, with keep_largest off,
 * every piece of at least min_island_mm3.  Nothing is filled or closed, so
 * a defect the network left open stays open.
 */
typedef struct {
  double   threshold;          /* probability above which a voxel is bone; NAN: the model's */
  double   min_hu;             /* voxels below this HU are never bone; NAN: the model's, -INFINITY: none */
  gboolean keep_largest;       /* default TRUE */
  double   min_island_mm3;     /* with keep_largest FALSE: smaller pieces are removed */
  guint64  memory_budget;      /* activations; 0: half the device's memory */
  gboolean half_storage;       /* cal_segment_async: activations as 16-bit floats */
} CalSegmentOptions;

typedef struct {
  CalNnVolumeStats network;
  double   seconds;            /* the whole segmentation, model already loaded */
  double   threshold;          /* what was applied */
  double   min_hu;             /* what was applied; -INFINITY: no floor */
  guint64  below_min_hu_voxels; /* above the threshold but below min_hu */
  double   faint_threshold;    /* voxels under faint_below_hu needed this probability; NAN: no such rule */
  double   faint_below_hu;
  guint64  faint_voxels;       /* above the threshold and min_hu, under faint_below_hu, not above faint_threshold */
  guint64  bone_voxels;        /* after the clean-up */
  guint64  removed_voxels;     /* above the threshold but removed by the clean-up */
  double   bone_mm3;           /* voxel count × voxel volume */
  char    *device;             /* what ran the network */
  char    *notice;             /* cal_segment_async: why it ran where it did (NULL: as asked) */
} CalSegmentReport;

void         cal_segment_options_init    (CalSegmentOptions  *options);
void         cal_segment_report_clear    (CalSegmentReport   *report);

/* The model that ships with Calvaria: $CALVARIA_MODEL_DIR, then the
 * installed data directory, then the source tree (uninstalled runs).
 * NULL, with an error that says where it looked, when none exists. */
char        *cal_segment_default_model   (GError            **error);

CalMask     *cal_segment                 (CalNnExecutor            *executor,
                                          CalVolume                *ct,
                                          const CalSegmentOptions  *options,
                                          CalProgressFunc           progress,
                                          gpointer                  progress_data,
                                          CalSegmentReport         *report,
                                          GCancellable             *cancellable,
                                          GError                  **error);

/* The same in a worker thread, from a model file (NULL: the default
 * model) on the default Vulkan device (the CPU reference, with a notice in
 * the report, where there is none).  The device and the model's executor
 * come from cache (NULL: a fresh one for this run): opened and built in
 * the worker on first use, reused after.  progress is called from the
 * worker thread. */
void         cal_segment_async           (CalComputeCache          *cache,
                                          const char               *model,
                                          CalVolume                *ct,
                                          const CalSegmentOptions  *options,
                                          CalProgressFunc           progress,
                                          gpointer                  progress_data,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);
CalMask     *cal_segment_finish          (GAsyncResult             *result,
                                          CalSegmentReport         *report,
                                          GError                  **error);

G_END_DECLS
