/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Element-wise operators that no producer absorbed: Relu, LeakyRelu,
 * Sigmoid and Clip (nn-activation.comp); Add, Mul and PRelu with NumPy
 * broadcasting (nn-binary.comp).  Identity never gets here: the graph
 * passes remove it. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, y;
  guint32 act;
  float   act_a, act_b;
} ActivationPush;

typedef struct {
  guint32 first, count;
  VkDeviceAddress a, b, y;
  guint32 op, rank;
  guint32 dims[6];
  guint32 a_strides[6];
  guint32 b_strides[6];
} BinaryPush;

static gboolean
is_binary (CalNnOp op)
{
  return op == CAL_NN_OP_ADD || op == CAL_NN_OP_MUL || op == CAL_NN_OP_PRELU;
}

gboolean
cal_nn_elementwise_prepare (CalNnEngine  *e,
                            guint         index,
                            GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);

  if (!is_binary (node->op))
    return cal_nn_kernel (e, "nn-activation", sizeof (ActivationPush), error) != NULL;
  for (guint k = 0; k < 2; k++)
    if (cal_nn_graph_get_tensor (e->graph, node->inputs[k])->data != NULL &&
        cal_nn_constant_activation (e, node->inputs[k], error) == 0)
      return FALSE;
  return cal_nn_kernel (e, "nn-binary", sizeof (BinaryPush), error) != NULL;
}

/* The shader takes 32-bit strides. */
static void
strides32 (const CalNnShape *in,
           const CalNnShape *out,
           guint32          *strides)
{
  gint64 wide[CAL_NN_MAX_RANK];

  cal_nn_broadcast_strides (in, out, wide);
  for (guint i = 0; i < out->rank; i++)
    strides[i] = (guint32) wide[i];
}

static void
record_binary (CalNnEngine *e,
               CalNnNode   *node)
{
  const CalNnShape *ys = &e->shapes[node->output];
  CalNnShape bs;
  BinaryPush push = {
    .a = cal_nn_address (e, node->inputs[0]),
    .b = cal_nn_address (e, node->inputs[1]),
    .y = cal_nn_address (e, node->output),
    .op = node->op == CAL_NN_OP_ADD ? 0 : node->op == CAL_NN_OP_MUL ? 1 : 2,
    .rank = MAX (ys->rank, 1),
  };

  push.dims[0] = 1;
  for (guint i = 0; i < ys->rank; i++)
    push.dims[i] = (guint32) ys->d[i];
  strides32 (&e->shapes[node->inputs[0]], ys, push.a_strides);
  cal_nn_binary_operand_shape (node, &e->shapes[node->inputs[0]], &e->shapes[node->inputs[1]], &bs);
  strides32 (&bs, ys, push.b_strides);
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-binary", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (ys), 8.0, FALSE);
}

void
cal_nn_elementwise_record (CalNnEngine *e,
                           guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  ActivationPush push = {
    .x = cal_nn_address (e, node->inputs[0]),
    .y = cal_nn_address (e, node->output),
    .act_a = node->alpha,
    .act_b = node->beta,
  };

  if (is_binary (node->op))
    {
      record_binary (e, node);
      return;
    }
  switch (node->op)
    {
    case CAL_NN_OP_RELU:       push.act = CAL_NN_ACT_RELU; break;
    case CAL_NN_OP_LEAKY_RELU: push.act = CAL_NN_ACT_LEAKY_RELU; break;
    case CAL_NN_OP_SIGMOID:    push.act = CAL_NN_ACT_SIGMOID; break;
    case CAL_NN_OP_CLIP:       push.act = CAL_NN_ACT_CLIP; break;
    default:                   push.act = CAL_NN_ACT_NONE; break;
    }
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-activation", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (&e->shapes[node->output]), 4.0, FALSE);
}

const CalNnOpClass cal_nn_elementwise_class = {
  .prepare = cal_nn_elementwise_prepare,
  .setup = NULL,
  .record = cal_nn_elementwise_record,
};
