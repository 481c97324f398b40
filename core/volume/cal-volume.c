/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-volume.h"

#include <math.h>

struct _CalVolume
{
  GObject       parent_instance;

  /* owned */
  CalGrid       grid;
  CalVoxelType  type;
  GBytes       *voxels;     /* immutable, shared with whoever asks */

  /* cached, computed on first request */
  gboolean      range_valid;
  double        range_min;
  double        range_max;
};

G_DEFINE_FINAL_TYPE (CalVolume, cal_volume, G_TYPE_OBJECT)

static void
cal_volume_finalize (GObject *object)
{
  CalVolume *self = CAL_VOLUME (object);

  g_clear_pointer (&self->voxels, g_bytes_unref);
  G_OBJECT_CLASS (cal_volume_parent_class)->finalize (object);
}

static void
cal_volume_class_init (CalVolumeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_volume_finalize;
}

static void
cal_volume_init (CalVolume *self)
{
}

gsize
cal_voxel_type_size (CalVoxelType type)
{
  return type == CAL_VOXEL_INT16 ? sizeof (gint16) : sizeof (float);
}

/**
 * cal_volume_new:
 * @grid: where the voxels are
 * @type: voxel type
 * @voxels: (transfer none): exactly n_voxels * type size bytes
 */
CalVolume *
cal_volume_new (const CalGrid *grid,
                CalVoxelType   type,
                GBytes        *voxels)
{
  CalVolume *self;

  g_return_val_if_fail (grid != NULL, NULL);
  g_return_val_if_fail (voxels != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (voxels) ==
                        cal_grid_n_voxels (grid) * cal_voxel_type_size (type), NULL);

  self = g_object_new (CAL_TYPE_VOLUME, NULL);
  self->grid = *grid;
  self->type = type;
  self->voxels = g_bytes_ref (voxels);
  return self;
}

const CalGrid *
cal_volume_get_grid (CalVolume *self)
{
  g_return_val_if_fail (CAL_IS_VOLUME (self), NULL);
  return &self->grid;
}

CalVoxelType
cal_volume_get_voxel_type (CalVolume *self)
{
  g_return_val_if_fail (CAL_IS_VOLUME (self), CAL_VOXEL_INT16);
  return self->type;
}

GBytes *
cal_volume_get_bytes (CalVolume *self)
{
  g_return_val_if_fail (CAL_IS_VOLUME (self), NULL);
  return self->voxels;
}

gconstpointer
cal_volume_get_data (CalVolume *self)
{
  g_return_val_if_fail (CAL_IS_VOLUME (self), NULL);
  return g_bytes_get_data (self->voxels, NULL);
}

double
cal_volume_get_value (CalVolume *self,
                      guint32    i,
                      guint32    j,
                      guint32    k)
{
  gsize index;

  g_return_val_if_fail (CAL_IS_VOLUME (self), NAN);
  g_return_val_if_fail (i < self->grid.dims[0] && j < self->grid.dims[1] &&
                        k < self->grid.dims[2], NAN);

  index = i + (gsize) self->grid.dims[0] * (j + (gsize) self->grid.dims[1] * k);
  if (self->type == CAL_VOXEL_INT16)
    return ((const gint16 *) cal_volume_get_data (self))[index];
  return ((const float *) cal_volume_get_data (self))[index];
}

void
cal_volume_get_range (CalVolume *self,
                      double    *min,
                      double    *max)
{
  g_return_if_fail (CAL_IS_VOLUME (self));

  if (!self->range_valid)
    {
      guint64 n = cal_grid_n_voxels (&self->grid);
      double lo = INFINITY, hi = -INFINITY;

      if (self->type == CAL_VOXEL_INT16)
        {
          const gint16 *v = cal_volume_get_data (self);
          gint16 l = G_MAXINT16, h = G_MININT16;
          for (guint64 n_i = 0; n_i < n; n_i++)
            {
              l = MIN (l, v[n_i]);
              h = MAX (h, v[n_i]);
            }
          lo = l;
          hi = h;
        }
      else
        {
          const float *v = cal_volume_get_data (self);
          for (guint64 n_i = 0; n_i < n; n_i++)
            if (isfinite (v[n_i]))
              {
                lo = MIN (lo, v[n_i]);
                hi = MAX (hi, v[n_i]);
              }
        }
      self->range_min = lo;
      self->range_max = hi;
      self->range_valid = TRUE;
    }
  if (min)
    *min = self->range_min;
  if (max)
    *max = self->range_max;
}
