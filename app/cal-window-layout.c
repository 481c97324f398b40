/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How the window lays out its views: four equal views, or one large view
 * beside the other three (win.layout, remembered in the settings); and
 * the sidebar, which folds over the views where the window is narrow and
 * is shown or hidden with F9 or its header button. */
#include "cal-window-private.h"

static const char *const layout_names[] = { "four", "axial", "coronal", "sagittal", "3d" };

/* The grid's four children in layout order: axial, coronal, sagittal, 3D. */
static void
grid_children (CalWindow *self,
               GtkWidget *children[4])
{
  children[0] = GTK_WIDGET (self->axial_view);
  children[1] = GTK_WIDGET (self->coronal_view);
  children[2] = GTK_WIDGET (self->sagittal_view);
  children[3] = gtk_widget_get_parent (GTK_WIDGET (self->mesh_view));   /* the 3D view's overlay */
}

static void
place (GtkWidget *grid,
       GtkWidget *child,
       int        column,
       int        row,
       int        width,
       int        height)
{
  GtkLayoutManager *manager = gtk_widget_get_layout_manager (grid);
  GtkGridLayoutChild *cell = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (manager, child));

  gtk_grid_layout_child_set_column (cell, column);
  gtk_grid_layout_child_set_row (cell, row);
  gtk_grid_layout_child_set_column_span (cell, width);
  gtk_grid_layout_child_set_row_span (cell, height);
}

static guint
layout_index (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (layout_names); i++)
    if (g_strcmp0 (name, layout_names[i]) == 0)
      return i;
  return 0;
}

const char *
cal_window_get_view_layout (CalWindow *self)
{
  return layout_names[self->view_layout];
}

void
cal_window_set_view_layout (CalWindow  *self,
                            const char *name)
{
  /* Four views: axial and 3D above, coronal and sagittal below, as ever. */
  static const int four[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 1 }, { 1, 0 } };
  GtkWidget *grid = GTK_WIDGET (self->view_grid), *children[4];
  guint index = layout_index (name);
  int row = 0;

  grid_children (self, children);
  for (int i = 0; i < 4; i++)
    {
      if (index == 0)
        place (grid, children[i], four[i][0], four[i][1], 1, 1);
      else if ((guint) i == index - 1)
        place (grid, children[i], 0, 0, 3, 3);       /* three quarters of the width, all the height */
      else
        place (grid, children[i], 3, row++, 1, 1);  /* the others in a column beside it */
    }
  if (self->view_layout == index)
    return;
  self->view_layout = index;
  g_object_notify (G_OBJECT (self), "view-layout");
}

static void
toggle_sidebar (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

void
cal_window_install_layout_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_property_action (widget_class, "win.layout", "view-layout");
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
}
