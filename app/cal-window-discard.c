/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Never a segmentation thrown away without asking (issue 30): opening
 * another scan, closing the window or quitting while the mask has changes
 * that are not saved asks “Discard the Segmentation?” — Save… (and goes
 * on once saved), Discard, or Cancel; closing also offers to keep the
 * changes for the next start (the edit journal).  Without such changes
 * nothing is asked. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-edit-session.h"

typedef struct {
  CalWindow *self;
  gboolean   close;        /* else open `file` */
  GFile     *file;
  char      *series_uid;
  gboolean   answered;     /* a dialog responds once, even if closed after */
} Pending;

static Pending *
pending_new (CalWindow  *self,
             gboolean    close,
             GFile      *file,
             const char *series_uid)
{
  Pending *p = g_new0 (Pending, 1);

  p->self = g_object_ref (self), p->close = close;
  p->file = file ? g_object_ref (file) : NULL, p->series_uid = g_strdup (series_uid);
  return p;
}

static void
pending_free (Pending *p)
{
  g_clear_object (&p->file);
  g_object_unref (p->self);
  g_free (p->series_uid);
  g_free (p);
}

gboolean
cal_window_has_unsaved_mask (CalWindow *self)
{
  return self->edit != NULL && cal_edit_session_is_modified (self->edit);
}

static gboolean
close_later_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* What was asked for, now that the mask is saved or given up. */
static void
go_on (Pending *p)
{
  if (p->close)
    {
      p->self->close_confirmed = TRUE;
      /* After the dialog, which is transient for this window, has gone. */
      g_idle_add (close_later_cb, g_object_ref (p->self));
    }
  else
    cal_window_load (p->self, p->file, p->series_uid);
}

static void
go_on_cb (gpointer data,
          gpointer unused)
{
  go_on (data);
}

static void
save_then (Pending *p)
{
  cal_window_ask_save_mask (p->self, go_on_cb, p, (GDestroyNotify) pending_free);
}

/* p belongs to the dialog (freed with it); Save… takes a copy of its own
 * for the file chooser. */
static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             Pending          *p)
{
  if (p->answered)
    return;
  p->answered = TRUE;
  if (g_str_equal (response, "save"))
    save_then (pending_new (p->self, p->close, p->file, p->series_uid));
  else if (g_str_equal (response, "discard"))
    {
      cal_edit_session_end_journal (p->self->edit, TRUE, NULL);
      go_on (p);
    }
  else if (g_str_equal (response, "keep"))
    go_on (p);   /* the journal stays; the next start offers to restore it */
}

static gboolean
ask (Pending *p)
{
  AdwMessageDialog *dialog;

  if (!cal_window_has_unsaved_mask (p->self))
    {
      pending_free (p);
      return FALSE;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (p->self), _("Discard the Segmentation?"),
    p->close ? _("The mask has changes that are not saved. Kept for later, they are offered the next time "
                 "Calvaria starts.")
             : _("The mask has changes that are not saved. Opening another scan discards them.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"), NULL);
  if (p->close)
    adw_message_dialog_add_response (dialog, "keep", _("_Keep for Later"));
  adw_message_dialog_add_response (dialog, "save", _("_Save…"));
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "cal-pending", p, (GDestroyNotify) pending_free);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), p);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

gboolean
cal_window_confirm_close (CalWindow *self)
{
  if (self->close_confirmed)
    return FALSE;
  return ask (pending_new (self, TRUE, NULL, NULL));
}

void
cal_window_open (CalWindow  *self,
                 GFile      *file,
                 const char *series_uid)
{
  g_return_if_fail (CAL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  if (!ask (pending_new (self, FALSE, file, series_uid)))
    cal_window_load (self, file, series_uid);
}
