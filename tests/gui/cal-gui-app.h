/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application and one window, as every GUI test starts: registered
 * without a bus name (tests run side by side), the window presented and
 * drawn once. */
#pragma once

#include "cal-gui-test.h"
#include "cal-window.h"
#include "calvaria-application.h"

G_BEGIN_DECLS

static inline CalWindow *
cal_gui_open_window (CalvariaApplication **app,
                     int                   width,
                     int                   height)
{
  g_autoptr (GError) error = NULL;
  CalWindow *window;

  *app = calvaria_application_new ();
  g_application_set_flags (G_APPLICATION (*app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (*app), NULL, &error));
  g_assert_no_error (error);
  window = cal_window_new (*app, calvaria_application_get_settings (*app));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  cal_gui_spin (0.5);
  return window;
}

G_END_DECLS
