/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scans a person must accept before they load: the window asks, names the
 * reason, loads nothing on Cancel and loads (the choice recorded) on Open
 * Anyway.  A series with a missing slice (interpolation) and one without
 * RescaleSlope/Intercept (values not known to be HU). */
#include <string.h>

#include "cal-gui-app.h"
#include "cal-window-private.h"

static CalvariaApplication *app;
static CalWindow *window;

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

static AdwMessageDialog *
find_question (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
question_shown_cb (gpointer data)
{
  return find_question () != NULL;
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
  g_assert_true (cal_gui_wait (question_shown_cb, NULL, 10));
  question = find_question ();
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

/* As a click on the button does: the response, then the dialog closes
 * (adw_message_dialog_response() alone leaves it open). */
static void
answer (AdwMessageDialog *question,
        const char       *response)
{
  adw_message_dialog_response (question, response);
  gtk_window_close (GTK_WINDOW (question));
  cal_gui_spin (0.3);
  g_assert_null (find_question ());
}

static void
test_cancel_loads_nothing (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "missing");

  answer (question, "cancel");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_null (cal_view_state_get_volume (cal_window_get_state (window)));
  g_assert_false (cal_window_is_busy (window));
}

static void
test_accept_loads (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "missing");
  CalVolume *volume;

  answer (question, "open");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  volume = cal_view_state_get_volume (cal_window_get_state (window));
  g_assert_nonnull (volume);
  /* Eleven slices on disk, twelve in the volume: the gap was filled. */
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 12);
  g_assert_null (cal_window_get_error (window));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  window = cal_gui_open_window (&app, 1024, 700);

  g_test_add_func ("/confirm/cancel-loads-nothing", test_cancel_loads_nothing);
  g_test_add_func ("/confirm/accept-loads", test_accept_loads);
  return g_test_run ();
}
