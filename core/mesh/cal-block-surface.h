/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-box.h"
#include "cal-mask.h"
#include "cal-mesh-display.h"

G_BEGIN_DECLS

/*
 * The 3D view's surface, kept in blocks so an edit re-meshes only what it
 * touched.  The mask is seen on a display grid (every `factor`³ voxels one
 * display voxel, bone where at least half of them are: factor 1 on a GPU,
 * more on software OpenGL so the triangle budget holds), split into blocks
 * of 32³ display voxels; each block's triangles are the marching-cubes
 * cells it owns (cal-surface.h's rules), so the blocks join without seams
 * or caps.  For looking at only: the export meshes the whole mask at full
 * resolution with all its checks (cal-mesh-pipeline.h).
 *
 * Use: on the main thread, region_new() copies the voxels the blocks under
 * a box need (a small copy for a stroke); a worker runs mesh_region(); the
 * main thread puts the result in with apply() and draws to_display().
 */
typedef struct _CalBlockSurface CalBlockSurface;
typedef struct _CalBlockRegion  CalBlockRegion;

/* The factor that keeps the surface of `mask` near `max_triangles`;
 * *full_triangles (may be NULL): about how many it has at full resolution. */
guint            cal_block_surface_choose_factor (CalMask          *mask,
                                                  guint32           max_triangles,
                                                  guint64          *full_triangles);

CalBlockSurface *cal_block_surface_new           (const CalGrid    *grid,
                                                  guint             factor);
/* Reference-counted: a worker meshing a region keeps the surface alive. */
CalBlockSurface *cal_block_surface_ref           (CalBlockSurface  *self);
void             cal_block_surface_unref         (CalBlockSurface  *self);
guint            cal_block_surface_get_factor    (CalBlockSurface  *self);

/* The voxels of the blocks that a change inside `box` (full-resolution
 * voxels; NULL: the whole mask) can alter, copied. */
CalBlockRegion  *cal_block_region_new            (CalBlockSurface  *self,
                                                  CalMask          *mask,
                                                  const CalBox     *box);
void             cal_block_region_free           (CalBlockRegion   *region);
guint            cal_block_region_get_n_blocks   (CalBlockRegion   *region);
/* Meshes the region's blocks (any thread; reads only the region and the
 * surface's fixed geometry). */
void             cal_block_region_mesh           (CalBlockSurface  *self,
                                                  CalBlockRegion   *region);
/* Replaces the region's blocks by their new meshes (main thread). */
void             cal_block_surface_apply         (CalBlockSurface  *self,
                                                  CalBlockRegion   *region);
CalDisplayMesh  *cal_block_surface_to_display    (CalBlockSurface  *self);
guint32          cal_block_surface_get_n_triangles (CalBlockSurface *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalBlockRegion, cal_block_region_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalBlockSurface, cal_block_surface_unref)

G_END_DECLS
