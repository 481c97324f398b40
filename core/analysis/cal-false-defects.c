/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-false-defects.h"

#include <math.h>

void
cal_false_defect_options_init (CalFalseDefectOptions *options)
{
  *options = (CalFalseDefectOptions) {
    .min_dense_hu = 500,
    .min_bone_hu = 226,
    .max_hu = 2500,
    .min_volume_mm3 = 10,
  };
}

typedef struct {
  const CalFalseDefectOptions *o;
  CalVolume    *ct;
  const guint8 *labels;
  const guint32 *d;
  guint8       *seen;      /* bit per voxel */
  GArray       *queue;     /* gsize */
} Search;

static gboolean
is_seen (Search *s, gsize v)
{
  return (s->seen[v >> 3] >> (v & 7)) & 1;
}

static void
mark (Search *s, gsize v)
{
  s->seen[v >> 3] |= (guint8) (1u << (v & 7));
}

static double
hu_at (Search *s, gsize v)
{
  gsize sy = s->d[0], sz = (gsize) s->d[0] * s->d[1];
  return cal_volume_get_value (s->ct, v % sy, (v / sy) % s->d[1], v / sz);
}

/* The piece grown from one dense voxel; FALSE when it does not touch the mask. */
static gboolean
grow_piece (Search         *s,
            gsize           seed,
            CalFalseDefect *piece)
{
  const gsize sy = s->d[0], sz = (gsize) s->d[0] * s->d[1];
  gboolean touches = FALSE;
  double sum[3] = { 0, 0, 0 }, hu_sum = 0;

  g_array_set_size (s->queue, 0);
  g_array_append_val (s->queue, seed);
  mark (s, seed);
  *piece = (CalFalseDefect) { 0 };
  for (guint q = 0; q < s->queue->len; q++)
    {
      gsize v = g_array_index (s->queue, gsize, q);
      guint32 i = v % sy, j = (v / sy) % s->d[1], k = v / sz;
      const gboolean ok[6] = { i > 0, i + 1 < s->d[0], j > 0, j + 1 < s->d[1], k > 0, k + 1 < s->d[2] };
      const gssize step[6] = { -1, 1, -(gssize) sy, (gssize) sy, -(gssize) sz, (gssize) sz };
      CalBox one = { { i, j, k }, { i + 1, j + 1, k + 1 } };
      double hu = hu_at (s, v);

      cal_box_union (&piece->box, &one);
      sum[0] += i;
      sum[1] += j;
      sum[2] += k;
      hu_sum += hu;
      for (int n = 0; n < 6; n++)
        {
          gsize u;
          double h;
          if (!ok[n])
            continue;
          u = v + step[n];
          if (s->labels[u] != 0)
            {
              touches = TRUE;
              continue;
            }
          if (is_seen (s, u))
            continue;
          h = hu_at (s, u);
          if (h < s->o->min_bone_hu || h >= s->o->max_hu)
            continue;
          mark (s, u);
          g_array_append_val (s->queue, u);
        }
    }
  piece->n_voxels = s->queue->len;
  piece->mean_hu = hu_sum / piece->n_voxels;
  for (int a = 0; a < 3; a++)
    piece->centroid[a] = sum[a] / piece->n_voxels;
  return touches;
}

static gint
larger_first (gconstpointer a,
              gconstpointer b)
{
  const CalFalseDefect *x = a, *y = b;
  return x->n_voxels < y->n_voxels ? 1 : x->n_voxels > y->n_voxels ? -1 : 0;
}

GArray *
cal_find_false_defects (CalVolume                   *ct,
                        CalMask                     *mask,
                        const CalFalseDefectOptions *options,
                        GCancellable                *cancellable,
                        GError                     **error)
{
  const CalGrid *grid = cal_volume_get_grid (ct);
  CalFalseDefectOptions defaults;
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (CalFalseDefect));
  g_autofree guint8 *seen = NULL;
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (gsize));
  double voxel_mm3 = fabs (cal_grid_determinant (grid));
  gsize n = cal_grid_n_voxels (grid);
  Search s;

  if (!cal_grid_same_geometry (grid, cal_mask_get_grid (mask), 1e-3))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "The mask is not on the CT's grid");
      return NULL;
    }
  if (options == NULL)
    {
      cal_false_defect_options_init (&defaults);
      options = &defaults;
    }
  seen = g_malloc0 (n / 8 + 1);
  s = (Search) { options, ct, cal_mask_get_labels (mask), grid->dims, seen, queue };
  for (gsize v = 0; v < n; v++)
    {
      CalFalseDefect piece;
      double hu;

      if (s.labels[v] != 0 || is_seen (&s, v))
        continue;
      if ((v & 0xfffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      hu = hu_at (&s, v);
      if (hu < options->min_dense_hu || hu >= options->max_hu)
        continue;
      if (!grow_piece (&s, v, &piece))
        continue;
      piece.volume_mm3 = piece.n_voxels * voxel_mm3;
      if (piece.volume_mm3 < options->min_volume_mm3)
        continue;
      {
        const double ijk[3] = { piece.centroid[0], piece.centroid[1], piece.centroid[2] };
        cal_grid_voxel_to_patient (grid, ijk, piece.centroid);
      }
      g_array_append_val (pieces, piece);
    }
  g_array_sort (pieces, larger_first);
  return g_steal_pointer (&pieces);
}
