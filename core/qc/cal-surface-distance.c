/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-surface-distance.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define LEAF_SIZE 4
#define MAX_DEPTH 96

typedef struct {
  float   lo[3], hi[3];
  guint32 first_or_right;   /* leaf: first triangle; inner node: right child */
  guint32 count;            /* leaf: triangles (> 0); inner node: 0 */
} Node;

struct _CalSurfaceDistance {
  float   *triangles;       /* 9 floats each, in Morton order */
  guint32  n_triangles;
  Node    *nodes;
  guint32  n_nodes;
};

static inline double
dot3 (const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void
point_along (const double origin[3], const double dir[3], double t, double out[3])
{
  for (int i = 0; i < 3; i++)
    out[i] = origin[i] + t * dir[i];
}

/* By the Voronoi regions of the triangle's vertices, edges and face:
 * each test decides one region from dot products with the edges. */
void
cal_triangle_closest_point (const double p[3],
                            const double a[3],
                            const double b[3],
                            const double c[3],
                            double       closest[3])
{
  double ab[3], ac[3], ap[3], bp[3], cp[3], bc[3];
  double d1, d2, d3, d4, d5, d6, va, vb, vc, sum;

  for (int i = 0; i < 3; i++)
    {
      ab[i] = b[i] - a[i];
      ac[i] = c[i] - a[i];
      bc[i] = c[i] - b[i];
      ap[i] = p[i] - a[i];
      bp[i] = p[i] - b[i];
      cp[i] = p[i] - c[i];
    }
  d1 = dot3 (ab, ap);
  d2 = dot3 (ac, ap);
  if (d1 <= 0 && d2 <= 0)
    {
      memcpy (closest, a, 3 * sizeof (double));
      return;
    }
  d3 = dot3 (ab, bp);
  d4 = dot3 (ac, bp);
  if (d3 >= 0 && d4 <= d3)
    {
      memcpy (closest, b, 3 * sizeof (double));
      return;
    }
  vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0)
    {
      point_along (a, ab, d1 / (d1 - d3), closest);
      return;
    }
  d5 = dot3 (ab, cp);
  d6 = dot3 (ac, cp);
  if (d6 >= 0 && d5 <= d6)
    {
      memcpy (closest, c, 3 * sizeof (double));
      return;
    }
  vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0)
    {
      point_along (a, ac, d2 / (d2 - d6), closest);
      return;
    }
  va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0)
    {
      point_along (b, bc, (d4 - d3) / ((d4 - d3) + (d5 - d6)), closest);
      return;
    }
  sum = va + vb + vc;
  if (sum <= 0)   /* degenerate (zero area): its vertex a is as good as any */
    {
      memcpy (closest, a, 3 * sizeof (double));
      return;
    }
  for (int i = 0; i < 3; i++)
    closest[i] = a[i] + ab[i] * (vb / sum) + ac[i] * (vc / sum);
}

/* Spreads the low 10 bits of v to every third bit. */
static guint32
spread_bits (guint32 v)
{
  v &= 0x3ff;
  v = (v | (v << 16)) & 0x030000ff;
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  v = (v | (v << 2)) & 0x09249249;
  return v;
}

/* Sorts keys by their upper 32 bits (the Morton code; the lower 32 are
 * the triangle's index), least significant byte first. */
static void
radix_sort_by_code (guint64 *keys, guint64 *scratch, gsize n)
{
  for (int shift = 32; shift < 64; shift += 8)
    {
      gsize count[257] = { 0 };

      for (gsize i = 0; i < n; i++)
        count[((keys[i] >> shift) & 0xff) + 1]++;
      for (int d = 0; d < 256; d++)
        count[d + 1] += count[d];
      for (gsize i = 0; i < n; i++)
        scratch[count[(keys[i] >> shift) & 0xff]++] = keys[i];
      memcpy (keys, scratch, n * sizeof (guint64));
    }
}

static guint32
morton_code (const double centre[3], const double lo[3], const double scale[3])
{
  guint32 code = 0;

  for (int i = 0; i < 3; i++)
    code |= spread_bits ((guint32) CLAMP ((centre[i] - lo[i]) * scale[i], 0.0, 1023.0)) << i;
  return code;
}

static void
morton_scale (const double lo[3], const double hi[3], double scale[3])
{
  for (int i = 0; i < 3; i++)
    scale[i] = hi[i] > lo[i] ? 1023.0 / (hi[i] - lo[i]) : 0;
}

static guint64 *
morton_order (CalMesh *mesh)
{
  const float *v = cal_mesh_get_vertices (mesh);
  const guint32 *t = cal_mesh_get_triangles (mesh);
  guint32 n = cal_mesh_get_n_triangles (mesh);
  double lo[3], hi[3], scale[3];
  guint64 *keys = g_new (guint64, n), *scratch = g_new (guint64, n);

  cal_mesh_bounds (mesh, lo, hi);
  morton_scale (lo, hi, scale);
  for (guint32 f = 0; f < n; f++)
    {
      double centre[3];

      for (int i = 0; i < 3; i++)
        centre[i] = (v[3 * t[3 * f] + i] + v[3 * t[3 * f + 1] + i] + v[3 * t[3 * f + 2] + i]) / 3.0;
      keys[f] = ((guint64) morton_code (centre, lo, scale) << 32) | f;
    }
  radix_sort_by_code (keys, scratch, n);
  g_free (scratch);
  return keys;
}

guint32 *
cal_points_morton_order (const float *points,
                         gsize        stride,
                         guint32      n)
{
  double lo[3] = { DBL_MAX, DBL_MAX, DBL_MAX }, hi[3] = { -DBL_MAX, -DBL_MAX, -DBL_MAX }, scale[3];
  g_autofree guint64 *keys = g_new (guint64, MAX (n, 1u));
  g_autofree guint64 *scratch = g_new (guint64, MAX (n, 1u));
  guint32 *order = g_new (guint32, MAX (n, 1u));

  for (guint32 p = 0; p < n; p++)
    for (int i = 0; i < 3; i++)
      if (isfinite (points[p * stride + i]))
        {
          lo[i] = MIN (lo[i], points[p * stride + i]);
          hi[i] = MAX (hi[i], points[p * stride + i]);
        }
  morton_scale (lo, hi, scale);
  for (guint32 p = 0; p < n; p++)
    {
      double centre[3];

      for (int i = 0; i < 3; i++)
        centre[i] = isfinite (points[p * stride + i]) ? points[p * stride + i] : lo[i];
      keys[p] = ((guint64) morton_code (centre, lo, scale) << 32) | p;
    }
  radix_sort_by_code (keys, scratch, n);
  for (guint32 p = 0; p < n; p++)
    order[p] = (guint32) keys[p];
  return order;
}

static void
leaf_box (const CalSurfaceDistance *self, Node *node)
{
  for (int i = 0; i < 3; i++)
    {
      node->lo[i] = FLT_MAX;
      node->hi[i] = -FLT_MAX;
    }
  for (guint32 f = node->first_or_right; f < node->first_or_right + node->count; f++)
    for (int k = 0; k < 3; k++)
      for (int i = 0; i < 3; i++)
        {
          float x = self->triangles[9 * f + 3 * k + i];
          node->lo[i] = MIN (node->lo[i], x);
          node->hi[i] = MAX (node->hi[i], x);
        }
}

/* Where [lo, hi) splits: at the first triangle whose Morton code differs
 * from the range's first in the highest bit where the first and last
 * differ, so both halves are tight boxes of the curve (halving by count
 * can put two far apart stretches of the curve in one box); in the middle
 * when all codes are equal. */
static guint32
split_at (const guint32 *codes, guint32 lo, guint32 hi)
{
  guint32 first = codes[lo], diff = first ^ codes[hi - 1], bit, a = lo, b = hi - 1;

  if (diff == 0)
    return lo + (hi - lo) / 2;
  bit = 1u << (31 - __builtin_clz (diff));
  /* codes are sorted: the bit is clear up to the split and set after. */
  while (b - a > 1)
    {
      guint32 mid = a + (b - a) / 2;

      if (codes[mid] & bit)
        b = mid;
      else
        a = mid;
    }
  return b;
}

static guint32
new_node (CalSurfaceDistance *self, guint32 *capacity)
{
  if (self->n_nodes == *capacity)
    {
      *capacity *= 2;
      self->nodes = g_renew (Node, self->nodes, *capacity);
    }
  return self->n_nodes++;
}

/* Builds the subtree over triangles [lo, hi) in depth first order (the
 * left child follows its parent); returns its node. */
static guint32
build_node (CalSurfaceDistance *self, const guint32 *codes, guint32 lo, guint32 hi,
            guint32 *capacity, int depth)
{
  guint32 index = new_node (self, capacity), left, right, mid;
  Node *node;

  if (hi - lo <= LEAF_SIZE || depth >= MAX_DEPTH - 2)
    {
      /* Deep only when thousands of triangles share a Morton cell, which a
       * marching-cubes surface never does; a big leaf is still correct. */
      node = &self->nodes[index];
      node->first_or_right = lo;
      node->count = hi - lo;
      leaf_box (self, node);
      return index;
    }
  mid = split_at (codes, lo, hi);
  left = build_node (self, codes, lo, mid, capacity, depth + 1);
  right = build_node (self, codes, mid, hi, capacity, depth + 1);
  node = &self->nodes[index];
  node->first_or_right = right;
  node->count = 0;
  for (int i = 0; i < 3; i++)
    {
      node->lo[i] = MIN (self->nodes[left].lo[i], self->nodes[right].lo[i]);
      node->hi[i] = MAX (self->nodes[left].hi[i], self->nodes[right].hi[i]);
    }
  return index;
}

CalSurfaceDistance *
cal_surface_distance_new (CalMesh *mesh)
{
  CalSurfaceDistance *self;
  const float *v = cal_mesh_get_vertices (mesh);
  const guint32 *t = cal_mesh_get_triangles (mesh);
  guint32 n = cal_mesh_get_n_triangles (mesh), capacity;
  g_autofree guint64 *order = NULL;
  g_autofree guint32 *codes = NULL;

  if (n == 0)
    return NULL;
  order = morton_order (mesh);
  self = g_new0 (CalSurfaceDistance, 1);
  self->n_triangles = n;
  self->triangles = g_new (float, 9 * (gsize) n);
  codes = g_new (guint32, n);
  for (guint32 s = 0; s < n; s++)
    {
      guint32 f = (guint32) order[s];

      codes[s] = (guint32) (order[s] >> 32);
      for (int k = 0; k < 3; k++)
        memcpy (&self->triangles[9 * (gsize) s + 3 * k], &v[3 * (gsize) t[3 * f + k]], 3 * sizeof (float));
    }
  capacity = MAX (16u, n / 2);
  self->nodes = g_new (Node, capacity);
  build_node (self, codes, 0, n, &capacity, 0);
  self->nodes = g_renew (Node, self->nodes, self->n_nodes);
  return self;
}

void
cal_surface_distance_free (CalSurfaceDistance *self)
{
  if (self == NULL)
    return;
  g_free (self->triangles);
  g_free (self->nodes);
  g_free (self);
}

static inline double
box_distance2 (const Node *node, const double p[3])
{
  double sum = 0;

  for (int i = 0; i < 3; i++)
    {
      double d = MAX (MAX (node->lo[i] - p[i], p[i] - node->hi[i]), 0.0);
      sum += d * d;
    }
  return sum;
}

static void
test_leaf (const CalSurfaceDistance *self,
           const Node               *node,
           const double              p[3],
           double                   *best2,
           double                    best[3],
           guint32                  *best_triangle)
{
  for (guint32 f = node->first_or_right; f < node->first_or_right + node->count; f++)
    {
      const float *tri = &self->triangles[9 * (gsize) f];
      double a[3], b[3], c[3], q[3], d2 = 0, box2 = 0;

      /* The triangle's box first: most triangles of a leaf the sphere
       * reaches lie farther than the best so far, and the box says so
       * for a fraction of the closest point's cost. */
      for (int i = 0; i < 3; i++)
        {
          double lo = MIN (MIN (tri[i], tri[3 + i]), tri[6 + i]);
          double hi = MAX (MAX (tri[i], tri[3 + i]), tri[6 + i]);
          double d = MAX (MAX (lo - p[i], p[i] - hi), 0.0);
          box2 += d * d;
        }
      if (box2 >= *best2)
        continue;
      for (int i = 0; i < 3; i++)
        {
          a[i] = tri[i];
          b[i] = tri[3 + i];
          c[i] = tri[6 + i];
        }
      cal_triangle_closest_point (p, a, b, c, q);
      for (int i = 0; i < 3; i++)
        d2 += (q[i] - p[i]) * (q[i] - p[i]);
      if (d2 < *best2)
        {
          *best2 = d2;
          memcpy (best, q, sizeof q);
          *best_triangle = f;
        }
    }
}

static inline double
centre_distance2 (const Node *node, const double p[3])
{
  double sum = 0;

  for (int i = 0; i < 3; i++)
    {
      double d = 0.5 * ((double) node->lo[i] + node->hi[i]) - p[i];
      sum += d * d;
    }
  return sum;
}

double
cal_surface_distance_nearest_hinted (const CalSurfaceDistance *self,
                                     const double              p[3],
                                     double                    closest[3],
                                     double                    normal[3],
                                     guint32                  *hint)
{
  /* Each entry keeps its box's distance, found when its parent was
   * looked at: a box the best answer has since overtaken is dropped
   * without touching its node again. */
  guint32 stack[MAX_DEPTH];
  double stack_d2[MAX_DEPTH];
  int top = 0;
  double best2 = DBL_MAX, best[3] = { 0 };
  guint32 best_leaf = 0, best_triangle = 0;

  /* The leaf that held the last point's answer: for the next point of a
   * surface it is near, so most boxes fall to the first comparison. */
  if (hint && *hint < self->n_nodes && self->nodes[*hint].count > 0)
    {
      test_leaf (self, &self->nodes[*hint], p, &best2, best, &best_triangle);
      best_leaf = *hint;
    }
  stack[top] = 0;
  stack_d2[top++] = box_distance2 (&self->nodes[0], p);
  while (top > 0)
    {
      guint32 index;
      const Node *node;

      top--;
      if (stack_d2[top] >= best2)
        continue;
      index = stack[top];
      node = &self->nodes[index];
      if (node->count > 0)
        {
          double before = best2;

          test_leaf (self, node, p, &best2, best, &best_triangle);
          if (best2 < before)
            best_leaf = index;
          continue;
        }
      {
        guint32 left = index + 1, right = node->first_or_right;
        double dl = box_distance2 (&self->nodes[left], p), dr = box_distance2 (&self->nodes[right], p);
        gboolean left_first = dl < dr;

        /* Inside both boxes (near a surface, common): the box whose centre
         * is nearer is more likely to hold the answer. */
        if (dl == dr)
          left_first = centre_distance2 (&self->nodes[left], p) <= centre_distance2 (&self->nodes[right], p);
        /* The nearer child on top: popped first, it tightens best2
         * before the farther one is looked at. */
        if (left_first)
          {
            if (dr < best2) { stack[top] = right; stack_d2[top++] = dr; }
            if (dl < best2) { stack[top] = left; stack_d2[top++] = dl; }
          }
        else
          {
            if (dl < best2) { stack[top] = left; stack_d2[top++] = dl; }
            if (dr < best2) { stack[top] = right; stack_d2[top++] = dr; }
          }
      }
    }
  if (hint)
    *hint = best_leaf;
  if (closest)
    memcpy (closest, best, sizeof best);
  if (normal)
    {
      const float *t = &self->triangles[9 * (gsize) best_triangle];
      cal_triangle_normal (t, t + 3, t + 6, normal);
    }
  return sqrt (best2);
}

double
cal_surface_distance_nearest (const CalSurfaceDistance *self,
                              const double              p[3],
                              double                    closest[3])
{
  return cal_surface_distance_nearest_hinted (self, p, closest, NULL, NULL);
}
