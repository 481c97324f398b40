/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-transaction.h"

G_BEGIN_DECLS

/*
 * Fill between slices: the engineer draws `label` on some slices along one
 * axis (the view's), and the empty slices between two drawn ones are filled
 * by morphological contour interpolation (docs/editing.md).
 *
 * For two drawn slices A and B, with I = A ∩ B and U = A ∪ B, a point p of
 * U outside I is at r(p) = d(p, I) / (d(p, I) + d(p, outside U)) along the
 * way from I to the edge of U (distances in mm, exact EDTs).  The slice a
 * fraction t of the way from A to B holds I, the points of B \ A with
 * r <= t, and the points of A \ B with r <= 1 − t.  At t = ½ this is the
 * morphological median of Albu et al. (2008), the set ITK's
 * MorphologicalContourInterpolator builds by recursive medians; other t
 * give its sequence directly, so two concentric discs give the cone
 * between them.
 *
 * Regions are handled piece by piece: a connected piece of U (8-connected
 * in the slice) takes part only when A and B overlap inside it.  A region
 * drawn on one slice that overlaps nothing on the next drawn slice is not
 * carried over (draw one more slice between them to join them), and a
 * single drawn slice is never copied to others.
 */
typedef struct {
  guint  n_drawn;        /* slices along the axis that hold the label */
  guint  n_gaps;         /* runs of empty slices between two drawn ones */
  guint  n_filled;       /* slices that received voxels */
  guint  n_unmatched;    /* pieces with no overlapping piece on the next drawn slice */
} CalFillSummary;

guint64 cal_fill_between_slices (CalEditTransaction *tx,
                                 guint8              label,
                                 int                 axis,
                                 CalFillSummary     *summary);

G_END_DECLS
