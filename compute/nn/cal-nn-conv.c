/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Conv: weights packed once as vec4 over output channels, [group][block of
 * 4 channels][c][kz][ky][kx] (zeros past the last channel), so that the
 * shader's every weight load feeds four output channels; bias padded the
 * same way.  Shader: shaders/nn/nn-conv.comp. */
#include "cal-nn-engine-private.h"

#define X_BLOCK 8   /* output x positions per invocation: XB in the shader */

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

/* Windows up to 7 per axis get a kernel specialised on their size (its
 * loops unroll); larger ones share the generic kernel. */
static CalVkKernel *
conv_kernel (CalNnEngine  *e,
             CalNnNode    *node,
             GError      **error)
{
  guint32 constants[4] = { 0, 0, 0, 0 };   /* window x, y, z; unit x stride and dilation */
  guint last = node->spatial - 1;
  gboolean small = TRUE;

  for (guint a = 0; a < node->spatial; a++)
    small = small && node->kernel[a] <= 7;
  for (guint a = 0; small && a < 3; a++)
    constants[a] = a < node->spatial ? (guint32) node->kernel[last - a] : 1;
  constants[3] = node->stride[last] == 1 && node->dilation[last] == 1;
  return cal_nn_kernel_specialized (e, "nn-conv", sizeof (ConvPush), constants, 4, error);
}

gboolean
cal_nn_conv_prepare (CalNnEngine  *e,
                     guint         index,
                     GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const float *bias;
  CalNnTensor *w = cal_nn_constant_weights (e, node, &bias, error);
  gint64 cout, groups = node->groups, cout_g, cin_g, taps, blocks;
  g_autofree float *packed = NULL, *packed_bias = NULL;

  if (w == NULL || !cal_nn_check_window (node, error))
    return FALSE;
  cout = w->shape.d[0], cout_g = cout / MAX (groups, 1), blocks = (cout_g + 3) / 4;
  cin_g = w->shape.d[1], taps = cal_nn_shape_count (&w->shape) / MAX (cout * cin_g, 1);
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
  return e->prepared[index].bias != NULL && conv_kernel (e, node, error) != NULL;
}

void
cal_nn_conv_record (CalNnEngine *e,
                    guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];
  ConvPush push = { 0 };

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
  cal_nn_pads3 (node, node->pad_begin, push.pad);
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.slope, &push.slope_count);
  cal_nn_dispatch (e, conv_kernel (e, node, NULL), &push,
                   (guint32) (xs->d[0] * node->groups * push.blocks * out[0] * out[1] * ((out[2] + X_BLOCK - 1) / X_BLOCK)),
                   2.0 * 4 * X_BLOCK * push.cin_g * cal_nn_window_taps (node), FALSE);
}
