/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CAL_TYPE_HELP_WINDOW (cal_help_window_get_type ())
G_DECLARE_FINAL_TYPE (CalHelpWindow, cal_help_window, CAL, HELP_WINDOW, AdwWindow)

/* Help (F1): the day's work step by step, what each number means, and the
 * intended use; offline, in the interface's language. */
GtkWidget *cal_help_window_new (GtkWindow *parent);

G_END_DECLS
