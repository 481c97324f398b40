/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The 3D view's orbit camera, in patient LPS millimetres.  Azimuth 0 and
 * elevation 0 look at the face from the front with the head up, so the
 * patient's left is on the screen's right, as in the slice views' coronal
 * plane.  Matrices are column-major floats, ready for GL.
 */
typedef struct {
  double target[3];    /* point orbited, LPS mm */
  double distance;     /* from the eye to the target, mm */
  double azimuth;      /* radians about the patient's S axis */
  double elevation;    /* radians above the axial plane, |e| < 89 degrees */
  double fov_y;        /* vertical field of view, radians */
  double radius;       /* radius of the scene, mm: sets the clip planes */
} CalCamera;

void     cal_camera_fit        (CalCamera    *camera,
                                const double  min[3],
                                const double  max[3]);
void     cal_camera_orbit      (CalCamera    *camera,
                                double        d_azimuth,
                                double        d_elevation);
void     cal_camera_zoom       (CalCamera    *camera,
                                double        factor);
/* Moves the target so the scene follows a drag of (dx, dy) pixels in a
 * viewport `height` pixels tall. */
void     cal_camera_pan        (CalCamera    *camera,
                                double        dx,
                                double        dy,
                                double        height);
void     cal_camera_eye        (const CalCamera *camera,
                                double        eye[3]);
void     cal_camera_basis      (const CalCamera *camera,
                                double        right[3],
                                double        up[3],
                                double        forward[3]);
void     cal_camera_view       (const CalCamera *camera,
                                float         matrix[16]);
void     cal_camera_projection (const CalCamera *camera,
                                double        aspect,
                                float         matrix[16]);
/* Projection × view as row-major doubles: patient (x, y, z, 1) -> clip. */
void     cal_camera_clip_matrix (const CalCamera *camera,
                                 double        aspect,
                                 double        clip[4][4]);
/* Patient point -> pixel in a width x height viewport (y down); FALSE
 * behind the eye. */
gboolean cal_camera_project    (const CalCamera *camera,
                                double        width,
                                double        height,
                                const double  xyz[3],
                                double        screen[2]);

G_END_DECLS
