/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-history.h"

struct _CalEditHistory
{
  GObject    parent_instance;

  GPtrArray *steps;      /* CalEditStep, oldest first */
  guint      position;   /* steps[0 .. position) are applied */
  guint      max_steps;
  gsize      max_bytes;
  gsize      bytes;
  guint      n_forgotten;
};

G_DEFINE_FINAL_TYPE (CalEditHistory, cal_edit_history, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cal_edit_history_finalize (GObject *object)
{
  CalEditHistory *self = CAL_EDIT_HISTORY (object);

  g_ptr_array_unref (self->steps);
  G_OBJECT_CLASS (cal_edit_history_parent_class)->finalize (object);
}

static void
cal_edit_history_class_init (CalEditHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_edit_history_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cal_edit_history_init (CalEditHistory *self)
{
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) cal_edit_step_unref);
}

CalEditHistory *
cal_edit_history_new (guint max_steps,
                      gsize max_bytes)
{
  CalEditHistory *self = g_object_new (CAL_TYPE_EDIT_HISTORY, NULL);

  self->max_steps = max_steps ? max_steps : CAL_EDIT_HISTORY_DEFAULT_STEPS;
  self->max_bytes = max_bytes ? max_bytes : CAL_EDIT_HISTORY_DEFAULT_BYTES;
  return self;
}

static void
drop_from (CalEditHistory *self,
           guint           first)
{
  for (guint i = first; i < self->steps->len; i++)
    self->bytes -= cal_edit_step_get_size (g_ptr_array_index (self->steps, i));
  g_ptr_array_set_size (self->steps, first);
}

static void
forget_oldest (CalEditHistory *self)
{
  while (self->steps->len > 1
         && (self->steps->len > self->max_steps || self->bytes > self->max_bytes))
    {
      self->bytes -= cal_edit_step_get_size (g_ptr_array_index (self->steps, 0));
      g_ptr_array_remove_index (self->steps, 0);
      self->position--;
      self->n_forgotten++;
    }
}

void
cal_edit_history_push (CalEditHistory *self,
                       CalEditStep    *step)
{
  g_return_if_fail (CAL_IS_EDIT_HISTORY (self));

  drop_from (self, self->position);
  g_ptr_array_add (self->steps, cal_edit_step_ref (step));
  self->bytes += cal_edit_step_get_size (step);
  self->position++;
  forget_oldest (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
cal_edit_history_can_undo (CalEditHistory *self)
{
  return self->position > 0;
}

gboolean
cal_edit_history_can_redo (CalEditHistory *self)
{
  return self->position < self->steps->len;
}

static CalEditStep *
move (CalEditHistory  *self,
      CalMask         *mask,
      gboolean         undo,
      GError         **error)
{
  CalEditStep *step;

  if (undo ? !cal_edit_history_can_undo (self) : !cal_edit_history_can_redo (self))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING,
                   undo ? "There is nothing to undo" : "There is nothing to redo");
      return NULL;
    }
  step = g_ptr_array_index (self->steps, undo ? self->position - 1 : self->position);
  if (!cal_edit_step_apply (step, mask, error))
    return NULL;
  self->position += undo ? -1 : 1;
  g_signal_emit (self, signals[CHANGED], 0);
  return step;
}

CalEditStep *
cal_edit_history_undo (CalEditHistory  *self,
                       CalMask         *mask,
                       GError         **error)
{
  g_return_val_if_fail (CAL_IS_EDIT_HISTORY (self), NULL);
  return move (self, mask, TRUE, error);
}

CalEditStep *
cal_edit_history_redo (CalEditHistory  *self,
                       CalMask         *mask,
                       GError         **error)
{
  g_return_val_if_fail (CAL_IS_EDIT_HISTORY (self), NULL);
  return move (self, mask, FALSE, error);
}

void
cal_edit_history_clear (CalEditHistory *self)
{
  drop_from (self, 0);
  self->position = 0;
  g_signal_emit (self, signals[CHANGED], 0);
}

guint cal_edit_history_get_n_steps (CalEditHistory *self) { return self->steps->len; }
guint cal_edit_history_get_position (CalEditHistory *self) { return self->position; }
gsize cal_edit_history_get_bytes (CalEditHistory *self) { return self->bytes; }
guint cal_edit_history_get_n_forgotten (CalEditHistory *self) { return self->n_forgotten; }

CalEditStep *
cal_edit_history_get_step (CalEditHistory *self,
                           guint           index)
{
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, index);
}

char *
cal_edit_step_describe (CalEditStep *step)
{
  guint64 added = cal_edit_step_get_n_added (step), removed = cal_edit_step_get_n_removed (step);
  guint64 relabelled = cal_edit_step_get_n_changed (step) - added - removed;
  GString *s = g_string_new (cal_edit_step_get_name (step));
  const char *sep = ": ";

  const char *unit = " voxels";

  if (added > 0)
    {
      g_string_append_printf (s, "%s%" G_GUINT64_FORMAT "%s added", sep, added, unit);
      sep = ", ";
      unit = "";
    }
  if (removed > 0)
    {
      g_string_append_printf (s, "%s%" G_GUINT64_FORMAT "%s removed", sep, removed, unit);
      sep = ", ";
      unit = "";
    }
  if (relabelled > 0)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT "%s relabelled", sep, relabelled, unit);
  return g_string_free (s, FALSE);
}
