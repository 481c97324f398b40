/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Conv: weights packed once as vec4 over output channels, [group][block of
 * 4 channels][c][kz][ky][kx] (zeros past the last channel), so that the
 * shader's every weight load feeds four output channels; bias padded the
 * same way.  Shader: shaders/nn/nn-conv.comp. */
#include "cal-nn-engine-private.h"

#define X_BLOCK 8   /* output x positions per invocation: XB in the shader */

typedef struct {
  CalNnWindowPush head;
  guint32 dilation;
  gint32  pad[3];
  guint32 act;
  float   act_a, act_b;
  guint32 slope_count;
} ConvPush;

G_STATIC_ASSERT (sizeof (ConvPush) == 128);

/* Windows up to 7 per axis get a kernel specialised on their size (its
 * loops unroll); larger ones share the generic kernel.  shift: for the
 * texel kernel, 1 + the first input x of each block modulo 4 where whole
 * vec4 texels can feed the blocks (0: floats; see row_unit()). */
static CalVkKernel *
conv_kernel (CalNnEngine  *e,
             CalNnNode    *node,
             gboolean      texels,
             guint32       shift,
             GError      **error)
{
  guint32 constants[5] = { 0, 0, 0, 0, shift };   /* window x, y, z; unit x stride and dilation */
  guint last = node->spatial - 1;
  gboolean small = TRUE;

  for (guint a = 0; a < node->spatial; a++)
    small = small && node->kernel[a] <= 7;
  for (guint a = 0; small && a < 3; a++)
    constants[a] = a < node->spatial ? (guint32) node->kernel[last - a] : 1;
  constants[3] = node->stride[last] == 1 && node->dilation[last] == 1;
  if (texels)
    return cal_nn_kernel_texels (e, "nn-conv-texels", sizeof (ConvPush), constants, 5, 3, error);
  return cal_nn_kernel_texels (e, "nn-conv", sizeof (ConvPush), constants, 4, 0, error);
}

/* Where rows start on whole texels (width a multiple of 4) and the window
 * is specialised with unit stride along x, each block's first input sits
 * at the same place in its texel: pad before, modulo 4. */
static guint32
texel_shift (const CalNnNode *node,
             const CalNnWindowPush *h)
{
  guint last = node->spatial - 1;
  gint64 kx = node->kernel[last];
  guint32 shift = (guint32) (((-node->pad_begin[last]) % 4 + 4) % 4);

  for (guint a = 0; a < node->spatial; a++)
    if (node->kernel[a] > 7)
      return 0;
  if (node->stride[last] != 1 || node->dilation[last] != 1 || h->in_w % 4 != 0 ||
      shift + X_BLOCK + kx - 1 > 16)
    return 0;
  return shift + 1;
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
  return e->prepared[index].bias != NULL && conv_kernel (e, node, FALSE, 0, error) != NULL &&
         (!e->texels || conv_kernel (e, node, TRUE, 0, error) != NULL);
}

void
cal_nn_conv_record (CalNnEngine *e,
                    guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  ConvPush push = { 0 };
  const CalNnWindowPush *h = &push.head;
  VkBufferView views[3];
  CalVkKernel *kernel = NULL;

  cal_nn_window_push_init (e, index, &push.head);
  push.dilation = cal_nn_pack3 (node->dilation, node->spatial);
  cal_nn_pads3 (node, node->pad_begin, push.pad);
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.head.slope, &push.slope_count);
  if (cal_nn_texel_views (e, node->inputs[0], e->prepared[index].weights, views))
    {
      /* Specialised on the input's width: built on first use; the float
       * texel kernel (built when the engine was) where that fails. */
      kernel = conv_kernel (e, node, TRUE, texel_shift (node, h), NULL);
      if (kernel == NULL)
        kernel = conv_kernel (e, node, TRUE, 0, NULL);
    }
  if (kernel == NULL)
    kernel = conv_kernel (e, node, FALSE, 0, NULL);
  cal_nn_dispatch_texels (e, kernel, &push, kernel->n_texels ? views : NULL,
                          (guint32) (e->shapes[node->output].d[0] * h->groups * h->blocks * h->out_d * h->out_h
                                     * ((h->out_w + X_BLOCK - 1) / X_BLOCK)),
                          2.0 * 4 * X_BLOCK * h->cin_g * cal_nn_window_taps (node), FALSE);
}

const CalNnOpClass cal_nn_conv_class = {
  .prepare = cal_nn_conv_prepare,
  .setup = NULL,
  .record = cal_nn_conv_record,
};
