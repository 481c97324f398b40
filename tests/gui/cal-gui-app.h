/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application and one window, as every GUI test starts: registered
 * without a bus name (tests run side by side), the window presented and
 * drawn once. */
#pragma once

#include <adwaita.h>

#include "cal-gui-test.h"
#include "cal-slice-view.h"
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

/* The visible question dialog (AdwMessageDialog), or NULL. */
static inline AdwMessageDialog *
cal_gui_find_question (void)
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

static inline gboolean
cal_gui_question_shown_cb (gpointer data)
{
  return cal_gui_find_question () != NULL;
}

/* As a click on one of its buttons does: the response, then the dialog
 * closes (adw_message_dialog_response() alone leaves it open). */
static inline void
cal_gui_answer (AdwMessageDialog *question,
                const char       *response)
{
  gpointer gone = question;

  g_object_add_weak_pointer (G_OBJECT (question), &gone);
  adw_message_dialog_response (question, response);
  gtk_window_close (GTK_WINDOW (question));
  cal_gui_spin (0.3);
  g_assert_true (gone == NULL || !gtk_widget_get_visible (GTK_WIDGET (gone)));
  if (gone != NULL)
    g_object_remove_weak_pointer (G_OBJECT (question), &gone);
}

/* Opening another scan with unsaved changes asks first (issue 30):
 * answers Discard, after checking it is that question. */
static inline void
cal_gui_discard_segmentation (void)
{
  AdwMessageDialog *question;

  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Discard the Segmentation?");
  cal_gui_answer (question, "discard");
}

/* Shows axial slice k of the window's scan: the crosshair moves to the
 * middle of that slice. */
static inline void
cal_gui_show_axial_slice (CalWindow *window,
                          guint32    k)
{
  CalViewState *state = cal_window_get_state (window);
  const CalGrid *grid = cal_volume_get_grid (cal_view_state_get_volume (state));
  const double ijk[3] = { grid->dims[0] / 2, grid->dims[1] / 2, k };
  double xyz[3];
  guint shown;

  cal_grid_voxel_to_patient (grid, ijk, xyz);
  cal_view_state_set_cursor (state, xyz);
  g_assert_true (cal_slice_view_get_slice (cal_window_get_slice_view (window, CAL_SLICE_AXIAL), &shown, NULL));
  g_assert_cmpuint (shown, ==, k);
}

/* A drag on a slice view from voxel a to voxel b (on the slice shown), in
 * `steps` pointer events, as a hand moves; 0 steps: a click. */
static inline void
cal_gui_drag_voxels (CalSliceView *view,
                     const double  a[3],
                     const double  b[3],
                     int           steps)
{
  GtkEventController *gesture = cal_gui_controller (view, "cursor-drag");
  double x0, y0, x1, y1;

  g_assert_true (cal_slice_view_voxel_to_widget (view, a, &x0, &y0));
  g_assert_true (cal_slice_view_voxel_to_widget (view, b, &x1, &y1));
  g_signal_emit_by_name (gesture, "drag-begin", x0, y0);
  for (int s = 1; s <= steps; s++)
    g_signal_emit_by_name (gesture, "drag-update", (x1 - x0) * s / steps, (y1 - y0) * s / steps);
  g_signal_emit_by_name (gesture, "drag-end", x1 - x0, y1 - y0);
  cal_gui_spin (0.05);
}

G_END_DECLS
