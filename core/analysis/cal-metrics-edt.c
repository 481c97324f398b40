/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Exact squared Euclidean distance transform with anisotropic spacing, by
 * separable lower envelopes of parabolas (Felzenszwalb & Huttenlocher, 2012):
 * one pass per axis, each line independent, exact in real arithmetic.
 */
#include "cal-metrics.h"

#include <math.h>
#include <string.h>

#include "cal-parallel.h"

/* Lines along axes 1 and 2 are columns in memory: one voxel per cache
 * line.  They are handled TILE at a time, neighbours in x (axis 1) or in
 * the plane (axis 2), gathered into contiguous scratch, so every cache
 * line read is used whole. */
#define TILE 16

typedef struct {
  double        *data;
  const guint32 *dims;
  double         spacing;
  int            axis;
  gsize          stride;     /* between voxels of a line */
  guint32        length;     /* voxels per line */
  guint32        run;        /* lines per tile row: neighbours in memory */
  guint32        tiles_per_run;
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
  memcpy (f, d, n * sizeof *f);
}

/* The first axis of a binary image needs no envelope: the distance to the
 * nearest feature in the row, by a sweep each way. */
static void
edt_first_axis_row (guint    row,
                    gpointer user_data)
{
  EdtPass *pass = user_data;
  double *f = pass->data + (gsize) row * pass->length;
  guint32 n = pass->length;
  double last = -INFINITY, s = pass->spacing;

  for (guint32 q = 0; q < n; q++)
    {
      if (f[q] == 0.0)
        last = q;
      f[q] = isinf (last) ? INFINITY : (q - last) * s * (q - last) * s;
    }
  last = INFINITY;
  for (guint32 q = n; q-- > 0;)
    {
      double d;
      if (f[q] == 0.0)
        last = q;
      d = (last - q) * s;
      if (!isinf (last) && d * d < f[q])
        f[q] = d * d;
    }
}

static void
edt_tile (guint    tile,
          gpointer user_data)
{
  EdtPass *pass = user_data;
  guint32 n = pass->length;
  guint32 outer = tile / pass->tiles_per_run, first = (tile % pass->tiles_per_run) * TILE;
  guint32 width = MIN (TILE, pass->run - first);
  gsize base = (gsize) outer * pass->run * n + first;   /* start of the tile's first line */
  g_autofree double *lines = g_new (double, (gsize) TILE * n);
  g_autofree double *d = g_new (double, n);
  g_autofree guint32 *v = g_new (guint32, n);
  g_autofree double *z = g_new (double, n + 1);

  for (guint32 q = 0; q < n; q++)
    {
      const double *row = pass->data + base + q * pass->stride;
      for (guint32 w = 0; w < width; w++)
        lines[w * (gsize) n + q] = row[w];
    }
  for (guint32 w = 0; w < width; w++)
    edt_line (lines + w * (gsize) n, n, pass->spacing, d, v, z);
  for (guint32 q = 0; q < n; q++)
    {
      double *row = pass->data + base + q * pass->stride;
      for (guint32 w = 0; w < width; w++)
        row[w] = lines[w * (gsize) n + q];
    }
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

  for (gsize i = 0; i < n; i++)
    out[i] = features[i] ? 0.0 : INFINITY;
  {
    EdtPass pass = { .data = out, .dims = dims, .spacing = spacing[0], .length = dims[0] };
    cal_parallel_for (dims[1] * dims[2], edt_first_axis_row, &pass);
  }
  for (int axis = 1; axis < 3; axis++)
    {
      /* Axis 1: lines of one z-plane are neighbours in x; axis 2: every
       * line of the volume is a neighbour in the plane. */
      guint32 run = axis == 1 ? dims[0] : dims[0] * dims[1];
      EdtPass pass = {
        .data = out, .dims = dims, .spacing = spacing[axis], .axis = axis,
        .stride = run, .length = dims[axis], .run = run,
        .tiles_per_run = (run + TILE - 1) / TILE,
      };
      guint32 outer = axis == 1 ? dims[2] : 1;

      /* Along an axis one voxel long nothing moves (2D images). */
      if (dims[axis] == 1)
        continue;
      cal_parallel_for (outer * pass.tiles_per_run, edt_tile, &pass);
    }
}
