/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-block-surface.h"

#include <math.h>
#include <string.h>

#include "cal-surface.h"

#define B 32   /* block edge in display voxels */

typedef struct {
  float   *vertices;    /* x y z nx ny nz (owned) */
  guint32  n_vertices;
  guint32 *indices;     /* owned */
  guint32  n_triangles;
} Block;

struct _CalBlockSurface
{
  gatomicrefcount ref;
  CalGrid  grid;          /* the mask's */
  CalGrid  display;       /* every factor³ voxels one */
  guint    factor;
  guint32  nb[3];
  Block   *blocks;
};

struct _CalBlockRegion
{
  CalBox   box;           /* full-resolution voxels copied */
  guint8  *labels;        /* box-sized, x fastest */
  GArray  *block_ids;     /* gsize: the blocks to re-mesh */
  Block   *results;       /* one per block id, after mesh() */
};

static gsize
n_blocks (CalBlockSurface *self)
{
  return (gsize) self->nb[0] * self->nb[1] * self->nb[2];
}

static void
block_clear (Block *b)
{
  g_clear_pointer (&b->vertices, g_free);
  g_clear_pointer (&b->indices, g_free);
  b->n_vertices = b->n_triangles = 0;
}

/* ---- choosing the factor ---- */

guint
cal_block_surface_choose_factor (CalMask *mask,
                                 guint32  max_triangles,
                                 guint64 *full_triangles)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  const guint8 *l = cal_mask_get_labels (mask);
  const gsize sy = grid->dims[0], sz = (gsize) grid->dims[0] * grid->dims[1];
  guint64 faces = 0;

  /* Each exposed voxel face becomes about two triangles; coarser grids
   * shrink that by the factor squared. */
  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (guint32 j = 0; j < grid->dims[1]; j++)
      for (guint32 i = 0; i < grid->dims[0]; i++)
        {
          gsize v = i + sy * j + sz * k;
          if (l[v] == 0)
            continue;
          faces += (i == 0 || !l[v - 1]) + (i + 1 == grid->dims[0] || !l[v + 1])
                   + (j == 0 || !l[v - sy]) + (j + 1 == grid->dims[1] || !l[v + sy])
                   + (k == 0 || !l[v - sz]) + (k + 1 == grid->dims[2] || !l[v + sz]);
        }
  if (full_triangles != NULL)
    *full_triangles = faces * 2;
  if (faces * 2 <= max_triangles)
    return 1;
  return (guint) MIN (16, ceil (sqrt ((double) faces * 2 / MAX (max_triangles, 1))));
}

/* ---- geometry ---- */

CalBlockSurface *
cal_block_surface_new (const CalGrid *grid,
                       guint          factor)
{
  CalBlockSurface *self = g_new0 (CalBlockSurface, 1);
  guint32 ddims[3];

  g_atomic_ref_count_init (&self->ref);
  self->grid = *grid;
  self->factor = MAX (factor, 1);
  for (int a = 0; a < 3; a++)
    {
      ddims[a] = (grid->dims[a] + self->factor - 1) / self->factor;
      self->nb[a] = (ddims[a] + B - 1) / B;
    }
  /* Display voxel I sits at the centre of full voxels f·I .. f·I + f − 1. */
  self->display = *grid;
  memcpy (self->display.dims, ddims, sizeof ddims);
  for (int r = 0; r < 3; r++)
    {
      double centre = 0;
      for (int c = 0; c < 3; c++)
        {
          centre += grid->affine[r][c] * (self->factor - 1) / 2.0;
          self->display.affine[r][c] = grid->affine[r][c] * self->factor;
        }
      self->display.affine[r][3] = grid->affine[r][3] + centre;
    }
  self->blocks = g_new0 (Block, n_blocks (self));
  return self;
}

CalBlockSurface *
cal_block_surface_ref (CalBlockSurface *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
cal_block_surface_unref (CalBlockSurface *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  for (gsize b = 0; b < n_blocks (self); b++)
    block_clear (&self->blocks[b]);
  g_free (self->blocks);
  g_free (self);
}

guint
cal_block_surface_get_factor (CalBlockSurface *self)
{
  return self->factor;
}

/* Block bx's display voxels lo .. hi (the block owns the cells between
 * them; the last block also the cell past the end). */
static void
block_range (CalBlockSurface *self,
             const guint32    b[3],
             guint32          lo[3],
             guint32          hi[3])
{
  for (int a = 0; a < 3; a++)
    {
      lo[a] = b[a] * B;
      hi[a] = MIN (lo[a] + B, self->display.dims[a] - 1);
    }
}

/* ---- regions ---- */

CalBlockRegion *
cal_block_region_new (CalBlockSurface *self,
                      CalMask         *mask,
                      const CalBox    *box)
{
  CalBlockRegion *r = g_new0 (CalBlockRegion, 1);
  const guint8 *labels = cal_mask_get_labels (mask);
  guint32 first[3], last[3];
  guint f = self->factor;

  r->block_ids = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (int a = 0; a < 3; a++)
    {
      guint32 dlo = box ? box->lo[a] / f : 0, dhi = box ? (MAX (box->hi[a], 1) - 1) / f : self->display.dims[a] - 1;
      /* The cells touching the changed display voxels start one before them. */
      first[a] = (dlo > 0 ? dlo - 1 : 0) / B;
      last[a] = MIN (dhi / B, self->nb[a] - 1);
      r->box.lo[a] = first[a] * B * f;
      r->box.hi[a] = MIN ((guint64) (MIN ((last[a] + 1) * B, self->display.dims[a] - 1) + 1) * f,
                          self->grid.dims[a]);
    }
  for (guint32 z = first[2]; z <= last[2]; z++)
    for (guint32 y = first[1]; y <= last[1]; y++)
      for (guint32 x = first[0]; x <= last[0]; x++)
        {
          gsize id = x + (gsize) self->nb[0] * (y + (gsize) self->nb[1] * z);
          g_array_append_val (r->block_ids, id);
        }
  r->labels = g_malloc (MAX (cal_box_n_voxels (&r->box), 1));
  {
    gsize nx = r->box.hi[0] - r->box.lo[0], ny = r->box.hi[1] - r->box.lo[1];
    for (guint32 k = r->box.lo[2]; k < r->box.hi[2]; k++)
      for (guint32 j = r->box.lo[1]; j < r->box.hi[1]; j++)
        memcpy (r->labels + nx * ((j - r->box.lo[1]) + ny * (k - r->box.lo[2])),
                labels + r->box.lo[0] + (gsize) self->grid.dims[0] * (j + (gsize) self->grid.dims[1] * k), nx);
  }
  return r;
}

void
cal_block_region_free (CalBlockRegion *r)
{
  if (r == NULL)
    return;
  if (r->results != NULL)
    for (guint i = 0; i < r->block_ids->len; i++)
      block_clear (&r->results[i]);
  g_free (r->results);
  g_free (r->labels);
  g_array_unref (r->block_ids);
  g_free (r);
}

guint
cal_block_region_get_n_blocks (CalBlockRegion *r)
{
  return r->block_ids->len;
}

/* Display voxel (I, J, K) from the region's copy: bone where at least half
 * of its full voxels inside the volume are. */
static guint8
display_voxel (CalBlockSurface *self,
               CalBlockRegion  *r,
               guint32          I,
               guint32          J,
               guint32          K)
{
  guint f = self->factor, inside = 0, bone = 0;
  gsize nx = r->box.hi[0] - r->box.lo[0], ny = r->box.hi[1] - r->box.lo[1];

  for (guint32 k = K * f; k < MIN ((K + 1) * f, self->grid.dims[2]); k++)
    for (guint32 j = J * f; j < MIN ((J + 1) * f, self->grid.dims[1]); j++)
      for (guint32 i = I * f; i < MIN ((I + 1) * f, self->grid.dims[0]); i++)
        {
          inside++;
          bone += r->labels[(i - r->box.lo[0]) + nx * ((j - r->box.lo[1]) + ny * (k - r->box.lo[2]))] != 0;
        }
  return 2 * bone >= inside && bone > 0;
}

static void
mesh_block (CalBlockSurface *self,
            CalBlockRegion  *r,
            gsize            id,
            Block           *out)
{
  const guint32 b[3] = { id % self->nb[0], (id / self->nb[0]) % self->nb[1], id / ((gsize) self->nb[0] * self->nb[1]) };
  guint32 lo[3], hi[3], dims[3];
  CalGrid crop = self->display;
  g_autoptr(CalMask) sub = NULL;
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(CalMesh) kept = NULL;
  g_autoptr(CalDisplayMesh) display = NULL;
  g_autofree guint32 *tris = NULL;
  guint8 *l;
  guint32 n_kept = 0;
  gboolean any = FALSE;

  block_range (self, b, lo, hi);
  for (int a = 0; a < 3; a++)
    dims[a] = hi[a] - lo[a] + 1;
  memcpy (crop.dims, dims, sizeof dims);
  for (int row = 0; row < 3; row++)
    for (int c = 0; c < 3; c++)
      crop.affine[row][3] += self->display.affine[row][c] * lo[c];
  sub = cal_mask_new (&crop);
  l = cal_mask_get_labels_mutable (sub);
  for (guint32 k = 0; k < dims[2]; k++)
    for (guint32 j = 0; j < dims[1]; j++)
      for (guint32 i = 0; i < dims[0]; i++)
        any |= (l[i + (gsize) dims[0] * (j + (gsize) dims[1] * k)] =
                  display_voxel (self, r, lo[0] + i, lo[1] + j, lo[2] + k));
  if (!any)
    return;
  mesh = cal_surface_from_mask (sub, 0, CAL_SPACE_LPS, NULL, NULL, NULL, NULL);
  if (mesh == NULL)
    return;
  /* Keep the cells this block owns: a triangle's centroid, in the crop's
   * voxels, lies within 0 .. dims − 1 on each axis, or past it where the
   * block is at the volume's edge (the cells that close the surface). */
  {
    const float *v = cal_mesh_get_vertices (mesh);
    const guint32 *t = cal_mesh_get_triangles (mesh);
    guint32 n = cal_mesh_get_n_triangles (mesh);
    tris = g_new (guint32, 3 * (gsize) n);
    for (guint32 i = 0; i < n; i++)
      {
        double c[3] = { 0, 0, 0 }, ijk[3];
        gboolean own = TRUE;
        for (int corner = 0; corner < 3; corner++)
          for (int a = 0; a < 3; a++)
            c[a] += v[3 * t[3 * i + corner] + a] / 3.0;
        cal_grid_patient_to_voxel (&crop, c, ijk);
        for (int a = 0; a < 3; a++)
          {
            gboolean low_edge = lo[a] == 0, high_edge = hi[a] == self->display.dims[a] - 1;
            if ((!low_edge && ijk[a] < -1e-6) || (!high_edge && ijk[a] > dims[a] - 1 + 1e-6))
              own = FALSE;
          }
        if (own)
          {
            memcpy (tris + 3 * (gsize) n_kept, t + 3 * (gsize) i, 3 * sizeof (guint32));
            n_kept++;
          }
      }
  }
  if (n_kept == 0)
    return;
  kept = cal_mesh_new_take (g_memdup2 (cal_mesh_get_vertices (mesh), sizeof (float) * 3 * cal_mesh_get_n_vertices (mesh)),
                            cal_mesh_get_n_vertices (mesh), g_steal_pointer (&tris), n_kept, CAL_SPACE_LPS);
  display = cal_display_mesh_new (kept, G_MAXUINT32);
  out->vertices = g_steal_pointer (&display->vertices);
  out->n_vertices = display->n_vertices;
  out->indices = g_steal_pointer (&display->indices);
  out->n_triangles = display->n_triangles;
}

typedef struct {
  CalBlockSurface *self;
  CalBlockRegion  *region;
} MeshJob;

static void
mesh_one (guint    i,
          gpointer data)
{
  MeshJob *job = data;

  mesh_block (job->self, job->region, g_array_index (job->region->block_ids, gsize, i), &job->region->results[i]);
}

void
cal_block_region_mesh (CalBlockSurface *self,
                       CalBlockRegion  *region)
{
  MeshJob job = { self, region };
  guint n = region->block_ids->len;

  g_return_if_fail (region->results == NULL);
  region->results = g_new0 (Block, MAX (n, 1));
  /* Blocks in turn: each extraction already runs on every core. */
  for (guint i = 0; i < n; i++)
    mesh_one (i, &job);
}

void
cal_block_surface_apply (CalBlockSurface *self,
                         CalBlockRegion  *region)
{
  g_return_if_fail (region->results != NULL);
  for (guint i = 0; i < region->block_ids->len; i++)
    {
      Block *slot = &self->blocks[g_array_index (region->block_ids, gsize, i)];
      block_clear (slot);
      *slot = region->results[i];
      memset (&region->results[i], 0, sizeof (Block));
    }
}

guint32
cal_block_surface_get_n_triangles (CalBlockSurface *self)
{
  guint64 n = 0;

  for (gsize b = 0; b < n_blocks (self); b++)
    n += self->blocks[b].n_triangles;
  return (guint32) MIN (n, G_MAXUINT32);
}

CalDisplayMesh *
cal_block_surface_to_display (CalBlockSurface *self)
{
  CalDisplayMesh *d = g_new0 (CalDisplayMesh, 1);
  guint64 nv = 0, nt = 0;

  for (gsize b = 0; b < n_blocks (self); b++)
    {
      nv += self->blocks[b].n_vertices;
      nt += self->blocks[b].n_triangles;
    }
  d->vertices = g_new (float, 6 * MAX (nv, 1));
  d->indices = g_new (guint32, 3 * MAX (nt, 1));
  for (int a = 0; a < 3; a++)
    {
      d->min[a] = G_MAXDOUBLE;
      d->max[a] = -G_MAXDOUBLE;
    }
  for (gsize b = 0; b < n_blocks (self); b++)
    {
      Block *blk = &self->blocks[b];
      if (blk->n_triangles == 0)
        continue;
      memcpy (d->vertices + 6 * (gsize) d->n_vertices, blk->vertices, sizeof (float) * 6 * blk->n_vertices);
      for (guint64 i = 0; i < 3 * (guint64) blk->n_triangles; i++)
        d->indices[3 * (gsize) d->n_triangles + i] = blk->indices[i] + d->n_vertices;
      for (guint32 i = 0; i < blk->n_vertices; i++)
        for (int a = 0; a < 3; a++)
          {
            d->min[a] = MIN (d->min[a], blk->vertices[6 * (gsize) i + a]);
            d->max[a] = MAX (d->max[a], blk->vertices[6 * (gsize) i + a]);
          }
      d->n_vertices += blk->n_vertices;
      d->n_triangles += blk->n_triangles;
    }
  d->source_triangles = d->n_triangles;
  d->cell_mm = 0;
  return d;
}
