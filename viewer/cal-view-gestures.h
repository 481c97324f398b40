/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Adds a drag gesture for one mouse button to a view, named so tests can
 * find it (gtk_event_controller_get_name); `begin` and `update` are its
 * drag-begin and drag-update handlers, called with `data`. */
GtkGesture *cal_view_add_drag (GtkWidget  *widget,
                               const char *name,
                               guint       button,
                               GCallback   begin,
                               GCallback   update,
                               gpointer    data);

G_END_DECLS
