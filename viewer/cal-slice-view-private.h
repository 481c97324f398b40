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
  gboolean             measuring;       /* the primary drag draws a measurement */
};

/* cal-slice-view.c */
guint    cal_slice_view_current_index   (CalSliceView *self);
void     cal_slice_view_invalidate      (CalSliceView *self);
/* White text with a shadow, its box aligned at (x, y) by align_x/y (0..1). */
void     cal_slice_view_append_text     (CalSliceView *self,
                                         GtkSnapshot  *snapshot,
                                         const char   *text,
                                         double        x,
                                         double        y,
                                         double        align_x,
                                         double        align_y);
/* The pixel width of `text` in the view's font, and the height of one line. */
int      cal_slice_view_text_width      (CalSliceView *self,
                                         const char   *text,
                                         int          *line_height);

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
/* (x, y): where the drag ended, which a measurement takes as its end. */
void     cal_slice_view_tool_end        (CalSliceView *self,
                                         double        x,
                                         double        y);
void     cal_slice_view_append_brush    (CalSliceView *self,
                                         GtkSnapshot  *snapshot);
gboolean cal_slice_view_tool_key        (CalSliceView *self,
                                         guint         keyval);

/* cal-slice-view-measure.c: rulers and HU regions drawn with the primary
 * drag while a measuring tool is active, and every measurement on the
 * slice shown.  begin() is FALSE when the tool does not measure. */
gboolean cal_slice_view_measure_begin   (CalSliceView *self,
                                         double        x,
                                         double        y);
void     cal_slice_view_measure_update  (CalSliceView *self,
                                         double        x,
                                         double        y);
void     cal_slice_view_measure_end     (CalSliceView *self);
void     cal_slice_view_measure_cancel  (CalSliceView *self);
void     cal_slice_view_append_measurements (CalSliceView *self,
                                             GtkSnapshot  *snapshot);

G_END_DECLS
