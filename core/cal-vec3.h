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

G_END_DECLS
