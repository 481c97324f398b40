/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-session.h"

#include <string.h>

struct _CalEditSession
{
  GObject             parent_instance;

  CalMask            *mask;
  CalVolume          *volume;
  CalEditHistory     *history;
  CalEditJournal     *journal;
  CalEditTransaction *tx;
  guint               saved_position;   /* history position when last saved */
  guint               saved_forgotten;
  gboolean            saved_valid;
  guint64             version;
};

G_DEFINE_FINAL_TYPE (CalEditSession, cal_edit_session, G_TYPE_OBJECT)

enum { MASK_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cal_edit_session_dispose (GObject *object)
{
  CalEditSession *self = CAL_EDIT_SESSION (object);

  g_clear_pointer (&self->tx, cal_edit_transaction_free);
  /* Not removed: a session dropped without a decision stays recoverable. */
  g_clear_pointer (&self->journal, cal_edit_journal_close);
  g_clear_object (&self->history);
  g_clear_object (&self->mask);
  g_clear_object (&self->volume);
  G_OBJECT_CLASS (cal_edit_session_parent_class)->dispose (object);
}

static void
cal_edit_session_class_init (CalEditSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cal_edit_session_dispose;
  signals[MASK_CHANGED] = g_signal_new ("mask-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
cal_edit_session_init (CalEditSession *self)
{
  self->saved_valid = TRUE;
}

char *
cal_edit_describe_grid (const CalGrid *grid)
{
  double s[3], origin[3];
  const double zero[3] = { 0, 0, 0 };

  cal_grid_get_spacing (grid, s);
  cal_grid_voxel_to_patient (grid, zero, origin);
  return g_strdup_printf ("%u × %u × %u voxels of %.4g × %.4g × %.4g mm, first voxel at "
                          "(%.2f, %.2f, %.2f) mm LPS", grid->dims[0], grid->dims[1], grid->dims[2],
                          s[0], s[1], s[2], origin[0], origin[1], origin[2]);
}

gboolean
cal_edit_mask_fits_volume (CalMask    *mask,
                           CalVolume  *volume,
                           GError    **error)
{
  const CalGrid *mg = cal_mask_get_grid (mask), *vg = cal_volume_get_grid (volume);
  g_autofree char *m = NULL, *v = NULL;

  if (cal_grid_same_geometry (mg, vg, 1e-3))
    return TRUE;
  m = cal_edit_describe_grid (mg);
  v = cal_edit_describe_grid (vg);
  g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_GRID_MISMATCH,
               "The mask is not on the CT's grid: the mask has %s, the CT has %s. "
               "Open the mask made from this CT, or resample it onto the CT first", m, v);
  return FALSE;
}

CalEditSession *
cal_edit_session_new (CalMask   *mask,
                      CalVolume *volume)
{
  CalEditSession *self;

  g_return_val_if_fail (CAL_IS_MASK (mask), NULL);
  g_return_val_if_fail (volume == NULL || cal_grid_same_geometry (cal_volume_get_grid (volume),
                                                                   cal_mask_get_grid (mask), 1e-3), NULL);
  self = g_object_new (CAL_TYPE_EDIT_SESSION, NULL);
  self->mask = g_object_ref (mask);
  self->volume = volume ? g_object_ref (volume) : NULL;
  self->history = cal_edit_history_new (0, 0);
  return self;
}

CalEditSession *
cal_edit_session_new_recovered (CalEditRecovery  *recovery,
                                CalVolume        *volume,
                                GError          **error)
{
  g_autoptr(CalEditSession) self = NULL;

  if (volume != NULL && !cal_grid_same_geometry (cal_volume_get_grid (volume),
                                                 cal_mask_get_grid (recovery->mask), 1e-3))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_GRID_MISMATCH,
                   "The recovered mask is not on the scan's grid: the scan has changed since the session");
      return NULL;
    }
  self = g_object_new (CAL_TYPE_EDIT_SESSION, NULL);
  self->mask = g_object_ref (recovery->mask);
  self->volume = volume ? g_object_ref (volume) : NULL;
  self->history = g_object_ref (recovery->history);
  self->journal = cal_edit_journal_resume (recovery, error);
  if (self->journal == NULL)
    return NULL;
  /* Nothing of the recovered work is saved yet. */
  self->saved_valid = FALSE;
  return g_steal_pointer (&self);
}

gboolean
cal_edit_session_start_journal (CalEditSession  *self,
                                const char      *state_dir,
                                const char      *scan_token,
                                GError         **error)
{
  g_return_val_if_fail (self->journal == NULL, FALSE);
  self->journal = cal_edit_journal_create (state_dir, self->mask, scan_token, error);
  return self->journal != NULL;
}

CalMask *cal_edit_session_get_mask (CalEditSession *self) { return self->mask; }
CalVolume *cal_edit_session_get_volume (CalEditSession *self) { return self->volume; }
CalEditHistory *cal_edit_session_get_history (CalEditSession *self) { return self->history; }
CalEditJournal *cal_edit_session_get_journal (CalEditSession *self) { return self->journal; }
CalEditTransaction *cal_edit_session_get_transaction (CalEditSession *self) { return self->tx; }

gboolean
cal_edit_session_is_modified (CalEditSession *self)
{
  return !self->saved_valid
         || cal_edit_history_get_n_forgotten (self->history) != self->saved_forgotten
         || cal_edit_history_get_position (self->history) != self->saved_position;
}

void
cal_edit_session_set_saved (CalEditSession *self)
{
  self->saved_valid = TRUE;
  self->saved_position = cal_edit_history_get_position (self->history);
  self->saved_forgotten = cal_edit_history_get_n_forgotten (self->history);
}

/* The history drops redo on a new step: a saved state among the dropped
 * steps can no longer be reached by undo and redo alone. */
static void
note_push (CalEditSession *self)
{
  if (self->saved_position > cal_edit_history_get_position (self->history))
    self->saved_valid = FALSE;
}

CalEditTransaction *
cal_edit_session_begin (CalEditSession *self)
{
  g_return_val_if_fail (self->tx == NULL, self->tx);
  self->tx = cal_edit_transaction_new (self->mask);
  return self->tx;
}

static void
emit_changed (CalEditSession *self,
              const CalBox   *box)
{
  CalBox copy = *box;

  self->version++;
  if (!cal_box_is_empty (&copy))
    g_signal_emit (self, signals[MASK_CHANGED], 0, &copy);
}

static gboolean
record (CalEditSession  *self,
        CalEditOp        op,
        CalEditStep     *step,
        GError         **error)
{
  if (self->journal == NULL)
    return TRUE;
  return cal_edit_journal_append (self->journal, op, step, error);
}

gboolean
cal_edit_session_commit (CalEditSession  *self,
                         const char      *name,
                         CalEditKind      kind,
                         CalEditStep    **step_out,
                         GError         **error)
{
  g_autoptr(CalEditTransaction) tx = g_steal_pointer (&self->tx);
  g_autoptr(CalEditStep) step = NULL;

  if (step_out != NULL)
    *step_out = NULL;
  g_return_val_if_fail (tx != NULL, FALSE);
  step = cal_edit_transaction_commit (tx, name, kind);
  if (step == NULL)
    return TRUE;
  note_push (self);
  cal_edit_history_push (self->history, step);
  if (step_out != NULL)
    *step_out = step;
  emit_changed (self, cal_edit_step_get_box (step));
  return record (self, CAL_EDIT_OP_DO, step, error);
}

void
cal_edit_session_revert (CalEditSession *self)
{
  g_autoptr(CalEditTransaction) tx = g_steal_pointer (&self->tx);

  if (tx == NULL)
    return;
  cal_edit_transaction_revert (tx);
  emit_changed (self, cal_edit_transaction_get_touched (tx));
}

gboolean
cal_edit_session_replace_labels (CalEditSession  *self,
                                 CalMask         *result,
                                 const char      *name,
                                 CalEditStep    **step_out,
                                 GError         **error)
{
  CalEditTransaction *tx;

  if (!cal_grid_same_geometry (cal_mask_get_grid (result), cal_mask_get_grid (self->mask), 1e-3))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_GRID_MISMATCH,
                   "The new mask is not on the mask's grid");
      return FALSE;
    }
  tx = cal_edit_session_begin (self);
  cal_edit_transaction_touch_all (tx);
  memcpy (cal_mask_get_labels_mutable (self->mask), cal_mask_get_labels (result),
          cal_grid_n_voxels (cal_mask_get_grid (result)));
  return cal_edit_session_commit (self, name, CAL_EDIT_KIND_WHOLE_MASK, step_out, error);
}

guint64
cal_edit_session_get_version (CalEditSession *self)
{
  return self->version;
}

gboolean
cal_edit_session_apply_step (CalEditSession  *self,
                             CalEditStep     *step,
                             guint64          version,
                             GError         **error)
{
  if (self->tx != NULL || version != self->version)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING,
                   "The mask has changed since the step was computed");
      return FALSE;
    }
  if (!cal_edit_step_apply (step, self->mask, error))
    return FALSE;
  note_push (self);
  cal_edit_history_push (self->history, step);
  emit_changed (self, cal_edit_step_get_box (step));
  return record (self, CAL_EDIT_OP_DO, step, error);
}

typedef struct {
  CalMask        *copy;
  guint64         version;
  CalEditStepFunc func;
  gpointer        data;
  GDestroyNotify  destroy;
} StepWork;

static void
step_work_free (StepWork *w)
{
  g_clear_object (&w->copy);
  if (w->destroy != NULL)
    w->destroy (w->data);
  g_free (w);
}

static void
step_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  StepWork *w = data;
  CalEditStep *step = w->func (w->copy, w->data);

  g_task_return_pointer (task, step, step ? (GDestroyNotify) cal_edit_step_unref : NULL);
}

void
cal_edit_session_step_async (CalEditSession      *self,
                             CalMask             *copy,
                             guint64              version,
                             CalEditStepFunc      func,
                             gpointer             data,
                             GDestroyNotify       destroy,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  StepWork *w = g_new0 (StepWork, 1);

  w->copy = copy ? g_object_ref (copy) : cal_mask_copy (self->mask);
  w->version = copy ? version : self->version;
  w->func = func;
  w->data = data;
  w->destroy = destroy;
  g_task_set_task_data (task, w, (GDestroyNotify) step_work_free);
  g_task_run_in_thread (task, step_in_thread);
}

CalEditStep *
cal_edit_session_step_finish (CalEditSession  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  StepWork *w = g_task_get_task_data (G_TASK (result));
  g_autoptr(CalEditStep) step = g_task_propagate_pointer (G_TASK (result), error);

  if (step == NULL || !cal_edit_session_apply_step (self, step, w->version, error))
    return NULL;
  return g_steal_pointer (&step);
}

static gboolean
move (CalEditSession  *self,
      gboolean         undo,
      GError         **error)
{
  CalEditStep *step;

  g_return_val_if_fail (self->tx == NULL, FALSE);
  step = undo ? cal_edit_history_undo (self->history, self->mask, error)
              : cal_edit_history_redo (self->history, self->mask, error);
  if (step == NULL)
    return FALSE;
  emit_changed (self, cal_edit_step_get_box (step));
  return record (self, undo ? CAL_EDIT_OP_UNDO : CAL_EDIT_OP_REDO, step, error);
}

gboolean
cal_edit_session_undo (CalEditSession  *self,
                       GError         **error)
{
  return move (self, TRUE, error);
}

gboolean
cal_edit_session_redo (CalEditSession  *self,
                       GError         **error)
{
  return move (self, FALSE, error);
}

gboolean
cal_edit_session_end_journal (CalEditSession  *self,
                              gboolean         remove,
                              GError         **error)
{
  CalEditJournal *journal = g_steal_pointer (&self->journal);

  if (journal == NULL)
    return TRUE;
  if (remove)
    return cal_edit_journal_remove (journal, error);
  cal_edit_journal_close (journal);
  return TRUE;
}
