/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-transaction.h"

#include <string.h>

#define B 16   /* block edge in voxels */

struct _CalEditTransaction
{
  CalMask  *mask;
  guint32   dims[3];
  guint32   nb[3];      /* blocks per axis */
  guint8  **saved;      /* per block: its labels before the step, or NULL */
  CalBox    touched;
};

CalEditTransaction *
cal_edit_transaction_new (CalMask *mask)
{
  CalEditTransaction *tx = g_new0 (CalEditTransaction, 1);

  tx->mask = g_object_ref (mask);
  memcpy (tx->dims, cal_mask_get_grid (mask)->dims, sizeof tx->dims);
  for (int a = 0; a < 3; a++)
    tx->nb[a] = (tx->dims[a] + B - 1) / B;
  tx->saved = g_new0 (guint8 *, (gsize) tx->nb[0] * tx->nb[1] * tx->nb[2]);
  return tx;
}

static gsize
n_blocks (CalEditTransaction *tx)
{
  return (gsize) tx->nb[0] * tx->nb[1] * tx->nb[2];
}

void
cal_edit_transaction_free (CalEditTransaction *tx)
{
  for (gsize b = 0; b < n_blocks (tx); b++)
    g_free (tx->saved[b]);
  g_free (tx->saved);
  g_object_unref (tx->mask);
  g_free (tx);
}

CalMask *
cal_edit_transaction_get_mask (CalEditTransaction *tx)
{
  return tx->mask;
}

const CalBox *
cal_edit_transaction_get_touched (CalEditTransaction *tx)
{
  return &tx->touched;
}

/* The block's voxels, clipped to the grid. */
static void
block_box (CalEditTransaction *tx,
           guint32             bx,
           guint32             by,
           guint32             bz,
           CalBox             *box)
{
  const guint32 b[3] = { bx, by, bz };

  for (int a = 0; a < 3; a++)
    {
      box->lo[a] = b[a] * B;
      box->hi[a] = MIN (box->lo[a] + B, tx->dims[a]);
    }
}

/* Copies between the mask and a block's B³ buffer (x fastest). */
static void
copy_block (CalEditTransaction *tx,
            const CalBox       *box,
            guint8             *block,
            gboolean            to_mask)
{
  guint8 *labels = cal_mask_get_labels_mutable (tx->mask);
  gsize nx = box->hi[0] - box->lo[0];

  for (guint32 z = box->lo[2]; z < box->hi[2]; z++)
    for (guint32 y = box->lo[1]; y < box->hi[1]; y++)
      {
        guint8 *m = labels + box->lo[0] + (gsize) tx->dims[0] * (y + (gsize) tx->dims[1] * z);
        guint8 *s = block + B * ((y - box->lo[1]) + B * (z - box->lo[2]));
        if (to_mask)
          memcpy (m, s, nx);
        else
          memcpy (s, m, nx);
      }
}

void
cal_edit_transaction_touch (CalEditTransaction *tx,
                            const CalBox       *box)
{
  CalBox clipped = *box;

  if (!cal_box_clip (&clipped, tx->dims))
    return;
  cal_box_union (&tx->touched, &clipped);
  for (guint32 bz = clipped.lo[2] / B; bz <= (clipped.hi[2] - 1) / B; bz++)
    for (guint32 by = clipped.lo[1] / B; by <= (clipped.hi[1] - 1) / B; by++)
      for (guint32 bx = clipped.lo[0] / B; bx <= (clipped.hi[0] - 1) / B; bx++)
        {
          gsize b = bx + (gsize) tx->nb[0] * (by + (gsize) tx->nb[1] * bz);
          CalBox bb;
          if (tx->saved[b] != NULL)
            continue;
          tx->saved[b] = g_malloc (B * B * B);
          block_box (tx, bx, by, bz, &bb);
          copy_block (tx, &bb, tx->saved[b], FALSE);
        }
}

void
cal_edit_transaction_touch_all (CalEditTransaction *tx)
{
  CalBox all = { { 0, 0, 0 }, { tx->dims[0], tx->dims[1], tx->dims[2] } };
  cal_edit_transaction_touch (tx, &all);
}

typedef void (*SavedBlockFunc) (CalEditTransaction *tx,
                                const CalBox       *block,
                                guint8             *saved,
                                gpointer            data);

/* Calls fn for every block saved so far, with its voxels' box. */
static void
for_each_saved_block (CalEditTransaction *tx,
                      SavedBlockFunc      fn,
                      gpointer            data)
{
  for (guint32 bz = 0; bz < tx->nb[2]; bz++)
    for (guint32 by = 0; by < tx->nb[1]; by++)
      for (guint32 bx = 0; bx < tx->nb[0]; bx++)
        {
          gsize b = bx + (gsize) tx->nb[0] * (by + (gsize) tx->nb[1] * bz);
          CalBox bb;
          if (tx->saved[b] == NULL)
            continue;
          block_box (tx, bx, by, bz, &bb);
          fn (tx, &bb, tx->saved[b], data);
        }
}

static void
restore_block (CalEditTransaction *tx,
               const CalBox       *block,
               guint8             *saved,
               gpointer            data)
{
  copy_block (tx, block, saved, TRUE);
}

void
cal_edit_transaction_revert (CalEditTransaction *tx)
{
  for_each_saved_block (tx, restore_block, NULL);
}

/* ---- commit ---- */

typedef struct {
  CalBox  tight;
  guint64 added, removed;
} Changes;

static void
scan_block (CalEditTransaction *tx,
            const CalBox       *bb,
            guint8             *saved,
            gpointer            data)
{
  Changes *c = data;
  const guint8 *labels = cal_mask_get_labels (tx->mask);

  for (guint32 z = bb->lo[2]; z < bb->hi[2]; z++)
    for (guint32 y = bb->lo[1]; y < bb->hi[1]; y++)
      {
        const guint8 *m = labels + (gsize) tx->dims[0] * (y + (gsize) tx->dims[1] * z);
        const guint8 *s = saved + B * ((y - bb->lo[1]) + B * (z - bb->lo[2])) - bb->lo[0];
        for (guint32 x = bb->lo[0]; x < bb->hi[0]; x++)
          if (m[x] != s[x])
            {
              CalBox v = { { x, y, z }, { x + 1, y + 1, z + 1 } };
              cal_box_union (&c->tight, &v);
              c->added += s[x] == 0;
              c->removed += m[x] == 0;
            }
      }
}

static void
xor_row (guint32   y,
         guint32   z,
         guint8   *out,
         gpointer  data)
{
  struct { CalEditTransaction *tx; const CalBox *box; } *ctx = data;
  CalEditTransaction *tx = ctx->tx;
  const guint8 *m = cal_mask_get_labels (tx->mask) + (gsize) tx->dims[0] * (y + (gsize) tx->dims[1] * z);
  gsize row = (gsize) tx->nb[0] * ((y / B) + (gsize) tx->nb[1] * (z / B));
  gsize in_block = B * ((y % B) + B * (z % B));

  for (guint32 x = ctx->box->lo[0]; x < ctx->box->hi[0]; )
    {
      guint32 end = MIN ((x / B + 1) * B, ctx->box->hi[0]);
      const guint8 *s = tx->saved[row + x / B];
      for (; x < end; x++)
        *out++ = s != NULL ? (guint8) (m[x] ^ s[in_block + x % B]) : 0;
    }
}

CalEditStep *
cal_edit_transaction_commit (CalEditTransaction *tx,
                             const char         *name,
                             CalEditKind         kind)
{
  Changes c = { 0 };
  struct { CalEditTransaction *tx; const CalBox *box; } ctx = { tx, &c.tight };

  for_each_saved_block (tx, scan_block, &c);
  if (cal_box_is_empty (&c.tight))
    return NULL;
  return cal_edit_step_encode (name, kind, &c.tight, c.added, c.removed, xor_row, &ctx);
}
