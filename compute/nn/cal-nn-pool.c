/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MaxPool and AveragePool, 1- to 3-D.  Shader: nn-pool.comp. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, y;
  guint32 in_d, in_h, in_w, out_d, out_h, out_w;
  guint32 kernel, stride, dilation;
  gint32  pad[3], pad_end[3];
  guint32 is_max, count_include_pad;
} PoolPush;

gboolean
cal_nn_pool_prepare (CalNnEngine  *e,
                     guint         index,
                     GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);

  for (guint a = 0; a < node->spatial; a++)
    if (node->kernel[a] > 255 || node->stride[a] > 255 || node->dilation[a] > 255)
      {
        g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                     "Node “%s” (%s): windows, strides and dilations above 255 are not supported",
                     node->name, cal_nn_op_name (node->op));
        return FALSE;
      }
  return cal_nn_kernel (e, "nn-pool", sizeof (PoolPush), error) != NULL;
}

void
cal_nn_pool_record (CalNnEngine *e,
                    guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];
  PoolPush push = {
    .x = e->addresses[node->inputs[0]],
    .y = e->addresses[node->output],
    .kernel = cal_nn_pack3 (node->kernel, node->spatial),
    .stride = cal_nn_pack3 (node->stride, node->spatial),
    .dilation = cal_nn_pack3 (node->dilation, node->spatial),
    .is_max = node->op == CAL_NN_OP_MAX_POOL,
    .count_include_pad = node->count_include_pad,
  };
  double taps = 1;

  cal_nn_spatial3 (xs, in);
  cal_nn_spatial3 (ys, out);
  push.in_d = in[0], push.in_h = in[1], push.in_w = in[2];
  push.out_d = out[0], push.out_h = out[1], push.out_w = out[2];
  for (guint a = 0; a < 3; a++)
    {
      push.pad[a] = a < node->spatial ? (gint32) node->pad_begin[node->spatial - 1 - a] : 0;
      push.pad_end[a] = a < node->spatial ? (gint32) node->pad_end[node->spatial - 1 - a] : 0;
    }
  for (guint a = 0; a < node->spatial; a++)
    taps *= node->kernel[a];
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-pool", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (ys), 2.0 * taps, FALSE);
}
