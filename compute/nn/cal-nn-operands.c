/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the operator files share: constants uploaded as operands (32-bit
 * floats, or halves where they stand in for activations under fp16), and
 * the fields of push blocks that windows and fused activations fill the
 * same way in every operator. */
#include "cal-nn-engine-private.h"

/* A constant tensor uploaded once into *slot, as 32-bit floats or halves. */
static VkDeviceAddress
upload_constant (CalNnEngine  *e,
                 int           tensor,
                 gboolean      half,
                 CalVkBuffer **slot,
                 GError      **error)
{
  CalNnTensor *t = cal_nn_graph_get_tensor (e->graph, tensor);

  if (*slot == NULL)
    {
      g_autofree char *what = g_strdup_printf ("the constant “%s”", t->name);
      gsize n = cal_nn_shape_count (&t->shape);
      g_autofree guint16 *halves = half ? cal_nn_floats_to_halves (t->data, n) : NULL;
      *slot = cal_nn_upload (e, half ? (gconstpointer) halves : t->data, n * (half ? sizeof (guint16) : sizeof (float)),
                             what, error);
    }
  return *slot ? (*slot)->address : 0;
}

VkDeviceAddress
cal_nn_constant (CalNnEngine  *e,
                 int           tensor,
                 GError      **error)
{
  return upload_constant (e, tensor, FALSE, &e->constants[tensor], error);
}

VkDeviceAddress
cal_nn_constant_activation (CalNnEngine  *e,
                            int           tensor,
                            GError      **error)
{
  if (!e->half)
    return cal_nn_constant (e, tensor, error);
  return upload_constant (e, tensor, TRUE, &e->act_constants[tensor], error);
}

void
cal_nn_activation_fields (CalNnEngine     *e,
                          const CalNnNode *node,
                          guint32         *act,
                          float           *a,
                          float           *b,
                          VkDeviceAddress *slope,
                          guint32         *slope_count)
{
  *act = node->act;
  *a = node->act_alpha;
  *b = node->act_beta;
  *slope = 0;
  *slope_count = 1;
  if (node->act == CAL_NN_ACT_PRELU)
    {
      *slope = e->constants[node->act_slope]->address;
      *slope_count = (guint32) cal_nn_shape_count (&cal_nn_graph_get_tensor (e->graph, node->act_slope)->shape);
    }
}

void
cal_nn_window_push_init (CalNnEngine     *e,
                         guint            index,
                         CalNnWindowPush *push)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, index);
  const CalNnShape *xs = &e->shapes[node->inputs[0]], *ys = &e->shapes[node->output];
  guint32 in[3], out[3];

  cal_nn_spatial3 (xs, in);
  cal_nn_spatial3 (ys, out);
  push->x = cal_nn_address (e, node->inputs[0]);
  push->w = e->prepared[index].weights->address;
  push->b = e->prepared[index].bias->address;
  push->y = cal_nn_address (e, node->output);
  push->in_d = in[0], push->in_h = in[1], push->in_w = in[2];
  push->out_d = out[0], push->out_h = out[1], push->out_w = out[2];
  push->groups = (guint32) node->groups;
  push->cin_g = (guint32) (xs->d[1] / node->groups);
  push->cout_g = (guint32) (ys->d[1] / node->groups);
  push->blocks = (push->cout_g + 3) / 4;
  push->kernel = cal_nn_pack3 (node->kernel, node->spatial);
  push->stride = cal_nn_pack3 (node->stride, node->spatial);
}

void
cal_nn_spatial3 (const CalNnShape *shape,
                 guint32           out[3])
{
  guint spatial = shape->rank > 2 ? shape->rank - 2 : 0;

  for (guint a = 0; a < 3; a++)
    out[a] = a + spatial >= 3 ? (guint32) shape->d[2 + a + spatial - 3] : 1;
}

/* Per-axis values (1 to 3 axes, each below 256) as three bytes z, y, x:
 * the leading axes of 1- and 2-D operators get 1. */
guint32
cal_nn_pack3 (const gint64 *values,
              guint         spatial)
{
  guint32 packed = 0;

  for (guint a = 0; a < 3; a++)
    {
      guint32 v = a + spatial >= 3 ? (guint32) values[a + spatial - 3] : 1;
      packed |= MIN (v, 255u) << (8 * (2 - a));
    }
  return packed;
}

void
cal_nn_pads3 (const CalNnNode *node,
              const gint64    *pads,
              gint32           out[3])
{
  for (guint a = 0; a < 3; a++)
    out[a] = a < node->spatial ? (gint32) pads[node->spatial - 1 - a] : 0;
}

double
cal_nn_window_taps (const CalNnNode *node)
{
  double taps = 1;

  for (guint a = 0; a < node->spatial; a++)
    taps *= node->kernel[a];
  return taps;
}

gboolean
cal_nn_check_window (const CalNnNode *node,
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

CalNnTensor *
cal_nn_constant_weights (CalNnEngine     *e,
                         const CalNnNode *node,
                         const float    **bias,
                         GError         **error)
{
  CalNnTensor *w = cal_nn_graph_get_tensor (e->graph, node->inputs[1]);
  gboolean has_bias = node->n_inputs > 2 && node->inputs[2] >= 0;

  *bias = has_bias ? cal_nn_graph_get_tensor (e->graph, node->inputs[2])->data : NULL;
  if (w->data == NULL || (has_bias && *bias == NULL))
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Node “%s” (%s): weights and bias must be constants (initializers)", node->name,
                   cal_nn_op_name (node->op));
      return NULL;
    }
  return w;
}
