/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-mask.h"

G_BEGIN_DECLS

/* A mask's label at many patient points (LPS mm), each at its nearest
 * voxel (0 outside the volume): the grid's inverse computed once. */
typedef struct {
  const guint8 *labels;
  guint32       dims[3];
  double        to_voxel[4][4];
} CalPointLookup;

/* FALSE when the mask's affine has no inverse (never for a loaded grid). */
gboolean cal_point_lookup_init  (CalPointLookup       *lookup,
                                 CalMask              *mask);
guint8   cal_point_lookup_label (const CalPointLookup *lookup,
                                 const float          *xyz);

G_END_DECLS
