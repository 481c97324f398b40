/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the editing tests share: mask snapshots and a random editing step. */
#pragma once

#include <string.h>

#include "cal-brush.h"
#include "cal-edit-islands.h"
#include "cal-edit-session.h"
#include "cal-fill-between.h"

static inline guint8 *
copy_labels (CalMask *mask)
{
  return g_memdup2 (cal_mask_get_labels (mask), cal_grid_n_voxels (cal_mask_get_grid (mask)));
}

static inline void
assert_labels (CalMask      *mask,
               const guint8 *expected,
               const char   *what)
{
  gsize n = cal_grid_n_voxels (cal_mask_get_grid (mask));
  if (memcmp (cal_mask_get_labels (mask), expected, n) != 0)
    g_error ("%s: the mask differs from the expected one", what);
}

static inline gsize
at (CalMask *mask, guint32 i, guint32 j, guint32 k)
{
  const guint32 *d = cal_mask_get_grid (mask)->dims;
  return i + (gsize) d[0] * (j + (gsize) d[1] * k);
}

static inline void
random_operation (CalEditSession *session,
                  GRand          *rand,
                  guint           i)
{
  CalMask *mask = cal_edit_session_get_mask (session);
  const guint32 *d = cal_mask_get_grid (mask)->dims;
  g_autoptr(GError) error = NULL;
  int kind = g_rand_int_range (rand, 0, 10);

  if (kind < 6)
    {
      CalEditTransaction *tx = cal_edit_session_begin (session);
      CalBrush brush;
      double a[3], b[3];
      cal_brush_init (&brush);
      brush.radius_mm = g_rand_double_range (rand, 0.5, 6);
      brush.shape = g_rand_boolean (rand) ? CAL_BRUSH_SPHERE : CAL_BRUSH_DISC;
      brush.axis = g_rand_int_range (rand, 0, 3);
      brush.erase = kind == 5;
      for (int k = 0; k < 3; k++)
        {
          a[k] = g_rand_double_range (rand, 0, d[k] - 1);
          b[k] = CLAMP (a[k] + g_rand_double_range (rand, -8, 8), 0, d[k] - 1);
        }
      b[brush.axis] = a[brush.axis];
      cal_brush_paint_segment (&brush, tx, NULL, a, b, NULL);
      g_assert_true (cal_edit_session_commit (session, "Brush", CAL_EDIT_KIND_STROKE, NULL, &error));
    }
  else if (kind == 6)
    {
      const guint32 v[3] = { g_rand_int_range (rand, 0, d[0]), g_rand_int_range (rand, 0, d[1]),
                             g_rand_int_range (rand, 0, d[2]) };
      cal_edit_islands_remove_at (cal_edit_session_begin (session), 1, v);
      g_assert_true (cal_edit_session_commit (session, "Remove island", CAL_EDIT_KIND_REGION, NULL, &error));
    }
  else if (kind == 7)
    {
      cal_fill_between_slices (cal_edit_session_begin (session), 1, g_rand_int_range (rand, 0, 3), NULL);
      g_assert_true (cal_edit_session_commit (session, "Fill between slices", CAL_EDIT_KIND_REGION, NULL, &error));
    }
  else
    {
      /* A whole-mask operation: a random threshold-like result. */
      g_autoptr(CalMask) result = cal_mask_new (cal_mask_get_grid (mask));
      guint8 *l = cal_mask_get_labels_mutable (result);
      for (gsize v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (mask)); v++)
        l[v] = ((v * 2654435761u + i) >> 7) % 5 == 0;
      g_assert_true (cal_edit_session_replace_labels (session, result, "Threshold", NULL, &error));
    }
  g_assert_no_error (error);
}

