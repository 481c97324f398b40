/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-islands.h"

#include <string.h>

#include "cal-mask-components.h"

/* Marks the 6-connected piece of `label` through `seed` in `in_piece` (one
 * bit per voxel) and returns its bounding box; a flood fill with an explicit
 * queue, so a skull-sized piece needs no deep stack. */
static guint64
flood_piece (CalMask       *mask,
             guint8         label,
             const guint32  seed[3],
             guint8        *in_piece,
             CalBox        *box)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  const guint8 *labels = cal_mask_get_labels (mask);
  const guint32 *d = grid->dims;
  const gsize sy = d[0], sz = (gsize) d[0] * d[1];
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize start = seed[0] + sy * seed[1] + sz * seed[2];
  guint64 n = 0;

  *box = (CalBox) { { 0 } };
  if (labels[start] != label)
    return 0;
  in_piece[start >> 3] |= 1u << (start & 7);
  g_array_append_val (queue, start);
  for (gsize head = 0; head < queue->len; head++)
    {
      gsize v = g_array_index (queue, gsize, head);
      guint32 x = v % sy, y = (v / sy) % d[1], z = v / sz;
      const gboolean ok[6] = { x > 0, x + 1 < d[0], y > 0, y + 1 < d[1], z > 0, z + 1 < d[2] };
      const gssize step[6] = { -1, 1, -(gssize) sy, (gssize) sy, -(gssize) sz, (gssize) sz };
      CalBox voxel = { { x, y, z }, { x + 1, y + 1, z + 1 } };

      cal_box_union (box, &voxel);
      n++;
      for (int k = 0; k < 6; k++)
        {
          gsize w;
          if (!ok[k])
            continue;
          w = v + step[k];
          if (labels[w] != label || (in_piece[w >> 3] & (1u << (w & 7))))
            continue;
          in_piece[w >> 3] |= 1u << (w & 7);
          g_array_append_val (queue, w);
        }
      /* Drop what was read so the queue holds only the front. */
      if (head >= 1u << 20)
        {
          g_array_remove_range (queue, 0, head + 1);
          head = (gsize) -1;
        }
    }
  return n;
}

static guint64
pick (CalEditTransaction *tx,
      guint8              label,
      const guint32       voxel[3],
      gboolean            keep)
{
  CalMask *mask = cal_edit_transaction_get_mask (tx);
  const CalGrid *grid = cal_mask_get_grid (mask);
  gsize n = cal_grid_n_voxels (grid);
  g_autofree guint8 *in_piece = NULL;
  guint8 *labels = cal_mask_get_labels_mutable (mask);
  guint64 changed = 0;
  CalBox box;

  for (int a = 0; a < 3; a++)
    if (voxel[a] >= grid->dims[a])
      return 0;
  in_piece = g_malloc0 (n / 8 + 1);
  if (flood_piece (mask, label, voxel, in_piece, &box) == 0)
    return 0;
  if (keep)
    cal_edit_transaction_touch_all (tx);
  else
    cal_edit_transaction_touch (tx, &box);
  for (gsize v = 0; v < n; v++)
    {
      gboolean inside = (in_piece[v >> 3] & (1u << (v & 7))) != 0;
      if (labels[v] == label && inside != keep)
        {
          labels[v] = CAL_LABEL_BACKGROUND;
          changed++;
        }
    }
  return changed;
}

guint64
cal_edit_islands_keep_at (CalEditTransaction *tx,
                          guint8              label,
                          const guint32       voxel[3])
{
  return pick (tx, label, voxel, TRUE);
}

guint64
cal_edit_islands_remove_at (CalEditTransaction *tx,
                            guint8              label,
                            const guint32       voxel[3])
{
  return pick (tx, label, voxel, FALSE);
}

guint64
cal_edit_islands_remove_small (CalEditTransaction *tx,
                               guint8              label,
                               double              min_volume_mm3)
{
  cal_edit_transaction_touch_all (tx);
  return cal_mask_remove_islands (cal_edit_transaction_get_mask (tx), label, min_volume_mm3);
}
