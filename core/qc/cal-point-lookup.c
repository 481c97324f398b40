/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-point-lookup.h"

#include <math.h>

#include "cal-matrix.h"

gboolean
cal_point_lookup_init (CalPointLookup *lookup,
                       CalMask        *mask)
{
  const CalGrid *grid = cal_mask_get_grid (mask);

  lookup->labels = cal_mask_get_labels (mask);
  for (int a = 0; a < 3; a++)
    lookup->dims[a] = grid->dims[a];
  return cal_mat4_invert (grid->affine, lookup->to_voxel);
}

guint8
cal_point_lookup_label (const CalPointLookup *lookup,
                        const float          *xyz)
{
  gint64 v[3];

  for (int r = 0; r < 3; r++)
    {
      const double *m = lookup->to_voxel[r];
      double x = floor (m[0] * xyz[0] + m[1] * xyz[1] + m[2] * xyz[2] + m[3] + 0.5);

      if (!(x >= 0 && x < lookup->dims[r]))
        return 0;
      v[r] = (gint64) x;
    }
  return lookup->labels[v[0] + lookup->dims[0] * (v[1] + (gint64) lookup->dims[1] * v[2])];
}
