/* SPDX-License-Identifier: GPL-3.0-or-later */
/* BatchNormalization (inference: one scale and shift per channel, folded
 * on the host) and InstanceNormalization (statistics per batch and
 * channel on the device, then the same affine pass).  Activation fused.
 * Shaders: nn-instance-stats.comp, nn-channel-affine.comp. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, ab, y, slope;
  guint32 inner, channels, per_batch;
  guint32 act;
  float   act_a, act_b;
  guint32 slope_count;
} AffinePush;

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, scale, bias, ab;
  guint32 inner, channels;
  float   epsilon;
} StatsPush;

gboolean
cal_nn_norm_prepare (CalNnEngine  *e,
                     guint         index,
                     GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);

  if (node->op == CAL_NN_OP_BATCH_NORM)
    {
      gint64 c = cal_nn_shape_count (&cal_nn_graph_get_tensor (e->graph, node->inputs[1])->shape);
      g_autofree float *ab = g_new (float, 2 * c);
      for (gint64 i = 0; i < c; i++)
        {
          ab[2 * i] = node->bn_scale[i];
          ab[2 * i + 1] = node->bn_shift[i];
        }
      e->prepared[index].weights = cal_nn_upload (e, ab, 2 * c * sizeof (float), "normalisation parameters", error);
      if (e->prepared[index].weights == NULL)
        return FALSE;
    }
  else
    {
      for (guint k = 1; k < 3; k++)
        if (cal_nn_graph_get_tensor (e->graph, node->inputs[k])->data == NULL ||
            cal_nn_constant (e, node->inputs[k], error) == 0)
          {
            if (error && *error == NULL)
              g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                           "Node “%s” (InstanceNormalization): scale and bias must be constants", node->name);
            return FALSE;
          }
      if (cal_nn_kernel (e, "nn-instance-stats", sizeof (StatsPush), error) == NULL)
        return FALSE;
    }
  return cal_nn_kernel (e, "nn-channel-affine", sizeof (AffinePush), error) != NULL;
}

/* The (a, b) pairs of a run: one per batch and channel. */
gboolean
cal_nn_norm_setup (CalNnEngine  *e,
                   guint         index,
                   GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]];
  CalNnPrepared *p = &e->prepared[index];
  gsize bytes = 2 * xs->d[0] * xs->d[1] * sizeof (float);

  if (p->table != NULL && p->table->size >= bytes)
    return TRUE;
  if (p->table != NULL)
    cal_vk_buffer_free (e->context, p->table);
  p->table = cal_vk_buffer_new (e->context, bytes, "normalisation statistics", error);
  return p->table != NULL;
}

void
cal_nn_norm_record (CalNnEngine *e,
                    guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]];
  gint64 inner = cal_nn_shape_count (xs) / (xs->d[0] * xs->d[1]);
  AffinePush push = {
    .x = cal_nn_address (e, node->inputs[0]),
    .y = cal_nn_address (e, node->output),
    .inner = (guint32) inner,
    .channels = (guint32) xs->d[1],
  };

  if (node->op == CAL_NN_OP_INSTANCE_NORM)
    {
      StatsPush stats = {
        .x = push.x,
        /* Parameters, always 32-bit: not the tensor's run buffer, which
         * for a constant that is also an Add or Concat operand holds halves. */
        .scale = e->constants[node->inputs[1]]->address,
        .bias = e->constants[node->inputs[2]]->address,
        .ab = e->prepared[index].table->address,
        .inner = push.inner,
        .channels = push.channels,
        .epsilon = node->epsilon,
      };
      cal_nn_dispatch (e, cal_nn_kernel (e, "nn-instance-stats", sizeof stats, NULL), &stats,
                       (guint32) (xs->d[0] * xs->d[1]), 3.0 * inner, TRUE);
      cal_vk_batch_barrier (e->context);
      push.ab = stats.ab;
      push.per_batch = 1;
    }
  else
    push.ab = e->prepared[index].weights->address;
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.slope, &push.slope_count);
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-channel-affine", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (xs), 4.0, FALSE);
}

const CalNnOpClass cal_nn_batch_norm_class = {
  .prepare = cal_nn_norm_prepare,
  .setup = NULL,
  .record = cal_nn_norm_record,
};

const CalNnOpClass cal_nn_instance_norm_class = {
  .prepare = cal_nn_norm_prepare,
  .setup = cal_nn_norm_setup,
  .record = cal_nn_norm_record,
};
