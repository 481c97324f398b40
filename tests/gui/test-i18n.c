/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Run with LANGUAGE=th: the window, its dialogs and the views speak Thai,
 * and the secondary windows (preferences, shortcuts, about) open without
 * a warning. */
#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cal-gui-app.h"
#include "cal-window-private.h"
#include "calvaria-application.h"

static CalvariaApplication *app;
static CalWindow *window;

/* TRUE when `text` has a character from the Thai block (U+0E00..U+0E7F). */
static gboolean
has_thai (const char *text)
{
  for (const char *p = text; p && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0e00 && c <= 0x0e7f)
        return TRUE;
    }
  return FALSE;
}

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

static void
test_window_in_thai (void)
{
  g_autoptr (GFile) file = g_file_new_for_path (SAMPLE_INV3);
  g_autoptr (GdkTexture) shot = NULL;

  g_assert_true (has_thai (gtk_button_get_label (window->threshold_button)));
  g_assert_true (has_thai (gtk_button_get_label (window->export_button)));
  g_assert_true (has_thai (_("Axial")));
  g_assert_true (has_thai (_("Opening the scan…")));

  cal_window_open (window, file, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_signal_emit_by_name (window->threshold_button, "clicked");
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  g_assert_null (cal_window_get_error (window));
  g_assert_true (has_thai (gtk_label_get_text (window->mask_label)));
  cal_gui_spin (0.5);
  shot = cal_gui_render (GTK_WIDGET (window));
  cal_gui_save_png (shot, "main-window-th.png");
}

/* A message from the DICOM shim (C++ over dcmtk) is translated too: a
 * file whose data set dcmtk reads but that holds nothing of an image. */
static void
test_dicom_error_in_thai (void)
{
  g_autofree char *source = g_build_filename (PYDICOM_TEST_FILES, "dicomdirtests", "DICOMDIR-empty.dcm", NULL);
  g_autofree char *dir = g_dir_make_tmp ("cal-i18n-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "empty.dcm", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  const char *error;
  gsize length;

  /* Alone in a folder, so that nothing else of the test files' folder loads. */
  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, (gssize) length, NULL));
  g_assert_true (has_thai (_("Not a DICOM file: no DICOM data set could be read from it")));
  cal_window_open (window, file, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 120));
  error = cal_window_get_error (window);
  g_assert_nonnull (error);
  /* The shim's own words, in Thai (the heading before them is the window's). */
  g_assert_nonnull (strstr (error, _("Not a DICOM file: no DICOM data set could be read from it")));

  /* Two such files: the folder's message, its parts built in code too. */
  {
    g_autofree char *second = g_build_filename (dir, "empty-2.dcm", NULL);
    g_autoptr (GFile) folder = g_file_new_for_path (dir);
    g_autofree char *looked = g_strdup_printf (ngettext ("%u file looked at",
                                                  "%u files looked at", 2), 2);

    g_assert_true (g_file_set_contents (second, contents, (gssize) length, NULL));
    cal_window_open (window, folder, NULL);
    g_assert_true (cal_gui_wait (idle_cb, window, 120));
    error = cal_window_get_error (window);
    g_assert_nonnull (error);
    g_assert_true (has_thai (looked));
    g_assert_nonnull (strstr (error, looked));
    g_assert_null (strstr (error, "first problem"));
    g_unlink (second);
  }
  g_unlink (path);
  g_rmdir (dir);
}

static GtkWindow *
newest_other_window (void)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* The application lists its windows most recently focused first. */
  for (GList *l = windows; l; l = l->next)
    if (l->data != (gpointer) window)
      return l->data;
  for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()); i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (gtk_window_get_toplevels (), i);

      if (w != GTK_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static void
open_and_close (const char *action,
                const char *screenshot)
{
  GtkWindow *other;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  cal_gui_spin (0.5);
  other = newest_other_window ();
  g_assert_nonnull (other);
  g_assert_true (has_thai (gtk_window_get_title (other)) || screenshot == NULL);
  if (screenshot)
    {
      g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (other));
      cal_gui_save_png (shot, screenshot);
    }
  gtk_window_destroy (other);
  cal_gui_spin (0.2);
}

static void
test_secondary_windows (void)
{
  open_and_close ("app.preferences", "preferences-th.png");
  open_and_close ("win.show-help-overlay", NULL);
  open_and_close ("app.about", NULL);
}

int
main (int argc, char **argv)
{
  cal_gui_bind_translations ();
  gtk_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "th");

  window = cal_gui_open_window (&app, 1280, 800);

  /* First, while the window holds no mask that opening a file would ask about. */
  g_test_add_func ("/i18n/dicom-error", test_dicom_error_in_thai);
  g_test_add_func ("/i18n/window-in-thai", test_window_in_thai);
  g_test_add_func ("/i18n/secondary-windows", test_secondary_windows);
  return g_test_run ();
}
