/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mask.h"

#include "cal-parallel.h"

struct _CalMask
{
  GObject  parent_instance;

  /* owned */
  CalGrid  grid;
  guint8  *labels;    /* n_voxels bytes; edited in place by tools */
};

G_DEFINE_FINAL_TYPE (CalMask, cal_mask, G_TYPE_OBJECT)

static void
cal_mask_finalize (GObject *object)
{
  CalMask *self = CAL_MASK (object);

  g_clear_pointer (&self->labels, g_free);
  G_OBJECT_CLASS (cal_mask_parent_class)->finalize (object);
}

static void
cal_mask_class_init (CalMaskClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_mask_finalize;
}

static void
cal_mask_init (CalMask *self)
{
}

CalMask *
cal_mask_new (const CalGrid *grid)
{
  g_return_val_if_fail (grid != NULL, NULL);
  return cal_mask_new_take (grid, g_malloc0 (cal_grid_n_voxels (grid)));
}

/**
 * cal_mask_new_take:
 * @labels: (transfer full): n_voxels bytes allocated with g_malloc
 */
CalMask *
cal_mask_new_take (const CalGrid *grid,
                   guint8        *labels)
{
  CalMask *self;

  g_return_val_if_fail (grid != NULL, NULL);
  g_return_val_if_fail (labels != NULL, NULL);

  self = g_object_new (CAL_TYPE_MASK, NULL);
  self->grid = *grid;
  self->labels = labels;
  return self;
}

CalMask *
cal_mask_copy (CalMask *self)
{
  g_return_val_if_fail (CAL_IS_MASK (self), NULL);
  return cal_mask_new_take (&self->grid, g_memdup2 (self->labels, cal_grid_n_voxels (&self->grid)));
}

const CalGrid *
cal_mask_get_grid (CalMask *self)
{
  g_return_val_if_fail (CAL_IS_MASK (self), NULL);
  return &self->grid;
}

const guint8 *
cal_mask_get_labels (CalMask *self)
{
  g_return_val_if_fail (CAL_IS_MASK (self), NULL);
  return self->labels;
}

guint8 *
cal_mask_get_labels_mutable (CalMask *self)
{
  g_return_val_if_fail (CAL_IS_MASK (self), NULL);
  return self->labels;
}

typedef struct {
  const guint8 *labels;
  gsize         slice;     /* voxels per slice */
  guint8        label;
  guint64      *counts;    /* per slice */
} Counting;

static void
count_slice (guint    k,
             gpointer data)
{
  Counting *cn = data;
  const guint8 *p = cn->labels + cn->slice * k;
  guint64 n = 0;

  for (gsize i = 0; i < cn->slice; i++)
    n += p[i] == cn->label;
  cn->counts[k] = n;
}

/* On all cores: masks run to 78 million voxels, and every export counts. */
guint64
cal_mask_count (CalMask *self,
                guint8   label)
{
  g_autofree guint64 *counts = NULL;
  Counting cn;
  guint64 total = 0;

  g_return_val_if_fail (CAL_IS_MASK (self), 0);
  counts = g_new0 (guint64, MAX (self->grid.dims[2], 1));
  cn = (Counting) { self->labels, (gsize) self->grid.dims[0] * self->grid.dims[1], label, counts };
  cal_parallel_for (self->grid.dims[2], count_slice, &cn);
  for (guint32 k = 0; k < self->grid.dims[2]; k++)
    total += counts[k];
  return total;
}

guint8
cal_mask_get_max_label (CalMask *self)
{
  guint64 n;
  guint8 max = 0;

  g_return_val_if_fail (CAL_IS_MASK (self), 0);
  n = cal_grid_n_voxels (&self->grid);
  for (guint64 i = 0; i < n; i++)
    max = MAX (max, self->labels[i]);
  return max;
}
