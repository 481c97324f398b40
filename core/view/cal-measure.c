/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-measure.h"

#include <math.h>

double
cal_measure_length_mm (const CalMeasureShape *shape)
{
  /* Both ends lie on the plane, whose u and v axes are orthonormal in mm. */
  return hypot (shape->u1 - shape->u0, shape->v1 - shape->v0);
}

double
cal_measure_area_mm2 (const CalMeasureShape *shape)
{
  double w = fabs (shape->u1 - shape->u0), h = fabs (shape->v1 - shape->v0);

  switch (shape->kind)
    {
    case CAL_MEASURE_RECTANGLE:
      return w * h;
    case CAL_MEASURE_ELLIPSE:
      return G_PI * w * h / 4;
    case CAL_MEASURE_RULER:
    default:
      return 0;
    }
}

gboolean
cal_measure_contains (const CalMeasureShape *shape,
                      double                 u,
                      double                 v)
{
  double cu = (shape->u0 + shape->u1) / 2, cv = (shape->v0 + shape->v1) / 2;
  double ru = fabs (shape->u1 - shape->u0) / 2, rv = fabs (shape->v1 - shape->v0) / 2;

  switch (shape->kind)
    {
    case CAL_MEASURE_RECTANGLE:
      return fabs (u - cu) <= ru && fabs (v - cv) <= rv;
    case CAL_MEASURE_ELLIPSE:
      if (ru <= 0 || rv <= 0)
        return FALSE;
      return (u - cu) * (u - cu) / (ru * ru) + (v - cv) * (v - cv) / (rv * rv) <= 1;
    case CAL_MEASURE_RULER:
    default:
      return FALSE;
    }
}

/* The voxel index box that can hold a centre inside the outline: the
 * outline's corners half a slice either side of the plane, in voxels. */
static void
voxel_box (const CalGrid         *grid,
           const CalSlicePlane   *plane,
           const CalMeasureShape *shape,
           gint64                 lo[3],
           gint64                 hi[3])
{
  double min[3] = { INFINITY, INFINITY, INFINITY }, max[3] = { -INFINITY, -INFINITY, -INFINITY };

  for (int c = 0; c < 8; c++)
    {
      double xyz[3], ijk[3];
      cal_slice_plane_to_patient (plane, c & 1 ? shape->u1 : shape->u0, c & 2 ? shape->v1 : shape->v0,
                                  shape->n + (c & 4 ? 0.5 : -0.5) * plane->step_n, xyz);
      cal_grid_patient_to_voxel (grid, xyz, ijk);
      for (int a = 0; a < 3; a++)
        {
          min[a] = MIN (min[a], ijk[a]);
          max[a] = MAX (max[a], ijk[a]);
        }
    }
  for (int a = 0; a < 3; a++)
    {
      lo[a] = CLAMP ((gint64) floor (min[a]), 0, (gint64) grid->dims[a]);
      hi[a] = CLAMP ((gint64) ceil (max[a]) + 1, 0, (gint64) grid->dims[a]);
    }
}

gboolean
cal_measure_region (CalVolume             *ct,
                    const CalSlicePlane   *plane,
                    const CalMeasureShape *shape,
                    CalRegionStats        *stats)
{
  const CalGrid *grid = cal_volume_get_grid (ct);
  gint64 lo[3], hi[3];
  double mean = 0, m2 = 0;

  g_return_val_if_fail (shape->kind != CAL_MEASURE_RULER, FALSE);
  *stats = (CalRegionStats) { .mean_hu = NAN, .sd_hu = NAN, .min_hu = NAN, .max_hu = NAN,
                              .area_mm2 = cal_measure_area_mm2 (shape) };
  voxel_box (grid, plane, shape, lo, hi);
  for (gint64 k = lo[2]; k < hi[2]; k++)
    for (gint64 j = lo[1]; j < hi[1]; j++)
      for (gint64 i = lo[0]; i < hi[0]; i++)
        {
          double ijk[3] = { (double) i, (double) j, (double) k }, xyz[3], u, v, n, hu, delta;
          cal_grid_voxel_to_patient (grid, ijk, xyz);
          cal_slice_plane_from_patient (plane, xyz, &u, &v, &n);
          /* Half a slice either side, the upper edge open: one layer of an
           * axis-aligned scan, never two. */
          if (n - shape->n < -0.5 * plane->step_n || n - shape->n >= 0.5 * plane->step_n ||
              !cal_measure_contains (shape, u, v))
            continue;
          hu = cal_volume_get_value (ct, (guint32) i, (guint32) j, (guint32) k);
          stats->n_voxels++;
          if (stats->n_voxels == 1)
            stats->min_hu = stats->max_hu = hu;
          stats->min_hu = MIN (stats->min_hu, hu);
          stats->max_hu = MAX (stats->max_hu, hu);
          /* Welford's update: no cancellation in the variance of large HU values. */
          delta = hu - mean;
          mean += delta / (double) stats->n_voxels;
          m2 += delta * (hu - mean);
        }
  if (stats->n_voxels == 0)
    return FALSE;
  stats->mean_hu = mean;
  if (stats->n_voxels > 1)
    stats->sd_hu = sqrt (m2 / (double) (stats->n_voxels - 1));
  return TRUE;
}
