/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ConvTranspose, two kernels:
 * - nn-conv-transpose-phase, for unit dilation and padding ≥ 0 (the
 *   up-samplers of PyTorch and MONAI U-nets): split by output phase into
 *   blocked convolutions; weights (C × M/g × k…) packed as vec4 over output
 *   channels, [group][block of 4][c][kz][ky][kx], as for Conv;
 * - nn-conv-transpose, any other: one output per invocation; weights packed
 *   per output channel, [channel][c][kz][ky][kx]. */
#include "cal-nn-engine-private.h"

#define X_BLOCK 8   /* values of m per invocation: XB in the phase shader */

typedef struct {
  CalNnWindowPush head;
  guint32 dilation;
  gint32  pad[3];
  guint32 act;
  float   act_a, act_b;
  guint32 slope_count;
} ConvTransposePush;

G_STATIC_ASSERT (sizeof (ConvTransposePush) == 128);

typedef struct {
  CalNnWindowPush head;
  gint32  pad[3];
  guint32 m_blocks;
  guint32 act;
  float   act_a, act_b;
  guint32 slope_count;
} PhasePush;

G_STATIC_ASSERT (sizeof (PhasePush) == 128);

static gboolean
uses_phases (const CalNnNode *node)
{
  for (guint a = 0; a < node->spatial; a++)
    if (node->dilation[a] != 1 || node->pad_begin[a] < 0)
      return FALSE;
  return TRUE;
}

/* Packing of either kernel: `blocked` (phase) or per channel (generic). */
static float *
pack_weights (const CalNnTensor *w,
              gint64             groups,
              gboolean           blocked,
              gsize             *n_floats)
{
  gint64 cin = w->shape.d[0], cout_g = w->shape.d[1], cin_g = cin / groups, cout = cout_g * groups;
  gint64 taps = cal_nn_shape_count (&w->shape) / MAX (cin * cout_g, 1), blocks = (cout_g + 3) / 4;
  float *packed;

  *n_floats = blocked ? (gsize) (groups * blocks * 4 * cin_g * taps) : (gsize) (cout * cin_g * taps);
  packed = g_new0 (float, MAX (*n_floats, 1));
  for (gint64 c = 0; c < cin; c++)
    for (gint64 mg = 0; mg < cout_g; mg++)
      {
        gint64 g = c / cin_g, cg = c % cin_g, m = g * cout_g + mg;
        for (gint64 t = 0; t < taps; t++)
          {
            float v = w->data[(c * cout_g + mg) * taps + t];
            if (blocked)
              packed[(((g * blocks + mg / 4) * cin_g + cg) * taps + t) * 4 + mg % 4] = v;
            else
              packed[(m * cin_g + cg) * taps + t] = v;
          }
      }
  return packed;
}

static float *
pack_bias (const float *bias,
           gint64       cout_g,
           gint64       groups,
           gboolean     blocked,
           gsize       *n_floats)
{
  gint64 blocks = (cout_g + 3) / 4;
  float *packed;

  *n_floats = blocked ? (gsize) (groups * blocks * 4) : (gsize) (groups * cout_g);
  packed = g_new0 (float, MAX (*n_floats, 1));
  for (gint64 m = 0; bias && m < groups * cout_g; m++)
    packed[blocked ? ((m / cout_g) * blocks + (m % cout_g) / 4) * 4 + (m % cout_g) % 4 : m] = bias[m];
  return packed;
}

/* The phase kernel, reading texels where the engine can (nn-block8.glsl). */
static CalVkKernel *
phase_kernel (CalNnEngine  *e,
              gboolean      texels,
              GError      **error)
{
  if (texels)
    return cal_nn_kernel_texels (e, "nn-conv-transpose-phase-texels", sizeof (PhasePush), NULL, 0, 3, error);
  return cal_nn_kernel (e, "nn-conv-transpose-phase", sizeof (PhasePush), error);
}

gboolean
cal_nn_conv_transpose_prepare (CalNnEngine  *e,
                               guint         index,
                               GError      **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const float *bias;
  CalNnTensor *w = cal_nn_constant_weights (e, node, &bias, error);
  gint64 groups = MAX (node->groups, 1);
  gboolean blocked = uses_phases (node);
  g_autofree float *packed = NULL, *packed_bias = NULL;
  gsize n_weights, n_bias;

  if (w == NULL || !cal_nn_check_window (node, error))
    return FALSE;
  packed = pack_weights (w, groups, blocked, &n_weights);
  packed_bias = pack_bias (bias, w->shape.d[1], groups, blocked, &n_bias);
  e->prepared[index].weights = cal_nn_upload (e, packed, n_weights * sizeof (float),
                                              "transposed convolution weights", error);
  e->prepared[index].bias = e->prepared[index].weights
    ? cal_nn_upload (e, packed_bias, n_bias * sizeof (float), "transposed convolution bias", error) : NULL;
  return e->prepared[index].bias != NULL &&
         (blocked ? phase_kernel (e, FALSE, error) != NULL && (!e->texels || phase_kernel (e, TRUE, error) != NULL)
                  : cal_nn_kernel (e, "nn-conv-transpose", sizeof (ConvTransposePush), error) != NULL);
}

static void
record_phases (CalNnEngine *e,
               CalNnNode   *node,
               guint        index)
{
  PhasePush push = { 0 };
  const CalNnWindowPush *h = &push.head;
  VkBufferView views[3];
  gboolean texels = cal_nn_texel_views (e, node->inputs[0], e->prepared[index].weights, views);
  CalVkKernel *kernel = phase_kernel (e, texels, NULL);
  guint32 sx, m_lo, m_hi;
  gint64 strides = 1;

  cal_nn_window_push_init (e, index, &push.head);
  cal_nn_pads3 (node, node->pad_begin, push.pad);
  /* Along x, outputs 0 … out_w − 1 are o = s × m + r − pad for m in [m_lo, m_hi]. */
  sx = h->stride & 0xff;
  m_lo = (guint32) push.pad[0] / sx;
  m_hi = (h->out_w - 1 + (guint32) push.pad[0]) / sx;
  push.m_blocks = (m_hi - m_lo + X_BLOCK) / X_BLOCK;
  for (guint a = 0; a < node->spatial; a++)
    strides *= node->stride[a];
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.head.slope, &push.slope_count);
  cal_nn_dispatch_texels (e, kernel, &push, texels ? views : NULL,
                          (guint32) (e->shapes[node->output].d[0] * h->groups * h->blocks * h->out_d * h->out_h * sx
                                     * push.m_blocks),
                          2.0 * 4 * X_BLOCK * h->cin_g * MAX (cal_nn_window_taps (node) / strides, 1), FALSE);
}

void
cal_nn_conv_transpose_record (CalNnEngine *e,
                              guint        index)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  ConvTransposePush push = { 0 };

  if (uses_phases (node))
    {
      record_phases (e, node, index);
      return;
    }
  cal_nn_window_push_init (e, index, &push.head);
  push.dilation = cal_nn_pack3 (node->dilation, node->spatial);
  cal_nn_pads3 (node, node->pad_begin, push.pad);
  cal_nn_activation_fields (e, node, &push.act, &push.act_a, &push.act_b, &push.head.slope, &push.slope_count);
  cal_nn_dispatch (e, cal_nn_kernel (e, "nn-conv-transpose", sizeof push, NULL), &push,
                   (guint32) cal_nn_shape_count (&e->shapes[node->output]),
                   2.0 * push.head.cin_g * cal_nn_window_taps (node), FALSE);
}

const CalNnOpClass cal_nn_conv_transpose_class = {
  .prepare = cal_nn_conv_transpose_prepare,
  .setup = NULL,
  .record = cal_nn_conv_transpose_record,
};
