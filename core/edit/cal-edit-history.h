/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-step.h"

G_BEGIN_DECLS

/*
 * The undo history: steps in order, and how many of them are applied.
 * Pushing a step drops the steps that were undone (redo is lost, as in every
 * editor).  The oldest steps are forgotten beyond max_steps or max_bytes
 * (defaults 1000 steps, 256 MiB), never the newest.  "changed" is emitted
 * after every push, undo, redo and clear.
 */
#define CAL_EDIT_HISTORY_DEFAULT_STEPS 1000
#define CAL_EDIT_HISTORY_DEFAULT_BYTES (256u << 20)

#define CAL_TYPE_EDIT_HISTORY (cal_edit_history_get_type ())
G_DECLARE_FINAL_TYPE (CalEditHistory, cal_edit_history, CAL, EDIT_HISTORY, GObject)

CalEditHistory *cal_edit_history_new           (guint            max_steps,
                                                gsize            max_bytes);
void            cal_edit_history_push          (CalEditHistory  *self,
                                                CalEditStep     *step);
gboolean        cal_edit_history_can_undo      (CalEditHistory  *self);
gboolean        cal_edit_history_can_redo      (CalEditHistory  *self);
/* Apply the step to the mask and move the position; the step is returned
 * (borrowed) so the caller knows which box to redraw; NULL with the error
 * set when there is nothing to undo or the step does not fit the mask. */
CalEditStep    *cal_edit_history_undo          (CalEditHistory  *self,
                                                CalMask         *mask,
                                                GError         **error);
CalEditStep    *cal_edit_history_redo          (CalEditHistory  *self,
                                                CalMask         *mask,
                                                GError         **error);
void            cal_edit_history_clear         (CalEditHistory  *self);

guint           cal_edit_history_get_n_steps   (CalEditHistory  *self);
/* Steps applied: 0 .. n_steps; the steps after it can be redone. */
guint           cal_edit_history_get_position  (CalEditHistory  *self);
CalEditStep    *cal_edit_history_get_step      (CalEditHistory  *self,
                                                guint            index);
gsize           cal_edit_history_get_bytes     (CalEditHistory  *self);
/* Steps forgotten at the old end since the history began. */
guint           cal_edit_history_get_n_forgotten (CalEditHistory *self);

/* "Brush 3.0 mm: 14 voxels added" and the like, for lists and reports. */
char           *cal_edit_step_describe         (CalEditStep     *step);

G_END_DECLS
