/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-brush.h"

#include <math.h>

#include "cal-threshold.h"

void
cal_brush_init (CalBrush *brush)
{
  *brush = (CalBrush) {
    .radius_mm = 3.0,
    .shape = CAL_BRUSH_DISC,
    .axis = 2,
    .label = CAL_LABEL_BONE,
    .erase = FALSE,
    .limit_hu = FALSE,
  };
  /* The editable range starts as the bone preset, as the threshold does. */
  brush->min_hu = cal_threshold_preset_find ("bone")->min_hu;
  brush->max_hu = cal_threshold_preset_find ("bone")->max_hu;
}

char *
cal_brush_describe (const CalBrush *brush)
{
  return g_strdup_printf ("%s %.1f mm%s", brush->erase ? "Eraser" : "Brush", brush->radius_mm,
                          brush->shape == CAL_BRUSH_SPHERE ? " sphere" : "");
}

/* Squared distance in mm² from p to the segment a–b (voxel coordinates). */
static double
distance2_to_segment (const double p[3],
                      const double a[3],
                      const double ab[3],
                      double       ab2,
                      const double s[3])
{
  double t = 0, d2 = 0;

  if (ab2 > 0)
    {
      for (int k = 0; k < 3; k++)
        t += (p[k] - a[k]) * s[k] * ab[k] * s[k];
      t = CLAMP (t / ab2, 0.0, 1.0);
    }
  for (int k = 0; k < 3; k++)
    {
      double d = (p[k] - a[k] - t * ab[k]) * s[k];
      d2 += d * d;
    }
  return d2;
}

static gboolean
in_hu_range (const CalBrush *brush,
             CalVolume      *volume,
             guint32         i,
             guint32         j,
             guint32         k)
{
  double hu;

  if (!brush->limit_hu || volume == NULL)
    return TRUE;
  hu = cal_volume_get_value (volume, i, j, k);
  return hu >= brush->min_hu && hu <= brush->max_hu;
}

guint64
cal_brush_paint_segment (const CalBrush     *brush,
                         CalEditTransaction *tx,
                         CalVolume          *volume,
                         const double        a[3],
                         const double        b[3],
                         CalBox             *covered)
{
  CalMask *mask = cal_edit_transaction_get_mask (tx);
  const CalGrid *grid = cal_mask_get_grid (mask);
  guint8 *labels = cal_mask_get_labels_mutable (mask);
  guint8 value = brush->erase ? CAL_LABEL_BACKGROUND : brush->label;
  double s[3], ab[3], ab2 = 0, r = CLAMP (brush->radius_mm, CAL_BRUSH_MIN_RADIUS_MM, CAL_BRUSH_MAX_RADIUS_MM);
  double r2 = r * r;
  double lo[3], hi[3];
  CalBox box;
  guint64 changed = 0;

  if (covered != NULL)
    *covered = (CalBox) { { 0 } };
  cal_grid_get_spacing (grid, s);
  for (int k = 0; k < 3; k++)
    {
      ab[k] = b[k] - a[k];
      ab2 += ab[k] * s[k] * ab[k] * s[k];
      lo[k] = floor (MIN (a[k], b[k]) - r / s[k]);
      hi[k] = ceil (MAX (a[k], b[k]) + r / s[k]) + 1;
    }
  if (brush->shape == CAL_BRUSH_DISC)
    {
      int ax = CLAMP (brush->axis, 0, 2);
      lo[ax] = round (a[ax]);
      hi[ax] = lo[ax] + 1;
      ab2 -= ab[ax] * s[ax] * ab[ax] * s[ax];
      ab[ax] = 0;
    }
  for (int k = 0; k < 3; k++)
    {
      if (hi[k] <= 0 || lo[k] >= grid->dims[k])
        return 0;
      box.lo[k] = (guint32) MAX (lo[k], 0);
      box.hi[k] = (guint32) MIN (hi[k], grid->dims[k]);
    }
  cal_edit_transaction_touch (tx, &box);
  if (covered != NULL)
    *covered = box;

  for (guint32 k = box.lo[2]; k < box.hi[2]; k++)
    for (guint32 j = box.lo[1]; j < box.hi[1]; j++)
      for (guint32 i = box.lo[0]; i < box.hi[0]; i++)
        {
          double p[3] = { i, j, k }, from[3] = { a[0], a[1], a[2] };
          gsize at = i + (gsize) grid->dims[0] * (j + (gsize) grid->dims[1] * k);
          if (brush->shape == CAL_BRUSH_DISC)
            from[CLAMP (brush->axis, 0, 2)] = p[CLAMP (brush->axis, 0, 2)];
          if (labels[at] == value || distance2_to_segment (p, from, ab, ab2, s) > r2
              || (!brush->erase && !in_hu_range (brush, volume, i, j, k)))
            continue;
          labels[at] = value;
          changed++;
        }
  return changed;
}
