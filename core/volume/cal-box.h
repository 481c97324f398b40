/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A box of voxels, lo inclusive, hi exclusive; empty when any hi <= lo. */
typedef struct {
  guint32 lo[3];
  guint32 hi[3];
} CalBox;

gboolean cal_box_is_empty   (const CalBox *box);
guint64  cal_box_n_voxels   (const CalBox *box);
void     cal_box_union      (CalBox       *box,
                             const CalBox *other);
/* Clips to a grid of dims; returns FALSE when nothing is left. */
gboolean cal_box_clip       (CalBox        *box,
                             const guint32  dims[3]);

G_END_DECLS
