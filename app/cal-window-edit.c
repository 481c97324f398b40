/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Editing in the window: the session and its crash-safe journal, the tools,
 * undo and redo, the history list, fill between slices with its preview,
 * and saving and opening masks. */
#include "cal-window-private.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cal-fill-between.h"
#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-seal.h"

static const char *const tool_names[] = {
  [CAL_EDIT_TOOL_NAVIGATE] = "navigate",
  [CAL_EDIT_TOOL_BRUSH] = "brush",
  [CAL_EDIT_TOOL_ERASER] = "eraser",
  [CAL_EDIT_TOOL_KEEP_ISLAND] = "keep-island",
  [CAL_EDIT_TOOL_REMOVE_ISLAND] = "remove-island",
  [CAL_EDIT_TOOL_SCISSORS] = "scissors",
  [CAL_EDIT_TOOL_RULER] = "ruler",
  [CAL_EDIT_TOOL_RECTANGLE] = "rectangle",
  [CAL_EDIT_TOOL_ELLIPSE] = "ellipse",
};

CalEditTools *
cal_window_get_tools (CalWindow *self)
{
  return cal_view_state_get_tools (self->state);
}

const char *
cal_window_get_tool_name (CalWindow *self)
{
  /* The tool action asks while the template is built, before the state exists. */
  if (self->state == NULL)
    return tool_names[CAL_EDIT_TOOL_NAVIGATE];
  return tool_names[cal_edit_tools_get_tool (cal_window_get_tools (self))];
}

void
cal_window_set_tool_name (CalWindow  *self,
                          const char *name)
{
  for (guint i = 0; self->state != NULL && i < G_N_ELEMENTS (tool_names); i++)
    if (g_strcmp0 (name, tool_names[i]) == 0)
      cal_edit_tools_set_tool (cal_window_get_tools (self), (CalEditTool) i);
}

/* History --------------------------------------------------------------- */

/* The step's name for people: the journal keeps it in English. */
static char *
step_label (CalEditStep *step)
{
  const char *name = cal_edit_step_get_name (step);
  guint64 added = cal_edit_step_get_n_added (step), removed = cal_edit_step_get_n_removed (step);
  g_autofree char *what = NULL, *counts = NULL;

  double r, lo, hi;
  char axis;

  if (sscanf (name, "Brush %lf mm", &r) == 1)
    what = g_strdup_printf (strstr (name, "sphere") ? _("Brush %.1f mm sphere") : _("Brush %.1f mm"), r);
  else if (sscanf (name, "Eraser %lf mm", &r) == 1)
    what = g_strdup_printf (strstr (name, "sphere") ? _("Eraser %.1f mm sphere") : _("Eraser %.1f mm"), r);
  else if (g_str_equal (name, "Keep island"))
    what = g_strdup (_("Keep piece"));
  else if (g_str_equal (name, "Remove island"))
    what = g_strdup (_("Remove piece"));
  else if (sscanf (name, "Fill between slices (%c)", &axis) == 1)
    what = g_strdup_printf (_("Fill between slices (%c)"), axis);
  else if (sscanf (name, "Threshold %lf to %lf HU", &lo, &hi) == 2)
    what = g_strdup_printf (_("Threshold %g to %g HU"), lo, hi);
  else if (sscanf (name, "Remove islands under %lf", &r) == 1)
    what = g_strdup_printf (_("Remove pieces under %g mm³"), r);
  else if (g_str_equal (name, "Scissors"))
    what = g_strdup (_("Scissors"));
  else if (g_str_equal (name, "Scissors, in front"))
    what = g_strdup (_("Scissors, what is in front"));
  else if (g_str_equal (name, "Scissors, keep inside"))
    what = g_strdup (_("Scissors, keep inside"));
  else if (g_str_equal (name, "Segment skull (U-net)"))
    what = g_strdup (_("Segment skull (U-net)"));
  else if (g_str_equal (name, "Open mask"))
    what = g_strdup (_("Open mask"));
  else
    what = g_strdup (name);
  if (added > 0 && removed > 0)
    counts = g_strdup_printf (_("%llu voxels added, %llu removed"), (unsigned long long) added,
                              (unsigned long long) removed);
  else if (removed > 0)
    counts = g_strdup_printf (_("%llu voxels removed"), (unsigned long long) removed);
  else
    counts = g_strdup_printf (_("%llu voxels added"), (unsigned long long) added);
  return g_strdup_printf ("%s · %s", what, counts);
}

static void
rebuild_history (CalWindow *self)
{
  CalEditHistory *history = self->edit ? cal_edit_session_get_history (self->edit) : NULL;
  GtkWidget *child;
  guint n = history ? cal_edit_history_get_n_steps (history) : 0;
  guint position = history ? cal_edit_history_get_position (history) : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL
         && GTK_IS_LIST_BOX_ROW (child))
    gtk_list_box_remove (self->history_list, child);
  /* Newest first, as engineers look for the last thing they did. */
  for (guint i = n; i-- > 0; )
    {
      g_autofree char *text = step_label (cal_edit_history_get_step (history, i));
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data (G_OBJECT (row), "cal-position", GUINT_TO_POINTER (i + 1));
      if (i >= position)
        gtk_widget_add_css_class (label, "dim-label");   /* undone: redo brings it back */
      if (i + 1 == position)
        gtk_widget_add_css_class (label, "heading");
      gtk_list_box_append (self->history_list, row);
    }
  cal_window_update_actions (self);
}

/* Undo or redo until `position` steps are applied. */
gboolean
cal_window_go_to_step (CalWindow *self,
                       guint      position)
{
  CalEditHistory *history;
  g_autoptr (GError) error = NULL;

  if (self->edit == NULL || cal_edit_session_get_transaction (self->edit) != NULL)
    return FALSE;
  history = cal_edit_session_get_history (self->edit);
  while (cal_edit_history_get_position (history) > position)
    if (!cal_edit_session_undo (self->edit, &error))
      break;
  while (error == NULL && cal_edit_history_get_position (history) < position)
    if (!cal_edit_session_redo (self->edit, &error))
      break;
  if (error != NULL)
    cal_window_show_error (self, _("The edit could not be made safe on disk"), error);
  return error == NULL;
}

void
cal_window_history_row_activated (GtkListBox    *list,
                                  GtkListBoxRow *row,
                                  CalWindow     *self)
{
  cal_window_go_to_step (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cal-position")));
}

/* The session ---------------------------------------------------------- */

static void
mask_changed_cb (CalWindow    *self,
                 const CalBox *box)
{
  g_autofree char *text = NULL;
  guint applied = cal_edit_history_get_position (cal_edit_session_get_history (self->edit));

  text = g_strdup_printf (g_dngettext (NULL, "%u edit applied (Ctrl+Z undoes the last)",
                                       "%u edits applied (Ctrl+Z undoes the last)", applied), applied);
  /* A preview is not an edit yet: the label follows the history. */
  if (cal_edit_session_get_transaction (self->edit) == NULL)
    gtk_label_set_text (self->mask_label, text);
  if (self->surface != NULL || self->surface_busy)
    cal_window_surface_mask_changed (self, box);
  else
    gtk_label_set_text (self->mesh_label, _("The 3D surface is out of date: update it."));
  cal_window_surface_show_status (self);
}

/* The journal's scan token: the scan's location sealed, as in the recent list. */
static char *
scan_token (CalWindow *self)
{
  g_autofree char *uri = self->file ? g_file_get_uri (self->file) : NULL;
  g_autofree char *key = cal_window_recent_key_path ();

  return uri ? cal_seal_text (key, uri, NULL) : NULL;
}

static void
set_session (CalWindow      *self,
             CalEditSession *session)
{
  if (self->edit != NULL)
    {
      g_signal_handlers_disconnect_by_data (cal_edit_session_get_history (self->edit), self);
      g_signal_handlers_disconnect_by_data (self->edit, self);
      /* Unchanged work needs no journal; changed work stays recoverable. */
      cal_edit_session_end_journal (self->edit, !cal_edit_session_is_modified (self->edit), NULL);
    }
  /* A new mask: the brush goes back to it from the region. */
  cal_window_set_painting_region (self, FALSE);
  g_set_object (&self->edit, session);
  cal_edit_tools_set_session (cal_window_get_tools (self), session);
  if (session != NULL)
    {
      cal_view_state_set_mask (self->state, cal_edit_session_get_mask (session));
      g_signal_connect_swapped (cal_edit_session_get_history (session), "changed",
                                G_CALLBACK (rebuild_history), self);
      g_signal_connect_swapped (session, "mask-changed", G_CALLBACK (mask_changed_cb), self);
    }
  rebuild_history (self);
}

void
cal_window_edit_start_journal (CalWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = scan_token (self);

  if (!cal_edit_session_start_journal (self->edit, NULL, token, &error))
    cal_window_show_error (self, _("Edits cannot be made crash-safe (the journal could not be started)"), error);
}

static gboolean
restore_pending (CalWindow *self)
{
  g_autofree char *path = g_steal_pointer (&self->pending_recovery);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalEditRecovery) recovery = NULL;
  g_autoptr (CalEditSession) session = NULL;
  g_autofree char *text = NULL;

  if (path == NULL)
    return FALSE;
  recovery = cal_edit_journal_recover (path, &error);
  if (recovery != NULL)
    session = cal_edit_session_new_recovered (recovery, cal_view_state_get_volume (self->state), &error);
  if (session == NULL)
    {
      cal_window_show_error (self, _("The unsaved edits could not be restored (they are kept for another try)"), error);
      return FALSE;
    }
  set_session (self, session);
  text = recovery->tail_discarded
    ? g_strdup_printf (_("Unsaved edits restored: %llu steps; the last one was incomplete and left out"),
                       (unsigned long long) recovery->seq)
    : g_strdup_printf (_("Unsaved edits restored: %llu steps"), (unsigned long long) recovery->seq);
  cal_window_toast (self, text);
  cal_window_set_mask_origin (self, _("Restored from the unsaved session"));
  gtk_label_set_text (self->mask_label, _("Save it to keep it."));
  return TRUE;
}

void
cal_window_edit_scan_loaded (CalWindow *self)
{
  g_autoptr (CalMask) mask = NULL;
  g_autoptr (CalEditSession) session = NULL;
  CalVolume *volume = cal_view_state_get_volume (self->state);

  if (restore_pending (self))
    return;
  mask = cal_mask_new (cal_volume_get_grid (volume));
  session = cal_edit_session_new (mask, volume);
  set_session (self, session);
  cal_window_edit_start_journal (self);
}

/* A whole-mask result (threshold, U-net, an opened mask) as one step. */
gboolean
cal_window_edit_apply (CalWindow  *self,
                       CalMask    *result,
                       const char *name)
{
  g_autoptr (GError) error = NULL;

  if (self->edit == NULL)
    return FALSE;
  if (cal_edit_tools_is_painting (cal_window_get_tools (self)))
    cal_edit_tools_stroke_end (cal_window_get_tools (self));   /* the stroke first, as its own step */
  if (cal_edit_session_get_transaction (self->edit) != NULL)
    {
      cal_edit_session_revert (self->edit);
      gtk_revealer_set_reveal_child (self->preview_revealer, FALSE);
      cal_window_toast (self, _("The fill preview was discarded"));
    }
  if (!cal_edit_session_replace_labels (self->edit, result, name, NULL, &error))
    {
      cal_window_show_error (self, _("The edit could not be made safe on disk"), error);
      return FALSE;
    }
  return TRUE;
}

/* Whole-mask results off the main thread: the task keeps a copy of the mask
 * as it was when it started; when the result comes, a worker computes the
 * step between them, and the main thread only XORs it in (a 512 × 512 × 300
 * mask would stall the window for 0.4 s otherwise). */
void
cal_window_edit_task_started (CalWindow *self)
{
  g_clear_object (&self->task_base);
  if (self->edit == NULL)
    return;
  self->task_base = cal_mask_copy (cal_edit_session_get_mask (self->edit));
  self->task_base_version = cal_edit_session_get_version (self->edit);
}

typedef struct {
  CalWindow   *window;
  CalMask     *result;
  char        *name;
  char        *label;
} StepJob;

static void
step_job_free (StepJob *job)
{
  g_clear_object (&job->window);
  g_clear_object (&job->result);
  g_free (job->name);
  g_free (job->label);
  g_free (job);
}

static CalEditStep *
step_between (CalMask  *base,
              gpointer  data)
{
  StepJob *job = data;
  return cal_edit_step_new_between (base, job->result, job->name, CAL_EDIT_KIND_WHOLE_MASK);
}

static void
step_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  StepJob *job = data;
  CalWindow *self = job->window;
  g_autoptr (GError) error = NULL;
  g_autoptr (CalEditStep) step = cal_edit_session_step_finish (CAL_EDIT_SESSION (source), result, &error);

  cal_window_end_task (self);
  /* Edited meanwhile: the labels replace the mask as one step instead. */
  if (g_error_matches (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING) && self->edit == CAL_EDIT_SESSION (source))
    cal_window_edit_apply (self, job->result, job->name);
  else if (error != NULL)
    cal_window_show_error (self, _("The edit could not be made safe on disk"), error);
  gtk_label_set_text (self->mask_label, job->label);
  cal_window_update_actions (self);
  step_job_free (job);
}

void
cal_window_edit_finish_task (CalWindow  *self,
                             CalMask    *result,
                             const char *name,
                             const char *label)
{
  g_autoptr (CalMask) base = g_steal_pointer (&self->task_base);
  StepJob *job;

  if (self->edit == NULL || base == NULL)
    {
      cal_window_end_task (self);
      cal_window_edit_apply (self, result, name);
      gtk_label_set_text (self->mask_label, label);
      cal_window_update_actions (self);
      return;
    }
  job = g_new0 (StepJob, 1);
  job->window = g_object_ref (self);
  job->result = g_object_ref (result);
  job->name = g_strdup (name);
  job->label = g_strdup (label);
  cal_edit_session_step_async (self->edit, base, self->task_base_version, step_between, job, NULL,
                               step_done_cb, job);
}

gboolean
cal_window_has_edits (CalWindow *self)
{
  return self->edit != NULL && cal_edit_history_get_position (cal_edit_session_get_history (self->edit)) > 0;
}

CalEditSession *
cal_window_get_edit_session (CalWindow *self)
{
  return self->edit;
}

void
cal_window_edit_dispose (CalWindow *self)
{
  set_session (self, NULL);
}
