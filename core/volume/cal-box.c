/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-box.h"

gboolean
cal_box_is_empty (const CalBox *box)
{
  return box->hi[0] <= box->lo[0] || box->hi[1] <= box->lo[1] || box->hi[2] <= box->lo[2];
}

guint64
cal_box_n_voxels (const CalBox *box)
{
  if (cal_box_is_empty (box))
    return 0;
  return (guint64) (box->hi[0] - box->lo[0]) * (box->hi[1] - box->lo[1]) * (box->hi[2] - box->lo[2]);
}

void
cal_box_union (CalBox       *box,
               const CalBox *other)
{
  if (cal_box_is_empty (other))
    return;
  if (cal_box_is_empty (box))
    {
      *box = *other;
      return;
    }
  for (int a = 0; a < 3; a++)
    {
      box->lo[a] = MIN (box->lo[a], other->lo[a]);
      box->hi[a] = MAX (box->hi[a], other->hi[a]);
    }
}

gboolean
cal_box_clip (CalBox        *box,
              const guint32  dims[3])
{
  for (int a = 0; a < 3; a++)
    box->hi[a] = MIN (box->hi[a], dims[a]);
  return !cal_box_is_empty (box);
}

