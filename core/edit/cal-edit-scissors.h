/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-transaction.h"

G_BEGIN_DECLS

/*
 * 3D scissors: an outline drawn on the 3D view cuts through the whole depth
 * along the view direction.  Every voxel of `label` (0: any label) whose
 * centre projects inside the outline is erased, or, with keep_inside, every
 * one that projects outside it.  This is how a head rest or a table is cut
 * away in one gesture.
 *
 * `clip` maps patient millimetres (x, y, z, 1) to clip space (row-major,
 * the view's projection times its view matrix); a point lands at pixel
 * ((x/w + 1) / 2 · width, (1 − y/w) / 2 · height).  Voxels behind the eye
 * count as outside.  The outline is `n_points` (x, y) pixel pairs, closed
 * by its last point (even-odd rule).  Returns the voxels changed.
 *
 * front_only (erasing only) cuts what is seen first instead of the whole
 * depth: the voxels nearest the eye under each pixel of the outline, and
 * every voxel face-connected to them inside the outline.  A head rest in
 * front of the skull goes; the skull behind it stays, unless the two touch.
 */
guint64 cal_edit_scissors (CalEditTransaction *tx,
                           guint8              label,
                           const double        clip[4][4],
                           double              width,
                           double              height,
                           const double       *outline,
                           guint               n_points,
                           gboolean            keep_inside,
                           gboolean            front_only);

G_END_DECLS
