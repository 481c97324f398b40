/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening scans: file choosers, recent files, the series question, and
 * the load itself in a worker thread. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-dicom.h"
#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-parallel.h"
#include "cal-task.h"
#include "cal-untrusted-text.h"

typedef struct {
  GFile         *file;
  char          *series_uid;
  CalLoadFlags   flags;
  CalWindow     *window;      /* borrowed: the task holds a reference */
  gboolean       is_folder;   /* found by the worker: no file I/O on the main loop */
  CalFormat      format;
  CalVolume     *volume;      /* result */
  CalLoadReport *report;      /* result */
  CalDicomScan  *scan;        /* result when a folder holds several series */
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->file);
  g_free (job->series_uid);
  g_clear_object (&job->volume);
  g_clear_pointer (&job->report, cal_load_report_free);
  g_clear_pointer (&job->scan, cal_dicom_scan_free);
  g_free (job);
}

static void start_load (CalWindow    *self,
                        GFile        *file,
                        const char   *series_uid,
                        CalLoadFlags  flags);

/* A folder of several series stops at the list (job->scan), so that the
 * engineer picks one; anything else is loaded. */
static gpointer
load_job (gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  LoadJob *job = data;
  g_autofree char *path = g_file_get_path (job->file);

  job->is_folder = g_file_test (path, G_FILE_TEST_IS_DIR);
  job->format = cal_format_guess (path);
  if (!job->series_uid && job->is_folder)
    {
      CalDicomScan *scan = cal_dicom_scan (path, cancellable, error);

      if (!scan)
        return NULL;
      if (scan->series->len > 1)
        {
          job->scan = scan;
          return CAL_TASK_DONE;
        }
      cal_dicom_scan_free (scan);
    }
  job->report = cal_load_report_new ();
  job->volume = cal_volume_load (path, job->series_uid, job->flags, job->report,
                                 cal_progress_report, &job->window->progress, cancellable, error);
  return job->volume ? CAL_TASK_DONE : NULL;
}

/* The title names the file, never the patient: DICOM folders are often
 * named after the patient, so they are called "DICOM series". */
static void
set_titles (CalWindow *self,
            LoadJob   *job)
{
  g_autofree char *basename = g_file_get_basename (job->file);
  g_autofree char *display = NULL, *subtitle = NULL;
  const CalGrid *grid = cal_volume_get_grid (job->volume);
  double spacing[3];

  if (job->format == CAL_FORMAT_DICOM)
    display = g_strdup (_("DICOM series"));
  else
    display = g_filename_display_name (basename);
  cal_grid_get_spacing (grid, spacing);
  /* TRANSLATORS: volume size in voxels, then voxel size in mm */
  subtitle = g_strdup_printf (_("%u × %u × %u voxels · %.2f × %.2f × %.2f mm"),
                              grid->dims[0], grid->dims[1], grid->dims[2],
                              spacing[0], spacing[1], spacing[2]);
  adw_window_title_set_title (self->title, display);
  adw_window_title_set_subtitle (self->title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), display);
}

static void
series_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CalWindow        *self)
{
  GtkListBox *list = g_object_get_data (G_OBJECT (dialog), "series-list");
  GFile *file = g_object_get_data (G_OBJECT (dialog), "file");
  GtkListBoxRow *row = gtk_list_box_get_selected_row (list);

  if (g_strcmp0 (response, "open") == 0 && row)
    start_load (self, file, g_object_get_data (G_OBJECT (row), "uid"), CAL_LOAD_FLAGS_NONE);
}

static void
ask_series (CalWindow *self,
            LoadJob   *job)
{
  GtkWidget *dialog, *list;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Choose a Series"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  ngettext ("This folder holds %u series.",
                                            "This folder holds %u series.",
                                            job->scan->series->len),
                                  job->scan->series->len);
  list = gtk_list_box_new ();
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < job->scan->series->len; i++)
    {
      CalDicomSeries *series = g_ptr_array_index (job->scan->series, i);
      g_autofree char *title = NULL, *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      g_autofree char *modality = cal_untrusted_text_escape (series->modality ? series->modality : "?");
      g_autofree char *description = cal_untrusted_text_escape (series->description);

      /* TRANSLATORS: series number, modality (CT, MR) and description */
      title = g_strdup_printf (_("Series %d · %s · %s"), series->number, modality, description);
      subtitle = g_strdup_printf (ngettext ("%u image of %u × %u", "%u images of %u × %u",
                                            series->headers->len),
                                  series->headers->len, series->columns, series->rows);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      g_object_set_data_full (G_OBJECT (row), "uid", g_strdup (series->uid), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_list_box_select_row (GTK_LIST_BOX (list), gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "open", _("_Open"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "open");
  g_object_set_data (G_OBJECT (dialog), "series-list", list);
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (job->file), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (series_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
accept_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CalWindow        *self)
{
  CalLoadFlags flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "flags"));

  if (g_strcmp0 (response, "open") == 0)
    flags |= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "accept"));
  else if (g_strcmp0 (response, "alternative") == 0)
    flags |= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "alternative"));
  else
    return;
  start_load (self, g_object_get_data (G_OBJECT (dialog), "file"),
              g_object_get_data (G_OBJECT (dialog), "series-uid"), flags);
}

/* What the window asks, per decision a loader leaves to a person. */
static const struct {
  CalLoadFlags  flag;
  const char   *heading;
  const char   *advice;
} questions[] = {
  { CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION, N_("Left and Right Are Unknown"),
    N_("Open it only to look. Do not design an implant from it "
       "until someone has checked which side is the patient’s left.") },
  { CAL_LOAD_ACCEPT_MISSING_RESCALE, N_("Values Not Known to Be HU"),
    N_("Thresholds in HU may not mean what they say on this scan. "
       "Check bone against the image before using them.") },
  { CAL_LOAD_ACCEPT_DERIVED, N_("Not the Original Acquisition"),
    N_("Reformatted images can lose resolution. Use the original series "
       "for implant design if you can.") },
  { CAL_LOAD_EXCLUDE_BAD_SLICES, N_("A Slice Cannot Be Read"),
    N_("Leaving it out makes a gap, which is then filled by interpolation. "
       "The report records both.") },
  { CAL_LOAD_ACCEPT_RESAMPLING, N_("Slices Must Be Interpolated"),
    N_("Interpolated voxels are estimates, not measurements. The report "
       "records that this scan was interpolated. Keeping the even part "
       "instead loads only the longest run of evenly spaced slices and "
       "interpolates nothing.") },
};

/* A scan that loads only once the engineer accepts something (left and
 * right unknown, values not known to be HU, a reformat, an unreadable slice
 * left out, interpolated slices): the loader's reason in front of them,
 * and a choice.  Accepting loads again with the flag added, so the choice
 * is recorded in the load report like the CLI's --accept options.  Where
 * the loader offers a way that loads less instead (only the evenly spaced
 * part of a series with a gap), that is a third answer. */
static void
ask_to_accept (CalWindow    *self,
               LoadJob      *job,
               const GError *error,
               CalLoadFlags  flag)
{
  CalLoadFlags alternative = cal_load_error_alternative_flag (error);
  const char *heading = NULL, *advice = NULL;
  GtkWidget *dialog;

  for (gsize i = 0; i < G_N_ELEMENTS (questions); i++)
    if (questions[i].flag == flag)
      {
        heading = _(questions[i].heading);
        advice = _(questions[i].advice);
      }
  g_return_if_fail (heading != NULL);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog), "%s\n\n%s", error->message, advice);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "open", _("Open _Anyway"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_DESTRUCTIVE);
  if (alternative != 0 && !(job->flags & alternative))
    {
      /* TRANSLATORS: loads only the evenly spaced slices on one side of a gap, interpolating nothing */
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "alternative", _("_Keep the Even Part"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "alternative",
                                                  ADW_RESPONSE_SUGGESTED);
    }
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (job->file), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "series-uid", g_strdup (job->series_uid), g_free);
  g_object_set_data (G_OBJECT (dialog), "flags", GUINT_TO_POINTER (job->flags));
  g_object_set_data (G_OBJECT (dialog), "accept", GUINT_TO_POINTER (flag));
  g_object_set_data (G_OBJECT (dialog), "alternative", GUINT_TO_POINTER (alternative));
  g_signal_connect (dialog, "response", G_CALLBACK (accept_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The flag that would load what `error` refused, if a person may decide. */
static CalLoadFlags
flag_accepting (const GError *error)
{
  if (g_error_matches (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_ORIENTATION_UNKNOWN))
    return CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION;
  return cal_load_error_accept_flag (error);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CalWindow *self = CAL_WINDOW (source);
  LoadJob *job;
  g_autoptr (GError) error = NULL;
  gboolean loaded = cal_task_finish (result, start_load, (gpointer *) &job, &error) != NULL;

  cal_window_end_task (self);
  if (!loaded)
    {
      CalLoadFlags flag = flag_accepting (error);

      if (flag != 0 && !(job->flags & flag))
        ask_to_accept (self, job, error, flag);
      else
        cal_window_show_error (self, _("The scan could not be opened"), error);
      return;
    }
  if (job->scan)
    {
      ask_series (self, job);
      return;
    }

  g_set_object (&self->file, job->file);
  cal_view_state_set_volume (self->state, job->volume);
  set_titles (self, job);
  cal_window_remember_recent (self, job->file, job->is_folder);
  gtk_stack_set_visible_child_name (self->stack, "scan");
  cal_window_scan_info_update (self, job->report, cal_volume_get_grid (job->volume));
  cal_window_scan_loaded (self);
}

/* A load asked for while the window works (a surface being built or
 * checked for export, a segmentation) waits for it to end, rather than
 * being dropped unseen; only the latest such load is kept. */
typedef struct {
  CalWindow    *self;
  GFile        *file;
  char         *series_uid;
  CalLoadFlags  flags;
} QueuedLoad;

static void
queued_load_free (QueuedLoad *q)
{
  g_object_unref (q->file);
  g_free (q->series_uid);
  g_free (q);
}

static gboolean
queued_load_cb (gpointer data)
{
  QueuedLoad *q = data;

  if (cal_window_is_busy (q->self))
    return G_SOURCE_CONTINUE;
  q->self->queued_load_id = 0;
  start_load (q->self, q->file, q->series_uid, q->flags);
  return G_SOURCE_REMOVE;
}

static void
queue_load (CalWindow    *self,
            GFile        *file,
            const char   *series_uid,
            CalLoadFlags  flags)
{
  QueuedLoad *q = g_new0 (QueuedLoad, 1);

  q->self = self;   /* the source is removed in dispose */
  q->file = g_object_ref (file);
  q->series_uid = g_strdup (series_uid);
  q->flags = flags;
  g_clear_handle_id (&self->queued_load_id, g_source_remove);
  self->queued_load_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 100, queued_load_cb, q,
                                             (GDestroyNotify) queued_load_free);
  cal_window_toast (self, _("The scan opens once the current task ends"));
}

static void
start_load (CalWindow    *self,
            GFile        *file,
            const char   *series_uid,
            CalLoadFlags  flags)
{
  GCancellable *cancellable;
  LoadJob *job;

  if (cal_window_is_busy (self))
    {
      queue_load (self, file, series_uid, flags);
      return;
    }
  cancellable = cal_window_begin_task (self, _("Opening the scan…"));
  job = g_new0 (LoadJob, 1);
  job->file = g_object_ref (file);
  job->series_uid = g_strdup (series_uid);
  job->flags = flags;
  job->window = self;
  cal_task_run (self, start_load, load_job, job, (GDestroyNotify) load_job_free, NULL, cancellable, load_done_cb,
                NULL);
}

/* Loads without asking; cal_window_open (cal-window-discard.c) asks first
 * when the mask has unsaved changes. */
void
cal_window_load (CalWindow  *self,
                 GFile      *file,
                 const char *series_uid)
{
  g_return_if_fail (CAL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  start_load (self, file, series_uid, CAL_LOAD_FLAGS_NONE);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     CalWindow       *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file)
        cal_window_open (self, file, NULL);
    }
  g_object_unref (chooser);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char    **patterns)
{
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i]; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
show_chooser (CalWindow            *self,
              GtkFileChooserAction  action)
{
  static const char *scans[] = { "*.nii", "*.nii.gz", "*.inv3", "*.dcm", "*.DCM", "*.ima", "*.IMA", NULL };
  static const char *everything[] = { "*", NULL };
  gboolean folder = action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (folder ? _("Open DICOM Folder") : _("Open CT Scan"),
                                         GTK_WINDOW (self), action, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (!folder)
    {
      add_filter (GTK_FILE_CHOOSER (chooser), _("CT scans (DICOM, NIfTI, InVesalius)"), scans);
      /* DICOM files often have no extension at all. */
      add_filter (GTK_FILE_CHOOSER (chooser), _("All files"), everything);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  show_chooser (CAL_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  show_chooser (CAL_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autofree char *uri = cal_window_recent_uri (g_variant_get_string (parameter, NULL));
  g_autoptr (GFile) file = NULL;

  if (uri == NULL)
    return;
  file = g_file_new_for_uri (uri);
  cal_window_open (CAL_WINDOW (widget), file, NULL);
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (CAL_WINDOW (widget)->error_revealer, FALSE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

void
cal_window_install_load_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-error", NULL, dismiss_error_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
}
