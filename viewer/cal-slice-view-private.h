/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the slice view's files share (cal-slice-view.c draws and navigates,
 * cal-slice-view-tools.c edits). */
#pragma once

#include "cal-slice-view.h"

G_BEGIN_DECLS

struct _CalSliceView
{
  GtkWidget            parent_instance;

  /* owned */
  CalViewState        *state;
  GdkTexture          *texture;        /* the slice as last rendered */
  char                *readout;

  CalSliceOrientation  orientation;
  CalSlicePlane        plane;
  gboolean             has_plane;
  CalSliceViewport     viewport;
  gboolean             fitted;
  gboolean             texture_dirty;
  guint                texture_index;
  gint64               render_usec;
  double               scroll_accumulated;
  double               drag_window, drag_level;   /* at the start of a W/L drag */
  double               drag_center_u, drag_center_v;
  double               pointer_x, pointer_y;
  gboolean             pointer_inside;
  gboolean             tool_drag;       /* the primary drag paints or picks */
  double               drag_start_x, drag_start_y;
};

/* cal-slice-view.c */
guint    cal_slice_view_current_index   (CalSliceView *self);
void     cal_slice_view_invalidate      (CalSliceView *self);

/* cal-slice-view-tools.c: the primary drag with an editing tool, the
 * brush's outline, and the tool keys.  Each returns FALSE when the active
 * tool is Navigate (the caller moves the crosshair). */
gboolean cal_slice_view_tool_begin      (CalSliceView *self,
                                         GtkGesture   *gesture,
                                         double        x,
                                         double        y);
void     cal_slice_view_tool_update     (CalSliceView *self,
                                         GtkGesture   *gesture,
                                         double        x,
                                         double        y);
void     cal_slice_view_tool_end        (CalSliceView *self);
void     cal_slice_view_append_brush    (CalSliceView *self,
                                         GtkSnapshot  *snapshot);
gboolean cal_slice_view_tool_key        (CalSliceView *self,
                                         guint         keyval);

G_END_DECLS
