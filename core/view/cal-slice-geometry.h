/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-grid.h"

G_BEGIN_DECLS

/*
 * Where a slice view's pixels lie in the patient.
 *
 * Views are in patient orientation whatever the scan's voxel order: the
 * radiological convention, so the patient's right is on the screen's left
 * in axial and coronal views and anterior is on the left in sagittal ones.
 * An oblique or anisotropic scan is resampled into that frame; each display
 * axis is sampled at the spacing of the voxel axis most parallel to it, so
 * no voxel is skipped and the aspect stays true.
 *
 * Three frames:  screen (widget pixels, y down)  <->  plane (u, v, n in mm
 * along right, down and normal)  <->  patient (LPS mm)  <->  voxel (i, j, k).
 */
typedef enum {
  CAL_SLICE_AXIAL,
  CAL_SLICE_CORONAL,
  CAL_SLICE_SAGITTAL,
} CalSliceOrientation;

typedef enum {
  CAL_SLICE_EDGE_LEFT,
  CAL_SLICE_EDGE_RIGHT,
  CAL_SLICE_EDGE_TOP,
  CAL_SLICE_EDGE_BOTTOM,
} CalSliceEdge;

typedef struct {
  CalSliceOrientation orientation;
  double  right[3];      /* LPS unit vector of screen +x */
  double  down[3];       /* LPS unit vector of screen +y */
  double  normal[3];     /* LPS unit vector toward the next slice */
  double  u_min, v_min;  /* the volume's extent in the plane, mm (voxel edges) */
  double  u_max, v_max;
  double  n_min, n_max;  /* first and last slice position along normal, mm */
  double  pixel_u;       /* sampling step along right, mm */
  double  pixel_v;       /* sampling step along down, mm */
  double  step_n;        /* distance between slices, mm */
  guint   width;         /* slice image size in samples */
  guint   height;
  guint   n_slices;
} CalSlicePlane;

/* Screen <-> plane: `zoom` screen pixels per mm, plane point (center_u,
 * center_v) at the middle of a width x height widget. */
typedef struct {
  double width, height;
  double zoom;
  double center_u, center_v;
} CalSliceViewport;

const char *cal_slice_orientation_name  (CalSliceOrientation orientation);
/* "R", "L", "A", "P", "S" or "I": the patient side at that edge. */
const char *cal_slice_edge_label        (CalSliceOrientation orientation,
                                         CalSliceEdge        edge);

void     cal_slice_plane_init         (CalSlicePlane       *plane,
                                       const CalGrid       *grid,
                                       CalSliceOrientation  orientation);
void     cal_slice_plane_to_patient   (const CalSlicePlane *plane,
                                       double               u,
                                       double               v,
                                       double               n,
                                       double               xyz[3]);
void     cal_slice_plane_from_patient (const CalSlicePlane *plane,
                                       const double         xyz[3],
                                       double              *u,
                                       double              *v,
                                       double              *n);
/* Nearest slice to position n (clamped), and its position back. */
guint    cal_slice_plane_index        (const CalSlicePlane *plane,
                                       double               n);
double   cal_slice_plane_position     (const CalSlicePlane *plane,
                                       guint                index);
/* Plane coordinates of sample (x, y)'s centre in the slice image. */
void     cal_slice_plane_sample_center (const CalSlicePlane *plane,
                                        guint                x,
                                        guint                y,
                                        double              *u,
                                        double              *v);
/* The slice's four corners at position n in LPS mm, clockwise on screen
 * from the top left: for drawing the plane in the 3D view. */
void     cal_slice_plane_corners      (const CalSlicePlane *plane,
                                       double               n,
                                       double               corners[4][3]);

void     cal_slice_viewport_fit       (CalSliceViewport    *viewport,
                                       const CalSlicePlane *plane,
                                       double               width,
                                       double               height);
void     cal_slice_viewport_resize    (CalSliceViewport    *viewport,
                                       double               width,
                                       double               height);
void     cal_slice_viewport_to_plane  (const CalSliceViewport *viewport,
                                       double               x,
                                       double               y,
                                       double              *u,
                                       double              *v);
void     cal_slice_viewport_to_screen (const CalSliceViewport *viewport,
                                       double               u,
                                       double               v,
                                       double              *x,
                                       double              *y);
/* Zoom by `factor` keeping the plane point under (x, y) where it is. */
void     cal_slice_viewport_zoom_at   (CalSliceViewport    *viewport,
                                       double               x,
                                       double               y,
                                       double               factor);
void     cal_slice_viewport_pan       (CalSliceViewport    *viewport,
                                       double               dx,
                                       double               dy);

/* Screen point -> voxel index (continuous) and patient mm; FALSE when the
 * point is outside the volume. */
gboolean cal_slice_screen_to_voxel    (const CalSliceViewport *viewport,
                                       const CalSlicePlane    *plane,
                                       const CalGrid          *grid,
                                       double                  n,
                                       double                  x,
                                       double                  y,
                                       double                  xyz[3],
                                       double                  ijk[3]);

/* A round scale-bar length (1, 2 or 5 x 10^k mm) close to `target_px`
 * screen pixels at `zoom` pixels per mm. */
double   cal_scale_bar_length_mm      (double               zoom,
                                       double               target_px);

G_END_DECLS
