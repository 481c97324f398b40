/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-step.h"

G_BEGIN_DECLS

/*
 * The journal's checkpoint writer (cal-edit-journal.c's helper).  It keeps
 * a copy of the mask of its own, the shadow, on one worker thread: the
 * journal hands it every step it records (a reference; steps never change),
 * the thread XORs them into the shadow in order, and on request writes the
 * shadow as the session's checkpoint (gzip, atomically).  So the main thread
 * never copies the mask nor waits for the disk; a checkpoint is always the
 * mask exactly after the record it is labelled with.
 */
typedef struct _CalEditCheckpointer CalEditCheckpointer;

/* The shadow starts as a copy of `mask` (the one copy, at the session's
 * start; none when the caller knows the mask is empty). */
CalEditCheckpointer *cal_edit_checkpointer_new        (const char          *folder,
                                                       CalMask             *mask,
                                                       gboolean             empty);
void                 cal_edit_checkpointer_free       (CalEditCheckpointer *self);
void                 cal_edit_checkpointer_add_step   (CalEditCheckpointer *self,
                                                       CalEditStep         *step);
/* Asks for the shadow, with every step added so far, to be written as the
 * checkpoint of record `seq`; returns the request's number.  Requests
 * overtaken by a newer one before the thread reaches them are skipped. */
guint64              cal_edit_checkpointer_request    (CalEditCheckpointer *self,
                                                       guint64              seq);
/* Waits until everything handed over is done; FALSE with the error of the
 * last checkpoint when it failed. */
gboolean             cal_edit_checkpointer_wait       (CalEditCheckpointer *self,
                                                       GError             **error);
GError              *cal_edit_checkpointer_dup_error  (CalEditCheckpointer *self);
/* The record of the last checkpoint written, and the request that wrote it. */
guint64              cal_edit_checkpointer_get_seq    (CalEditCheckpointer *self);
guint64              cal_edit_checkpointer_get_done   (CalEditCheckpointer *self);

/* The checkpoint's file format, written and read here only: a gzip of
 * "CALCKPT1", the record number, the grid's dims and the labels. */
gboolean             cal_edit_checkpoint_write        (const char          *folder,
                                                       const guint32        dims[3],
                                                       const guint8        *labels,
                                                       guint64              seq,
                                                       GError             **error);
/* The labels (for a grid of `dims`) and record number of the folder's
 * checkpoint; FALSE with no error when there is none, with the error when it
 * is damaged or for another grid. */
gboolean             cal_edit_checkpoint_read         (const char          *folder,
                                                       const guint32        dims[3],
                                                       guint8             **labels_out,
                                                       guint64             *seq_out,
                                                       GError             **error);

G_END_DECLS
