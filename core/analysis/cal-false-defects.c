/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-false-defects.h"

#include <math.h>

#include "cal-flood.h"

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
  /* the piece being grown */
  gboolean      touches;   /* it has a face on the mask's bone */
  double        sum[3], hu_sum;
  CalFalseDefect piece;
} Search;

static double
hu_at (Search *s, gsize v)
{
  gsize sy = s->d[0], sz = (gsize) s->d[0] * s->d[1];
  return cal_volume_get_value (s->ct, v % sy, (v / sy) % s->d[1], v / sz);
}

/* Into bone that is not in the mask (and not metal); a face on the mask's
 * bone is noted, not crossed. */
static gboolean
bone_step (gsize    from,
           gsize    to,
           gpointer data)
{
  Search *s = data;
  double h;

  if (s->labels[to] != 0)
    {
      s->touches = TRUE;
      return FALSE;
    }
  h = hu_at (s, to);
  return h >= s->o->min_bone_hu && h < s->o->max_hu;
}

static void
add_voxel (gsize          v,
           const guint32  ijk[3],
           gpointer       data)
{
  Search *s = data;
  CalBox one = { { ijk[0], ijk[1], ijk[2] }, { ijk[0] + 1, ijk[1] + 1, ijk[2] + 1 } };

  cal_box_union (&s->piece.box, &one);
  for (int a = 0; a < 3; a++)
    s->sum[a] += ijk[a];
  s->hu_sum += hu_at (s, v);
}

/* The piece grown from one dense voxel; FALSE when it does not touch the mask. */
static gboolean
grow_piece (Search         *s,
            CalFlood       *flood,
            gsize           seed,
            CalFalseDefect *piece)
{
  s->touches = FALSE;
  s->sum[0] = s->sum[1] = s->sum[2] = s->hu_sum = 0;
  s->piece = (CalFalseDefect) { 0 };
  cal_flood_seed (flood, seed);
  s->piece.n_voxels = cal_flood_run (flood, bone_step, add_voxel, s);
  s->piece.mean_hu = s->hu_sum / s->piece.n_voxels;
  for (int a = 0; a < 3; a++)
    s->piece.centroid[a] = s->sum[a] / s->piece.n_voxels;
  *piece = s->piece;
  return s->touches;
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
  g_autoptr(CalFlood) flood = NULL;
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
  flood = cal_flood_new (grid->dims);
  s = (Search) { options, ct, cal_mask_get_labels (mask), grid->dims };
  for (gsize v = 0; v < n; v++)
    {
      CalFalseDefect piece;
      double hu;

      if (s.labels[v] != 0 || cal_flood_reached (flood, v))
        continue;
      if ((v & 0xfffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      hu = hu_at (&s, v);
      if (hu < options->min_dense_hu || hu >= options->max_hu)
        continue;
      if (!grow_piece (&s, flood, v, &piece))
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
