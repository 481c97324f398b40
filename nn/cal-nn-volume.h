/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A network over a whole CT: the model's preprocessing (HU window,
 * spacing, context slices, size multiple; see docs/onnx-models.md), the
 * input cut into patches that fit the device's memory budget, and the
 * probability of the foreground label back on the CT's grid.  A 2-D model
 * runs slice by slice (batched); a 3-D model (N × 1 × D × H × W) runs on
 * 3-D patches.  Patches overlap by the network's reach (the halo) and only
 * their cores are kept, so where the halo covers the reach the result is
 * the one a single run over everything would give. */
#pragma once

#include <gio/gio.h>

#include "cal-nn-executor.h"
#include "cal-volume.h"

G_BEGIN_DECLS

typedef void (*CalNnProgress) (double fraction, gpointer user_data);

typedef struct {
  guint   batch;          /* patches per run, chosen from the memory budget */
  guint   n_runs;
  guint   n_patches;
  guint   patch[3];       /* one patch, voxels (x, y, z; z = 1 for a 2-D model) */
  guint   halo[3];        /* overlap kept off each side of a patch's core (0: not tiled) */
  gboolean exact;         /* halos cover the network's reach: no seams */
  double  seconds;
  double  flops;          /* convolution FLOP in total */
  double  resampled_spacing[3]; /* spacing the network saw (mm), along its axes */
  gboolean resampled;           /* the CT was resampled for the network (in-plane or between slices) */
  double  plane_pixel_on_ct[3]; /* the network's pixel (mm) along each of the CT's own axes that lies in
                                 * the network's slice plane; 0 for the axis across its slices */
  char    stored_orientation[4]; /* the CT's voxel axes, as an orientation code ("RAS") */
  char    network_orientation[4]; /* the axes the network saw: the model's calvaria.orientation, or as stored */
} CalNnVolumeStats;

/* Returns a float32 volume on the CT's grid holding the probability
 * (0 to 1) of the model's foreground label.  memory_budget: bytes of
 * device memory the network's activations may take (0: no limit).  Where
 * the model says in which orientation its training arrays were
 * (calvaria.orientation) and the CT says where its axes point, the CT's
 * voxel axes are first reordered into that orientation (a permutation
 * and flips, no resampling) and the probability reordered back: the
 * result does not depend on the order the file stored its voxels in. */
CalVolume *cal_nn_infer_volume (CalNnExecutor     *executor,
                                CalVolume         *ct,
                                guint64            memory_budget,
                                CalNnProgress      progress,
                                gpointer           user_data,
                                CalNnVolumeStats  *stats,
                                GCancellable      *cancellable,
                                GError           **error);

G_END_DECLS
