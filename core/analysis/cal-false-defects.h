/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-box.h"
#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * Possible false defects: bone the mask left out that looks like part of
 * the skull.  A piece is dense bone (min_dense_hu and up, below max_hu so
 * metal is not bone) that is not in the mask, grown through the bone
 * around it (min_bone_hu and up, not in the mask), and that touches the
 * mask's bone through a face.  On a real scan of a skull phantom the
 * bundled model once left out 2 mm thin pieces of dense vault of up to
 * 17 mL: holes that are not there, which an implant would then cover.
 * Pieces under min_volume_mm3 (noise, partial volume at the mask's edge)
 * are not listed.  Each is reported with its volume and where it is, so the
 * engineer can paint it back.
 */
typedef struct {
  double min_dense_hu;      /* 500: a piece starts from bone this dense */
  double min_bone_hu;       /* 226: and takes in the bone around it (the bone preset) */
  double max_hu;            /* 2500: above is metal, never bone */
  double min_volume_mm3;    /* 10 */
} CalFalseDefectOptions;

void cal_false_defect_options_init (CalFalseDefectOptions *options);

typedef struct {
  guint64 n_voxels;
  double  volume_mm3;
  double  centroid[3];      /* LPS mm */
  double  mean_hu;
  CalBox  box;              /* voxels */
} CalFalseDefect;

/* The pieces, largest first (an empty array when there is none); NULL with
 * the error set when cancelled or when the mask is not on the CT's grid. */
GArray *cal_find_false_defects (CalVolume                   *ct,
                                CalMask                     *mask,
                                const CalFalseDefectOptions *options,
                                GCancellable                *cancellable,
                                GError                     **error);

G_END_DECLS
