/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-fill-between.h"

#include <math.h>
#include <string.h>

#include "cal-metrics.h"
#include "cal-parallel.h"

/* A slice of the mask perpendicular to `axis`, as a 2D image: (u, v) are
 * the other two axes in increasing order. */
typedef struct {
  CalMask *mask;
  int      axis, au, av;
  guint32  nu, nv, nk;
  gsize    stride[3];
  double   su, sv;
} Plane;

static void
plane_init (Plane   *pl,
            CalMask *mask,
            int      axis)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  double s[3];

  cal_grid_get_spacing (grid, s);
  pl->mask = mask;
  pl->axis = axis;
  pl->au = axis == 0 ? 1 : 0;
  pl->av = axis == 2 ? 1 : 2;
  pl->nu = grid->dims[pl->au];
  pl->nv = grid->dims[pl->av];
  pl->nk = grid->dims[axis];
  pl->stride[0] = 1;
  pl->stride[1] = grid->dims[0];
  pl->stride[2] = (gsize) grid->dims[0] * grid->dims[1];
  pl->su = s[pl->au];
  pl->sv = s[pl->av];
}

static gsize
plane_index (const Plane *pl,
             guint32      u,
             guint32      v,
             guint32      k)
{
  return u * pl->stride[pl->au] + v * pl->stride[pl->av] + k * pl->stride[pl->axis];
}

/* Which slices along the axis hold the label: one pass in memory order,
 * whatever the axis (a strided scan per slice is many times slower). */
static gboolean *
drawn_slices (const Plane *pl,
              guint8       label)
{
  const CalGrid *grid = cal_mask_get_grid (pl->mask);
  const guint8 *labels = cal_mask_get_labels (pl->mask);
  gboolean *drawn = g_new0 (gboolean, pl->nk);
  gsize v = 0;

  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (guint32 j = 0; j < grid->dims[1]; j++)
      {
        const guint32 at[3] = { 0, j, k };
        if (pl->axis != 0)
          {
            /* The whole row lies in one slice: look for the label once. */
            if (!drawn[at[pl->axis]] && memchr (labels + v, label, grid->dims[0]) != NULL)
              drawn[at[pl->axis]] = TRUE;
          }
        else
          for (guint32 i = 0; i < grid->dims[0]; i++)
            drawn[i] |= labels[v + i] == label;
        v += grid->dims[0];
      }
  return drawn;
}

static void
read_slice (const Plane *pl,
            guint8       label,
            guint32      k,
            guint8      *out)
{
  const guint8 *labels = cal_mask_get_labels (pl->mask);

  for (guint32 v = 0; v < pl->nv; v++)
    for (guint32 u = 0; u < pl->nu; u++)
      out[u + (gsize) pl->nu * v] = labels[plane_index (pl, u, v, k)] == label;
}

/* Keeps in `u_set` only the 8-connected pieces that contain a voxel of
 * `core`; returns how many pieces were dropped. */
static guint
keep_pieces_with_core (guint8       *u_set,
                       const guint8 *core,
                       guint32       nu,
                       guint32       nv)
{
  gsize n = (gsize) nu * nv;
  g_autofree gint32 *piece = g_new (gint32, n);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) has_core = g_array_new (FALSE, TRUE, sizeof (gboolean));
  gint32 n_pieces = 0;
  guint dropped = 0;

  for (gsize i = 0; i < n; i++)
    piece[i] = -1;
  for (gsize i = 0; i < n; i++)
    {
      gboolean core_seen = FALSE;
      if (!u_set[i] || piece[i] >= 0)
        continue;
      piece[i] = n_pieces;
      g_array_append_val (stack, i);
      while (stack->len > 0)
        {
          gsize p = g_array_index (stack, gsize, stack->len - 1);
          guint32 pu = p % nu, pv = p / nu;
          g_array_set_size (stack, stack->len - 1);
          core_seen |= core[p] != 0;
          for (int dv = -1; dv <= 1; dv++)
            for (int du = -1; du <= 1; du++)
              {
                gint64 qu = (gint64) pu + du, qv = (gint64) pv + dv;
                gsize q;
                if (qu < 0 || qv < 0 || qu >= nu || qv >= nv)
                  continue;
                q = (gsize) qu + (gsize) nu * (gsize) qv;
                if (u_set[q] && piece[q] < 0)
                  {
                    piece[q] = n_pieces;
                    g_array_append_val (stack, q);
                  }
              }
        }
      g_array_append_val (has_core, core_seen);
      dropped += !core_seen;
      n_pieces++;
    }
  for (gsize i = 0; i < n; i++)
    if (u_set[i] && !g_array_index (has_core, gboolean, piece[i]))
      u_set[i] = 0;
  return dropped;
}

typedef struct {
  const Plane  *pl;
  guint8        label;
  guint32       k0, k1;
  const guint8 *a, *b, *core, *u_set;
  const double *r;
  guint64      *added;    /* per slice */
} FillSlices;

static void
fill_slice (guint    index,
            gpointer data)
{
  FillSlices *job = data;
  const Plane *pl = job->pl;
  guint8 *labels = cal_mask_get_labels_mutable (pl->mask);
  guint32 k = job->k0 + 1 + index;
  double t = (double) (k - job->k0) / (job->k1 - job->k0);
  guint64 added = 0;

  for (guint32 v = 0; v < pl->nv; v++)
    for (guint32 u = 0; u < pl->nu; u++)
      {
        gsize i = u + (gsize) pl->nu * v, at;
        gboolean in = job->u_set[i]
                      && (job->core[i] || (job->b[i] && job->r[i] <= t) || (job->a[i] && job->r[i] <= 1.0 - t));
        if (!in)
          continue;
        at = plane_index (pl, u, v, k);
        /* Only background is filled: other labels are never overwritten. */
        if (labels[at] == CAL_LABEL_BACKGROUND)
          {
            labels[at] = job->label;
            added++;
          }
      }
  job->added[index] = added;
}

/* Fills slices k0 < k < k1 from the drawn slices a (at k0) and b (at k1). */
static guint64
fill_gap (const Plane        *pl,
          CalEditTransaction *tx,
          guint8              label,
          guint32             k0,
          guint32             k1,
          const guint8       *a,
          const guint8       *b,
          CalFillSummary     *summary)
{
  gsize n = (gsize) pl->nu * pl->nv;
  const guint32 dims[3] = { pl->nu, pl->nv, 1 };
  const double spacing[3] = { pl->su, pl->sv, 1.0 };
  g_autofree guint8 *core = g_malloc (n), *u_set = g_malloc (n), *outside = g_malloc (n);
  g_autofree double *d_core = g_new (double, n), *d_out = g_new (double, n), *r = g_new (double, n);
  gboolean any = FALSE;
  guint64 added = 0;
  CalBox box;

  for (gsize i = 0; i < n; i++)
    {
      core[i] = a[i] && b[i];
      u_set[i] = a[i] || b[i];
      any |= core[i];
    }
  summary->n_unmatched += keep_pieces_with_core (u_set, core, pl->nu, pl->nv);
  if (!any)
    return 0;
  for (gsize i = 0; i < n; i++)
    outside[i] = !u_set[i];
  cal_metrics_squared_edt (core, dims, spacing, d_core);
  cal_metrics_squared_edt (outside, dims, spacing, d_out);
  for (gsize i = 0; i < n; i++)
    {
      double dc = sqrt (d_core[i]), dout = isinf (d_out[i]) ? G_MAXDOUBLE : sqrt (d_out[i]);
      r[i] = u_set[i] ? dc / (dc + dout) : INFINITY;
    }

  box.lo[pl->axis] = k0 + 1;
  box.hi[pl->axis] = k1;
  box.lo[pl->au] = 0;
  box.hi[pl->au] = pl->nu;
  box.lo[pl->av] = 0;
  box.hi[pl->av] = pl->nv;
  cal_edit_transaction_touch (tx, &box);
  {
    FillSlices job = { pl, label, k0, k1, a, b, core, u_set, r, g_new0 (guint64, k1 - k0 - 1) };
    /* Slices are independent: fill them side by side. */
    cal_parallel_for (k1 - k0 - 1, fill_slice, &job);
    for (guint32 i = 0; i + 1 < k1 - k0; i++)
      {
        added += job.added[i];
        summary->n_filled += job.added[i] > 0;
      }
    g_free (job.added);
  }
  return added;
}

guint64
cal_fill_between_slices (CalEditTransaction *tx,
                         guint8              label,
                         int                 axis,
                         CalFillSummary     *summary)
{
  CalMask *mask = cal_edit_transaction_get_mask (tx);
  CalFillSummary unused;
  Plane pl;
  gsize n;
  g_autofree guint8 *prev = NULL, *next = NULL;
  g_autofree gboolean *drawn = NULL;
  gint64 prev_k = -1;
  guint64 added = 0;

  if (summary == NULL)
    summary = &unused;
  memset (summary, 0, sizeof *summary);
  g_return_val_if_fail (axis >= 0 && axis <= 2, 0);
  plane_init (&pl, mask, axis);
  n = (gsize) pl.nu * pl.nv;
  prev = g_malloc (n);
  next = g_malloc (n);
  drawn = drawn_slices (&pl, label);
  for (guint32 k = 0; k < pl.nk; k++)
    {
      if (!drawn[k])
        continue;
      summary->n_drawn++;
      read_slice (&pl, label, k, next);
      if (prev_k >= 0 && k > prev_k + 1)
        {
          summary->n_gaps++;
          added += fill_gap (&pl, tx, label, (guint32) prev_k, k, prev, next, summary);
        }
      prev_k = k;
      { guint8 *swap = prev; prev = next; next = swap; }
    }
  return added;
}
