/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resize / Upsample of the spatial axes, nearest or linear.  The source
 * position of every output coordinate follows the ONNX coordinate and
 * nearest modes (nn/cal-nn-reference.c has the same rules); it is
 * worked out once per run on the host into a small table of (lower,
 * upper, weight) taps, so the shader only interpolates.
 * Shader: nn-resize.comp. */
#include "cal-nn-engine-private.h"

#include <math.h>
#include <string.h>

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, y, taps;
  guint32 in_d, in_h, in_w, out_d, out_h, out_w;
} ResizePush;

gboolean
cal_nn_resize_prepare (CalNnEngine  *e,
                       guint         index,
                       GError      **error)
{
  return cal_nn_kernel (e, "nn-resize", sizeof (ResizePush), error) != NULL;
}

static void
axis_taps (const CalNnNode *node,
           int              axis,     /* the tensor axis, or -1 for a padding axis */
           gint64           in,
           gint64           out,
           guint32         *taps)
{
  for (gint64 o = 0; o < out; o++)
    {
      gint64 lo = 0, hi = 0;
      float w = 0;
      if (axis >= 0 && node->resize_mode == CAL_NN_RESIZE_NEAREST)
        lo = hi = cal_nn_resize_nearest (node, cal_nn_resize_source (node, (guint) axis, o, in, out), in);
      else if (axis >= 0)
        {
          double s = CLAMP (cal_nn_resize_source (node, (guint) axis, o, in, out), 0, (double) (in - 1));
          lo = (gint64) floor (s);
          hi = MIN (lo + 1, in - 1);
          w = (float) (s - lo);
        }
      taps[2 * o] = (guint32) lo | (guint32) hi << 16;
      memcpy (&taps[2 * o + 1], &w, sizeof w);
    }
}

gboolean
cal_nn_resize_setup (CalNnEngine  *e,
                     guint         index,
                     GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  CalNnPrepared *p = &e->prepared[index];
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];
  guint spatial = xs->rank - 2;
  g_autofree guint32 *taps = NULL;
  guint64 n = 0;

  if (p->table != NULL && cal_nn_shape_equal (&p->table_shape, xs))
    return TRUE;
  cal_nn_spatial3 (xs, in);
  cal_nn_spatial3 (ys, out);
  for (guint a = 0; a < 3; a++)
    if (in[a] > 65535)
      {
        g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                     "Node “%s” (Resize): inputs longer than 65535 along an axis are not supported", node->name);
        return FALSE;
      }
  taps = g_new0 (guint32, 2 * (out[0] + out[1] + out[2]));
  for (guint a = 0; a < 3; a++)
    {
      int axis = a + spatial >= 3 ? (int) (2 + a + spatial - 3) : -1;
      axis_taps (node, axis, in[a], out[a], taps + 2 * n);
      n += out[a];
    }
  if (p->table != NULL)
    cal_vk_buffer_free (e->context, p->table);
  p->table = cal_nn_upload (e, taps, 2 * n * sizeof (guint32), "resize taps", error);
  p->table_shape = *xs;
  return p->table != NULL;
}

void
cal_nn_resize_record (CalNnEngine *e,
                      guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  guint32 in[3], out[3];
  ResizePush push = {
    .x = cal_nn_address (e, node->inputs[0]),
    .y = cal_nn_address (e, node->output),
    .taps = e->prepared[index].table->address,
  };

  cal_nn_spatial3 (&e->shapes[node->inputs[0]], in);
  cal_nn_spatial3 (&e->shapes[node->output], out);
  push.in_d = in[0], push.in_h = in[1], push.in_w = in[2];
  push.out_d = out[0], push.out_h = out[1], push.out_w = out[2];
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-resize", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (&e->shapes[node->output]), 16.0, FALSE);
}

const CalNnOpClass cal_nn_resize_class = {
  .prepare = cal_nn_resize_prepare,
  .setup = cal_nn_resize_setup,
  .record = cal_nn_resize_record,
};
