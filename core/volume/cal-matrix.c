/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-matrix.h"

#include <math.h>
#include <string.h>

void
cal_mat4_multiply (const double a[4][4],
                   const double b[4][4],
                   double       out[4][4])
{
  double tmp[4][4];

  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      {
        double sum = 0;
        for (int k = 0; k < 4; k++)
          sum += a[r][k] * b[k][c];
        tmp[r][c] = sum;
      }
  memcpy (out, tmp, sizeof tmp);
}

/* Gauss-Jordan with partial pivoting; FALSE for a singular matrix. */
gboolean
cal_mat4_invert (const double m[4][4],
                 double       out[4][4])
{
  double a[4][8];

  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 8; c++)
      a[r][c] = c < 4 ? m[r][c] : (c - 4 == r ? 1.0 : 0.0);

  for (int col = 0; col < 4; col++)
    {
      int pivot = col;

      for (int r = col + 1; r < 4; r++)
        if (fabs (a[r][col]) > fabs (a[pivot][col]))
          pivot = r;
      if (fabs (a[pivot][col]) < 1e-12)
        return FALSE;
      if (pivot != col)
        for (int c = 0; c < 8; c++)
          {
            double t = a[col][c];
            a[col][c] = a[pivot][c];
            a[pivot][c] = t;
          }
      {
        double inv_pivot = 1.0 / a[col][col];
        for (int c = 0; c < 8; c++)
          a[col][c] *= inv_pivot;
      }
      for (int r = 0; r < 4; r++)
        if (r != col && a[r][col] != 0.0)
          {
            double f = a[r][col];
            for (int c = 0; c < 8; c++)
              a[r][c] -= f * a[col][c];
          }
    }
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      out[r][c] = a[r][c + 4];
  return TRUE;
}
