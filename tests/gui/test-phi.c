/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Patient identifiers never leave the window: a series whose name, ID,
 * birth date, institution, accession number, descriptions, folder and
 * file names carry a canary is opened, thresholded, segmented and
 * exported.  The title, every settings key, every log line, the exported
 * STL and every file under the XDG folders (caches, keys) must be free of
 * the canary.  A damaged copy also goes through, for its error bar.  The
 * folder's location still reopens from the recent list. */
#include <glib/gstdio.h>
#include <string.h>

#include "cal-export-dialog.h"
#include "cal-gui-app.h"
#include "cal-window-private.h"

#define CANARY     "QZXCANARY"
#define BIRTH_DATE "19031117"

static CalvariaApplication *app;
static CalWindow *window;
static char *tmpdir;
static GString *log_text;

static gboolean
holds_canary (const char *text,
              gsize       length)
{
  return g_strstr_len (text, (gssize) length, CANARY) != NULL ||
         g_strstr_len (text, (gssize) length, BIRTH_DATE) != NULL;
}

/* Every log line is kept to be searched, and still goes to stderr (where
 * G_DEBUG=fatal-warnings makes a warning fatal). */
static GLogWriterOutput
log_writer_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0)
      g_string_append_printf (log_text, "%s=%s\n", fields[i].key, (const char *) fields[i].value);
  return g_log_writer_default (level, fields, n_fields, data);
}

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

static gboolean
export_idle_cb (gpointer data)
{
  return !cal_export_dialog_is_busy (CAL_EXPORT_DIALOG (data));
}

static char *
canary_series (void)
{
  g_autoptr (GDir) dir = g_dir_open (PHI_CANARY_DIR, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, CANARY))
      return g_build_filename (PHI_CANARY_DIR, name, NULL);
  g_assert_not_reached ();
  return NULL;
}

static void
assert_title_clean (void)
{
  const char *title = gtk_window_get_title (GTK_WINDOW (window));

  g_assert_nonnull (title);
  g_assert_false (holds_canary (title, strlen (title)));
  g_assert_false (holds_canary (adw_window_title_get_subtitle (window->title),
                                strlen (adw_window_title_get_subtitle (window->title))));
}

static void assert_tree_clean (const char *root);

/* An error names no folder: GLib's own message quotes the full path. */
static void
test_error_names_no_folder (void)
{
  g_autofree char *folder = g_build_filename (tmpdir, "DOE " CANARY, NULL);
  g_autofree char *path = g_build_filename (folder, "missing-" CANARY ".nii.gz", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  const char *shown;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  cal_window_open (window, file, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 30));
  shown = gtk_label_get_text (window->error_label);
  g_test_message ("error shown: %s", shown);
  g_assert_true (gtk_revealer_get_reveal_child (window->error_revealer));
  g_assert_cmpuint (strlen (shown), >, 0);
  g_assert_false (holds_canary (shown, strlen (shown)));
  g_assert_null (strstr (shown, tmpdir));
  gtk_revealer_set_reveal_child (window->error_revealer, FALSE);
}

static void
test_open_and_work (void)
{
  g_autofree char *path = canary_series ();
  g_autoptr (GFile) folder = g_file_new_for_path (path);
  g_autofree char *stl = g_build_filename (tmpdir, "skull.stl", NULL);
  g_autoptr (GFile) stl_file = g_file_new_for_path (stl);
  g_autofree char *contents = NULL;
  CalExportDialog *dialog;
  gsize length;

  cal_window_open (window, folder, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_assert_null (cal_window_get_error (window));
  g_assert_nonnull (cal_view_state_get_volume (cal_window_get_state (window)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "DICOM series");
  assert_title_clean ();

  adw_combo_row_set_selected (window->threshold_preset_row, 0);
  g_signal_emit_by_name (window->threshold_button, "clicked");
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_signal_emit_by_name (window->segment_button, "clicked");
  g_assert_true (cal_gui_wait (idle_cb, window, 300));
  g_assert_null (cal_window_get_error (window));
  g_assert_nonnull (cal_view_state_get_mask (cal_window_get_state (window)));

  g_signal_emit_by_name (window->export_button, "clicked");
  dialog = CAL_EXPORT_DIALOG (cal_window_get_export_dialog (window));
  g_assert_nonnull (dialog);
  g_signal_emit_by_name (cal_gui_child (dialog, CAL_TYPE_EXPORT_DIALOG, "check_button"), "clicked");
  g_assert_true (cal_gui_wait (export_idle_cb, dialog, 300));
  cal_export_dialog_save_to (dialog, stl_file);
  g_assert_true (cal_gui_wait (export_idle_cb, dialog, 120));
  g_assert_nonnull (cal_export_dialog_get_saved (dialog));
  g_assert_true (g_file_get_contents (stl, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 84);
  g_assert_false (holds_canary (contents, length));
  gtk_window_close (GTK_WINDOW (dialog));
  cal_gui_spin (0.2);
  assert_title_clean ();
  /* The editing journal (the threshold and the U-net were steps in it):
   * a folder named by a random id, the scan's location sealed.  Checked
   * now: opening the damaged copy next discards these changes, and their
   * journal with them. */
  {
    g_autofree char *sessions = g_build_filename (g_get_user_state_dir (), "calvaria", "sessions", NULL);
    g_autoptr (GDir) dir = g_dir_open (sessions, 0, NULL);
    g_assert_nonnull (dir);
    g_assert_nonnull (g_dir_read_name (dir));
    assert_tree_clean (g_get_user_state_dir ());
  }
}

/* The damaged copy's question (leave the slice out?) and its log lines
 * name no one. */
static void
test_damaged_copy (void)
{
  g_autofree char *source = canary_series ();
  g_autofree char *base = g_path_get_basename (source);
  g_autofree char *copy = g_build_filename (tmpdir, base, NULL);
  g_autoptr (GDir) dir = g_dir_open (source, 0, NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (copy);
  AdwMessageDialog *question;
  const char *shown;
  const char *name;
  guint n = 0;

  g_assert_cmpint (g_mkdir (copy, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (source, name, NULL);
      g_autofree char *to = g_build_filename (copy, name, NULL);
      g_autofree char *data = NULL;
      gsize size;

      g_assert_true (g_file_get_contents (from, &data, &size, NULL));
      /* One slice cut short: the series is refused, naming that slice. */
      g_assert_true (g_file_set_contents (to, data, n++ == 3 ? (gssize) size - 200 : (gssize) size, NULL));
    }
  cal_window_open (window, folder, NULL);
  cal_gui_discard_segmentation ();   /* the mask exported before */
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  shown = adw_message_dialog_get_body (question);
  g_assert_nonnull (strstr (shown, "InstanceNumber"));
  g_assert_false (holds_canary (shown, strlen (shown)));
  assert_title_clean ();
  cal_gui_answer (question, "cancel");
}

static void
assert_tree_clean (const char *root)
{
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);
      g_autofree char *data = NULL;
      gsize size;

      g_assert_false (holds_canary (name, strlen (name)));
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        assert_tree_clean (path);
      else if (g_file_get_contents (path, &data, &size, NULL))
        {
          if (holds_canary (data, size))
            g_error ("%s holds a patient identifier", path);
        }
    }
}

static void
test_nothing_kept (void)
{
  GSettings *settings = calvaria_application_get_settings (app);
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL, recent = NULL;
  g_autofree char *reopens = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i]; i++)
    {
      g_autoptr (GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);
      if (holds_canary (text, strlen (text)))
        g_error ("setting %s holds a patient identifier", keys[i]);
    }
  /* ... yet the folder is in the recent list and reopens. */
  recent = g_settings_get_strv (settings, "recent-files");
  g_assert_cmpuint (g_strv_length (recent), >=, 1);
  reopens = cal_window_recent_uri (recent[0]);
  g_assert_nonnull (reopens);
  g_assert_nonnull (strstr (reopens, CANARY));

  g_assert_cmpuint (log_text->len, >, 0);
  g_assert_false (holds_canary (log_text->str, log_text->len));
  assert_tree_clean (g_get_user_cache_dir ());
  assert_tree_clean (g_get_user_data_dir ());
  assert_tree_clean (g_get_user_config_dir ());
  /* Whatever journals are left name no one either (the one of the
   * threshold and the U-net was checked while it existed). */
  assert_tree_clean (g_get_user_state_dir ());
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  log_text = g_string_new (NULL);
  /* Debug lines go to stderr: stdout is the TAP stream. */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("calvaria-phi-XXXXXX", &error);
  g_assert_no_error (error);

  window = cal_gui_open_window (&app, 1024, 700);

  g_test_add_func ("/phi/error-names-no-folder", test_error_names_no_folder);
  g_test_add_func ("/phi/open-threshold-segment-export", test_open_and_work);
  g_test_add_func ("/phi/damaged-copy", test_damaged_copy);
  g_test_add_func ("/phi/nothing-kept", test_nothing_kept);
  return g_test_run ();
}
