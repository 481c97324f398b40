/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ConvTranspose: weights (C × M/g × k…) repacked per output channel,
 * [channel][c][kz][ky][kx], so one invocation reads its channel's weights
 * contiguously.  Shader: shaders/nn/nn-conv-transpose.comp. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, w, b, y, slope;
  guint32 in_d, in_h, in_w, out_d, out_h, out_w;
  guint32 cin_g, cout_g, groups;
  guint32 kernel, stride, dilation;
  gint32  pad[3];
  guint32 act;
  float   act_a, act_b;
  guint32 slope_count;
} ConvTransposePush;

gboolean
cal_nn_conv_transpose_prepare (CalNnEngine  *e,
                               guint         index,
                               GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const float *bias;
  CalNnTensor *w = cal_nn_constant_weights (e, node, &bias, error);
  gint64 cin, cout_g, groups = MAX (node->groups, 1), cin_g, cout, taps;
  g_autofree float *packed = NULL, *packed_bias = NULL;

  if (w == NULL || !cal_nn_check_window (node, error))
    return FALSE;
  cin = w->shape.d[0], cout_g = w->shape.d[1], cin_g = cin / groups, cout = cout_g * groups;
  taps = cal_nn_shape_count (&w->shape) / MAX (cin * cout_g, 1);
  packed = g_new (float, MAX (cout * cin_g * taps, 1));
  packed_bias = g_new0 (float, MAX (cout, 1));
  for (gint64 c = 0; c < cin; c++)
    for (gint64 mg = 0; mg < cout_g; mg++)
      {
        gint64 g = c / cin_g, m = g * cout_g + mg;
        for (gint64 t = 0; t < taps; t++)
          packed[(m * cin_g + c % cin_g) * taps + t] = w->data[(c * cout_g + mg) * taps + t];
      }
  for (gint64 m = 0; bias && m < cout; m++)
    packed_bias[m] = bias[m];
  e->prepared[index].weights = cal_nn_upload (e, packed, cout * cin_g * taps * sizeof (float),
                                              "transposed convolution weights", error);
  e->prepared[index].bias = e->prepared[index].weights
    ? cal_nn_upload (e, packed_bias, cout * sizeof (float), "transposed convolution bias", error) : NULL;
  return e->prepared[index].bias != NULL &&
         cal_nn_kernel (e, "nn-conv-transpose", sizeof (ConvTransposePush), error) != NULL;
}

void
cal_nn_conv_transpose_record (CalNnEngine *e,
                              guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];
  ConvTransposePush push = { 0 };

  cal_nn_spatial3 (xs, in);
  cal_nn_spatial3 (ys, out);
  push.x = e->addresses[node->inputs[0]];
  push.w = e->prepared[index].weights->address;
  push.b = e->prepared[index].bias->address;
  push.y = e->addresses[node->output];
  push.in_d = in[0], push.in_h = in[1], push.in_w = in[2];
  push.out_d = out[0], push.out_h = out[1], push.out_w = out[2];
  push.groups = (guint32) node->groups;
  push.cin_g = (guint32) (xs->d[1] / node->groups);
  push.cout_g = (guint32) (ys->d[1] / node->groups);
  push.kernel = cal_nn_pack3 (node->kernel, node->spatial);
  push.stride = cal_nn_pack3 (node->stride, node->spatial);
  push.dilation = cal_nn_pack3 (node->dilation, node->spatial);
  cal_nn_pads3 (node, node->pad_begin, push.pad);
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.slope, &push.slope_count);
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-conv-transpose", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (ys), 2.0 * push.cin_g * cal_nn_window_taps (node), FALSE);
}
