/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <math.h>

#include <glib.h>

G_BEGIN_DECLS

/* Small 3-vector helpers in double precision, shared by the geometry code
 * (slice planes, the camera, DICOM slice ordering, decimation). */

static inline double
cal_vec3_dot (const double a[3],
              const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void
cal_vec3_cross (const double a[3],
                const double b[3],
                double       out[3])
{
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

/* Scales v to unit length; a zero vector stays zero. */
static inline void
cal_vec3_normalize (double v[3])
{
  double len = sqrt (cal_vec3_dot (v, v));

  if (len > 0)
    for (int a = 0; a < 3; a++)
      v[a] /= len;
}

static inline double
cal_vec3_length (const double v[3])
{
  return sqrt (cal_vec3_dot (v, v));
}

static inline void
cal_vec3_sub (const double a[3],
              const double b[3],
              double       out[3])
{
  for (int k = 0; k < 3; k++)
    out[k] = a[k] - b[k];
}

static inline void
cal_vec3_copy (const double v[3],
               double       out[3])
{
  for (int k = 0; k < 3; k++)
    out[k] = v[k];
}

G_END_DECLS
