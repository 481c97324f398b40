/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Conv: weights packed once as vec4 over output channels, [group][block of
 * 4 channels][c][kz][ky][kx] (zeros past the last channel), so that the
 * shader's every weight load feeds four output channels; bias padded the
 * same way.  Shader: shaders/nn/nn-conv.comp. */
#include "cal-nn-engine-private.h"

typedef struct {
  guint32 first, count;
  VkDeviceAddress x, w, b, y, slope;
  guint32 in_d, in_h, in_w, out_d, out_h, out_w;
  guint32 cin_g, cout_g, blocks, groups;
  guint32 kernel, stride, dilation;
  gint32  pad[3];
  guint32 act;
  float   act_a, act_b;
  guint32 slope_count;
} ConvPush;

G_STATIC_ASSERT (sizeof (ConvPush) == 128);

static gboolean
check_window (const CalNnNode *node,
              GError         **error)
{
  for (guint a = 0; a < node->spatial; a++)
    if (node->kernel[a] > 255 || node->stride[a] > 255 || node->dilation[a] > 255)
      {
        g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                     "Node “%s” (%s): kernel sizes, strides and dilations above 255 are not supported",
                     node->name, cal_nn_op_name (node->op));
        return FALSE;
      }
  return TRUE;
}

gboolean
cal_nn_conv_prepare (CalNnEngine  *e,
                     guint         index,
                     GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  CalNnTensor *w = cal_nn_graph_get_tensor (e->graph, node->inputs[1]);
  const float *bias = node->n_inputs > 2 && node->inputs[2] >= 0
                    ? cal_nn_graph_get_tensor (e->graph, node->inputs[2])->data : NULL;
  gint64 cout = w->shape.d[0], groups = node->groups, cout_g = cout / MAX (groups, 1);
  gint64 cin_g = w->shape.d[1], taps = cal_nn_shape_count (&w->shape) / MAX (cout * cin_g, 1);
  gint64 blocks = (cout_g + 3) / 4;
  g_autofree float *packed = NULL, *packed_bias = NULL;

  if (w->data == NULL || (node->n_inputs > 2 && node->inputs[2] >= 0 && bias == NULL))
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Node “%s” (Conv): weights and bias must be constants (initializers)", node->name);
      return FALSE;
    }
  if (!check_window (node, error))
    return FALSE;
  packed = g_new0 (float, groups * blocks * cin_g * taps * 4);
  packed_bias = g_new0 (float, groups * blocks * 4);
  for (gint64 m = 0; m < cout; m++)
    {
      gint64 g = m / cout_g, mg = m % cout_g, blk = mg / 4, lane = mg % 4;
      for (gint64 c = 0; c < cin_g; c++)
        for (gint64 t = 0; t < taps; t++)
          packed[(((g * blocks + blk) * cin_g + c) * taps + t) * 4 + lane] = w->data[(m * cin_g + c) * taps + t];
      packed_bias[(g * blocks + blk) * 4 + lane] = bias ? bias[m] : 0;
    }
  e->prepared[index].weights = cal_nn_upload (e, packed, groups * blocks * cin_g * taps * 4 * sizeof (float),
                                              "convolution weights", error);
  e->prepared[index].bias = e->prepared[index].weights
    ? cal_nn_upload (e, packed_bias, groups * blocks * 4 * sizeof (float), "convolution bias", error) : NULL;
  return e->prepared[index].bias != NULL && cal_nn_kernel (e, "nn-conv", sizeof (ConvPush), error) != NULL;
}

void
cal_nn_conv_record (CalNnEngine *e,
                    guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];
  ConvPush push = { 0 };
  double taps;

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
  push.blocks = (push.cout_g + 3) / 4;
  push.kernel = cal_nn_pack3 (node->kernel, node->spatial);
  push.stride = cal_nn_pack3 (node->stride, node->spatial);
  push.dilation = cal_nn_pack3 (node->dilation, node->spatial);
  for (guint a = 0; a < 3; a++)
    push.pad[a] = a < node->spatial ? (gint32) node->pad_begin[node->spatial - 1 - a] : 0;
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.slope, &push.slope_count);
  taps = (double) push.cin_g * node->kernel[0] * (node->spatial > 1 ? node->kernel[1] : 1) *
         (node->spatial > 2 ? node->kernel[2] : 1);
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-conv", sizeof push, NULL), &push,
                   (guint32) (xs->d[0] * node->groups * push.blocks * out[0] * out[1] * ((out[2] + 3) / 4)),
                   2.0 * 16 * taps, FALSE);
}
