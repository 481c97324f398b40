/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-display.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal-vec3.h"

typedef struct {
  guint64 key;
  guint32 vertex;
} CellEntry;

static int
compare_cells (const void *a,
               const void *b)
{
  const CellEntry *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->vertex < y->vertex ? -1 : x->vertex > y->vertex;
}

static double
surface_area (CalMesh *mesh)
{
  const float *v = cal_mesh_get_vertices (mesh);
  const guint32 *t = cal_mesh_get_triangles (mesh);
  guint32 n = cal_mesh_get_n_triangles (mesh);
  double area = 0;

  for (guint32 f = 0; f < n; f++)
    {
      const float *a = v + 3 * t[3 * f], *b = v + 3 * t[3 * f + 1], *c = v + 3 * t[3 * f + 2];
      double u[3], w[3], x[3];

      for (int i = 0; i < 3; i++)
        {
          u[i] = (double) b[i] - a[i];
          w[i] = (double) c[i] - a[i];
        }
      cal_vec3_cross (u, w, x);
      area += sqrt (cal_vec3_dot (x, x)) / 2;
    }
  return area;
}

/* Area-weighted vertex normals (the cross product's length is twice the
 * area), then unit length. */
static void
smooth_normals (CalDisplayMesh *display)
{
  float *v = display->vertices;

  for (guint32 i = 0; i < display->n_vertices; i++)
    v[6 * i + 3] = v[6 * i + 4] = v[6 * i + 5] = 0;
  for (guint32 f = 0; f < display->n_triangles; f++)
    {
      const guint32 *t = display->indices + 3 * f;
      const float *a = v + 6 * t[0], *b = v + 6 * t[1], *c = v + 6 * t[2];
      float u[3], w[3], x[3];

      for (int i = 0; i < 3; i++)
        {
          u[i] = b[i] - a[i];
          w[i] = c[i] - a[i];
        }
      x[0] = u[1] * w[2] - u[2] * w[1];
      x[1] = u[2] * w[0] - u[0] * w[2];
      x[2] = u[0] * w[1] - u[1] * w[0];
      for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++)
          v[6 * t[k] + 3 + i] += x[i];
    }
  for (guint32 i = 0; i < display->n_vertices; i++)
    {
      float *n = v + 6 * i + 3;
      float len = sqrtf (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);

      for (int a = 0; a < 3; a++)
        n[a] = len > 0 ? n[a] / len : 0;
    }
}

static void
copy_full (CalDisplayMesh *display,
           CalMesh        *mesh)
{
  const float *v = cal_mesh_get_vertices (mesh);

  display->n_vertices = cal_mesh_get_n_vertices (mesh);
  display->n_triangles = cal_mesh_get_n_triangles (mesh);
  display->vertices = g_new (float, 6 * (gsize) display->n_vertices);
  for (guint32 i = 0; i < display->n_vertices; i++)
    memcpy (display->vertices + 6 * i, v + 3 * i, 3 * sizeof (float));
  display->indices = g_memdup2 (cal_mesh_get_triangles (mesh),
                                3 * sizeof (guint32) * display->n_triangles);
}

/* One pass of clustering with cubic cells of `cell` mm: one vertex per
 * occupied cell, keeping the triangles whose corners fall in three
 * distinct cells. */
static void
cluster (CalDisplayMesh *display,
         CalMesh        *mesh,
         double          cell)
{
  const float *v = cal_mesh_get_vertices (mesh);
  const guint32 *t = cal_mesh_get_triangles (mesh);
  guint32 nv = cal_mesh_get_n_vertices (mesh), nt = cal_mesh_get_n_triangles (mesh);
  g_autofree CellEntry *cells = g_new (CellEntry, nv);
  g_autofree guint32 *cluster_of = g_new (guint32, nv);
  guint32 n_clusters = 0, n_kept = 0;

  for (guint32 i = 0; i < nv; i++)
    {
      guint64 key = 0;

      for (int a = 0; a < 3; a++)
        key = key << 21 | ((guint64) floor ((v[3 * i + a] - display->min[a]) / cell) & 0x1fffff);
      cells[i] = (CellEntry) { key, i };
    }
  qsort (cells, nv, sizeof *cells, compare_cells);

  g_free (display->vertices);
  display->vertices = g_new0 (float, 6 * (gsize) nv);
  for (guint32 i = 0, start = 0; i <= nv; i++)
    {
      float *out;

      if (i < nv && cells[i].key == cells[start].key)
        continue;
      /* Cell [start, i): its vertex is the mean of its members. */
      out = display->vertices + 6 * (gsize) n_clusters;
      for (guint32 m = start; m < i; m++)
        {
          cluster_of[cells[m].vertex] = n_clusters;
          for (int a = 0; a < 3; a++)
            out[a] += v[3 * cells[m].vertex + a];
        }
      for (int a = 0; a < 3; a++)
        out[a] /= (float) (i - start);
      n_clusters++;
      start = i;
    }

  g_free (display->indices);
  display->indices = g_new (guint32, 3 * (gsize) nt);
  for (guint32 f = 0; f < nt; f++)
    {
      guint32 a = cluster_of[t[3 * f]], b = cluster_of[t[3 * f + 1]], c = cluster_of[t[3 * f + 2]];

      if (a == b || b == c || a == c)
        continue;
      display->indices[3 * n_kept] = a;
      display->indices[3 * n_kept + 1] = b;
      display->indices[3 * n_kept + 2] = c;
      n_kept++;
    }
  display->n_vertices = n_clusters;
  display->n_triangles = n_kept;
  display->cell_mm = cell;
}

CalDisplayMesh *
cal_display_mesh_new (CalMesh *mesh,
                      guint32  max_triangles)
{
  CalDisplayMesh *display;
  double cell;

  g_return_val_if_fail (CAL_IS_MESH (mesh), NULL);
  g_return_val_if_fail (max_triangles >= 16, NULL);

  display = g_new0 (CalDisplayMesh, 1);
  display->source_triangles = cal_mesh_get_n_triangles (mesh);
  cal_mesh_bounds (mesh, display->min, display->max);

  if (display->source_triangles <= max_triangles)
    copy_full (display, mesh);
  else
    {
      /* A clustered surface keeps about two triangles per cell it
       * crosses: start there and grow the cell until the budget holds. */
      cell = sqrt (2 * surface_area (mesh) / max_triangles);
      for (;;)
        {
          cluster (display, mesh, cell);
          if (display->n_triangles <= max_triangles)
            break;
          cell *= 1.15;
        }
    }
  smooth_normals (display);
  return display;
}

void
cal_display_mesh_free (CalDisplayMesh *display)
{
  if (display == NULL)
    return;
  g_free (display->vertices);
  g_free (display->indices);
  g_free (display->colours);
  g_free (display);
}
