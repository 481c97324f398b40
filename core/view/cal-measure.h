/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cal-slice-geometry.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * Measurements on a slice view, each drawn in the plane of the slice it
 * was made on (cal-slice-geometry.h: u right, v down, in mm, at position n
 * along the normal), so that they are exact in millimetres whatever the
 * scan's voxel order or spacing.
 *
 *   Ruler: the straight distance between its two ends, in mm (both ends
 *   lie on the slice; continuous positions, not snapped to voxels).
 *
 *   Rectangle and ellipse: statistics of the stored CT values (HU) of the
 *   voxels whose centres lie inside the outline and within half a slice
 *   spacing of the slice shown (on an axis-aligned scan, exactly the
 *   slice's own voxels); mean, sample standard deviation (n − 1), minimum
 *   and maximum, the voxel count and the outline's own area in mm².
 */
typedef enum {
  CAL_MEASURE_RULER,
  CAL_MEASURE_RECTANGLE,
  CAL_MEASURE_ELLIPSE,
} CalMeasureKind;

typedef struct {
  CalMeasureKind      kind;
  CalSliceOrientation orientation;
  double              n;                /* the slice's position along the normal, mm */
  double              u0, v0, u1, v1;   /* the ruler's ends; an outline's opposite corners */
} CalMeasureShape;

typedef struct {
  guint64 n_voxels;
  double  mean_hu, sd_hu;   /* sd: NAN with fewer than two voxels */
  double  min_hu, max_hu;
  double  area_mm2;         /* the outline's area, not the voxels' */
} CalRegionStats;

double   cal_measure_length_mm   (const CalMeasureShape *shape);
double   cal_measure_area_mm2    (const CalMeasureShape *shape);
/* Whether plane point (u, v) lies inside the outline (rectangle or ellipse). */
gboolean cal_measure_contains    (const CalMeasureShape *shape,
                                  double                 u,
                                  double                 v);
/* The statistics of `ct` inside the outline; `plane` is the view's plane
 * for the shape's orientation (cal_slice_plane_init on ct's grid).  FALSE
 * when no voxel centre lies inside (stats then hold the area only). */
gboolean cal_measure_region      (CalVolume             *ct,
                                  const CalSlicePlane   *plane,
                                  const CalMeasureShape *shape,
                                  CalRegionStats        *stats);

G_END_DECLS
