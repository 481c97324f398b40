/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Help (F1): a window of its own, from cal-help-window.ui, so it works
 * without a help browser or a network; Escape and Ctrl+W close it. */
#include "cal-help-window.h"

struct _CalHelpWindow
{
  AdwWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (CalHelpWindow, cal_help_window, ADW_TYPE_WINDOW)

static void
cal_help_window_class_init (CalHelpWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/calvaria/Calvaria/cal-help-window.ui");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
cal_help_window_init (CalHelpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cal_help_window_new (GtkWindow *parent)
{
  return g_object_new (CAL_TYPE_HELP_WINDOW, "transient-for", parent, NULL);
}
