/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small matrices in double precision, row-major: the voxel-to-patient
 * affines of grids and loaders, voxel volumes, small solves. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 3x3 determinant (row-major): voxel volumes, tetrahedra, small solves. */
static inline double
cal_mat3_determinant (const double m[3][3])
{
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
       - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
       + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* 4x4: affines (loaders, slice rendering). */
void      cal_mat4_multiply            (const double a[4][4],
                                        const double b[4][4],
                                        double       out[4][4]);
gboolean  cal_mat4_invert              (const double m[4][4],
                                        double       out[4][4]);

G_END_DECLS
