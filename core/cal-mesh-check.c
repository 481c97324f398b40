/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-check.h"

#include <math.h>
#include <string.h>

#include "cal-parallel.h"

#define BLOCK_VERTICES 16384

/* Triangles around each vertex, as a compressed row list. */
typedef struct {
  guint32 *start;      /* n_vertices + 1 */
  guint32 *triangles;
} Incidence;

typedef struct {
  guint64 boundary, nonmanifold, misoriented, nonmanifold_vertices, degenerate, duplicate;
} Counts;

typedef struct {
  const float   *vertices;
  const guint32 *triangles;
  guint32        n_vertices;
  guint32        n_triangles;
  Incidence      inc;
  Counts        *blocks;     /* one per block of vertices */
} Check;

static void
build_incidence (Check *c)
{
  guint32 *fill;

  c->inc.start = g_new0 (guint32, (gsize) c->n_vertices + 1);
  c->inc.triangles = g_new (guint32, 3 * (gsize) MAX (c->n_triangles, 1));
  for (gsize e = 0; e < 3 * (gsize) c->n_triangles; e++)
    c->inc.start[c->triangles[e] + 1]++;
  for (guint32 v = 0; v < c->n_vertices; v++)
    c->inc.start[v + 1] += c->inc.start[v];
  fill = g_memdup2 (c->inc.start, sizeof (guint32) * c->n_vertices);
  for (guint32 t = 0; t < c->n_triangles; t++)
    for (int k = 0; k < 3; k++)
      {
        guint32 v = c->triangles[3 * (gsize) t + k];
        c->inc.triangles[fill[v]++] = t;
      }
  g_free (fill);
}

static gboolean
triangle_is_degenerate (const Check   *c,
                        const guint32 *t)
{
  double p[3][3], u[3], w[3], n[3];

  if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2])
    return TRUE;
  for (int k = 0; k < 3; k++)
    for (int a = 0; a < 3; a++)
      p[k][a] = c->vertices[3 * (gsize) t[k] + a];
  if (memcmp (p[0], p[1], sizeof p[0]) == 0 || memcmp (p[1], p[2], sizeof p[0]) == 0 ||
      memcmp (p[0], p[2], sizeof p[0]) == 0)
    return TRUE;
  for (int a = 0; a < 3; a++)
    {
      u[a] = p[1][a] - p[0][a];
      w[a] = p[2][a] - p[0][a];
    }
  n[0] = u[1] * w[2] - u[2] * w[1];
  n[1] = u[2] * w[0] - u[0] * w[2];
  n[2] = u[0] * w[1] - u[1] * w[0];
  return n[0] == 0 && n[1] == 0 && n[2] == 0;
}

/* The corners of t after and before v. */
static void
neighbours_in (const guint32 *t,
               guint32        v,
               guint32       *after,
               guint32       *before)
{
  int k = t[0] == v ? 0 : t[1] == v ? 1 : 2;

  *after = t[(k + 1) % 3];
  *before = t[(k + 2) % 3];
}

static guint
fan_root (guint *parent,
          guint  a)
{
  while (parent[a] != a)
    a = parent[a] = parent[parent[a]];
  return a;
}

static gboolean
same_vertex_set (const guint32 *a,
                 const guint32 *b)
{
  for (int k = 0; k < 3; k++)
    if (a[k] != b[0] && a[k] != b[1] && a[k] != b[2])
      return FALSE;
  return TRUE;
}

/* The edge v-w, counted at its lower vertex and at the first triangle of
 * v's list that holds it: how many triangles use it, in which direction. */
static void
count_edge (const Check   *c,
            guint32        v,
            const guint32 *list,
            guint          n,
            guint          first,
            guint32        w,
            Counts        *counts)
{
  guint forward = 0, backward = 0;

  if (w <= v)
    return;
  for (guint b = 0; b < n; b++)
    {
      guint32 after, before;
      neighbours_in (c->triangles + 3 * (gsize) list[b], v, &after, &before);
      if (b < first && (after == w || before == w))
        return;   /* counted already */
      forward += after == w;
      backward += before == w;
    }
  counts->boundary += forward + backward == 1;
  counts->nonmanifold += forward + backward > 2;
  counts->misoriented += forward + backward == 2 && forward != 1;
}

/* Every check that looks at one vertex's triangles.  Edges and duplicates
 * are counted at their lowest vertex so each is counted once. */
static void
check_vertex (const Check *c,
              guint32      v,
              Counts      *counts,
              guint       *parent)
{
  const guint32 *list = c->inc.triangles + c->inc.start[v];
  guint n = c->inc.start[v + 1] - c->inc.start[v], groups = 0;

  for (guint a = 0; a < n; a++)
    parent[a] = a;
  for (guint a = 0; a < n; a++)
    {
      const guint32 *ta = c->triangles + 3 * (gsize) list[a];
      guint32 after, before;

      neighbours_in (ta, v, &after, &before);
      count_edge (c, v, list, n, a, after, counts);
      count_edge (c, v, list, n, a, before, counts);
      if (before > v && after > v)
        for (guint b = a + 1; b < n; b++)
          counts->duplicate += same_vertex_set (ta, c->triangles + 3 * (gsize) list[b]);
      if (v == MIN (ta[0], MIN (ta[1], ta[2])))
        counts->degenerate += triangle_is_degenerate (c, ta);
      /* Fans: triangles sharing an edge through v are one group. */
      for (guint b = a + 1; b < n; b++)
        {
          guint32 ab, bb;
          neighbours_in (c->triangles + 3 * (gsize) list[b], v, &ab, &bb);
          if (ab == before || bb == after || ab == after || bb == before)
            parent[fan_root (parent, b)] = fan_root (parent, a);
        }
    }
  for (guint a = 0; a < n; a++)
    groups += fan_root (parent, a) == a;
  counts->nonmanifold_vertices += groups > 1;
}

static void
check_block (guint    block,
             gpointer data)
{
  Check *c = data;
  guint32 v0 = block * BLOCK_VERTICES, v1 = MIN (v0 + BLOCK_VERTICES, c->n_vertices);
  g_autofree guint *parent = NULL;
  guint capacity = 0;

  for (guint32 v = v0; v < v1; v++)
    {
      guint n = c->inc.start[v + 1] - c->inc.start[v];
      if (n > capacity)
        {
          capacity = MAX (n, 64);
          g_free (parent);
          parent = g_new (guint, capacity);
        }
      check_vertex (c, v, &c->blocks[block], parent);
    }
}

static double
mask_volume (CalMask *mask,
             guint8   label,
             double  *voxel_size)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  const double (*a)[4] = grid->affine;
  double voxel = fabs (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                       - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                       + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]));
  guint64 count;

  *voxel_size = cbrt (voxel);
  count = label != 0 ? cal_mask_count (mask, label)
                             : cal_grid_n_voxels (grid) - cal_mask_count (mask, 0);

  return (double) count * voxel;
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
  g_autofree guint32 *component = NULL;

  g_return_if_fail (CAL_IS_MESH (mesh));
  memset (report, 0, sizeof *report);
  c.vertices = cal_mesh_get_vertices (mesh);
  c.triangles = cal_mesh_get_triangles (mesh);
  c.n_vertices = cal_mesh_get_n_vertices (mesh);
  c.n_triangles = cal_mesh_get_n_triangles (mesh);
  build_incidence (&c);
  n_blocks = (c.n_vertices + BLOCK_VERTICES - 1) / BLOCK_VERTICES;
  c.blocks = g_new0 (Counts, MAX (n_blocks, 1));
  cal_parallel_for (n_blocks, check_block, &c);
  for (guint b = 0; b < n_blocks; b++)
    {
      report->n_boundary_edges += c.blocks[b].boundary;
      report->n_nonmanifold_edges += c.blocks[b].nonmanifold;
      report->n_misoriented_edges += c.blocks[b].misoriented;
      report->n_nonmanifold_vertices += c.blocks[b].nonmanifold_vertices;
      report->n_degenerate_triangles += c.blocks[b].degenerate;
      report->n_duplicate_triangles += c.blocks[b].duplicate;
    }
  g_free (c.blocks);
  g_free (c.inc.start);
  g_free (c.inc.triangles);

  component = g_new (guint32, MAX (c.n_triangles, 1));
  report->n_components = cal_mesh_label_components (mesh, component);
  report->n_vertices = c.n_vertices;
  report->n_triangles = c.n_triangles;
  report->volume_mm3 = cal_mesh_signed_volume (mesh);
  report->area_mm2 = cal_mesh_area (mesh);
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

  g_string_append_printf (s, "Triangles: %u, vertices: %u, components: %u\n",
                          r->n_triangles, r->n_vertices, r->n_components);
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
