/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Softmax along one axis (opset 13), or over every axis from `axis` on
 * (earlier opsets).  Shader: nn-softmax.comp. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, y;
  guint32 len, inner;
} SoftmaxPush;

gboolean
cal_nn_softmax_prepare (CalNnEngine  *e,
                        guint         index,
                        GError      **error)
{
  return cal_nn_kernel (e, "nn-softmax", sizeof (SoftmaxPush), error) != NULL;
}

void
cal_nn_softmax_record (CalNnEngine *e,
                       guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]];
  guint64 outer = 1, len = 1, inner = 1;
  SoftmaxPush push = { .x = cal_nn_address (e, node->inputs[0]), .y = cal_nn_address (e, node->output) };

  for (guint i = 0; i < xs->rank; i++)
    {
      if ((int) i < node->axis)
        outer *= xs->d[i];
      else if ((int) i == node->axis || node->coerce_2d)
        len *= xs->d[i];
      else
        inner *= xs->d[i];
    }
  push.len = (guint32) len;
  push.inner = (guint32) inner;
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-softmax", sizeof push, NULL), &push, (guint32) (outer * inner),
                   12.0 * len, FALSE);
}

const CalNnOpClass cal_nn_softmax_class = {
  .prepare = cal_nn_softmax_prepare,
  .setup = NULL,
  .record = cal_nn_softmax_record,
};
