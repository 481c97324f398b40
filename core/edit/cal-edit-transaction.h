/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-step.h"

G_BEGIN_DECLS

/*
 * A step in the making.  A tool calls touch() with the box it is about to
 * change; the first time a 16³ block is touched its labels are saved.  The
 * tool then writes the mask directly (a brush stroke is visible as it is
 * drawn), and commit() turns the saved blocks and the mask into a CalEditStep
 * of only the voxels that changed.  revert() puts the saved blocks back
 * (a cancelled stroke, a preview that was not applied).  Memory is the
 * blocks touched, never the volume, unless the step covers the volume.
 */
typedef struct _CalEditTransaction CalEditTransaction;

CalEditTransaction *cal_edit_transaction_new        (CalMask            *mask);
void                cal_edit_transaction_free       (CalEditTransaction *tx);

void                cal_edit_transaction_touch      (CalEditTransaction *tx,
                                                     const CalBox       *box);
void                cal_edit_transaction_touch_all  (CalEditTransaction *tx);
CalMask            *cal_edit_transaction_get_mask   (CalEditTransaction *tx);
/* The union of the boxes touched so far (what a view must redraw). */
const CalBox       *cal_edit_transaction_get_touched (CalEditTransaction *tx);

/* The step of every voxel that differs from the saved blocks, in its tight
 * box; NULL when none does.  The transaction can go on after a commit only
 * by starting a new one. */
CalEditStep        *cal_edit_transaction_commit     (CalEditTransaction *tx,
                                                     const char         *name,
                                                     CalEditKind         kind);
void                cal_edit_transaction_revert     (CalEditTransaction *tx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalEditTransaction, cal_edit_transaction_free)

G_END_DECLS
