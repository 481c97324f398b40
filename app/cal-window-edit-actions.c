/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's editing actions: undo, redo, fill between slices (preview,
 * apply, discard), save and open a mask, and restoring unsaved edits. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-fill-between.h"
#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-seal.h"

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalEditSession *edit = cal_window_get_edit_session (self);

  if (cal_window_is_painting_region (self))
    {
      /* The region's strokes: a history of their own, nothing to journal. */
      CalEditSession *region = cal_window_active_edit_session (self);
      if (cal_edit_session_get_transaction (region) == NULL)
        (void) (g_str_equal (action_name, "win.undo") ? cal_edit_session_undo (region, NULL)
                                                      : cal_edit_session_redo (region, NULL));
      return;
    }
  if (edit != NULL)
    cal_window_go_to_step (self, cal_edit_history_get_position (cal_edit_session_get_history (edit))
                                 - (g_str_equal (action_name, "win.undo") ? 1 : -1));
}

/* Fill between slices ---------------------------------------------------- */

static void
fill_between_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalEditSession *edit = cal_window_get_edit_session (self);
  CalSliceView *view = cal_window_get_slice_view (self, self->last_orientation);
  CalEditTransaction *tx;
  CalFillSummary summary;
  g_autofree char *text = NULL;
  guint64 added;
  CalBox box;
  int axis;

  if (edit == NULL || cal_edit_session_get_transaction (edit) != NULL)
    return;
  axis = cal_slice_view_get_voxel_axis (view);
  tx = cal_edit_session_begin (edit);
  added = cal_fill_between_slices (tx, CAL_LABEL_BONE, axis, &summary);
  if (added == 0)
    {
      cal_edit_session_revert (edit);
      cal_window_toast (self, _("Nothing to fill: draw the shape on two slices or more, with empty slices between them"));
      return;
    }
  box = *cal_edit_transaction_get_touched (tx);
  g_signal_emit_by_name (edit, "mask-changed", &box);
  /* TRANSLATORS: the fill preview; the view is Axial, Coronal or Sagittal */
  text = g_strdup_printf (_("Fill between slices (preview): %llu voxels on %u slices, between %u drawn slices "
                            "across the %s view."),
                          (unsigned long long) added, summary.n_filled, summary.n_drawn,
                          cal_slice_view_get_title (view));
  if (summary.n_unmatched > 0)
    {
      g_autofree char *more = g_strconcat (text, " ", _("Pieces that overlap nothing on the next drawn slice are "
                                                         "left as they are."), NULL);
      g_free (text);
      text = g_steal_pointer (&more);
    }
  gtk_label_set_text (self->preview_label, text);
  gtk_revealer_set_reveal_child (self->preview_revealer, TRUE);
  cal_window_update_actions (self);
}

static void
preview_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalEditSession *edit = cal_window_get_edit_session (self);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  if (edit == NULL || cal_edit_session_get_transaction (edit) == NULL)
    return;
  gtk_revealer_set_reveal_child (self->preview_revealer, FALSE);
  if (g_str_equal (action_name, "win.preview-discard"))
    cal_edit_session_revert (edit);
  else
    {
      name = g_strdup_printf ("Fill between slices (%c)", "xyz"[cal_slice_view_get_voxel_axis (
                                cal_window_get_slice_view (self, self->last_orientation))]);
      if (!cal_edit_session_commit (edit, name, CAL_EDIT_KIND_REGION, NULL, &error))
        cal_window_show_error (self, _("The edit could not be made safe on disk"), error);
    }
  cal_window_update_actions (self);
}

/* Pieces under a volume, as one step. */
static void
remove_small_pieces_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);

  cal_edit_tools_remove_small (cal_window_get_tools (self), gtk_spin_button_get_value (self->small_pieces_spin));
}

/* Save and open ---------------------------------------------------------- */

gboolean
cal_window_save_mask_to (CalWindow  *self,
                         GFile      *file,
                         GError    **error)
{
  CalEditSession *edit = cal_window_get_edit_session (self);
  g_autofree char *path = g_file_get_path (file);

  if (edit == NULL || path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Masks are saved to local files only"));
      return FALSE;
    }
  if (!cal_nifti_path_is_nifti (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("A mask is saved as NIfTI: give the file name the ending .nii.gz or .nii"));
      return FALSE;
    }
  if (!cal_nifti_write_mask (cal_edit_session_get_mask (edit), path, CAL_NIFTI_1, error))
    return FALSE;
  cal_edit_session_set_saved (edit);
  /* Saved: the journal has done its work.  A new one keeps what comes next safe. */
  cal_edit_session_end_journal (edit, TRUE, NULL);
  cal_window_edit_start_journal (self);
  return TRUE;
}

typedef struct {
  CalWindow      *self;
  GFunc           then;     /* after a successful save, with data */
  gpointer        data;
  GDestroyNotify  free_data;
} SaveRequest;

static void
save_response_cb (GtkNativeDialog *chooser,
                  int              response,
                  SaveRequest     *request)
{
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (cal_window_save_mask_to (request->self, file, &error))
        {
          cal_window_toast (request->self, _("Mask saved"));
          if (request->then)
            request->then (request->data, NULL);
        }
      else
        cal_window_show_error (request->self, _("The mask could not be saved"), error);
    }
  if (request->free_data)
    request->free_data (request->data);
  g_object_unref (request->self);
  g_free (request);
  g_object_unref (chooser);
}

GtkFileFilter *
cal_window_nifti_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("NIfTI masks (.nii.gz, .nii)"));
  gtk_file_filter_add_suffix (filter, "nii.gz");
  gtk_file_filter_add_suffix (filter, "nii");
  return filter;
}

void
cal_window_ask_save_mask (CalWindow      *self,
                          GFunc           then,
                          gpointer        data,
                          GDestroyNotify  free_data)
{
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = cal_window_nifti_filter ();
  SaveRequest *request = g_new0 (SaveRequest, 1);

  *request = (SaveRequest) { g_object_ref (self), then, data, free_data };
  chooser = gtk_file_chooser_native_new (_("Save Mask"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  /* Never the scan's name: it is often the patient's. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "mask.nii.gz");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_mask_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  cal_window_ask_save_mask (CAL_WINDOW (widget), NULL, NULL, NULL);
}

gboolean
cal_window_open_mask_from (CalWindow  *self,
                           GFile      *file,
                           GError    **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (CalMask) mask = NULL;
  g_autoptr (CalLoadReport) report = cal_load_report_new ();
  CalVolume *volume = cal_view_state_get_volume (self->state);

  if (volume == NULL || path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a scan first, then its mask"));
      return FALSE;
    }
  mask = cal_mask_load (path, 0, CAL_LOAD_FLAGS_NONE, report, NULL, error);
  if (mask == NULL || !cal_edit_mask_fits_volume (mask, volume, error))
    return FALSE;
  if (!cal_window_edit_apply (self, mask, "Open mask"))
    return FALSE;
  cal_window_set_mask_origin (self, _("Opened from a file"));
  gtk_label_set_text (self->mask_label, _("Undo puts back the mask before it."));
  return TRUE;
}

static void
open_response_cb (GtkNativeDialog *chooser,
                  int              response,
                  CalWindow       *self)
{
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (!cal_window_open_mask_from (self, file, &error))
        cal_window_show_error (self, _("The mask could not be opened"), error);
    }
  g_object_unref (chooser);
}

static void
open_mask_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = cal_window_nifti_filter ();

  chooser = gtk_file_chooser_native_new (_("Open Mask"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Restoring unsaved edits ------------------------------------------------ */

void
cal_window_restore_session (CalWindow  *self,
                            const char *session_path,
                            GFile      *scan)
{
  g_free (self->pending_recovery);
  self->pending_recovery = g_strdup (session_path);
  cal_window_load (self, scan, NULL);
}

static void
restore_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     CalWindow        *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "cal-session");
  g_autoptr (GError) error = NULL;

  if (g_str_equal (response, "discard"))
    {
      g_autoptr (CalEditRecovery) r = cal_edit_journal_recover (path, NULL);
      g_autoptr (CalEditSession) s = r ? cal_edit_session_new_recovered (r, NULL, &error) : NULL;
      if (s != NULL)
        cal_edit_session_end_journal (s, TRUE, NULL);
    }
  else if (g_str_equal (response, "restore"))
    {
      g_autoptr (CalEditRecovery) r = cal_edit_journal_recover (path, &error);
      g_autofree char *key = cal_window_recent_key_path ();
      g_autofree char *uri = r && r->scan_token && *r->scan_token
                               ? cal_unseal_text (key, r->scan_token, &error) : NULL;
      if (uri == NULL)
        {
          cal_window_show_error (self, _("The scan of the unsaved edits cannot be found (they are kept)"), error);
          return;
        }
      {
        g_autoptr (GFile) scan = g_file_new_for_uri (uri);
        cal_window_restore_session (self, path, scan);
      }
    }
}

/* After a crash: offer the first session that no running Calvaria holds. */
void
cal_window_offer_restore (CalWindow *self)
{
  g_autoptr (GPtrArray) orphans = cal_edit_journal_list_orphans (NULL);
  AdwMessageDialog *dialog;

  if (orphans->len == 0)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Restore Unsaved Edits?"),
                                                       _("Calvaria stopped before an edited mask was saved. "
                                                         "Restoring reopens its scan and rebuilds the mask "
                                                         "up to the last complete step.")));
  adw_message_dialog_add_responses (dialog, "later", _("_Later"), "discard", _("_Discard"),
                                    "restore", _("_Restore"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "restore", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "restore");
  adw_message_dialog_set_close_response (dialog, "later");
  g_object_set_data_full (G_OBJECT (dialog), "cal-session", g_strdup (g_ptr_array_index (orphans, 0)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
cal_window_install_edit_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.fill-between", NULL, fill_between_action);
  gtk_widget_class_install_action (widget_class, "win.remove-small-pieces", NULL, remove_small_pieces_action);
  gtk_widget_class_install_action (widget_class, "win.preview-apply", NULL, preview_action);
  gtk_widget_class_install_action (widget_class, "win.preview-discard", NULL, preview_action);
  gtk_widget_class_install_action (widget_class, "win.save-mask", NULL, save_mask_action);
  gtk_widget_class_install_action (widget_class, "win.open-mask", NULL, open_mask_action);
  gtk_widget_class_install_property_action (widget_class, "win.tool", "edit-tool");
}
