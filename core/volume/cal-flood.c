/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-flood.h"

struct _CalFlood
{
  guint32  dims[3];
  guint8  *reached;   /* one bit per voxel */
  GArray  *queue;     /* gsize: seeds, then the front */
};

CalFlood *
cal_flood_new (const guint32 dims[3])
{
  CalFlood *f = g_new0 (CalFlood, 1);

  for (int a = 0; a < 3; a++)
    f->dims[a] = dims[a];
  f->reached = g_malloc0 ((gsize) dims[0] * dims[1] * dims[2] / 8 + 1);
  f->queue = g_array_new (FALSE, FALSE, sizeof (gsize));
  return f;
}

void
cal_flood_free (CalFlood *f)
{
  if (f == NULL)
    return;
  g_free (f->reached);
  g_array_unref (f->queue);
  g_free (f);
}

gboolean
cal_flood_reached (const CalFlood *f,
                   gsize           v)
{
  return (f->reached[v >> 3] >> (v & 7)) & 1;
}

static void
reach (CalFlood *f,
       gsize     v)
{
  f->reached[v >> 3] |= (guint8) (1u << (v & 7));
  g_array_append_val (f->queue, v);
}

void
cal_flood_seed (CalFlood *f,
                gsize     v)
{
  if (!cal_flood_reached (f, v))
    reach (f, v);
}

guint64
cal_flood_run (CalFlood          *f,
               CalFloodStepFunc   step,
               CalFloodVisitFunc  visit,
               gpointer           data)
{
  const guint32 *d = f->dims;
  const gsize sy = d[0], sz = (gsize) d[0] * d[1];
  guint64 n = 0;

  for (gsize head = 0; head < f->queue->len; head++)
    {
      gsize v = g_array_index (f->queue, gsize, head);
      const guint32 ijk[3] = { v % sy, (v / sy) % d[1], v / sz };
      const gboolean ok[6] = { ijk[0] > 0, ijk[0] + 1 < d[0], ijk[1] > 0, ijk[1] + 1 < d[1],
                               ijk[2] > 0, ijk[2] + 1 < d[2] };
      const gssize offset[6] = { -1, 1, -(gssize) sy, (gssize) sy, -(gssize) sz, (gssize) sz };

      n++;
      if (visit != NULL)
        visit (v, ijk, data);
      for (int k = 0; k < 6; k++)
        {
          gsize w;
          if (!ok[k])
            continue;
          w = v + offset[k];
          if (!cal_flood_reached (f, w) && step (v, w, data))
            reach (f, w);
        }
      /* Drop what was read so the queue holds only the front. */
      if (head >= 1u << 20)
        {
          g_array_remove_range (f->queue, 0, head + 1);
          head = (gsize) -1;
        }
    }
  g_array_set_size (f->queue, 0);
  return n;
}
