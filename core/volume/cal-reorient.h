/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reordering a volume's voxel axes (a permutation and flips, no
 * resampling) so that they point where a reader expects: how a network
 * trained on arrays of one orientation sees every scan in that
 * orientation, whatever order the file stored its voxels in.  The voxels
 * stay the same voxels at the same places in the patient; only the array
 * order and the affine that says where they are change.
 */
#pragma once

#include "cal-volume.h"

G_BEGIN_DECLS

/* Target voxel axis t reads source axis from[t], backwards where flip[t]. */
typedef struct {
  int      from[3];
  gboolean flip[3];
} CalAxisMap;

/* Whether code names one orientation: three letters, one of L/R, one of
 * P/A, one of S/I, in any order ("LPS", "RAS", "SLA", ...). */
gboolean   cal_orientation_code_is_valid (const char       *code);

/* The map that takes grid's axes to the orientation code names (each
 * voxel axis goes to the patient axis it is nearest; an oblique grid's
 * axes are given out largest cosine first, so every axis gets one). */
void       cal_axis_map_to_orientation   (const CalGrid    *grid,
                                          const char       *code,
                                          CalAxisMap       *map);
gboolean   cal_axis_map_is_identity      (const CalAxisMap *map);
void       cal_axis_map_invert           (const CalAxisMap *map,
                                          CalAxisMap       *inverse);
/* The grid of the reordered volume: the same voxel centres in the patient. */
void       cal_grid_reorder              (const CalGrid    *grid,
                                          const CalAxisMap *map,
                                          CalGrid          *out);
/* A new volume (any voxel type) with its axes reordered by map. */
CalVolume *cal_volume_reorder            (CalVolume        *volume,
                                          const CalAxisMap *map);

G_END_DECLS
