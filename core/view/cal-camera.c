/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-camera.h"

#include <math.h>

#include "cal-vec3.h"

#define MAX_ELEVATION (89.0 * G_PI / 180.0)

void
cal_camera_fit (CalCamera    *camera,
                const double  min[3],
                const double  max[3])
{
  double extent[3];

  for (int a = 0; a < 3; a++)
    {
      camera->target[a] = (min[a] + max[a]) / 2;
      extent[a] = max[a] - min[a];
    }
  camera->radius = MAX (sqrt (cal_vec3_dot (extent, extent)) / 2, 1.0);
  camera->fov_y = 30.0 * G_PI / 180.0;
  camera->azimuth = 0;
  camera->elevation = 0;
  /* The bounding sphere fills the view's height with a small margin. */
  camera->distance = camera->radius * 1.1 / sin (camera->fov_y / 2);
}

void
cal_camera_orbit (CalCamera *camera,
                  double     d_azimuth,
                  double     d_elevation)
{
  camera->azimuth = remainder (camera->azimuth + d_azimuth, 2 * G_PI);
  camera->elevation = CLAMP (camera->elevation + d_elevation, -MAX_ELEVATION, MAX_ELEVATION);
}

void
cal_camera_zoom (CalCamera *camera,
                 double     factor)
{
  g_return_if_fail (factor > 0);
  camera->distance = CLAMP (camera->distance / factor, camera->radius * 0.05,
                            camera->radius * 50);
}

void
cal_camera_eye (const CalCamera *camera,
                double           eye[3])
{
  double c = cos (camera->elevation);

  /* Azimuth 0: the eye is anterior (-y in LPS) of the target. */
  eye[0] = camera->target[0] + camera->distance * c * sin (camera->azimuth);
  eye[1] = camera->target[1] - camera->distance * c * cos (camera->azimuth);
  eye[2] = camera->target[2] + camera->distance * sin (camera->elevation);
}

void
cal_camera_basis (const CalCamera *camera,
                  double           right[3],
                  double           up[3],
                  double           forward[3])
{
  static const double head[3] = { 0, 0, 1 };
  double eye[3];

  cal_camera_eye (camera, eye);
  for (int a = 0; a < 3; a++)
    forward[a] = camera->target[a] - eye[a];
  cal_vec3_normalize (forward);
  cal_vec3_cross (forward, head, right);
  cal_vec3_normalize (right);
  cal_vec3_cross (right, forward, up);
}

void
cal_camera_pan (CalCamera *camera,
                double     dx,
                double     dy,
                double     height)
{
  double right[3], up[3], forward[3];
  double mm_per_px = 2 * camera->distance * tan (camera->fov_y / 2) / MAX (height, 1.0);

  cal_camera_basis (camera, right, up, forward);
  for (int a = 0; a < 3; a++)
    camera->target[a] -= (dx * right[a] - dy * up[a]) * mm_per_px;
}

void
cal_camera_view (const CalCamera *camera,
                 float            m[16])
{
  double right[3], up[3], forward[3], eye[3];

  cal_camera_eye (camera, eye);
  cal_camera_basis (camera, right, up, forward);
  for (int a = 0; a < 3; a++)
    {
      m[a * 4 + 0] = (float) right[a];
      m[a * 4 + 1] = (float) up[a];
      m[a * 4 + 2] = (float) -forward[a];
      m[a * 4 + 3] = 0;
    }
  m[12] = (float) -cal_vec3_dot (right, eye);
  m[13] = (float) -cal_vec3_dot (up, eye);
  m[14] = (float) cal_vec3_dot (forward, eye);
  m[15] = 1;
}

static void
clip_planes (const CalCamera *camera,
             double          *near,
             double          *far)
{
  *far = camera->distance + camera->radius * 1.5;
  *near = MAX (camera->distance - camera->radius * 1.5, *far * 1e-3);
}

void
cal_camera_projection (const CalCamera *camera,
                       double           aspect,
                       float            m[16])
{
  double near, far, f = 1 / tan (camera->fov_y / 2);

  clip_planes (camera, &near, &far);
  for (int i = 0; i < 16; i++)
    m[i] = 0;
  m[0] = (float) (f / MAX (aspect, 1e-6));
  m[5] = (float) f;
  m[10] = (float) ((far + near) / (near - far));
  m[11] = -1;
  m[14] = (float) (2 * far * near / (near - far));
}

void
cal_camera_clip_matrix (const CalCamera *camera,
                        double           aspect,
                        double           clip[4][4])
{
  float view[16], proj[16];

  cal_camera_view (camera, view);
  cal_camera_projection (camera, aspect, proj);
  /* Column-major GL matrices: element (r, c) is m[4 c + r]. */
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      {
        clip[r][c] = 0;
        for (int t = 0; t < 4; t++)
          clip[r][c] += (double) proj[4 * t + r] * view[4 * c + t];
      }
}

gboolean
cal_camera_project (const CalCamera *camera,
                    double           width,
                    double           height,
                    const double     xyz[3],
                    double           screen[2])
{
  float view[16], proj[16];
  double eye_space[4], clip[4];

  cal_camera_view (camera, view);
  cal_camera_projection (camera, width / height, proj);
  for (int r = 0; r < 4; r++)
    eye_space[r] = view[r] * xyz[0] + view[4 + r] * xyz[1] + view[8 + r] * xyz[2] + view[12 + r];
  for (int r = 0; r < 4; r++)
    clip[r] = proj[r] * eye_space[0] + proj[4 + r] * eye_space[1] + proj[8 + r] * eye_space[2]
            + proj[12 + r] * eye_space[3];
  if (clip[3] <= 0)
    return FALSE;
  screen[0] = (clip[0] / clip[3] + 1) / 2 * width;
  screen[1] = (1 - clip[1] / clip[3]) / 2 * height;
  return TRUE;
}
