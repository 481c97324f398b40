/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-decimate.h"

#include <math.h>
#include <string.h>

#include "cal-grid.h"
#include "cal-vec3.h"

typedef struct {
  double  cost;
  guint32 a, b;
  guint32 stamp_a, stamp_b;   /* the ends' versions when costed */
} Candidate;

typedef struct {
  Candidate *items;
  gsize      len, cap;
} Heap;

typedef struct {
  guint32 *items;
  guint32  len, cap;
} List;

typedef struct {
  double   *pos;        /* 3 per vertex */
  double   *quadric;    /* 10 per vertex: upper triangle of the 4x4 */
  guint32  *tris;
  guint8   *alive;
  List     *around;     /* triangles at each vertex (dead ones pruned lazily) */
  guint32  *version;
  guint32   n_vertices, n_triangles, n_alive;
  double    max_cost;   /* max_error_mm² */
  Heap      heap;
} Decimator;

/* ---- heap ---- */

static void
heap_push (Heap            *h,
           const Candidate *c)
{
  gsize i;

  if (h->len == h->cap)
    {
      h->cap = MAX (h->cap * 2, 1024);
      h->items = g_renew (Candidate, h->items, h->cap);
    }
  i = h->len++;
  while (i > 0 && h->items[(i - 1) / 2].cost > c->cost)
    {
      h->items[i] = h->items[(i - 1) / 2];
      i = (i - 1) / 2;
    }
  h->items[i] = *c;
}

static Candidate
heap_pop (Heap *h)
{
  Candidate top = h->items[0], last = h->items[--h->len];
  gsize i = 0;

  for (;;)
    {
      gsize child = 2 * i + 1;
      if (child >= h->len)
        break;
      if (child + 1 < h->len && h->items[child + 1].cost < h->items[child].cost)
        child++;
      if (h->items[child].cost >= last.cost)
        break;
      h->items[i] = h->items[child];
      i = child;
    }
  if (h->len > 0)
    h->items[i] = last;
  return top;
}

/* ---- lists ---- */

static void
list_add (List    *l,
          guint32  value)
{
  if (l->len == l->cap)
    {
      l->cap = MAX (l->cap * 2, 8);
      l->items = g_renew (guint32, l->items, l->cap);
    }
  l->items[l->len++] = value;
}

static void
list_prune (Decimator *d,
            List      *l)
{
  guint32 out = 0;

  for (guint32 i = 0; i < l->len; i++)
    if (d->alive[l->items[i]])
      l->items[out++] = l->items[i];
  l->len = out;
}

/* ---- geometry ---- */

static void
triangle_normal (const double *a,
                 const double *b,
                 const double *c,
                 double        n[3])
{
  double u[3], w[3];

  for (int i = 0; i < 3; i++)
    {
      u[i] = b[i] - a[i];
      w[i] = c[i] - a[i];
    }
  cal_vec3_cross (u, w, n);
}

static void
add_plane_quadrics (Decimator *d)
{
  for (guint32 t = 0; t < d->n_triangles; t++)
    {
      const guint32 *tri = d->tris + 3 * (gsize) t;
      double n[3], len, plane[4];
      int q = 0;

      triangle_normal (d->pos + 3 * (gsize) tri[0], d->pos + 3 * (gsize) tri[1],
                       d->pos + 3 * (gsize) tri[2], n);
      len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      if (len == 0)
        continue;
      for (int i = 0; i < 3; i++)
        plane[i] = n[i] / len;
      plane[3] = -(plane[0] * d->pos[3 * (gsize) tri[0]] + plane[1] * d->pos[3 * (gsize) tri[0] + 1] +
                   plane[2] * d->pos[3 * (gsize) tri[0] + 2]);
      for (int r = 0; r < 4; r++)
        for (int c = r; c < 4; c++, q++)
          for (int k = 0; k < 3; k++)
            d->quadric[10 * (gsize) tri[k] + q] += plane[r] * plane[c];
    }
}

/* vᵀ Q v for v = (p, 1). */
static double
quadric_error (const double *q,
               const double  p[3])
{
  const double v[4] = { p[0], p[1], p[2], 1 };
  double sum = 0;
  int i = 0;

  for (int r = 0; r < 4; r++)
    for (int c = r; c < 4; c++, i++)
      sum += (r == c ? 1 : 2) * q[i] * v[r] * v[c];
  return MAX (sum, 0);
}

/* Where the merged vertex goes: the quadric's minimum when it is well
 * defined and near the edge, else the best of the ends and the middle. */
static double
place (Decimator *d,
       guint32    a,
       guint32    b,
       double     p[3])
{
  double q[10], m[3][3], rhs[3], det, best;
  const double *pa = d->pos + 3 * (gsize) a, *pb = d->pos + 3 * (gsize) b;
  double edge2 = 0;

  for (int i = 0; i < 10; i++)
    q[i] = d->quadric[10 * (gsize) a + i] + d->quadric[10 * (gsize) b + i];
  m[0][0] = q[0]; m[0][1] = q[1]; m[0][2] = q[2];
  m[1][0] = q[1]; m[1][1] = q[4]; m[1][2] = q[5];
  m[2][0] = q[2]; m[2][1] = q[5]; m[2][2] = q[7];
  rhs[0] = -q[3]; rhs[1] = -q[6]; rhs[2] = -q[8];
  det = cal_mat3_determinant (m);
  for (int i = 0; i < 3; i++)
    edge2 += (pa[i] - pb[i]) * (pa[i] - pb[i]);

  if (fabs (det) > 1e-9)
    {
      double mid_dist2 = 0;
      for (int i = 0; i < 3; i++)
        {
          double col[3][3];
          memcpy (col, m, sizeof col);
          for (int r = 0; r < 3; r++)
            col[r][i] = rhs[r];
          p[i] = cal_mat3_determinant ((const double (*)[3]) col) / det;
          mid_dist2 += (p[i] - (pa[i] + pb[i]) / 2) * (p[i] - (pa[i] + pb[i]) / 2);
        }
      if (mid_dist2 <= edge2)
        return quadric_error (q, p);
    }
  {
    double options[3][3];
    for (int i = 0; i < 3; i++)
      {
        options[0][i] = pa[i];
        options[1][i] = pb[i];
        options[2][i] = (pa[i] + pb[i]) / 2;
      }
    best = INFINITY;
    for (int o = 0; o < 3; o++)
      {
        double e = quadric_error (q, options[o]);
        if (e < best)
          {
            best = e;
            memcpy (p, options[o], sizeof options[o]);
          }
      }
  }
  return best;
}

static void
push_edge (Decimator *d,
           guint32    a,
           guint32    b)
{
  double p[3];
  Candidate c = { place (d, a, b, p), a, b, d->version[a], d->version[b] };

  if (c.cost <= d->max_cost)
    heap_push (&d->heap, &c);
}

/* ---- collapse ---- */

static gboolean
has_vertex (const guint32 *tri,
            guint32        v)
{
  return tri[0] == v || tri[1] == v || tri[2] == v;
}

static guint32
alive_degree (Decimator *d,
              guint32    v)
{
  list_prune (d, &d->around[v]);
  return d->around[v].len;
}

/* The edge's two triangles' third corners, if the two ends share exactly
 * those two neighbours (the link condition): -1 otherwise. */
static gboolean
link_condition (Decimator *d,
                guint32    a,
                guint32    b,
                guint32    opposite[2])
{
  List *la = &d->around[a], *lb = &d->around[b];
  guint n_shared = 0, n_common = 0;

  for (guint32 i = 0; i < la->len; i++)
    {
      const guint32 *tri = d->tris + 3 * (gsize) la->items[i];
      if (has_vertex (tri, b))
        {
          if (n_shared == 2)
            return FALSE;
          opposite[n_shared++] = tri[0] != a && tri[0] != b ? tri[0]
                               : tri[1] != a && tri[1] != b ? tri[1] : tri[2];
        }
    }
  if (n_shared != 2)
    return FALSE;
  /* Every vertex adjacent to both must be one of the two opposites. */
  for (guint32 i = 0; i < la->len; i++)
    for (int k = 0; k < 3; k++)
      {
        guint32 v = d->tris[3 * (gsize) la->items[i] + k];
        if (v == a || v == b || v == opposite[0] || v == opposite[1])
          continue;
        for (guint32 j = 0; j < lb->len; j++)
          if (has_vertex (d->tris + 3 * (gsize) lb->items[j], v))
            n_common++;
      }
  return n_common == 0;
}

static double
longest_edge2 (const double *c[3])
{
  double best = 0;

  for (int k = 0; k < 3; k++)
    {
      double d = 0;
      for (int i = 0; i < 3; i++)
        d += (c[k][i] - c[(k + 1) % 3][i]) * (c[k][i] - c[(k + 1) % 3][i]);
      best = MAX (best, d);
    }
  return best;
}

/* Moving `from`'s corner to p must keep every triangle around it facing
 * the way it did and of non-zero area. */
static gboolean
keeps_orientation (Decimator    *d,
                   guint32       from,
                   guint32       other,
                   const double  p[3])
{
  List *l = &d->around[from];

  for (guint32 i = 0; i < l->len; i++)
    {
      const guint32 *tri = d->tris + 3 * (gsize) l->items[i];
      const double *c[3], *moved[3];
      double before[3], after[3], lb, la;

      if (has_vertex (tri, other))
        continue;   /* removed by the collapse */
      for (int k = 0; k < 3; k++)
        {
          c[k] = d->pos + 3 * (gsize) tri[k];
          moved[k] = tri[k] == from ? p : c[k];
        }
      triangle_normal (c[0], c[1], c[2], before);
      triangle_normal (moved[0], moved[1], moved[2], after);
      lb = sqrt (before[0] * before[0] + before[1] * before[1] + before[2] * before[2]);
      la = sqrt (after[0] * after[0] + after[1] * after[1] + after[2] * after[2]);
      /* No needles: twice the area against the longest edge squared keeps
       * every triangle well clear of degenerate once stored as float. */
      if (la <= 1e-4 * longest_edge2 (moved) ||
          before[0] * after[0] + before[1] * after[1] + before[2] * after[2] < 0.2 * lb * la)
        return FALSE;
    }
  return TRUE;
}

static gboolean
try_collapse (Decimator *d,
              guint32    a,
              guint32    b)
{
  guint32 opposite[2];
  double p[3];

  alive_degree (d, a);
  alive_degree (d, b);
  if (!link_condition (d, a, b, opposite) ||
      alive_degree (d, opposite[0]) <= 3 || alive_degree (d, opposite[1]) <= 3)
    return FALSE;
  if (place (d, a, b, p) > d->max_cost)
    return FALSE;
  /* Judge the position as it will be stored. */
  for (int i = 0; i < 3; i++)
    p[i] = (float) p[i];
  if (!keeps_orientation (d, a, b, p) || !keeps_orientation (d, b, a, p))
    return FALSE;

  /* Apply: the two shared triangles go, b's others move to a. */
  for (guint32 i = 0; i < d->around[b].len; i++)
    {
      guint32 t = d->around[b].items[i];
      guint32 *tri = d->tris + 3 * (gsize) t;
      if (has_vertex (tri, a))
        {
          d->alive[t] = 0;
          d->n_alive--;
          continue;
        }
      for (int k = 0; k < 3; k++)
        if (tri[k] == b)
          tri[k] = a;
      list_add (&d->around[a], t);
    }
  d->around[b].len = 0;
  list_prune (d, &d->around[a]);
  memcpy (d->pos + 3 * (gsize) a, p, sizeof p);
  for (int i = 0; i < 10; i++)
    d->quadric[10 * (gsize) a + i] += d->quadric[10 * (gsize) b + i];
  d->version[a]++;
  d->version[b]++;

  for (guint32 i = 0; i < d->around[a].len; i++)
    {
      const guint32 *tri = d->tris + 3 * (gsize) d->around[a].items[i];
      for (int k = 0; k < 3; k++)
        if (tri[k] != a && tri[(k + 1) % 3] == a)   /* each neighbour once */
          push_edge (d, MIN (a, tri[k]), MAX (a, tri[k]));
    }
  return TRUE;
}

static void
decimator_clear (Decimator *d)
{
  g_free (d->pos);
  g_free (d->quadric);
  g_free (d->tris);
  g_free (d->alive);
  for (guint32 v = 0; v < d->n_vertices && d->around != NULL; v++)
    g_free (d->around[v].items);
  g_free (d->around);
  g_free (d->version);
  g_free (d->heap.items);
}

static CalMesh *
decimator_result (Decimator *d,
                  CalMesh   *source)
{
  float *vertices = g_new (float, 3 * (gsize) MAX (d->n_vertices, 1));
  g_autofree gboolean *keep = g_new (gboolean, MAX (d->n_triangles, 1));
  g_autoptr(CalMesh) all = NULL;

  for (gsize i = 0; i < 3 * (gsize) d->n_vertices; i++)
    vertices[i] = (float) d->pos[i];
  for (guint32 t = 0; t < d->n_triangles; t++)
    keep[t] = d->alive[t];
  all = cal_mesh_new_take (vertices, d->n_vertices, g_steal_pointer (&d->tris), d->n_triangles,
                           cal_mesh_get_space (source));
  return cal_mesh_filter_triangles (all, keep);
}

CalMesh *
cal_mesh_decimate (CalMesh             *mesh,
                   double               reduction,
                   double               max_error_mm,
                   CalDecimateSummary  *summary,
                   CalProgressFunc      progress,
                   gpointer             progress_data,
                   GCancellable        *cancellable,
                   GError             **error)
{
  Decimator d = { 0 };
  const float *v = cal_mesh_get_vertices (mesh);
  guint32 target, done = 0;
  CalMesh *result;

  g_return_val_if_fail (CAL_IS_MESH (mesh), NULL);
  reduction = CLAMP (reduction, 0, 1);
  d.n_vertices = cal_mesh_get_n_vertices (mesh);
  d.n_triangles = d.n_alive = cal_mesh_get_n_triangles (mesh);
  d.max_cost = max_error_mm * max_error_mm;
  target = (guint32) ceil (d.n_triangles * (1 - reduction));
  d.pos = g_new (double, 3 * (gsize) MAX (d.n_vertices, 1));
  for (gsize i = 0; i < 3 * (gsize) d.n_vertices; i++)
    d.pos[i] = v[i];
  d.quadric = g_new0 (double, 10 * (gsize) MAX (d.n_vertices, 1));
  d.tris = g_new (guint32, 3 * (gsize) MAX (d.n_triangles, 1));
  memcpy (d.tris, cal_mesh_get_triangles (mesh), sizeof (guint32) * 3 * (gsize) d.n_triangles);
  d.alive = g_malloc (MAX (d.n_triangles, 1));
  memset (d.alive, 1, d.n_triangles);
  d.around = g_new0 (List, MAX (d.n_vertices, 1));
  d.version = g_new0 (guint32, MAX (d.n_vertices, 1));
  for (guint32 t = 0; t < d.n_triangles; t++)
    for (int k = 0; k < 3; k++)
      list_add (&d.around[d.tris[3 * (gsize) t + k]], t);
  add_plane_quadrics (&d);
  for (guint32 t = 0; t < d.n_triangles; t++)
    for (int k = 0; k < 3; k++)
      {
        guint32 a = d.tris[3 * (gsize) t + k], b = d.tris[3 * (gsize) t + (k + 1) % 3];
        if (a < b)   /* each edge once in a consistently wound mesh */
          push_edge (&d, a, b);
      }

  while (d.n_alive > target && d.heap.len > 0)
    {
      Candidate c = heap_pop (&d.heap);
      if (c.stamp_a != d.version[c.a] || c.stamp_b != d.version[c.b])
        continue;   /* an end moved since: its fresh cost is queued */
      if (try_collapse (&d, c.a, c.b) && ++done % 16384 == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              decimator_clear (&d);
              return NULL;
            }
          if (progress != NULL)
            progress ((double) (d.n_triangles - d.n_alive) / MAX (d.n_triangles - target, 1),
                      progress_data);
        }
    }

  if (summary != NULL)
    *summary = (CalDecimateSummary) { d.n_triangles, d.n_alive, max_error_mm,
                                      d.n_alive <= target };
  result = decimator_result (&d, mesh);
  decimator_clear (&d);
  return result;
}
