/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Marching cubes, organised like flying edges for speed: the mask is copied
 * once into a padded 0/1 volume around its bounding box, a first pass counts
 * crossing edges per plane and triangles per cell layer (so every vertex and
 * triangle has a known slot), and a second pass writes them, both in
 * parallel over z.  Empty and full runs are skipped eight voxels at a time.
 */
#include "cal-surface.h"

#include <string.h>

#include "cal-parallel.h"
#include "cal-surface-private.h"

G_DEFINE_QUARK (cal-surface-error-quark, cal_surface_error)

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define CHUNK_LAYERS 8

typedef struct {
  guint32  lo[3], hi[3];
  gboolean any;
} Box;

typedef struct {
  const CalCubeCase *cases;

  /* owned */
  Box      *boxes;         /* per input plane, while finding the box */
  guint8   *p;             /* padded 0/1 volume */
  guint64  *n_vx, *n_vy, *n_vz;   /* crossing edges per plane, by axis */
  guint64  *n_tri;         /* triangles per cell layer */
  guint64  *vbase, *tbase;
  float    *vertices;
  guint32  *triangles;

  /* borrowed */
  const guint8 *labels;
  GCancellable *cancellable;

  guint8    label;
  guint32   dims[3];
  guint32   lo[3], hi[3];  /* bounding box of the foreground, inclusive */
  gsize     px, py, pz;    /* padded size; px a multiple of 8 */
  double    affine[4][4];  /* voxel index -> patient mm in the wanted space */
  gboolean  reverse;       /* left-handed affine: swap windings */
  guint     n_chunks;
  GMutex    pool_lock;
  GPtrArray *pool;         /* free edge-id buffers, reused across chunks:
                              fresh ones would page-fault every time */
  gint      chunks_done;   /* atomic */
  gint      cancelled;     /* atomic */
  GThread  *caller;
  CalProgressFunc progress;
  gpointer  progress_data;
} Extraction;

static inline guint64
load8 (const guint8 *p)
{
  guint64 w;
  memcpy (&w, p, 8);
  return w;
}

static inline gboolean
is_foreground (const Extraction *x,
               guint8            value)
{
  return x->label == 0 ? value != 0 : value == x->label;
}

/* ---- bounding box and padded copy ---- */

/* Word-wise "does any byte of w equal the label" (for label 0: any
 * non-zero byte), the classic has-zero-byte trick. */
static inline gboolean
word_has_foreground (const Extraction *x,
                     guint64           w)
{
  if (x->label == 0)
    return w != 0;
  w ^= ONES * x->label;
  return ((w - ONES) & ~w & (ONES << 7)) != 0;
}

static gboolean
row_extent (const Extraction *x,
            const guint8     *row,
            gsize             n,
            gsize            *first,
            gsize            *last)
{
  gsize i = 0;

  while (i + 8 <= n && !word_has_foreground (x, load8 (row + i)))
    i += 8;
  while (i < n && !is_foreground (x, row[i]))
    i++;
  if (i == n)
    return FALSE;
  *first = i;
  for (*last = n - 1; !is_foreground (x, row[*last]); (*last)--)
    ;
  return TRUE;
}

static void
plane_box (guint    k,
           gpointer data)
{
  Extraction *x = data;
  Box *box = &x->boxes[k];
  gsize nx = x->dims[0], ny = x->dims[1];

  box->any = FALSE;
  for (gsize j = 0; j < ny; j++)
    {
      gsize first, last;

      if (!row_extent (x, x->labels + nx * (j + ny * k), nx, &first, &last))
        continue;
      if (!box->any)
        {
          box->lo[0] = first;
          box->hi[0] = last;
          box->lo[1] = j;
          box->any = TRUE;
        }
      box->lo[0] = MIN (box->lo[0], first);
      box->hi[0] = MAX (box->hi[0], last);
      box->hi[1] = j;
    }
}

static gboolean
find_box (Extraction *x)
{
  gboolean any = FALSE;

  x->boxes = g_new0 (Box, MAX (x->dims[2], 1));
  cal_parallel_for (x->dims[2], plane_box, x);
  for (guint32 k = 0; k < x->dims[2]; k++)
    {
      Box *box = &x->boxes[k];
      if (!box->any)
        continue;
      if (!any)
        {
          memcpy (x->lo, box->lo, sizeof box->lo);
          memcpy (x->hi, box->hi, sizeof box->hi);
          x->lo[2] = x->hi[2] = k;
          any = TRUE;
        }
      for (int a = 0; a < 2; a++)
        {
          x->lo[a] = MIN (x->lo[a], box->lo[a]);
          x->hi[a] = MAX (x->hi[a], box->hi[a]);
        }
      x->hi[2] = k;
    }
  g_clear_pointer (&x->boxes, g_free);
  return any;
}

static void
pad_plane (guint    k,
           gpointer data)
{
  Extraction *x = data;
  gsize nx = x->dims[0], ny = x->dims[1];
  gsize width = x->hi[0] - x->lo[0] + 1;

  guint8 *plane = x->p + x->px * x->py * (k + 1);

  /* Every byte of the plane is written here, pad included, so the big
   * buffer needs no clearing beforehand. */
  memset (plane, 0, x->px);
  memset (plane + x->px * (x->py - 1), 0, x->px);
  for (gsize j = x->lo[1]; j <= x->hi[1]; j++)
    {
      const guint8 *src = x->labels + x->lo[0] + nx * (j + ny * (x->lo[2] + k));
      guint8 *dst = plane + x->px * (j - x->lo[1] + 1);
      dst[0] = 0;
      for (gsize i = 0; i < width; i++)
        dst[i + 1] = is_foreground (x, src[i]);
      memset (dst + width + 1, 0, x->px - width - 1);
    }
}

/* ---- pass 1: counts ---- */

static guint64
count_differences (const guint8 *a,
                   const guint8 *b,
                   gsize         n)
{
  guint64 count = 0;

  for (gsize i = 0; i < n; i += 8)
    count += (guint64) __builtin_popcountll (load8 (a + i) ^ load8 (b + i));
  return count;
}

static inline guint
cell_case (const guint8 *r0,
           const guint8 *r1,
           const guint8 *r2,
           const guint8 *r3,
           gsize         i)
{
  return r0[i] | r0[i + 1] << 1 | r1[i] << 2 | r1[i + 1] << 3 |
         r2[i] << 4 | r2[i + 1] << 5 | r3[i] << 6 | r3[i + 1] << 7;
}

/* TRUE when the eight cells from i on are all outside or all inside. */
static inline gboolean
uniform_cells (const guint8 *r0,
               const guint8 *r1,
               const guint8 *r2,
               const guint8 *r3,
               gsize         i)
{
  guint64 w0 = load8 (r0 + i), w1 = load8 (r1 + i), w2 = load8 (r2 + i), w3 = load8 (r3 + i);
  guint8 n0 = r0[i + 8], n1 = r1[i + 8], n2 = r2[i + 8], n3 = r3[i + 8];

  if ((w0 | w1 | w2 | w3) == 0 && (n0 | n1 | n2 | n3) == 0)
    return TRUE;
  return (w0 & w1 & w2 & w3) == ONES && (n0 & n1 & n2 & n3) == 1;
}

static void
count_plane (guint    k,
             gpointer data)
{
  Extraction *x = data;
  gsize px = x->px, py = x->py, sz = px * py;
  const guint8 *plane = x->p + sz * k;
  guint64 vx = 0, vy = 0, vz = 0, tri = 0;

  for (gsize j = 0; j < py; j++)
    vx += count_differences (plane + px * j, plane + px * j + 1, px);
  for (gsize j = 0; j + 1 < py; j++)
    vy += count_differences (plane + px * j, plane + px * (j + 1), px);
  if (k + 1 < x->pz)
    {
      vz = count_differences (plane, plane + sz, sz);
      for (gsize j = 0; j + 1 < py; j++)
        {
          const guint8 *r0 = plane + px * j, *r1 = r0 + px, *r2 = r0 + sz, *r3 = r1 + sz;
          for (gsize i = 0; i < px; i += 8)
            {
              if (uniform_cells (r0, r1, r2, r3, i))
                continue;
              for (gsize c = i; c < MIN (i + 8, px - 1); c++)
                tri += x->cases[cell_case (r0, r1, r2, r3, c)].n_triangles;
            }
        }
    }
  x->n_vx[k] = vx;
  x->n_vy[k] = vy;
  x->n_vz[k] = vz;
  x->n_tri[k] = tri;
}

/* ---- pass 2: vertices and triangles ---- */

typedef struct {
  guint32 *x, *y, *z;   /* vertex id of each crossing edge, by its low voxel */
} EdgeIds;

static void
put_vertex (Extraction *x,
            guint32     id,
            double      i,
            double      j,
            double      k)
{
  double ijk[3] = { i - 1 + x->lo[0], j - 1 + x->lo[1], k - 1 + x->lo[2] };
  float *out = x->vertices + 3 * (gsize) id;

  for (int r = 0; r < 3; r++)
    out[r] = (float) (x->affine[r][0] * ijk[0] + x->affine[r][1] * ijk[1] +
                      x->affine[r][2] * ijk[2] + x->affine[r][3]);
}

/* Numbers the crossing edges between rows a and b (n bytes) in order,
 * storing ids at ids[position] and, when writing, their vertices at the
 * midpoint `offset` away from the low voxel. */
static guint32
number_edges (Extraction   *x,
              const guint8 *a,
              const guint8 *b,
              gsize         n,
              guint32      *ids,
              guint32       next,
              gboolean      write,
              gsize         j,
              gsize         k,
              const double  offset[3])
{
  for (gsize i = 0; i < n; i += 8)
    {
      guint64 diff = load8 (a + i) ^ load8 (b + i);
      while (diff != 0)
        {
          gsize at = i + (gsize) __builtin_ctzll (diff) / 8;
          diff &= diff - 1;
          ids[at] = next;
          if (write)
            put_vertex (x, next, (double) (at % x->px) + offset[0],
                        (double) (j + at / x->px) + offset[1], (double) k + offset[2]);
          next++;
        }
    }
  return next;
}

static void
number_plane (Extraction *x,
              gsize       k,
              EdgeIds    *ids,
              gboolean    write)
{
  static const double along_x[3] = { 0.5, 0, 0 }, along_y[3] = { 0, 0.5, 0 },
                      along_z[3] = { 0, 0, 0.5 };
  gsize px = x->px, py = x->py, sz = px * py;
  const guint8 *plane = x->p + sz * k;
  guint32 next = (guint32) x->vbase[k];

  for (gsize j = 0; j < py; j++)
    next = number_edges (x, plane + px * j, plane + px * j + 1, px, ids->x + px * j, next,
                         write, j, k, along_x);
  for (gsize j = 0; j + 1 < py; j++)
    next = number_edges (x, plane + px * j, plane + px * (j + 1), px, ids->y + px * j, next,
                         write, j, k, along_y);
  if (write && k + 1 < x->pz)
    next = number_edges (x, plane, plane + sz, sz, ids->z, next, TRUE, 0, k, along_z);
  g_assert (!write || next == x->vbase[k] + x->n_vx[k] + x->n_vy[k] + x->n_vz[k]);
}

static guint32
edge_id (const Extraction *x,
         EdgeIds          *here,
         EdgeIds          *above,
         guint             edge,
         gsize             i,
         gsize             j)
{
  guint axis = edge / 4, lo = edge & 1, hi = (edge >> 1) & 1;

  switch (axis)
    {
    case 0:  /* along x; offsets (y, z) */
      return (hi ? above : here)->x[i + x->px * (j + lo)];
    case 1:  /* along y; offsets (x, z) */
      return (hi ? above : here)->y[i + lo + x->px * j];
    default: /* along z; offsets (x, y) */
      return here->z[i + lo + x->px * (j + hi)];
    }
}

static void
emit_layer (Extraction *x,
            gsize       k,
            EdgeIds    *here,
            EdgeIds    *above)
{
  gsize px = x->px, py = x->py, sz = px * py;
  guint32 *out = x->triangles + 3 * x->tbase[k];

  for (gsize j = 0; j + 1 < py; j++)
    {
      const guint8 *r0 = x->p + sz * k + px * j, *r1 = r0 + px, *r2 = r0 + sz, *r3 = r1 + sz;
      for (gsize i = 0; i < px; i += 8)
        {
          if (uniform_cells (r0, r1, r2, r3, i))
            continue;
          for (gsize c = i; c < MIN (i + 8, px - 1); c++)
            {
              const CalCubeCase *entry = &x->cases[cell_case (r0, r1, r2, r3, c)];
              for (guint t = 0; t < entry->n_triangles; t++, out += 3)
                {
                  const guint8 *e = entry->edges + 3 * t;
                  out[0] = edge_id (x, here, above, e[0], c, j);
                  out[1] = edge_id (x, here, above, e[x->reverse ? 2 : 1], c, j);
                  out[2] = edge_id (x, here, above, e[x->reverse ? 1 : 2], c, j);
                }
            }
        }
    }
  g_assert (out == x->triangles + 3 * (x->tbase[k] + x->n_tri[k]));
}

static void
report_progress (Extraction *x)
{
  gint done = g_atomic_int_add (&x->chunks_done, 1) + 1;

  if (x->progress != NULL && g_thread_self () == x->caller)
    x->progress ((double) done / x->n_chunks, x->progress_data);
}

static void
emit_chunk (guint    chunk,
            gpointer data)
{
  Extraction *x = data;
  gsize layers = x->pz - 1, sz = x->px * x->py;
  gsize k0 = (gsize) chunk * CHUNK_LAYERS, k1 = MIN (k0 + CHUNK_LAYERS, layers);
  g_autofree guint32 *storage = NULL;
  EdgeIds slots[2];

  if (g_atomic_int_get (&x->cancelled) || g_cancellable_is_cancelled (x->cancellable))
    {
      g_atomic_int_set (&x->cancelled, 1);
      return;
    }
  /* Only entries of crossing edges are ever read, so no clearing. */
  g_mutex_lock (&x->pool_lock);
  storage = x->pool->len > 0 ? g_ptr_array_steal_index_fast (x->pool, x->pool->len - 1) : NULL;
  g_mutex_unlock (&x->pool_lock);
  if (storage == NULL)
    storage = g_new (guint32, 6 * sz);
  for (int s = 0; s < 2; s++)
    slots[s] = (EdgeIds) { storage + (3 * s) * sz, storage + (3 * s + 1) * sz,
                           storage + (3 * s + 2) * sz };

  number_plane (x, k0, &slots[k0 & 1], TRUE);
  for (gsize k = k0; k < k1; k++)
    {
      /* Plane k1 belongs to the next chunk, except the last plane. */
      gboolean owned = k + 1 < k1 || k + 1 == x->pz - 1;
      number_plane (x, k + 1, &slots[(k + 1) & 1], owned);
      emit_layer (x, k, &slots[k & 1], &slots[(k + 1) & 1]);
    }
  g_mutex_lock (&x->pool_lock);
  g_ptr_array_add (x->pool, g_steal_pointer (&storage));
  g_mutex_unlock (&x->pool_lock);
  report_progress (x);
}

/* ---- driver ---- */

static guint64
prefix_sum (const guint64 *counts,
            guint64       *base,
            gsize          n)
{
  guint64 total = 0;

  for (gsize k = 0; k < n; k++)
    {
      base[k] = total;
      total += counts[k];
    }
  return total;
}

static void
extraction_clear (Extraction *x)
{
  g_free (x->p);
  g_free (x->n_vx);
  g_free (x->n_vy);
  g_free (x->n_vz);
  g_free (x->n_tri);
  g_free (x->vbase);
  g_free (x->tbase);
  g_free (x->vertices);
  g_free (x->triangles);
  g_clear_pointer (&x->pool, g_ptr_array_unref);
  g_mutex_clear (&x->pool_lock);
}

static void
init_geometry (Extraction    *x,
               const CalGrid *grid,
               CalSpace       space)
{

  memcpy (x->affine, grid->affine, sizeof x->affine);
  if (space == CAL_SPACE_RAS)
    for (int c = 0; c < 4; c++)
      {
        x->affine[0][c] = -x->affine[0][c];
        x->affine[1][c] = -x->affine[1][c];
      }
  x->reverse = cal_grid_determinant (grid) < 0;
  memcpy (x->dims, grid->dims, sizeof x->dims);
}

CalMesh *
cal_surface_from_mask (CalMask          *mask,
                       guint8            label,
                       CalSpace          space,
                       CalProgressFunc   progress,
                       gpointer          progress_data,
                       GCancellable     *cancellable,
                       GError          **error)
{
  Extraction x = { 0 };
  guint64 n_vertices, n_triangles;
  CalMesh *mesh;

  g_return_val_if_fail (CAL_IS_MASK (mask), NULL);

  g_mutex_init (&x.pool_lock);
  x.cases = cal_cube_cases ();
  x.labels = cal_mask_get_labels (mask);
  x.label = label;
  x.cancellable = cancellable;
  x.caller = g_thread_self ();
  x.progress = progress;
  x.progress_data = progress_data;
  init_geometry (&x, cal_mask_get_grid (mask), space);

  if (!find_box (&x))
    {
      g_set_error (error, CAL_SURFACE_ERROR, CAL_SURFACE_ERROR_EMPTY,
                   label ? "The mask has no voxel with label %u: there is no surface to extract"
                         : "The mask is empty: there is no surface to extract", label);
      extraction_clear (&x);
      return NULL;
    }
  x.px = ((gsize) (x.hi[0] - x.lo[0]) + 1 + 2 + 7) / 8 * 8;
  x.py = (gsize) (x.hi[1] - x.lo[1]) + 1 + 2;
  x.pz = (gsize) (x.hi[2] - x.lo[2]) + 1 + 2;
  /* + 16: word loads at the end of the last row read past it. */
  x.p = cal_alloc_large (x.px * x.py * x.pz + 16);
  memset (x.p, 0, x.px * x.py);
  memset (x.p + x.px * x.py * (x.pz - 1), 0, x.px * x.py + 16);
  cal_parallel_for (x.pz - 2, pad_plane, &x);

  x.n_vx = g_new (guint64, x.pz);
  x.n_vy = g_new (guint64, x.pz);
  x.n_vz = g_new (guint64, x.pz);
  x.n_tri = g_new (guint64, x.pz);
  x.vbase = g_new (guint64, x.pz);
  x.tbase = g_new (guint64, x.pz);
  cal_parallel_for (x.pz, count_plane, &x);
  {
    g_autofree guint64 *per_plane = g_new (guint64, x.pz);
    for (gsize k = 0; k < x.pz; k++)
      per_plane[k] = x.n_vx[k] + x.n_vy[k] + x.n_vz[k];
    n_vertices = prefix_sum (per_plane, x.vbase, x.pz);
  }
  n_triangles = prefix_sum (x.n_tri, x.tbase, x.pz);
  if (n_vertices >= G_MAXUINT32 || n_triangles >= G_MAXUINT32)
    {
      g_set_error (error, CAL_SURFACE_ERROR, CAL_SURFACE_ERROR_TOO_LARGE,
                   "The surface would have %" G_GUINT64_FORMAT " triangles, more than a mesh "
                   "can hold: crop the mask or reduce its resolution", n_triangles);
      extraction_clear (&x);
      return NULL;
    }

  x.vertices = cal_alloc_large (sizeof (float) * 3 * MAX (n_vertices, 1));
  x.triangles = cal_alloc_large (sizeof (guint32) * 3 * MAX (n_triangles, 1));
  x.n_chunks = (guint) ((x.pz - 1 + CHUNK_LAYERS - 1) / CHUNK_LAYERS);
  x.pool = g_ptr_array_new_with_free_func (g_free);
  cal_parallel_for (x.n_chunks, emit_chunk, &x);
  if (g_atomic_int_get (&x.cancelled))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      extraction_clear (&x);
      return NULL;
    }
  /* Only the caller's thread reports chunks as they finish, and the pool's
   * workers may have taken every chunk: say "done" here so the bar ends full. */
  if (progress != NULL)
    progress (1.0, progress_data);

  mesh = cal_mesh_new_take (g_steal_pointer (&x.vertices), (guint32) n_vertices,
                            g_steal_pointer (&x.triangles), (guint32) n_triangles, space);
  extraction_clear (&x);
  return mesh;
}
