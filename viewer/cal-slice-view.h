/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cal-slice-geometry.h"
#include "cal-view-state.h"

G_BEGIN_DECLS

/*
 * One slice of the shared volume in patient orientation, with the mask as
 * an overlay, the linked crosshair, orientation labels, a scale bar and
 * the HU and position under the pointer.
 *
 * Mouse: click or drag to move the crosshair; scroll to step slices
 * (Ctrl+scroll zooms at the pointer); right-drag for window (sideways)
 * and level (up and down); middle-drag, or Shift+drag, to pan.
 * Keys: Up/Down and Page Up/Down step slices, R resets zoom and pan.
 */
#define CAL_TYPE_SLICE_VIEW (cal_slice_view_get_type ())
G_DECLARE_FINAL_TYPE (CalSliceView, cal_slice_view, CAL, SLICE_VIEW, GtkWidget)

GtkWidget           *cal_slice_view_new              (CalViewState        *state,
                                                      CalSliceOrientation  orientation);
CalViewState        *cal_slice_view_get_state        (CalSliceView        *self);
void                 cal_slice_view_set_state        (CalSliceView        *self,
                                                      CalViewState        *state);
CalSliceOrientation  cal_slice_view_get_orientation  (CalSliceView        *self);
/* The slice shown, 0 .. n_slices - 1; FALSE without a volume. */
gboolean             cal_slice_view_get_slice        (CalSliceView        *self,
                                                      guint               *index,
                                                      guint               *n_slices);
/* Moves the crosshair `delta` slices along this view's normal. */
void                 cal_slice_view_step             (CalSliceView        *self,
                                                      int                  delta);
void                 cal_slice_view_reset_zoom       (CalSliceView        *self);
const CalSlicePlane *cal_slice_view_get_plane        (CalSliceView        *self);
/* The pointer readout as shown ("" when the pointer is not over the
 * volume); for tests and the status line. */
const char          *cal_slice_view_get_readout      (CalSliceView        *self);
/* Duration of the last slice render (sampling + texture), microseconds. */
gint64               cal_slice_view_get_render_usec  (CalSliceView        *self);

G_END_DECLS
