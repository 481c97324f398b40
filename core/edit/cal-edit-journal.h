/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-history.h"

G_BEGIN_DECLS

/*
 * The crash-safe journal of an editing session (docs/editing.md).
 *
 * A session is a folder under the user's state folder
 * ($XDG_STATE_HOME/calvaria/sessions/<random id>/, never named after the
 * patient or the scan) with:
 *   session.ini  the grid, what the mask started from, and an opaque
 *                scan token the caller gives (the window seals the scan's
 *                location with cal-seal.h, so no file name is readable);
 *   journal      one record per step, undo and redo, appended and synced:
 *                "CJR1", body length, CRC-32 of the body, then the body
 *                (sequence number, operation, the step's serialized form);
 *   checkpoint   the whole mask after record N (gzip, written atomically by
 *                a worker that keeps its own copy of the mask, updated from
 *                the records, while editing goes on);
 *   lock         held (flock) while the session is open: a folder whose lock
 *                can be taken belongs to a Calvaria that is gone.
 * Recovery reads the checkpoint (or the empty mask the session began with)
 * and applies every complete record after it; a torn last record, and
 * anything after a damaged one, is discarded and reported.
 */

typedef struct _CalEditJournal CalEditJournal;

typedef enum {
  CAL_EDIT_OP_DO = 1,
  CAL_EDIT_OP_UNDO = 2,
  CAL_EDIT_OP_REDO = 3,
} CalEditOp;

/* Checkpoint after this many records, or this many journal bytes, since the last one. */
#define CAL_EDIT_JOURNAL_CHECKPOINT_RECORDS 100
#define CAL_EDIT_JOURNAL_CHECKPOINT_BYTES   (32u << 20)

/* NULL state_dir: $XDG_STATE_HOME/calvaria/sessions. */
char           *cal_edit_journal_default_dir    (void);

/* A new session for `mask` (its grid and its voxels now: an empty mask needs
 * no checkpoint; any other gets one in the background at once). */
CalEditJournal *cal_edit_journal_create         (const char     *state_dir,
                                                 CalMask        *mask,
                                                 const char     *scan_token,
                                                 GError        **error);
gboolean        cal_edit_journal_append         (CalEditJournal *journal,
                                                 CalEditOp       op,
                                                 CalEditStep    *step,
                                                 GError        **error);
/* FALSE after a record could not be written, until a checkpoint of the
 * whole mask succeeds (each append asks for one meanwhile): the window
 * shows that the latest edits are not yet safe. */
gboolean        cal_edit_journal_is_safe        (CalEditJournal *journal);
/* Asks for a checkpoint of the mask after the last record.  The journal's
 * worker keeps its own copy of the mask, updated from the records, and
 * writes it: nothing is copied or written on the caller's thread, and a
 * request overtaken by a newer one is skipped. */
void            cal_edit_journal_checkpoint     (CalEditJournal *journal);
/* Waits for the checkpoint in flight, if any. FALSE with the error of the
 * last checkpoint that failed (a full disk: the previous one is intact). */
gboolean        cal_edit_journal_wait           (CalEditJournal *journal,
                                                 GError        **error);
/* The error of the last checkpoint (NULL once one succeeded after it). */
GError         *cal_edit_journal_dup_checkpoint_error (CalEditJournal *journal);
guint64         cal_edit_journal_get_checkpoint_seq (CalEditJournal *journal);
const char     *cal_edit_journal_get_path       (CalEditJournal *journal);
guint64         cal_edit_journal_get_seq        (CalEditJournal *journal);

/* Closing keeps the folder (the work can be recovered); removing deletes it
 * (the engineer saved or discarded).  Both wait for the checkpoint. */
void            cal_edit_journal_close          (CalEditJournal *journal);
gboolean        cal_edit_journal_remove         (CalEditJournal *journal,
                                                 GError        **error);

/* ---- recovery ---- */

typedef struct {
  char           *path;             /* the session folder */
  char           *scan_token;
  CalMask        *mask;             /* the mask after the last complete record */
  CalEditHistory *history;          /* the steps after the checkpoint, undoable */
  guint64         seq;              /* the last record applied */
  guint64         checkpoint_seq;
  guint           n_replayed;       /* records applied after the checkpoint */
  gboolean        tail_discarded;   /* a torn or damaged record was dropped */
  char           *tail_reason;      /* why, for the user */
  gsize           valid_bytes;      /* the journal's bytes up to the last good record */
} CalEditRecovery;

void            cal_edit_recovery_free          (CalEditRecovery *recovery);

/* Session folders under state_dir that no running Calvaria holds. */
GPtrArray      *cal_edit_journal_list_orphans   (const char      *state_dir);
CalEditRecovery *cal_edit_journal_recover       (const char      *session_path,
                                                 GError         **error);
/* Goes on journalling in a recovered session's folder (the discarded tail
 * cut off), so a second crash loses nothing either. */
CalEditJournal *cal_edit_journal_resume         (CalEditRecovery *recovery,
                                                 GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalEditRecovery, cal_edit_recovery_free)

G_END_DECLS
