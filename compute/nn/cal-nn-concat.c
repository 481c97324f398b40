/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Concat: one strided copy per input into its slot along the axis.
 * Shader: nn-concat.comp. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, y;
  guint32 len, inner, out_len, offset;
} ConcatPush;

gboolean
cal_nn_concat_prepare (CalNnEngine  *e,
                       guint         index,
                       GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);

  for (guint k = 0; k < node->n_inputs; k++)
    if (cal_nn_graph_get_tensor (e->graph, node->inputs[k])->data != NULL &&
        cal_nn_constant_activation (e, node->inputs[k], error) == 0)
      return FALSE;
  return cal_nn_kernel (e, "nn-concat", sizeof (ConcatPush), error) != NULL;
}

void
cal_nn_concat_record (CalNnEngine *e,
                      guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *ys = &e->shapes[node->output];
  guint64 inner = 1;
  guint32 offset = 0;

  for (guint i = (guint) node->axis + 1; i < ys->rank; i++)
    inner *= ys->d[i];
  for (guint k = 0; k < node->n_inputs; k++)
    {
      const CalNnShape *xs = &e->shapes[node->inputs[k]];
      ConcatPush push = {
        .x = cal_nn_address (e, node->inputs[k]),
        .y = cal_nn_address (e, node->output),
        .len = (guint32) xs->d[node->axis],
        .inner = (guint32) inner,
        .out_len = (guint32) ys->d[node->axis],
        .offset = offset,
      };
      if (cal_nn_shape_count (xs) > 0)
        cal_nn_dispatch (e, cal_nn_kernel (e, "nn-concat", sizeof push, NULL), &push,
                         (guint32) cal_nn_shape_count (xs), 2.0, FALSE);
      offset += push.len;
    }
}

const CalNnOpClass cal_nn_concat_class = {
  .prepare = cal_nn_concat_prepare,
  .setup = NULL,
  .record = cal_nn_concat_record,
};
