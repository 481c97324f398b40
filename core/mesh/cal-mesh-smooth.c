/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-smooth.h"

#include <stdlib.h>
#include <string.h>

#include "cal-parallel.h"

/* Taubin's pass band k_PB = 1/λ + 1/μ ≈ 0.1: frequencies above it (the
 * voxel steps) are damped, the shape below it is kept. */
#define TAUBIN_LAMBDA  0.5
#define TAUBIN_MU     -0.53
#define BLOCK          8192

static int
compare_u32 (const void *a,
             const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* Neighbours of every vertex: compressed rows, each sorted, no repeats. */
static void
vertex_neighbours (CalMesh  *mesh,
                   guint32 **start_out,
                   guint32 **neighbours_out)
{
  guint32 nv = cal_mesh_get_n_vertices (mesh), nt = cal_mesh_get_n_triangles (mesh);
  const guint32 *tris = cal_mesh_get_triangles (mesh);
  guint32 *start = g_new0 (guint32, (gsize) nv + 1);
  guint32 *fill, *raw, *unique, out = 0;

  /* Each triangle gives each corner its two other corners. */
  for (gsize e = 0; e < 3 * (gsize) nt; e++)
    start[tris[e] + 1] += 2;
  for (guint32 v = 0; v < nv; v++)
    start[v + 1] += start[v];
  raw = g_new (guint32, MAX (start[nv], 1));
  fill = g_memdup2 (start, sizeof (guint32) * nv);
  for (guint32 t = 0; t < nt; t++)
    for (int k = 0; k < 3; k++)
      {
        guint32 v = tris[3 * (gsize) t + k];
        raw[fill[v]++] = tris[3 * (gsize) t + (k + 1) % 3];
        raw[fill[v]++] = tris[3 * (gsize) t + (k + 2) % 3];
      }
  g_free (fill);

  unique = g_new (guint32, MAX (start[nv], 1));
  for (guint32 v = 0; v < nv; v++)
    {
      guint32 a = start[v], b = start[v + 1];
      qsort (raw + a, b - a, sizeof (guint32), compare_u32);
      start[v] = out;
      for (guint32 i = a; i < b; i++)
        if (i == a || raw[i] != raw[i - 1])
          unique[out++] = raw[i];
    }
  start[nv] = out;
  g_free (raw);
  *start_out = start;
  *neighbours_out = unique;
}

typedef struct {
  const guint32 *start, *neighbours;
  const float   *from;
  float         *to;
  guint32        n_vertices;
  double         factor;
} Step;

static void
step_block (guint    block,
            gpointer data)
{
  const Step *s = data;
  guint32 v0 = block * BLOCK, v1 = MIN (v0 + BLOCK, s->n_vertices);

  for (guint32 v = v0; v < v1; v++)
    {
      guint32 a = s->start[v], b = s->start[v + 1];
      double mean[3] = { 0, 0, 0 };

      for (guint32 i = a; i < b; i++)
        for (int c = 0; c < 3; c++)
          mean[c] += s->from[3 * (gsize) s->neighbours[i] + c];
      for (int c = 0; c < 3; c++)
        {
          double here = s->from[3 * (gsize) v + c];
          s->to[3 * (gsize) v + c] = b > a ? (float) (here + s->factor * (mean[c] / (b - a) - here))
                                           : (float) here;
        }
    }
}

gboolean
cal_mesh_smooth_taubin (CalMesh          *mesh,
                        guint             iterations,
                        CalProgressFunc   progress,
                        gpointer          progress_data,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autofree guint32 *start = NULL;
  g_autofree guint32 *neighbours = NULL;
  g_autofree float *scratch = NULL;
  float *vertices = cal_mesh_get_vertices_mutable (mesh);
  guint32 nv = cal_mesh_get_n_vertices (mesh);
  Step step;

  if (iterations == 0 || nv == 0)
    return TRUE;
  vertex_neighbours (mesh, &start, &neighbours);
  scratch = g_new (float, 3 * (gsize) nv);
  step = (Step) { start, neighbours, NULL, NULL, nv, 0 };
  for (guint it = 0; it < iterations; it++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;   /* the mesh is smoothed less, never broken */
      step.from = vertices;
      step.to = scratch;
      step.factor = TAUBIN_LAMBDA;
      cal_parallel_for ((nv + BLOCK - 1) / BLOCK, step_block, &step);
      step.from = scratch;
      step.to = vertices;
      step.factor = TAUBIN_MU;
      cal_parallel_for ((nv + BLOCK - 1) / BLOCK, step_block, &step);
      if (progress != NULL)
        progress ((double) (it + 1) / iterations, progress_data);
    }
  return TRUE;
}
