/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-transaction.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * The brush and the eraser.  A dab is every voxel whose centre lies within
 * radius_mm of a point, measured in millimetres with the grid's spacing (so a
 * 3 mm brush on 0.5 × 0.5 × 2 mm voxels is 13 voxels wide and 3 slices
 * deep as a sphere).  A stroke segment is every voxel within radius_mm of a
 * line segment (a capsule), so a fast drag whose pointer events are far
 * apart leaves no gaps.  A disc brush paints only on the slice it was
 * pressed on (the view's plane); a sphere paints through slices.
 *
 * Painting with an editable HU range changes only voxels whose HU lies in it
 * (paint over a region and only bone is added).  The eraser sets background
 * wherever it passes (the range does not limit it).
 */
#define CAL_BRUSH_MIN_RADIUS_MM 0.5
#define CAL_BRUSH_MAX_RADIUS_MM 50.0

typedef enum {
  CAL_BRUSH_DISC,
  CAL_BRUSH_SPHERE,
} CalBrushShape;

typedef struct {
  double        radius_mm;
  CalBrushShape shape;
  int           axis;       /* discs: the slice's normal (0 x, 1 y, 2 z in voxels) */
  guint8        label;      /* what painting writes (CAL_LABEL_BONE) */
  gboolean      erase;
  gboolean      limit_hu;   /* paint only where min_hu <= HU <= max_hu */
  double        min_hu;
  double        max_hu;
} CalBrush;

/* Bone label, disc in the axial plane, 3 mm, HU range off. */
void     cal_brush_init           (CalBrush            *brush);

/* Paints (or erases) the capsule from a to b, given in continuous voxel
 * coordinates; a == b is one dab.  Discs use a's slice along brush->axis.
 * The blocks are touched in tx before anything changes.  volume is needed
 * only with limit_hu.  Returns the voxels changed by this segment; *box
 * (when not NULL) is the box of voxels it covered (what a view redraws). */
guint64  cal_brush_paint_segment  (const CalBrush      *brush,
                                   CalEditTransaction  *tx,
                                   CalVolume           *volume,
                                   const double         a[3],
                                   const double         b[3],
                                   CalBox              *covered);

/* "Brush 3.0 mm", "Eraser 3.0 mm sphere", for the history. */
char    *cal_brush_describe       (const CalBrush      *brush);

G_END_DECLS
