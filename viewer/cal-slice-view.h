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
 *
 * Editing (the state's CalEditTools): with the brush or eraser the primary
 * button paints, and the brush's outline follows the pointer to scale; with
 * Keep Piece or Remove Piece a click picks the piece under it.  Keys: B
 * brush, E eraser, K keep piece, D remove piece, N navigate, [ and ] the
 * brush's size, Escape cancels a stroke.
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
/* Where voxel ijk (continuous) lands in the widget; FALSE before the
 * first draw (tests and overlays use it). */
gboolean             cal_slice_view_voxel_to_widget  (CalSliceView        *self,
                                                      const double         ijk[3],
                                                      double              *x,
                                                      double              *y);
/* The grid axis (0 i, 1 j, 2 k) that crosses this view's slices. */
int                  cal_slice_view_get_voxel_axis   (CalSliceView        *self);
/* "Axial", "Coronal" or "Sagittal", translated. */
const char          *cal_slice_view_get_title        (CalSliceView        *self);
/* Duration of the last slice render (sampling + texture), microseconds. */
gint64               cal_slice_view_get_render_usec  (CalSliceView        *self);

G_END_DECLS
