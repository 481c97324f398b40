/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-scissors.h"

#include "cal-flood.h"
#include "cal-parallel.h"

typedef struct {
  CalMask      *mask;
  guint8        label;
  double        m[4][4];      /* voxel (i, j, k, 1) -> clip */
  double        width, height;
  const double *outline;
  guint         n_points;
  gboolean      keep_inside;
  gboolean      apply;        /* FALSE: only find the box */
  CalBox       *boxes;        /* per slice k */
  guint64      *changed;      /* per slice k */
} Cut;

/* Even-odd rule: does a ray to the right cross the outline an odd number of times? */
static gboolean
inside_outline (const Cut *c,
                double     x,
                double     y)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = c->n_points - 1; i < c->n_points; j = i++)
    {
      double xi = c->outline[2 * i], yi = c->outline[2 * i + 1];
      double xj = c->outline[2 * j], yj = c->outline[2 * j + 1];
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside = !inside;
    }
  return inside;
}

static gboolean
cut_here (const Cut *c,
          const double clip[4])
{
  gboolean inside = clip[3] > 0
                    && inside_outline (c, (clip[0] / clip[3] + 1) / 2 * c->width,
                                       (1 - clip[1] / clip[3]) / 2 * c->height);
  return inside != c->keep_inside;
}

static void
cut_slice (guint    k,
           gpointer data)
{
  Cut *c = data;
  const CalGrid *grid = cal_mask_get_grid (c->mask);
  guint8 *labels = cal_mask_get_labels_mutable (c->mask);
  CalBox box = { { 0 } };
  guint64 changed = 0;

  for (guint32 j = 0; j < grid->dims[1]; j++)
    {
      gsize row = (gsize) grid->dims[0] * (j + (gsize) grid->dims[1] * k);
      /* Clip coordinates are linear along the row. */
      double base[4], step[4];
      for (int r = 0; r < 4; r++)
        {
          base[r] = c->m[r][1] * j + c->m[r][2] * k + c->m[r][3];
          step[r] = c->m[r][0];
        }
      for (guint32 i = 0; i < grid->dims[0]; i++)
        {
          guint8 l = labels[row + i];
          double clip[4];
          if (l == 0 || (c->label != 0 && l != c->label))
            continue;
          for (int r = 0; r < 4; r++)
            clip[r] = base[r] + step[r] * i;
          if (!cut_here (c, clip))
            continue;
          if (c->apply)
            {
              labels[row + i] = CAL_LABEL_BACKGROUND;
              changed++;
            }
          else
            {
              CalBox v = { { i, j, k }, { i + 1, j + 1, k + 1 } };
              cal_box_union (&box, &v);
            }
        }
    }
  c->boxes[k] = box;
  c->changed[k] = changed;
}

/* ---- what is seen first ---- */

static gboolean
voxel_clip (const Cut *c,
            guint32    i,
            guint32    j,
            guint32    k,
            double     clip[4])
{
  for (int r = 0; r < 4; r++)
    clip[r] = c->m[r][0] * i + c->m[r][1] * j + c->m[r][2] * k + c->m[r][3];
  return clip[3] > 0;
}

static gboolean
in_cut (const Cut *c,
        guint32    i,
        guint32    j,
        guint32    k)
{
  double clip[4];
  return voxel_clip (c, i, j, k, clip) && cut_here (c, clip);
}

typedef struct {
  Cut          *c;
  const guint8 *labels;
  GArray       *cut;     /* gsize: the voxels to erase */
  CalBox        box;
} Front;

/* Through face neighbours of the same label, inside the outline. */
static gboolean
front_step (gsize    from,
            gsize    to,
            gpointer data)
{
  Front *f = data;
  const guint32 *d = cal_mask_get_grid (f->c->mask)->dims;

  return f->labels[to] == f->labels[from]
         && in_cut (f->c, to % d[0], (to / d[0]) % d[1], to / ((gsize) d[0] * d[1]));
}

static void
front_visit (gsize          v,
             const guint32  ijk[3],
             gpointer       data)
{
  Front *f = data;
  CalBox one = { { ijk[0], ijk[1], ijk[2] }, { ijk[0] + 1, ijk[1] + 1, ijk[2] + 1 } };

  g_array_append_val (f->cut, v);
  cal_box_union (&f->box, &one);
}

/* The nearest voxel under each pixel of the view (a depth buffer of voxel
 * centres), then a flood through face neighbours inside the outline. */
static guint64
cut_front (Cut                *c,
           CalEditTransaction *tx)
{
  const CalGrid *grid = cal_mask_get_grid (c->mask);
  const guint32 *d = grid->dims;
  guint8 *labels = cal_mask_get_labels_mutable (c->mask);
  guint w = (guint) MAX (c->width, 1), h = (guint) MAX (c->height, 1);
  g_autofree float *depth = g_new (float, (gsize) w * h);
  g_autofree gsize *nearest = g_new (gsize, (gsize) w * h);
  g_autoptr(CalFlood) flood = cal_flood_new (d);
  const gsize sy = d[0], sz = (gsize) d[0] * d[1];
  Front front = { 0 };
  guint64 changed = 0;

  for (gsize p = 0; p < (gsize) w * h; p++)
    {
      depth[p] = G_MAXFLOAT;
      nearest[p] = G_MAXSIZE;
    }
  for (guint32 k = 0; k < d[2]; k++)
    for (guint32 j = 0; j < d[1]; j++)
      for (guint32 i = 0; i < d[0]; i++)
        {
          gsize v = i + sy * j + sz * k;
          double clip[4], x, y;
          gsize p;
          if (labels[v] == 0 || (c->label != 0 && labels[v] != c->label) || !voxel_clip (c, i, j, k, clip)
              || !cut_here (c, clip))
            continue;
          x = (clip[0] / clip[3] + 1) / 2 * c->width;
          y = (1 - clip[1] / clip[3]) / 2 * c->height;
          if (x < 0 || y < 0 || x >= w || y >= h)
            continue;
          p = (gsize) x + (gsize) w * (gsize) y;
          if (clip[2] / clip[3] < depth[p])
            {
              depth[p] = (float) (clip[2] / clip[3]);
              nearest[p] = v;
            }
        }
  front.c = c;
  front.labels = labels;
  front.cut = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (gsize p = 0; p < (gsize) w * h; p++)
    if (nearest[p] != G_MAXSIZE)
      cal_flood_seed (flood, nearest[p]);
  cal_flood_run (flood, front_step, front_visit, &front);
  if (front.cut->len > 0)
    cal_edit_transaction_touch (tx, &front.box);
  for (guint q = 0; q < front.cut->len; q++)
    {
      labels[g_array_index (front.cut, gsize, q)] = CAL_LABEL_BACKGROUND;
      changed++;
    }
  g_array_unref (front.cut);
  return changed;
}

guint64
cal_edit_scissors (CalEditTransaction *tx,
                   guint8              label,
                   const double        clip[4][4],
                   double              width,
                   double              height,
                   const double       *outline,
                   guint               n_points,
                   gboolean            keep_inside,
                   gboolean            front_only)
{
  CalMask *mask = cal_edit_transaction_get_mask (tx);
  const CalGrid *grid = cal_mask_get_grid (mask);
  guint32 nz = grid->dims[2];
  g_autofree CalBox *boxes = g_new0 (CalBox, nz);
  g_autofree guint64 *changed = g_new0 (guint64, nz);
  Cut c = { mask, label, { { 0 } }, width, height, outline, n_points, keep_inside, FALSE, boxes, changed };
  CalBox all = { { 0 } };
  guint64 total = 0;

  if (n_points < 3)
    return 0;
  /* Fold the grid's affine in: voxel -> patient -> clip. */
  for (int r = 0; r < 4; r++)
    for (int col = 0; col < 4; col++)
      for (int t = 0; t < 4; t++)
        c.m[r][col] += clip[r][t] * grid->affine[t][col];
  if (front_only && !keep_inside)
    return cut_front (&c, tx);
  /* First the box of what changes, saved; then the change. */
  cal_parallel_for (nz, cut_slice, &c);
  for (guint32 k = 0; k < nz; k++)
    cal_box_union (&all, &boxes[k]);
  if (cal_box_is_empty (&all))
    return 0;
  cal_edit_transaction_touch (tx, &all);
  c.apply = TRUE;
  cal_parallel_for (nz, cut_slice, &c);
  for (guint32 k = 0; k < nz; k++)
    total += changed[k];
  return total;
}
