/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scans a person must accept before they load: the window asks, names the
 * reason, loads nothing on Cancel and loads (the choice recorded) on Open
 * Anyway.  A series with a missing slice (interpolation) and one without
 * RescaleSlope/Intercept (values not known to be HU). */
#include <math.h>
#include <string.h>

#include "cal-dicom-shim.h"

#include "cal-gui-app.h"
#include "cal-window-private.h"

static CalvariaApplication *app;
static CalWindow *window;

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

/* Opens `name` from the synthetic cases, checks the question's words, and
 * answers it. */
static AdwMessageDialog *
open_and_expect_question (const char *name,
                          const char *heading_words,
                          const char *body_words)
{
  g_autofree char *path = g_build_filename (DICOM_CASES_DIR, name, NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (path);
  AdwMessageDialog *question;

  cal_window_open (window, folder, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), heading_words));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), body_words));
  g_assert_true (adw_message_dialog_has_response (question, "open"));
  cal_gui_spin (0.3);
  {
    g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (question));
    cal_gui_save_png (shot, "confirm-question.png");
  }
  return question;
}

static void
test_cancel_loads_nothing (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "missing");

  cal_gui_answer (question, "cancel");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_null (cal_view_state_get_volume (cal_window_get_state (window)));
  g_assert_null (cal_gui_find_question ());
  g_assert_false (cal_window_is_busy (window));
}

static void
test_accept_loads (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "missing");
  CalVolume *volume;

  cal_gui_answer (question, "open");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  volume = cal_view_state_get_volume (cal_window_get_state (window));
  g_assert_nonnull (volume);
  /* Eleven slices on disk, twelve in the volume: the gap was filled. */
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 12);
  g_assert_null (cal_window_get_error (window));
}

/* The other way out of a gap: the longest evenly spaced part, nothing
 * interpolated (5 + 6 slices on disk: the 6). */
static void
test_keep_even_part (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "--keep-longest-run");
  CalVolume *volume;

  g_assert_true (adw_message_dialog_has_response (question, "alternative"));
  cal_gui_answer (question, "alternative");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  volume = cal_view_state_get_volume (cal_window_get_state (window));
  g_assert_nonnull (volume);
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 6);
  g_assert_null (cal_window_get_error (window));
}

/* A copy of a 12-slice series with one slice cut short: leave it out (the
 * first question), then interpolate the gap (the second), and the volume
 * has its 12 slices again. */
static void
test_exclude_then_interpolate (void)
{
  g_autofree char *source = g_build_filename (DICOM_CASES_DIR, "hfs", NULL);
  g_autofree char *copy = g_dir_make_tmp ("calvaria-confirm-XXXXXX", NULL);
  g_autoptr (GDir) dir = g_dir_open (source, 0, NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (copy);
  AdwMessageDialog *question;
  const char *name;

  /* The slice to damage lies inside the stack (z = 0.625 mm, by the middle), so
   * leaving it out leaves a gap. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (source, name, NULL);
      g_autofree char *to = g_build_filename (copy, name, NULL);
      g_autofree char *data = NULL;
      CalDicomHeader header;
      gboolean inside;
      gsize size;

      g_assert_true (cal_dicom_shim_read_header (from, &header, NULL));
      inside = fabs (header.position[2] - 0.625) < 0.01;
      cal_dicom_header_clear (&header);
      g_assert_true (g_file_get_contents (from, &data, &size, NULL));
      g_assert_true (g_file_set_contents (to, data, inside ? (gssize) size - 300 : (gssize) size, NULL));
    }

  cal_window_open (window, folder, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), "Cannot Be Read"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "InstanceNumber"));
  cal_gui_answer (question, "open");

  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), "Interpolated"));
  cal_gui_answer (question, "open");

  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_null (cal_window_get_error (window));
  g_assert_cmpuint (cal_volume_get_grid (cal_view_state_get_volume (cal_window_get_state (window)))->dims[2], ==, 12);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  window = cal_gui_open_window (&app, 1024, 700);

  g_test_add_func ("/confirm/cancel-loads-nothing", test_cancel_loads_nothing);
  g_test_add_func ("/confirm/accept-loads", test_accept_loads);
  g_test_add_func ("/confirm/keep-even-part", test_keep_even_part);
  g_test_add_func ("/confirm/exclude-then-interpolate", test_exclude_then_interpolate);
  return g_test_run ();
}
