/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-islands.h"

#include "cal-flood.h"
#include "cal-mask-components.h"

typedef struct {
  const guint8 *labels;
  guint8        label;
  CalBox        box;
} Piece;

static gboolean
same_label (gsize    from,
            gsize    to,
            gpointer data)
{
  Piece *p = data;
  return p->labels[to] == p->label;
}

static void
grow_box (gsize          v,
          const guint32  ijk[3],
          gpointer       data)
{
  Piece *p = data;
  CalBox voxel = { { ijk[0], ijk[1], ijk[2] }, { ijk[0] + 1, ijk[1] + 1, ijk[2] + 1 } };
  cal_box_union (&p->box, &voxel);
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
  g_autoptr(CalFlood) flood = NULL;
  guint8 *labels = cal_mask_get_labels_mutable (mask);
  Piece piece = { labels, label, { { 0 } } };
  guint64 changed = 0;
  gsize start;

  for (int a = 0; a < 3; a++)
    if (voxel[a] >= grid->dims[a])
      return 0;
  start = voxel[0] + (gsize) grid->dims[0] * (voxel[1] + (gsize) grid->dims[1] * voxel[2]);
  if (labels[start] != label)
    return 0;
  /* The piece: the face-connected voxels of `label` through the one clicked. */
  flood = cal_flood_new (grid->dims);
  cal_flood_seed (flood, start);
  cal_flood_run (flood, same_label, grow_box, &piece);
  if (keep)
    cal_edit_transaction_touch_all (tx);
  else
    cal_edit_transaction_touch (tx, &piece.box);
  for (gsize v = 0; v < n; v++)
    if (labels[v] == label && cal_flood_reached (flood, v) != keep)
      {
        labels[v] = CAL_LABEL_BACKGROUND;
        changed++;
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
