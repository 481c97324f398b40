/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A network over a whole CT: the model's preprocessing (HU window,
 * in-plane spacing, context slices, size multiple; see
 * docs/onnx-models.md), slices batched to fit the device's memory budget,
 * and the probability of the foreground label back on the CT's grid. */
#pragma once

#include <gio/gio.h>

#include "cal-nn-engine.h"
#include "cal-volume.h"

G_BEGIN_DECLS

typedef void (*CalNnProgress) (double fraction, gpointer user_data);

typedef struct {
  guint   batch;          /* slices per run, chosen from the memory budget */
  guint   n_runs;
  double  seconds;
  double  flops;          /* convolution FLOP in total */
  double  resampled_spacing[2]; /* in-plane spacing the network saw (mm) */
} CalNnVolumeStats;

/* Returns a float32 volume on the CT's grid holding the probability
 * (0 to 1) of the model's foreground label. */
CalVolume *cal_nn_infer_volume (CalNnEngine       *engine,
                                CalVolume         *ct,
                                guint64            memory_budget,
                                CalNnProgress      progress,
                                gpointer           user_data,
                                CalNnVolumeStats  *stats,
                                GCancellable      *cancellable,
                                GError           **error);

G_END_DECLS
