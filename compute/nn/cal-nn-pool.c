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
  return cal_nn_check_window (cal_nn_graph_node (e->graph, index), error) &&
         cal_nn_kernel (e, "nn-pool", sizeof (PoolPush), error) != NULL;
}

void
cal_nn_pool_record (CalNnEngine *e,
                    guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];
  PoolPush push = {
    .x = cal_nn_address (e, node->inputs[0]),
    .y = cal_nn_address (e, node->output),
    .kernel = cal_nn_pack3 (node->kernel, node->spatial),
    .stride = cal_nn_pack3 (node->stride, node->spatial),
    .dilation = cal_nn_pack3 (node->dilation, node->spatial),
    .is_max = node->op == CAL_NN_OP_MAX_POOL,
    .count_include_pad = node->count_include_pad,
  };

  cal_nn_spatial3 (xs, in);
  cal_nn_spatial3 (ys, out);
  push.in_d = in[0], push.in_h = in[1], push.in_w = in[2];
  push.out_d = out[0], push.out_h = out[1], push.out_w = out[2];
  cal_nn_pads3 (node, node->pad_begin, push.pad);
  cal_nn_pads3 (node, node->pad_end, push.pad_end);
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-pool", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (ys), 2.0 * cal_nn_window_taps (node), FALSE);
}

const CalNnOpClass cal_nn_pool_class = {
  .prepare = cal_nn_pool_prepare,
  .setup = NULL,
  .record = cal_nn_pool_record,
};
