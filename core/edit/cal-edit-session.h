/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-journal.h"
#include "cal-edit-transaction.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * An editing session: the mask being corrected, the CT under it (for the
 * brush's HU range), the undo history and, when started, the crash-safe
 * journal.  Every change goes through it, so each step lands in the history
 * and the journal alike: begin() a transaction, let a tool change voxels,
 * commit() it.  The window and `calvaria-cli edit` use the same object.
 *
 * "mask-changed" (a CalBox *: the voxels to redraw and re-mesh) follows
 * every commit, undo, redo, revert and replaced mask.
 */
#define CAL_TYPE_EDIT_SESSION (cal_edit_session_get_type ())
G_DECLARE_FINAL_TYPE (CalEditSession, cal_edit_session, CAL, EDIT_SESSION, GObject)

/* Whether a mask opened onto a CT lies on its grid; the refusal names both
 * grids (size, spacing, origin) so the engineer sees which file is off. */
gboolean            cal_edit_mask_fits_volume        (CalMask         *mask,
                                                      CalVolume       *volume,
                                                      GError         **error);
char               *cal_edit_describe_grid           (const CalGrid   *grid);

CalEditSession     *cal_edit_session_new             (CalMask         *mask,
                                                      CalVolume       *volume);
/* Takes over a recovered session: its mask, history and journal folder. */
CalEditSession     *cal_edit_session_new_recovered   (CalEditRecovery *recovery,
                                                      CalVolume       *volume,
                                                      GError         **error);
gboolean            cal_edit_session_start_journal   (CalEditSession  *self,
                                                      const char      *state_dir,
                                                      const char      *scan_token,
                                                      GError         **error);

CalMask            *cal_edit_session_get_mask        (CalEditSession  *self);
CalVolume          *cal_edit_session_get_volume      (CalEditSession  *self);
CalEditHistory     *cal_edit_session_get_history     (CalEditSession  *self);
CalEditJournal     *cal_edit_session_get_journal     (CalEditSession  *self);
/* Steps committed, undone or redone since the mask was last saved. */
gboolean            cal_edit_session_is_modified     (CalEditSession  *self);
void                cal_edit_session_set_saved       (CalEditSession  *self);

/* One open transaction at a time (a stroke in progress): begin() returns
 * it while it is open. */
CalEditTransaction *cal_edit_session_begin           (CalEditSession  *self);
CalEditTransaction *cal_edit_session_get_transaction (CalEditSession  *self);
/* Ends the open transaction.  *step_out (borrowed; NULL when nothing
 * changed) is in the history.  FALSE when the journal could not record it:
 * the step stays applied and undoable, and the error says it is not yet
 * safe on disk. */
gboolean            cal_edit_session_commit          (CalEditSession  *self,
                                                      const char      *name,
                                                      CalEditKind      kind,
                                                      CalEditStep    **step_out,
                                                      GError         **error);
void                cal_edit_session_revert          (CalEditSession  *self);

/* A whole-mask operation (threshold, U-net, opening a mask) as one step:
 * the labels of `result` (same grid) replace the mask's. */
gboolean            cal_edit_session_replace_labels  (CalEditSession  *self,
                                                      CalMask         *result,
                                                      const char      *name,
                                                      CalEditStep    **step_out,
                                                      GError         **error);

/* A step computed elsewhere (cal_edit_step_new_between() in a worker) from
 * a copy of the mask at version `version`: applied when the mask has not
 * changed since, FALSE with CAL_EDIT_ERROR_NOTHING when it has (the caller
 * then replaces the labels instead).  Journal errors as for commit(). */
gboolean            cal_edit_session_apply_step      (CalEditSession  *self,
                                                      CalEditStep     *step,
                                                      guint64          version,
                                                      GError         **error);
/* A step worked out off the main thread.  func runs in a worker with a
 * copy of the mask (`copy`, or one made now when NULL), which it may
 * change freely, and returns the step from the copy as it was to what it
 * made of it (NULL: no change).  finish() applies it if the mask is still
 * at `version` (the copy's; ignored when the copy is made now) and returns
 * it (a reference), or NULL: no change, or an error (CAL_EDIT_ERROR_NOTHING
 * when the mask changed meanwhile). */
typedef CalEditStep *(*CalEditStepFunc) (CalMask  *copy,
                                         gpointer  data);
void                cal_edit_session_step_async      (CalEditSession  *self,
                                                      CalMask         *copy,
                                                      guint64          version,
                                                      CalEditStepFunc  func,
                                                      gpointer         data,
                                                      GDestroyNotify   destroy,
                                                      GAsyncReadyCallback callback,
                                                      gpointer         user_data);
CalEditStep        *cal_edit_session_step_finish     (CalEditSession  *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);
/* Goes up by one with every change of the mask's voxels. */
guint64             cal_edit_session_get_version     (CalEditSession  *self);

gboolean            cal_edit_session_undo            (CalEditSession  *self,
                                                      GError         **error);
gboolean            cal_edit_session_redo            (CalEditSession  *self,
                                                      GError         **error);

/* Ends the journal: removed (saved or discarded) or kept for recovery. */
gboolean            cal_edit_session_end_journal     (CalEditSession  *self,
                                                      gboolean         remove,
                                                      GError         **error);

G_END_DECLS
