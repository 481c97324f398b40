/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-view-gestures.h"

GtkGesture *
cal_view_add_drag (GtkWidget  *widget,
                   const char *name,
                   guint       button,
                   GCallback   begin,
                   GCallback   update,
                   gpointer    data)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_event_controller_set_name (GTK_EVENT_CONTROLLER (drag), name);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), button);
  g_signal_connect (drag, "drag-begin", begin, data);
  g_signal_connect (drag, "drag-update", update, data);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
  return drag;
}
