/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The region of interest as a label: opened from a file, or painted in the
 * slice views with the brush and the eraser.  Painting gives the editing
 * tools a session of their own over the region (its own undo, no journal:
 * the region is a measuring aid, not the segmentation), so every tool the
 * mask has works on the region too, and the mask stays untouched. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-edit-session.h"
#include "cal-loader.h"
#include "cal-mask-components.h"
#include "cal-nifti.h"

static void
describe_painted (CalWindow *self, CalMask *region, const char *what)
{
  g_autofree char *text = NULL;
  guint64 labelled = cal_grid_n_voxels (cal_mask_get_grid (region)) - cal_mask_count (region, 0);
  double ml = (double) labelled * cal_mask_voxel_volume (region) / 1000;

  /* TRANSLATORS: "%s" is where the region came from ("Painted", "A label file"). */
  text = g_strdup_printf (_("%s: %.1f mL"), what, ml);
  cal_window_quality_set_painted_region (self, region, text);
}

static void
region_changed_cb (CalWindow *self, gpointer box)
{
  /* TRANSLATORS: said of the region of interest while it is painted. */
  describe_painted (self, cal_edit_session_get_mask (self->region_edit),
                    _("Painted (brush adds, eraser removes, Ctrl+Z undoes; the mask is not changed)"));
}

gboolean
cal_window_is_painting_region (CalWindow *self)
{
  return self->region_edit != NULL &&
         cal_edit_tools_get_session (cal_window_get_tools (self)) == self->region_edit;
}

/* The session undo and redo act on: the region's while it is painted. */
CalEditSession *
cal_window_active_edit_session (CalWindow *self)
{
  return cal_window_is_painting_region (self) ? self->region_edit : cal_window_get_edit_session (self);
}

/* Starts from the region shown: the one painted or opened before, else the
 * defect edge the last Compare found (to widen or trim), else nothing. */
static CalMask *
starting_region (CalWindow *self, CalVolume *volume)
{
  CalMask *painted = cal_window_quality_get_painted_region (self);
  CalMask *found = cal_window_quality_get_found_region (self);

  if (painted != NULL)
    return g_object_ref (painted);
  if (found != NULL)
    return cal_mask_copy (found);
  return cal_mask_new (cal_volume_get_grid (volume));
}

static void
start_painting (CalWindow *self)
{
  CalVolume *volume = cal_view_state_get_volume (self->state);
  CalEditTools *tools = cal_window_get_tools (self);
  g_autoptr(CalMask) region = NULL;

  if (volume == NULL)
    return;
  if (self->region_edit == NULL)
    {
      region = starting_region (self, volume);
      /* No CT under it: the region is what the brush covers, whatever the
       * HU range for painting bone says. */
      self->region_edit = cal_edit_session_new (region, NULL);
      g_signal_connect_swapped (self->region_edit, "mask-changed", G_CALLBACK (region_changed_cb), self);
      g_signal_connect_swapped (cal_edit_session_get_history (self->region_edit), "changed",
                                G_CALLBACK (cal_window_update_actions), self);
      region_changed_cb (self, NULL);
    }
  if (cal_edit_tools_is_painting (tools))
    cal_edit_tools_stroke_end (tools);
  cal_edit_tools_set_session (tools, self->region_edit);
  if (cal_edit_tools_get_tool (tools) == CAL_EDIT_TOOL_NAVIGATE || cal_edit_tool_measures (cal_edit_tools_get_tool (tools)))
    cal_window_set_tool_name (self, "brush");
  cal_window_quality_show_region (self);
}

static void
stop_painting (CalWindow *self)
{
  CalEditTools *tools = cal_window_get_tools (self);

  if (!cal_window_is_painting_region (self))
    return;
  if (cal_edit_tools_is_painting (tools))
    cal_edit_tools_stroke_end (tools);
  cal_edit_tools_set_session (tools, cal_window_get_edit_session (self));
  cal_window_quality_show_region (self);
}

void
cal_window_set_painting_region (CalWindow *self, gboolean painting)
{
  if (painting == cal_window_is_painting_region (self))
    return;
  if (painting)
    start_painting (self);
  else
    stop_painting (self);
  cal_window_update_actions (self);
  g_object_notify (G_OBJECT (self), "painting-region");
}

/* The region painted so far is dropped with the scan or by Clear. */
static void
drop_region_session (CalWindow *self)
{
  cal_window_set_painting_region (self, FALSE);
  if (self->region_edit != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->region_edit, self);
      g_signal_handlers_disconnect_by_data (cal_edit_session_get_history (self->region_edit), self);
    }
  g_clear_object (&self->region_edit);
}

void
cal_window_region_scan_loaded (CalWindow *self)
{
  drop_region_session (self);
}

/* A label file ------------------------------------------------------------ */

gboolean
cal_window_open_region_from (CalWindow *self, GFile *file, GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(CalMask) mask = NULL;
  CalVolume *volume = cal_view_state_get_volume (self->state);
  guint8 *l;
  gsize n, count = 0;

  if (volume == NULL || path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a scan first, then its region"));
      return FALSE;
    }
  mask = cal_mask_load (path, 0, CAL_LOAD_FLAGS_NONE, NULL, NULL, error);
  if (mask == NULL || !cal_edit_mask_fits_volume (mask, volume, error))
    return FALSE;
  /* Any label but 0 is the region; the metrics want 0 and 1. */
  l = cal_mask_get_labels_mutable (mask);
  n = cal_grid_n_voxels (cal_mask_get_grid (mask));
  for (gsize v = 0; v < n; v++)
    count += (l[v] = l[v] != 0);
  if (count == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The label file has no labelled voxel: paint the region (any label but 0) first"));
      return FALSE;
    }
  /* Painting goes on from the file's region. */
  drop_region_session (self);
  describe_painted (self, mask, _("A label file"));
  return TRUE;
}

static void
region_response_cb (GtkNativeDialog *chooser, int response, CalWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (!cal_window_open_region_from (self, file, &error))
        cal_window_show_error (self, _("The region could not be opened"), error);
    }
  g_object_unref (chooser);
}

static void
open_region_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open Region of Interest"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                               _("_Cancel"));

  g_signal_connect (chooser, "response", G_CALLBACK (region_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Saving ------------------------------------------------------------------- */

static CalMask *
region_shown (CalWindow *self)
{
  CalMask *painted = cal_window_quality_get_painted_region (self);

  return painted ? painted : cal_window_quality_get_found_region (self);
}

gboolean
cal_window_save_region_to (CalWindow *self, GFile *file, GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  CalMask *region = region_shown (self);

  if (region == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No region to save yet: paint one, or Compare to find the defect edge"));
      return FALSE;
    }
  if (path == NULL || !cal_nifti_path_is_nifti (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("A region is saved as a NIfTI label file: give the file name the ending .nii.gz or .nii"));
      return FALSE;
    }
  return cal_nifti_write_mask (region, path, CAL_NIFTI_1, error);
}

static void
save_region_response_cb (GtkNativeDialog *chooser, int response, CalWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (cal_window_save_region_to (self, file, &error))
        cal_window_toast (self, _("Region saved"));
      else
        cal_window_show_error (self, _("The region could not be saved"), error);
    }
  g_object_unref (chooser);
}

static void
save_region_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = cal_window_nifti_filter ();
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Save Region of Interest"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                               _("_Cancel"));

  /* Never the scan's name: it is often the patient's. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "region.nii.gz");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (save_region_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
clear_region_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);

  drop_region_session (self);
  cal_window_quality_set_painted_region (self, NULL, NULL);
}

void
cal_window_install_region_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-region", NULL, open_region_action);
  gtk_widget_class_install_action (widget_class, "win.clear-region", NULL, clear_region_action);
  gtk_widget_class_install_action (widget_class, "win.save-region", NULL, save_region_action);
  gtk_widget_class_install_property_action (widget_class, "win.paint-region", "painting-region");
}
