/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-nn-volume.h"

G_BEGIN_DECLS

/* Axes are x, y, z throughout (the shape's last axis first). */
typedef struct {
  const CalNnPreprocess *pre;
  guint    rank;               /* the model input's: 4 (slices) or 5 (3-D patches) */
  guint    channels;           /* input channels: context slices, or 1 */
  guint    align;              /* patch origins are multiples of this */
  guint32  n[3];               /* the CT */
  guint32  r[3];               /* resampled to the model's spacing */
  guint32  p[3];               /* what the patches cover: r padded (z of a 2-D model: the slices) */
  double   step[3];            /* CT voxels per resampled voxel */
  guint32  patch[3], halo[3];  /* 2-D model: patch[2] = 1, halo[2] = 0 */
  gboolean fixed[3];           /* the model takes only this patch size */
  gboolean exact;
  guint32  shortfall;          /* the most of the network's reach a halo misses (voxels) */
} VolumeGeometry;

/* One patch along one axis: where it starts, and the range of output it
 * is responsible for (its core, inside its halo except at the ends). */
typedef struct {
  guint32  start, lo, hi;
} AxisTile;

gboolean nn_volume_plan      (CalNnExecutor   *executor,
                              CalVolume       *ct,
                              guint64          budget,
                              VolumeGeometry  *g,
                              guint           *batch,
                              GError         **error);
/* The network's input shape for `batch` patches. */
void     nn_volume_patch_shape (const VolumeGeometry *g,
                                guint                 batch,
                                CalNnShape           *shape);
/* Patches along axis a, in order (element-type AxisTile). */
GArray  *nn_volume_axis_tiles (const VolumeGeometry *g,
                               guint                 a);

G_END_DECLS
