/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mask-components.h"

#include <math.h>
#include <string.h>

#include "cal-parallel.h"

typedef struct {
  guint32 start, end;   /* voxels [start, end) of a row */
} Run;

typedef struct {
  /* borrowed */
  const guint8 *labels;
  /* owned */
  guint64 *row_start;   /* n_rows + 1: first run of each row (j + ny * k) */
  Run     *runs;
  guint32 *parent;      /* union-find over runs, then component ids */
  guint64  n_runs;
  guint32  dims[3];
  guint8   label;
} Runs;

static void
count_runs_in_slice (guint    k,
                     gpointer data)
{
  Runs *r = data;
  gsize nx = r->dims[0], ny = r->dims[1];

  for (gsize j = 0; j < ny; j++)
    {
      const guint8 *row = r->labels + nx * (j + ny * k);
      guint64 n = 0;
      gboolean inside = FALSE;
      for (gsize i = 0; i < nx; i++)
        {
          gboolean here = row[i] == r->label;
          n += here && !inside;
          inside = here;
        }
      r->row_start[j + ny * k + 1] = n;
    }
}

static void
fill_runs_in_slice (guint    k,
                    gpointer data)
{
  Runs *r = data;
  gsize nx = r->dims[0], ny = r->dims[1];

  for (gsize j = 0; j < ny; j++)
    {
      const guint8 *row = r->labels + nx * (j + ny * k);
      Run *out = r->runs + r->row_start[j + ny * k];
      gsize i = 0;
      while (i < nx)
        {
          if (row[i] != r->label)
            {
              i++;
              continue;
            }
          out->start = (guint32) i;
          while (i < nx && row[i] == r->label)
            i++;
          out->end = (guint32) i;
          out++;
        }
    }
}

static guint32
run_root (guint32 *parent,
          guint32  a)
{
  while (parent[a] != a)
    a = parent[a] = parent[parent[a]];
  return a;
}

/* Joins the runs of two rows that touch: overlap for face neighbours,
 * overlap or touch at an end for diagonal (26-connected) ones. */
static void
join_rows (Runs    *r,
           gsize    row,
           gsize    other,
           gboolean diagonal)
{
  guint64 a = r->row_start[row], a_end = r->row_start[row + 1];
  guint64 b = r->row_start[other], b_end = r->row_start[other + 1];
  guint32 slack = diagonal ? 1 : 0;

  while (a < a_end && b < b_end)
    {
      const Run *ra = &r->runs[a], *rb = &r->runs[b];
      if (ra->start < rb->end + slack && rb->start < ra->end + slack)
        {
          guint32 x = run_root (r->parent, (guint32) a), y = run_root (r->parent, (guint32) b);
          if (x != y)
            r->parent[MAX (x, y)] = MIN (x, y);
        }
      if (ra->end < rb->end)
        a++;
      else
        b++;
    }
}

static gboolean
runs_build (Runs    *r,
            CalMask *mask,
            guint8   label)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  gsize ny, nz, n_rows;
  gboolean diagonal = label == 0;

  memset (r, 0, sizeof *r);
  memcpy (r->dims, grid->dims, sizeof r->dims);
  ny = r->dims[1];
  nz = r->dims[2];
  n_rows = ny * nz;
  r->labels = cal_mask_get_labels (mask);
  r->label = label;
  r->row_start = g_new0 (guint64, n_rows + 1);
  cal_parallel_for (r->dims[2], count_runs_in_slice, r);
  for (gsize row = 0; row < n_rows; row++)
    r->row_start[row + 1] += r->row_start[row];
  r->n_runs = r->row_start[n_rows];
  if (r->n_runs >= G_MAXUINT32)
    return FALSE;
  r->runs = g_new (Run, MAX (r->n_runs, 1));
  cal_parallel_for (r->dims[2], fill_runs_in_slice, r);

  r->parent = g_new (guint32, MAX (r->n_runs, 1));
  for (guint64 i = 0; i < r->n_runs; i++)
    r->parent[i] = (guint32) i;
  for (gsize k = 0; k < nz; k++)
    for (gsize j = 0; j < ny; j++)
      {
        gsize row = j + ny * k;
        /* Rows before this one that can touch it. */
        if (j > 0)
          join_rows (r, row, row - 1, diagonal);
        if (k > 0)
          join_rows (r, row, row - ny, diagonal);
        if (diagonal && k > 0 && j > 0)
          join_rows (r, row, row - ny - 1, TRUE);
        if (diagonal && k > 0 && j + 1 < ny)
          join_rows (r, row, row - ny + 1, TRUE);
      }
  return TRUE;
}

static void
runs_clear (Runs *r)
{
  g_free (r->row_start);
  g_free (r->runs);
  g_free (r->parent);
}

void
cal_components_free (CalComponents *components)
{
  if (components == NULL)
    return;
  g_free (components->sizes);
  g_free (components->touches_border);
  g_free (components);
}

/* Turns the union-find into component ids 0..n-1 (parent[] then holds
 * each run's id) and measures the components. */
static CalComponents *
runs_resolve (Runs *r)
{
  CalComponents *c = g_new0 (CalComponents, 1);
  gsize ny = r->dims[1], nz = r->dims[2];
  GArray *sizes = g_array_new (FALSE, TRUE, sizeof (guint64));
  GArray *border = g_array_new (FALSE, TRUE, sizeof (gboolean));

  /* Parents always have lower indices, so forward passes see a run's
   * parent finished first: one pass flattens, the next numbers roots and
   * hands their number to their members. */
  for (guint64 i = 0; i < r->n_runs; i++)
    r->parent[i] = r->parent[r->parent[i]];
  for (guint64 i = 0; i < r->n_runs; i++)
    {
      if (r->parent[i] == i)
        r->parent[i] = c->n_components++;
      else
        r->parent[i] = r->parent[r->parent[i]];
    }
  g_array_set_size (sizes, c->n_components);
  g_array_set_size (border, c->n_components);
  for (gsize k = 0; k < nz; k++)
    for (gsize j = 0; j < ny; j++)
      {
        gsize row = j + ny * k;
        gboolean edge_row = j == 0 || j + 1 == ny || k == 0 || k + 1 == nz;
        for (guint64 i = r->row_start[row]; i < r->row_start[row + 1]; i++)
          {
            guint32 id = r->parent[i];
            g_array_index (sizes, guint64, id) += r->runs[i].end - r->runs[i].start;
            if (edge_row || r->runs[i].start == 0 || r->runs[i].end == r->dims[0])
              g_array_index (border, gboolean, id) = TRUE;
          }
      }
  c->sizes = (guint64 *) g_array_free (sizes, FALSE);
  c->touches_border = (gboolean *) g_array_free (border, FALSE);
  return c;
}

/* Sets every voxel of the runs whose component `change[id]` says to
 * `value`; returns how many changed. */
static guint64
runs_paint (Runs           *r,
            CalMask        *mask,
            const gboolean *change,
            guint8          value)
{
  guint8 *labels = cal_mask_get_labels_mutable (mask);
  gsize nx = r->dims[0], ny = r->dims[1], n_rows = ny * r->dims[2];
  guint64 changed = 0;

  for (gsize row = 0; row < n_rows; row++)
    for (guint64 i = r->row_start[row]; i < r->row_start[row + 1]; i++)
      if (change[r->parent[i]])
        {
          memset (labels + nx * row + r->runs[i].start, value, r->runs[i].end - r->runs[i].start);
          changed += r->runs[i].end - r->runs[i].start;
        }
  return changed;
}

CalComponents *
cal_mask_components (CalMask *mask,
                     guint8   label,
                     guint32 *component_of_voxel)
{
  Runs r;
  CalComponents *c;
  gsize nx, n_rows;

  g_return_val_if_fail (CAL_IS_MASK (mask), NULL);
  if (!runs_build (&r, mask, label))
    {
      runs_clear (&r);
      return NULL;
    }
  c = runs_resolve (&r);
  if (component_of_voxel != NULL)
    {
      nx = r.dims[0];
      n_rows = (gsize) r.dims[1] * r.dims[2];
      memset (component_of_voxel, 0xff, sizeof (guint32) * nx * n_rows);
      for (gsize row = 0; row < n_rows; row++)
        for (guint64 i = r.row_start[row]; i < r.row_start[row + 1]; i++)
          for (guint32 x = r.runs[i].start; x < r.runs[i].end; x++)
            component_of_voxel[nx * row + x] = r.parent[i];
    }
  runs_clear (&r);
  return c;
}

double
cal_mask_voxel_volume (CalMask *mask)
{
  return fabs (cal_grid_determinant (cal_mask_get_grid (mask)));
}

typedef gboolean (*Choose) (const CalComponents *c,
                            guint32              id,
                            gpointer             data);

static guint64
paint_chosen (CalMask *mask,
              guint8   label,
              Choose   choose,
              gpointer data,
              guint8   value)
{
  Runs r;
  g_autoptr(CalComponents) c = NULL;
  g_autofree gboolean *change = NULL;
  guint64 changed;

  if (!runs_build (&r, mask, label))
    {
      runs_clear (&r);
      return 0;
    }
  c = runs_resolve (&r);
  change = g_new0 (gboolean, MAX (c->n_components, 1));
  for (guint32 id = 0; id < c->n_components; id++)
    change[id] = choose (c, id, data);
  changed = runs_paint (&r, mask, change, value);
  runs_clear (&r);
  return changed;
}

/* The id of the component with the most voxels (the first of equals). */
static guint32
largest_component (const CalComponents *c)
{
  guint32 largest = 0;

  for (guint32 id = 1; id < c->n_components; id++)
    if (c->sizes[id] > c->sizes[largest])
      largest = id;
  return largest;
}

typedef struct {
  gboolean found;
  guint32  id;
} Largest;

/* Finds the largest on the first call, so one pass over the mask builds
 * the components, picks the largest and paints the rest. */
static gboolean
not_largest (const CalComponents *c,
             guint32              id,
             gpointer             data)
{
  Largest *largest = data;

  if (!largest->found)
    largest->id = largest_component (c), largest->found = TRUE;
  return id != largest->id;
}

guint64
cal_mask_keep_largest_component (CalMask *mask,
                                 guint8   label)
{
  Largest largest = { FALSE, 0 };

  g_return_val_if_fail (CAL_IS_MASK (mask), 0);
  g_return_val_if_fail (label != 0, 0);
  return paint_chosen (mask, label, not_largest, &largest, CAL_LABEL_BACKGROUND);
}

/* Reach is compared with a tolerance of one part in a million, so a gap
 * of exactly the reach (two 0.45 mm pixels against 0.9 mm) counts as
 * within it whatever the rounding of the spacing; the Python clean-up
 * that mirrors this (tools/train/evaluate_skull.py) does the same. */
#define REACH_TOLERANCE 1e-6

/* The half-width, in voxels along x, of the reach in the row (dy, dz)
 * rows away; -1 where that row is out of reach. */
static int
reach_along_row (const double reach[3],
                 const double spacing[3],
                 int          dy,
                 int          dz)
{
  double left = 1 + REACH_TOLERANCE;   /* of the ellipsoid's unit ball */

  if ((dy != 0 && reach[1] <= 0) || (dz != 0 && reach[2] <= 0))
    return -1;
  if (dy != 0)
    left -= (dy * spacing[1] / reach[1]) * (dy * spacing[1] / reach[1]);
  if (dz != 0)
    left -= (dz * spacing[2] / reach[2]) * (dz * spacing[2] / reach[2]);
  if (left < 0)
    return -1;
  return reach[0] > 0 ? (int) floor (reach[0] * sqrt (left) / spacing[0]) : 0;
}

static int
reach_in_rows (double reach,
               double spacing)
{
  return reach > 0 ? (int) floor (reach * (1 + REACH_TOLERANCE) / spacing) : 0;
}

/* Keeps (drop[id] = FALSE) the components of the runs in row `other`
 * that come within `slack` voxels (along x) of a run of `largest` in row
 * `row`.  Runs are sorted along their row, so the first candidate only
 * moves forward. */
static void
mark_near_runs (const Runs *r,
                gsize       row,
                gsize       other,
                guint64     slack,
                guint32     largest,
                gboolean   *drop)
{
  guint64 b = r->row_start[other], b_end = r->row_start[other + 1];

  for (guint64 a = r->row_start[row]; a < r->row_start[row + 1]; a++)
    {
      const Run *ra = &r->runs[a];
      if (r->parent[a] != largest)
        continue;
      while (b < b_end && r->runs[b].end + slack <= ra->start)
        b++;
      for (guint64 c = b; c < b_end && r->runs[c].start < ra->end + slack; c++)
        drop[r->parent[c]] = FALSE;
    }
}

static void
mark_near_largest (const Runs   *r,
                   const double  reach[3],
                   const double  spacing[3],
                   guint32       largest,
                   gboolean     *drop)
{
  int ny = r->dims[1], nz = r->dims[2];
  int ry = reach_in_rows (reach[1], spacing[1]), rz = reach_in_rows (reach[2], spacing[2]);

  for (int k = 0; k < nz; k++)
    for (int j = 0; j < ny; j++)
      for (int dz = MAX (-rz, -k); dz <= MIN (rz, nz - 1 - k); dz++)
        for (int dy = MAX (-ry, -j); dy <= MIN (ry, ny - 1 - j); dy++)
          {
            int slack = reach_along_row (reach, spacing, dy, dz);
            if (slack >= 0)
              mark_near_runs (r, j + (gsize) ny * k, (j + dy) + (gsize) ny * (k + dz), slack, largest, drop);
          }
}

guint64
cal_mask_keep_largest_and_near (CalMask      *mask,
                                guint8        label,
                                const double  reach_mm[3])
{
  Runs r;
  g_autoptr(CalComponents) c = NULL;
  g_autofree gboolean *drop = NULL;
  double spacing[3];
  guint32 largest;
  guint64 changed;

  g_return_val_if_fail (CAL_IS_MASK (mask), 0);
  g_return_val_if_fail (label != 0 && reach_mm != NULL, 0);
  if (!runs_build (&r, mask, label))
    {
      runs_clear (&r);
      return 0;
    }
  c = runs_resolve (&r);
  if (c->n_components <= 1)
    {
      runs_clear (&r);
      return 0;
    }
  largest = largest_component (c);
  drop = g_new (gboolean, c->n_components);
  for (guint32 id = 0; id < c->n_components; id++)
    drop[id] = id != largest;
  cal_grid_get_spacing (cal_mask_get_grid (mask), spacing);
  mark_near_largest (&r, reach_mm, spacing, largest, drop);
  changed = runs_paint (&r, mask, drop, CAL_LABEL_BACKGROUND);
  runs_clear (&r);
  return changed;
}

typedef struct {
  double voxel_volume;
  double limit_mm3;
} VolumeLimit;

static gboolean
is_small (const CalComponents *c,
          guint32              id,
          gpointer             data)
{
  const VolumeLimit *limit = data;
  return c->sizes[id] * limit->voxel_volume < limit->limit_mm3;
}

guint64
cal_mask_remove_islands (CalMask *mask,
                         guint8   label,
                         double   min_volume_mm3)
{
  VolumeLimit limit;

  g_return_val_if_fail (CAL_IS_MASK (mask), 0);
  g_return_val_if_fail (label != 0, 0);
  limit.voxel_volume = cal_mask_voxel_volume (mask);
  limit.limit_mm3 = min_volume_mm3;
  return paint_chosen (mask, label, is_small, &limit, CAL_LABEL_BACKGROUND);
}

static gboolean
is_enclosed_pocket (const CalComponents *c,
                    guint32              id,
                    gpointer             data)
{
  const VolumeLimit *limit = data;
  return !c->touches_border[id] &&
         (limit->limit_mm3 <= 0 || c->sizes[id] * limit->voxel_volume <= limit->limit_mm3);
}

guint64
cal_mask_fill_cavities (CalMask *mask,
                        guint8   label,
                        double   max_volume_mm3)
{
  VolumeLimit limit;

  g_return_val_if_fail (CAL_IS_MASK (mask), 0);
  g_return_val_if_fail (label != 0, 0);
  limit.voxel_volume = cal_mask_voxel_volume (mask);
  limit.limit_mm3 = max_volume_mm3;
  return paint_chosen (mask, CAL_LABEL_BACKGROUND, is_enclosed_pocket, &limit, label);
}
