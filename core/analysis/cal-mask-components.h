/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"

G_BEGIN_DECLS

/*
 * Connected components of a mask, with the connectivity the surface
 * extractor uses (cal-surface.h): voxels of a label touch through faces
 * (6-connectivity), background touches through faces, edges and corners
 * (26-connectivity).  So a solid here is a closed shell there, and a hole
 * that reaches outside only through a diagonal gap is open in both.
 *
 * Components are found on runs of voxels along x, which keeps memory and
 * time proportional to the runs, not the voxels.
 */
typedef struct {
  guint32  n_components;
  guint64 *sizes;          /* voxels per component */
  gboolean *touches_border;/* per component: reaches the volume's border */
} CalComponents;

void      cal_components_free               (CalComponents *components);

/* Components of the voxels equal to `label` (26-connected when label is 0,
 * the background, 6-connected otherwise).  Fills component_of_voxel
 * (n_voxels entries, G_MAXUINT32 for other voxels) when not NULL. */
CalComponents *cal_mask_components          (CalMask       *mask,
                                             guint8         label,
                                             guint32       *component_of_voxel);

/* In place.  Each returns the number of voxels changed. */
guint64   cal_mask_keep_largest_component   (CalMask       *mask,
                                             guint8         label);
/* The largest component of `label`, and every other component with a
 * voxel within reach of it: within the axis-aligned ellipsoid whose
 * semi-axes are reach_mm[axis] (0: no reach along that axis) around one of
 * the largest's voxels.  For a probability coarser than the mask, a gap
 * narrower than one of its pixels was never seen (cal-segment.c). */
guint64   cal_mask_keep_largest_and_near    (CalMask       *mask,
                                             guint8         label,
                                             const double   reach_mm[3]);
guint64   cal_mask_remove_islands           (CalMask       *mask,
                                             guint8         label,
                                             double         min_volume_mm3);
/* Background pockets that do not reach the volume's border become
 * `label`; those over max_volume_mm3 (when > 0) are left alone, so a
 * closed skull's brain is never filled.  Defects open to the outside
 * are never filled: their background reaches the border. */
guint64   cal_mask_fill_cavities            (CalMask       *mask,
                                             guint8         label,
                                             double         max_volume_mm3);

double    cal_mask_voxel_volume             (CalMask       *mask);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalComponents, cal_components_free)

G_END_DECLS
