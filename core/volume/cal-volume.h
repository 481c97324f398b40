/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-grid.h"

G_BEGIN_DECLS

typedef enum {
  CAL_VOXEL_INT16,     /* Hounsfield units, the normal case for CT */
  CAL_VOXEL_FLOAT32,   /* where scaling leaves fractions (PET, maps) */
} CalVoxelType;

#define CAL_TYPE_VOLUME (cal_volume_get_type ())
G_DECLARE_FINAL_TYPE (CalVolume, cal_volume, CAL, VOLUME, GObject)

/* voxels: cal_voxel_type_size × the grid's voxel count bytes; the volume
 * takes a reference of its own (the caller keeps and drops its own). */
CalVolume     *cal_volume_new              (const CalGrid *grid,
                                            CalVoxelType   type,
                                            GBytes        *voxels);
const CalGrid *cal_volume_get_grid         (CalVolume     *self);
CalVoxelType   cal_volume_get_voxel_type   (CalVolume     *self);
GBytes        *cal_volume_get_bytes        (CalVolume     *self);
gconstpointer  cal_volume_get_data         (CalVolume     *self);
double         cal_volume_get_value        (CalVolume     *self,
                                            guint32        i,
                                            guint32        j,
                                            guint32        k);
void           cal_volume_get_range        (CalVolume     *self,
                                            double        *min,
                                            double        *max);
gsize          cal_voxel_type_size         (CalVoxelType   type);

G_END_DECLS
