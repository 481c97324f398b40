/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-check.h"

#include <math.h>
#include <string.h>

#include "cal-mask-components.h"
#include "cal-parallel.h"

#define BLOCK_VERTICES 16384

/*
 * Everything is checked in one parallel pass over the vertices.  At vertex
 * v, each incident triangle is reduced to the two corners after and before
 * v in its winding; a closed, consistently wound, manifold fan is exactly
 * one where every "after" is some other triangle's "before" once, and
 * walking after -> before goes round all triangles in one cycle.  Edges,
 * duplicates, degenerate triangles, volume and area are counted at a
 * triangle's or edge's lowest vertex so each is counted once; components
 * come from a lock-free union-find over the vertices.
 */

typedef struct {
  guint64 boundary, nonmanifold, misoriented, nonmanifold_vertices, degenerate, duplicate;
  double  volume6, area2;   /* 6 x signed volume, 2 x area */
} Counts;

typedef struct {
  const float   *vertices;
  const guint32 *triangles;
  guint32        n_vertices;
  guint32        n_triangles;
  guint32       *start;      /* n_vertices + 1: triangles around each vertex */
  guint32       *around;
  gint          *parent;     /* union-find over vertices (atomic) */
  double         origin[3];
  Counts        *blocks;     /* one per block of vertices */
} Check;

/* Triangles around each vertex, built in parallel: each task owns a range
 * of vertices and scans every triangle for corners in it, so no two tasks
 * write the same counter. */
typedef struct {
  Check   *c;
  guint32 *fill;
  guint    n_tasks;
} Incidence;

static void
vertex_range (const Incidence *inc,
              guint            task,
              guint32         *lo,
              guint32         *hi)
{
  guint64 n = inc->c->n_vertices;

  *lo = (guint32) (n * task / inc->n_tasks);
  *hi = (guint32) (n * (task + 1) / inc->n_tasks);
}

static void
count_corners (guint    task,
               gpointer data)
{
  Incidence *inc = data;
  Check *c = inc->c;
  guint32 lo, hi;

  vertex_range (inc, task, &lo, &hi);
  for (gsize e = 0; e < 3 * (gsize) c->n_triangles; e++)
    if (c->triangles[e] >= lo && c->triangles[e] < hi)
      c->start[c->triangles[e] + 1]++;
}

static void
place_corners (guint    task,
               gpointer data)
{
  Incidence *inc = data;
  Check *c = inc->c;
  guint32 lo, hi;

  vertex_range (inc, task, &lo, &hi);
  for (gsize e = 0; e < 3 * (gsize) c->n_triangles; e++)
    if (c->triangles[e] >= lo && c->triangles[e] < hi)
      c->around[inc->fill[c->triangles[e]]++] = (guint32) (e / 3);
}

static void
build_incidence (Check *c)
{
  Incidence inc = { c, NULL, MAX (cal_parallel_n_threads (), 1) };

  c->start = g_new0 (guint32, (gsize) c->n_vertices + 1);
  c->around = cal_alloc_large (sizeof (guint32) * 3 * (gsize) MAX (c->n_triangles, 1));
  cal_parallel_for (inc.n_tasks, count_corners, &inc);
  for (guint32 v = 0; v < c->n_vertices; v++)
    c->start[v + 1] += c->start[v];
  inc.fill = g_memdup2 (c->start, sizeof (guint32) * MAX (c->n_vertices, 1));
  cal_parallel_for (inc.n_tasks, place_corners, &inc);
  g_free (inc.fill);
}

static gint
find (gint *parent,
      gint  a)
{
  for (;;)
    {
      gint p = g_atomic_int_get (&parent[a]), gp;
      if (p == a)
        return a;
      gp = g_atomic_int_get (&parent[p]);
      /* Path halving.  a is not a root and never becomes one again, and gp
       * is its ancestor, so a plain store cannot undo another thread's
       * link. */
      __atomic_store_n (&parent[a], gp, __ATOMIC_RELAXED);
      a = gp;
    }
}

static void
unite (gint *parent,
       gint  a,
       gint  b)
{
  for (;;)
    {
      a = find (parent, a);
      b = find (parent, b);
      if (a == b)
        return;
      if (a < b)
        {
          gint t = a;
          a = b;
          b = t;
        }
      /* Link the larger root under the smaller, if it is still a root. */
      if (g_atomic_int_compare_and_exchange (&parent[a], a, b))
        return;
    }
}

static void
load (const Check *c,
      guint32      v,
      double       p[3])
{
  for (int a = 0; a < 3; a++)
    p[a] = c->vertices[3 * (gsize) v + a] - c->origin[a];
}

/* Degeneracy, and the triangle's share of volume and area. */
static void
measure_triangle (const Check   *c,
                  const guint32 *t,
                  Counts        *counts)
{
  double p[3][3], u[3], w[3], n[3];

  for (int k = 0; k < 3; k++)
    load (c, t[k], p[k]);
  for (int a = 0; a < 3; a++)
    {
      u[a] = p[1][a] - p[0][a];
      w[a] = p[2][a] - p[0][a];
    }
  n[0] = u[1] * w[2] - u[2] * w[1];
  n[1] = u[2] * w[0] - u[0] * w[2];
  n[2] = u[0] * w[1] - u[1] * w[0];
  counts->area2 += sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  counts->volume6 += cal_mat3_determinant (p);
  counts->degenerate += t[0] == t[1] || t[1] == t[2] || t[0] == t[2] ||
                        memcmp (p[0], p[1], sizeof p[0]) == 0 ||
                        memcmp (p[1], p[2], sizeof p[0]) == 0 ||
                        memcmp (p[0], p[2], sizeof p[0]) == 0 ||
                        (n[0] == 0 && n[1] == 0 && n[2] == 0);
}

/* Edge v-w (w > v): how many of v's triangles use it, in which direction. */
static void
count_edge (const guint32 *after,
            const guint32 *before,
            guint          n,
            guint          first,
            guint32        w,
            Counts        *counts)
{
  guint forward = 0, backward = 0;

  for (guint j = 0; j < n; j++)
    {
      if (j < first && (after[j] == w || before[j] == w))
        return;   /* counted at its first triangle */
      forward += after[j] == w;
      backward += before[j] == w;
    }
  counts->boundary += forward + backward == 1;
  counts->nonmanifold += forward + backward > 2;
  counts->misoriented += forward + backward == 2 && forward != 1;
}

/* One fan: starting anywhere, after -> before visits every triangle once. */
static gboolean
single_fan (const guint32 *after,
            const guint32 *before,
            guint          n)
{
  guint at = 0, steps = 0;

  do
    {
      guint next = n;
      for (guint j = 0; j < n; j++)
        if (before[j] == after[at])
          {
            next = j;
            break;
          }
      if (next == n)
        return FALSE;
      at = next;
      steps++;
    }
  while (at != 0 && steps <= n);
  return at == 0 && steps == n;
}

static void
check_vertex (const Check *c,
              guint32      v,
              Counts      *counts,
              guint32     *after,
              guint32     *before)
{
  guint n = c->start[v + 1] - c->start[v];
  const guint32 *list = c->around + c->start[v];

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      const guint32 *t = c->triangles + 3 * (gsize) list[i];
      int k = t[0] == v ? 0 : t[1] == v ? 1 : 2;
      after[i] = t[(k + 1) % 3];
      before[i] = t[(k + 2) % 3];
      if (v == MIN (t[0], MIN (t[1], t[2])))
        measure_triangle (c, t, counts);
      if (after[i] > v)
        unite (c->parent, (gint) v, (gint) after[i]);
    }
  /* The common case: one fan of three or more.  Then every neighbour is
   * once an "after" and once a "before" (the walk is a permutation), so
   * each edge at v has one triangle each way and none repeats. */
  if (n >= 3 && single_fan (after, before, n))
    return;
  counts->nonmanifold_vertices++;
  for (guint i = 0; i < n; i++)
    {
      if (after[i] > v)
        count_edge (after, before, n, i, after[i], counts);
      if (before[i] > v)
        count_edge (after, before, n, i, before[i], counts);
      if (after[i] > v && before[i] > v)
        for (guint j = i + 1; j < n; j++)
          counts->duplicate += (after[j] == after[i] && before[j] == before[i]) ||
                               (after[j] == before[i] && before[j] == after[i]);
    }
}

static void
check_block (guint    block,
             gpointer data)
{
  Check *c = data;
  guint32 v0 = block * BLOCK_VERTICES, v1 = MIN (v0 + BLOCK_VERTICES, c->n_vertices);
  g_autofree guint32 *after = NULL;
  g_autofree guint32 *before = NULL;
  guint capacity = 0;

  for (guint32 v = v0; v < v1; v++)
    {
      guint n = c->start[v + 1] - c->start[v];
      if (n > capacity)
        {
          capacity = MAX (n, 64);
          after = g_renew (guint32, after, capacity);
          before = g_renew (guint32, before, capacity);
        }
      check_vertex (c, v, &c->blocks[block], after, before);
    }
}

static double
mask_volume (CalMask *mask,
             guint8   label,
             double  *voxel_size)
{
  double voxel = cal_mask_voxel_volume (mask);
  guint64 count;

  *voxel_size = cbrt (voxel);
  count = label != 0 ? cal_mask_count (mask, label)
                     : cal_grid_n_voxels (cal_mask_get_grid (mask)) - cal_mask_count (mask, 0);
  return (double) count * voxel;
}

static guint32
count_components (const Check *c)
{
  guint32 n = 0;

  for (guint32 v = 0; v < c->n_vertices; v++)
    n += c->start[v + 1] > c->start[v] && c->parent[v] == (gint) v;
  return n;
}

/* Components into pieces and cavities: a closed, outward-wound shell
 * encloses positive volume; the shell of a cavity inside a piece (an
 * air pocket in the bone) faces inward and encloses negative volume.  A
 * printer sees one object with voids, not several objects. */
static void
count_cavities (Check         *c,
                CalMeshReport *report)
{
  g_autofree double *volume6 = g_new0 (double, MAX (c->n_vertices, 1));

  for (guint32 t = 0; t < c->n_triangles; t++)
    {
      const guint32 *tri = c->triangles + 3 * (gsize) t;
      double p[3][3];
      for (int k = 0; k < 3; k++)
        load (c, tri[k], p[k]);
      volume6[find (c->parent, (gint) tri[0])] += cal_mat3_determinant (p);
    }
  report->n_cavities = 0;
  for (guint32 v = 0; v < c->n_vertices; v++)
    report->n_cavities += c->start[v + 1] > c->start[v] && c->parent[v] == (gint) v && volume6[v] < 0;
}

void
cal_mesh_check (CalMesh       *mesh,
                CalMask       *mask,
                guint8         label,
                double         offset_tolerance,
                CalMeshReport *report)
{
  Check c = { 0 };
  guint n_blocks;
  Counts sum = { 0 };

  g_return_if_fail (CAL_IS_MESH (mesh));
  g_return_if_fail (cal_mesh_get_n_vertices (mesh) < G_MAXINT);
  memset (report, 0, sizeof *report);
  c.vertices = cal_mesh_get_vertices (mesh);
  c.triangles = cal_mesh_get_triangles (mesh);
  c.n_vertices = cal_mesh_get_n_vertices (mesh);
  c.n_triangles = cal_mesh_get_n_triangles (mesh);
  /* Sums relative to a point on the mesh keep their digits far from the
   * patient origin. */
  for (int a = 0; a < 3 && c.n_vertices > 0; a++)
    c.origin[a] = c.vertices[a];
  build_incidence (&c);
  c.parent = g_new (gint, MAX (c.n_vertices, 1));
  for (guint32 v = 0; v < c.n_vertices; v++)
    c.parent[v] = (gint) v;
  n_blocks = (c.n_vertices + BLOCK_VERTICES - 1) / BLOCK_VERTICES;
  c.blocks = g_new0 (Counts, MAX (n_blocks, 1));
  cal_parallel_for (n_blocks, check_block, &c);
  for (guint b = 0; b < n_blocks; b++)
    {
      sum.boundary += c.blocks[b].boundary;
      sum.nonmanifold += c.blocks[b].nonmanifold;
      sum.misoriented += c.blocks[b].misoriented;
      sum.nonmanifold_vertices += c.blocks[b].nonmanifold_vertices;
      sum.degenerate += c.blocks[b].degenerate;
      sum.duplicate += c.blocks[b].duplicate;
      sum.volume6 += c.blocks[b].volume6;
      sum.area2 += c.blocks[b].area2;
    }

  report->n_components = count_components (&c);
  count_cavities (&c, report);
  report->n_vertices = c.n_vertices;
  report->n_triangles = c.n_triangles;
  report->n_boundary_edges = sum.boundary;
  report->n_nonmanifold_edges = sum.nonmanifold;
  report->n_misoriented_edges = sum.misoriented;
  report->n_nonmanifold_vertices = sum.nonmanifold_vertices;
  report->n_degenerate_triangles = sum.degenerate;
  report->n_duplicate_triangles = sum.duplicate;
  report->volume_mm3 = sum.volume6 / 6;
  report->area_mm2 = sum.area2 / 2;
  g_free (c.blocks);
  g_free (c.start);
  g_free (c.around);
  g_free (c.parent);

  report->offset_tolerance = offset_tolerance;
  report->mask_volume_mm3 = report->volume_difference = report->mean_offset_mm = NAN;
  report->voxel_size_mm = NAN;
  if (mask != NULL)
    {
      report->mask_volume_mm3 = mask_volume (mask, label, &report->voxel_size_mm);
      if (report->mask_volume_mm3 > 0)
        report->volume_difference = (report->volume_mm3 - report->mask_volume_mm3) /
                                    report->mask_volume_mm3;
      if (report->area_mm2 > 0)
        report->mean_offset_mm = (report->volume_mm3 - report->mask_volume_mm3) / report->area_mm2;
    }

  report->passed = c.n_triangles > 0 &&
                   report->n_boundary_edges == 0 && report->n_nonmanifold_edges == 0 &&
                   report->n_misoriented_edges == 0 && report->n_nonmanifold_vertices == 0 &&
                   report->n_degenerate_triangles == 0 && report->n_duplicate_triangles == 0 &&
                   report->volume_mm3 > 0 &&
                   (mask == NULL ||
                    fabs (report->mean_offset_mm) <= offset_tolerance * report->voxel_size_mm);
}

char *
cal_mesh_report_describe (const CalMeshReport *r)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "Triangles: %u, vertices: %u, components: %u (%u pieces, %u internal cavities)\n",
                          r->n_triangles, r->n_vertices, r->n_components, r->n_components - r->n_cavities,
                          r->n_cavities);
  g_string_append_printf (s, "Edges used by one triangle (holes): %" G_GUINT64_FORMAT "\n",
                          r->n_boundary_edges);
  g_string_append_printf (s, "Edges used by more than two triangles: %" G_GUINT64_FORMAT "\n",
                          r->n_nonmanifold_edges);
  g_string_append_printf (s, "Edges wound the same way twice (flipped triangles): %"
                          G_GUINT64_FORMAT "\n", r->n_misoriented_edges);
  g_string_append_printf (s, "Vertices where two sheets touch: %" G_GUINT64_FORMAT "\n",
                          r->n_nonmanifold_vertices);
  g_string_append_printf (s, "Degenerate triangles: %" G_GUINT64_FORMAT "\n",
                          r->n_degenerate_triangles);
  g_string_append_printf (s, "Duplicate triangles: %" G_GUINT64_FORMAT "\n",
                          r->n_duplicate_triangles);
  g_string_append_printf (s, "Enclosed volume: %.1f mm³ (signed; positive means normals point out)\n",
                          r->volume_mm3);
  g_string_append_printf (s, "Surface area: %.1f mm²\n", r->area_mm2);
  if (!isnan (r->mask_volume_mm3))
    g_string_append_printf (s, "Mask volume: %.1f mm³ (voxel count × voxel volume); mesh "
                            "differs by %+.2f %%, a mean offset of %+.4f mm over the surface "
                            "(allowed ±%.3f mm, %.2f voxel)\n",
                            r->mask_volume_mm3, 100 * r->volume_difference, r->mean_offset_mm,
                            r->offset_tolerance * r->voxel_size_mm, r->offset_tolerance);
  g_string_append_printf (s, "Checks: %s\n", r->passed ? "passed" : "FAILED");
  return g_string_free (s, FALSE);
}

char *
cal_mesh_report_failures (const CalMeshReport *r)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (r->passed)
    return NULL;
  if (r->n_triangles == 0)
    g_ptr_array_add (parts, g_strdup ("the mesh is empty"));
  if (r->n_boundary_edges > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " open edges (holes)",
                                             r->n_boundary_edges));
  if (r->n_nonmanifold_edges > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " edges shared by more than "
                                             "two triangles", r->n_nonmanifold_edges));
  if (r->n_misoriented_edges > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " edges between flipped "
                                             "triangles", r->n_misoriented_edges));
  if (r->n_nonmanifold_vertices > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " vertices where sheets touch",
                                             r->n_nonmanifold_vertices));
  if (r->n_degenerate_triangles > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " degenerate triangles",
                                             r->n_degenerate_triangles));
  if (r->n_duplicate_triangles > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " duplicate triangles",
                                             r->n_duplicate_triangles));
  if (r->n_triangles > 0 && r->volume_mm3 <= 0)
    g_ptr_array_add (parts, g_strdup_printf ("the enclosed volume is %.1f mm³ (normals point "
                                             "inward)", r->volume_mm3));
  if (!isnan (r->mean_offset_mm) &&
      fabs (r->mean_offset_mm) > r->offset_tolerance * r->voxel_size_mm)
    g_ptr_array_add (parts, g_strdup_printf ("the enclosed volume differs from the mask's by "
                                             "%+.2f %%, a mean offset of %+.3f mm over the "
                                             "surface (allowed ±%.3f mm)",
                                             100 * r->volume_difference, r->mean_offset_mm,
                                             r->offset_tolerance * r->voxel_size_mm));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}
