/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Exact squared Euclidean distance transform with anisotropic spacing, by
 * separable lower envelopes of parabolas (Felzenszwalb & Huttenlocher, 2012):
 * one pass per axis, each line independent, exact in real arithmetic.
 */
#include "cal-metrics.h"

#include <math.h>

#include "cal-parallel.h"

typedef struct {
  double       *data;
  const guint32 *dims;
  double        spacing;
  int           axis;
  gsize         stride;
  guint32       length;
} EdtPass;

/* d[i] = min_j f[j] + ((i - j) * s)^2 for one line, in place. */
static void
edt_line (double  *f,
          guint32  n,
          double   s,
          double  *d,
          guint32 *v,
          double  *z)
{
  guint32 k = 0;

  /* Lines with no finite value stay infinite. */
  {
    guint32 first = 0;
    while (first < n && isinf (f[first]))
      first++;
    if (first == n)
      return;
    v[0] = first;
  }
  z[0] = -INFINITY;
  z[1] = INFINITY;
  for (guint32 q = v[0] + 1; q < n; q++)
    {
      double xq = q * s, fq = f[q], sq;

      if (isinf (fq))
        continue;
      /* z[0] is -inf, so this stops at k = 0 at the latest. */
      for (;;)
        {
          double xv = v[k] * s;
          sq = ((fq + xq * xq) - (f[v[k]] + xv * xv)) / (2.0 * (xq - xv));
          if (sq > z[k])
            break;
          k--;
        }
      k++;
      v[k] = q;
      z[k] = sq;
      z[k + 1] = INFINITY;
    }
  k = 0;
  for (guint32 q = 0; q < n; q++)
    {
      double xq = q * s, dx;
      while (z[k + 1] < xq)
        k++;
      dx = xq - v[k] * s;
      d[q] = dx * dx + f[v[k]];
    }
  for (guint32 q = 0; q < n; q++)
    f[q] = d[q];
}

static void
edt_pass_line (guint    line,
               gpointer user_data)
{
  EdtPass *pass = user_data;
  const guint32 *dims = pass->dims;
  guint32 n = pass->length;
  g_autofree double *f = g_new (double, n);
  g_autofree double *d = g_new (double, n);
  g_autofree guint32 *v = g_new (guint32, n);
  g_autofree double *z = g_new (double, n + 1);
  gsize base;

  /* line enumerates the other two coordinates. */
  if (pass->axis == 0)
    base = (gsize) line * dims[0];
  else if (pass->axis == 1)
    base = (gsize) (line / dims[0]) * dims[0] * dims[1] + line % dims[0];
  else
    base = line;

  for (guint32 q = 0; q < n; q++)
    f[q] = pass->data[base + q * pass->stride];
  edt_line (f, n, pass->spacing, d, v, z);
  for (guint32 q = 0; q < n; q++)
    pass->data[base + q * pass->stride] = f[q];
}

/* out[i] = squared distance in mm² from voxel i to the nearest voxel where
 * features[i] != 0 (INFINITY when there is none). */
void
cal_metrics_squared_edt (const guint8  *features,
                         const guint32  dims[3],
                         const double   spacing[3],
                         double        *out)
{
  gsize n = (gsize) dims[0] * dims[1] * dims[2];
  const gsize strides[3] = { 1, dims[0], (gsize) dims[0] * dims[1] };

  for (gsize i = 0; i < n; i++)
    out[i] = features[i] ? 0.0 : INFINITY;
  for (int axis = 0; axis < 3; axis++)
    {
      EdtPass pass = { out, dims, spacing[axis], axis, strides[axis], dims[axis] };

      /* Along an axis one voxel long nothing moves (2D images: a pass of
       * a quarter million one-voxel lines would cost more than the rest). */
      if (dims[axis] == 1)
        continue;
      cal_parallel_for ((guint) (n / dims[axis]), edt_pass_line, &pass);
    }
}
