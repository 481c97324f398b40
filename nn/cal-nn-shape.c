/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shape inference: every tensor's shape for given input shapes, with the
 * ONNX rules for padding, pooling, resizing and broadcasting.  auto_pad
 * depends on the input size, so it is resolved here into the node's
 * explicit pads. */
#include "cal-nn-graph.h"

#include <math.h>

/* A shape as text in a buffer that lives as long as the statement. */
#define SHAPE(s) cal_nn_shape_format ((s), (char[112]) { 0 }, 112)

/* Shapes a node cannot take, named with its operator; FALSE, to return. */
#define shape_error(error, node, ...)                                                          \
  (g_set_error ((error), CAL_NN_ERROR, CAL_NN_ERROR_SHAPE, __VA_ARGS__),                      \
   g_prefix_error ((error), "Node “%s” (%s): ", (node)->name, cal_nn_op_name ((node)->op)), FALSE)

/* SAME_UPPER / SAME_LOWER: the output is ceil(in / stride) and the total
 * padding is split with the odd one at the end (upper) or start (lower). */
static void
resolve_auto_pad (CalNnNode *node,
                  guint      axis,
                  gint64     in)
{
  gint64 extent = (node->kernel[axis] - 1) * node->dilation[axis] + 1;
  gint64 out = (in + node->stride[axis] - 1) / node->stride[axis];
  gint64 total = MAX (0, (out - 1) * node->stride[axis] + extent - in);

  switch (node->auto_pad)
    {
    case CAL_NN_PAD_SAME_UPPER:
      node->pad_begin[axis] = total / 2;
      node->pad_end[axis] = total - total / 2;
      break;
    case CAL_NN_PAD_SAME_LOWER:
      node->pad_end[axis] = total / 2;
      node->pad_begin[axis] = total - total / 2;
      break;
    case CAL_NN_PAD_VALID:
      node->pad_begin[axis] = node->pad_end[axis] = 0;
      break;
    case CAL_NN_PAD_EXPLICIT:
      break;
    }
}

static gboolean
window_output (CalNnNode       *node,
               const CalNnShape *x,
               CalNnShape       *y,
               GError          **error)
{
  if (x->rank != node->spatial + 2)
    return shape_error (error, node, "expects a %u-D input with batch and channels, got rank %u",
                        node->spatial, x->rank);
  for (guint a = 0; a < node->spatial; a++)
    {
      gint64 in = x->d[2 + a], extent = (node->kernel[a] - 1) * node->dilation[a] + 1;
      gint64 span;

      resolve_auto_pad (node, a, in);
      span = in + node->pad_begin[a] + node->pad_end[a] - extent;
      if (span < 0)
        return shape_error (error, node, "the window (%" G_GINT64_FORMAT ") is larger than the padded input "
                            "(%" G_GINT64_FORMAT ") along spatial axis %u", extent,
                            in + node->pad_begin[a] + node->pad_end[a], a);
      y->d[2 + a] = (node->ceil_mode ? (span + node->stride[a] - 1) / node->stride[a]
                                     : span / node->stride[a]) + 1;
    }
  return TRUE;
}

static gboolean
infer_conv (CalNnGraph       *graph,
            CalNnNode        *node,
            const CalNnShape *x,
            const CalNnShape *w,
            CalNnShape       *y,
            GError          **error)
{
  guint spatial = x->rank - 2;

  if (x->rank < 3 || x->rank > 5 || w->rank != x->rank)
    return shape_error (error, node, "input %s and weights %s must both be 1-, 2- or 3-D with batch and channels",
                        SHAPE (x), SHAPE (w));
  node->spatial = spatial;
  for (guint a = 0; a < spatial; a++)
    if (!node->has_kernel)
      node->kernel[a] = w->d[2 + a];
    else if (node->kernel[a] != w->d[2 + a])
      return shape_error (error, node, "kernel_shape disagrees with the weights");
  if (node->groups < 1 || x->d[1] % node->groups != 0)
    return shape_error (error, node, "%" G_GINT64_FORMAT " input channels do not split into %" G_GINT64_FORMAT " groups",
                        x->d[1], node->groups);
  y->rank = x->rank;
  y->d[0] = x->d[0];
  if (node->op == CAL_NN_OP_CONV)
    {
      if (w->d[1] * node->groups != x->d[1] || w->d[0] % node->groups != 0)
        return shape_error (error, node, "weights %s do not fit %" G_GINT64_FORMAT " input channels in %"
                            G_GINT64_FORMAT " groups", SHAPE (w), x->d[1], node->groups);
      y->d[1] = w->d[0];
      return window_output (node, x, y, error);
    }
  if (w->d[0] != x->d[1])
    return shape_error (error, node, "weights %s do not fit %" G_GINT64_FORMAT " input channels",
                        SHAPE (w), x->d[1]);
  y->d[1] = w->d[1] * node->groups;
  for (guint a = 0; a < spatial; a++)
    {
      gint64 extent = (node->kernel[a] - 1) * node->dilation[a] + 1;
      gint64 full = node->stride[a] * (x->d[2 + a] - 1) + node->output_padding[a] + extent;
      gint64 out = node->has_output_shape ? node->output_shape[a]
                 : node->auto_pad == CAL_NN_PAD_SAME_UPPER || node->auto_pad == CAL_NN_PAD_SAME_LOWER
                 ? x->d[2 + a] * node->stride[a] : -1;

      if (out >= 0)
        {
          /* ONNX halves with floor division: a negative total (output_shape
           * past the natural size) becomes output padding at the end. */
          gint64 total = full - out, half = total >= 0 ? total / 2 : -((1 - total) / 2);
          if (node->auto_pad == CAL_NN_PAD_SAME_UPPER)
            node->pad_begin[a] = half, node->pad_end[a] = total - half;
          else
            node->pad_end[a] = half, node->pad_begin[a] = total - half;
        }
      else if (node->auto_pad == CAL_NN_PAD_VALID)
        node->pad_begin[a] = node->pad_end[a] = 0;
      y->d[2 + a] = full - node->pad_begin[a] - node->pad_end[a];
      if (y->d[2 + a] <= 0)
        return shape_error (error, node, "the output would be empty along spatial axis %u", a);
    }
  (void) graph;
  return TRUE;
}

static gboolean
broadcast (CalNnNode        *node,
           const CalNnShape *a,
           const CalNnShape *b,
           CalNnShape       *y,
           GError          **error)
{
  y->rank = MAX (a->rank, b->rank);
  for (guint i = 0; i < y->rank; i++)
    {
      gint64 da = i + a->rank >= y->rank ? a->d[i + a->rank - y->rank] : 1;
      gint64 db = i + b->rank >= y->rank ? b->d[i + b->rank - y->rank] : 1;
      if (da != db && da != 1 && db != 1)
        return shape_error (error, node, "shapes %s and %s do not broadcast", SHAPE (a),
                            SHAPE (b));
      y->d[i] = da == 1 ? db : da;
    }
  return TRUE;
}

void
cal_nn_broadcast_strides (const CalNnShape *in,
                          const CalNnShape *out,
                          gint64           *strides)
{
  gint64 s = 1;

  for (int i = (int) out->rank - 1; i >= 0; i--)
    {
      int k = i - (int) (out->rank - in->rank);
      gint64 d = k >= 0 ? in->d[k] : 1;
      strides[i] = d == 1 ? 0 : s;
      s *= d;
    }
}

void
cal_nn_binary_operand_shape (const CalNnNode  *node,
                             const CalNnShape *a,
                             const CalNnShape *b,
                             CalNnShape       *out)
{
  int axis = node->broadcast_axis;

  *out = *b;
  if (axis < 0 || cal_nn_shape_count (b) == 1 || (guint) axis + b->rank > a->rank)
    return;
  /* B's axes sit at axis, axis + 1, ... of A; ones fill the rest. */
  out->rank = a->rank;
  for (guint i = 0; i < a->rank; i++)
    out->d[i] = i >= (guint) axis && i < (guint) axis + b->rank ? b->d[i - axis] : 1;
}

static gboolean
infer_resize (CalNnNode        *node,
              const CalNnShape *x,
              CalNnShape       *y,
              GError          **error)
{
  *y = *x;
  if (x->rank < 3 || x->rank > 5)
    return shape_error (error, node, "only 1- to 3-D inputs with batch and channel axes can be resized");
  for (guint i = 0; i < x->rank; i++)
    {
      if (node->sizes[i] > 0)
        y->d[i] = node->sizes[i];
      else
        y->d[i] = (gint64) floor (x->d[i] * node->scales[i] + 1e-9);
      if (y->d[i] <= 0)
        return shape_error (error, node, "the output would be empty along axis %u", i);
      if (y->d[i] != x->d[i] && i < 2)
        return shape_error (error, node, "resizing the batch or channel axis is not supported");
    }
  return TRUE;
}

static gboolean
infer_concat (CalNnNode        *node,
              const CalNnShape *shapes,
              CalNnShape       *y,
              GError          **error)
{
  const CalNnShape *first = &shapes[node->inputs[0]];
  int axis = node->axis < 0 ? node->axis + (int) first->rank : node->axis;

  if (axis < 0 || axis >= (int) first->rank)
    return shape_error (error, node, "axis %d is outside rank %u", node->axis, first->rank);
  node->axis = axis;
  *y = *first;
  y->d[axis] = 0;
  for (guint k = 0; k < node->n_inputs; k++)
    {
      const CalNnShape *s = &shapes[node->inputs[k]];
      for (guint i = 0; i < first->rank; i++)
        if (s->rank != first->rank || ((int) i != axis && s->d[i] != first->d[i]))
          return shape_error (error, node, "inputs %s and %s differ outside axis %d",
                              SHAPE (first), SHAPE (s), axis);
      y->d[axis] += s->d[axis];
    }
  return TRUE;
}

static gboolean
infer_node (CalNnGraph  *graph,
            CalNnNode   *node,
            CalNnShape  *shapes,
            GError     **error)
{
  const CalNnShape *x = &shapes[node->inputs[0]];
  CalNnShape *y = &shapes[node->output], b;

  switch (node->op)
    {
    case CAL_NN_OP_CONV:
    case CAL_NN_OP_CONV_TRANSPOSE:
      return infer_conv (graph, node, x, &shapes[node->inputs[1]], y, error);
    case CAL_NN_OP_MAX_POOL:
    case CAL_NN_OP_AVERAGE_POOL:
      /* node->spatial is kernel_shape's length (at most 3): window_output()
       * holds the input to it, so an input of another rank cannot index
       * past the kernel's axes. */
      y->rank = x->rank;
      y->d[0] = x->d[0];
      y->d[1] = x->d[1];
      return window_output (node, x, y, error);
    case CAL_NN_OP_ADD:
    case CAL_NN_OP_MUL:
      cal_nn_binary_operand_shape (node, x, &shapes[node->inputs[1]], &b);
      return broadcast (node, x, &b, y, error);
    case CAL_NN_OP_PRELU:
      cal_nn_binary_operand_shape (node, x, &shapes[node->inputs[1]], &b);
      if (!broadcast (node, x, &b, y, error))
        return FALSE;
      if (!cal_nn_shape_equal (y, x))
        return shape_error (error, node, "the slope must broadcast to the input");
      return TRUE;
    case CAL_NN_OP_RESIZE:
      return infer_resize (node, x, y, error);
    case CAL_NN_OP_CONCAT:
      return infer_concat (node, shapes, y, error);
    case CAL_NN_OP_SOFTMAX:
      if (node->axis < 0)
        node->axis += (int) x->rank;
      if (node->axis < 0 || node->axis >= (int) x->rank)
        return shape_error (error, node, "axis is outside rank %u", x->rank);
      *y = *x;
      return TRUE;
    case CAL_NN_OP_BATCH_NORM:
    case CAL_NN_OP_INSTANCE_NORM:
      if (x->rank < 2)
        return shape_error (error, node, "the input needs a channel axis");
      *y = *x;
      return TRUE;
    default:
      *y = *x;
      return TRUE;
    }
}

gboolean
cal_nn_graph_infer_shapes (CalNnGraph        *graph,
                           const CalNnShape  *inputs,
                           CalNnShape        *shapes,
                           GError           **error)
{
  for (guint i = 0; i < graph->tensors->len; i++)
    shapes[i] = cal_nn_graph_get_tensor (graph, (int) i)->shape;
  for (guint i = 0; i < graph->inputs->len; i++)
    {
      int t = g_array_index (graph->inputs, int, i);
      const CalNnShape *declared = &cal_nn_graph_get_tensor (graph, t)->shape;
      gboolean fits = declared->rank == inputs[i].rank;

      for (guint k = 0; fits && k < declared->rank; k++)
        fits = declared->d[k] < 0 || declared->d[k] == inputs[i].d[k];
      if (cal_nn_shape_count (&inputs[i]) > CAL_NN_MAX_ELEMENTS)
        {
          g_autofree char *got = cal_nn_shape_to_string (&inputs[i]);
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE,
                       "The model's input “%s” would be %s, more than 2^34 values: no device "
                       "holds that", cal_nn_graph_get_tensor (graph, t)->name, got);
          return FALSE;
        }
      if (!fits || cal_nn_shape_count (&inputs[i]) <= 0)
        {
          g_autofree char *want = cal_nn_shape_to_string (declared);
          g_autofree char *got = cal_nn_shape_to_string (&inputs[i]);
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE,
                       "The model's input “%s” takes %s; it was given %s",
                       cal_nn_graph_get_tensor (graph, t)->name, want, got);
          return FALSE;
        }
      shapes[t] = inputs[i];
    }
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *node = cal_nn_graph_node (graph, i);

      if (!infer_node (graph, node, shapes, error))
        return FALSE;
      if (cal_nn_shape_count (&shapes[node->output]) > CAL_NN_MAX_ELEMENTS)
        return shape_error (error, node, "its output would hold more than 2^34 values");
    }
  return TRUE;
}

double
cal_nn_graph_flops (CalNnGraph       *graph,
                    const CalNnShape *shapes)
{
  double flops = 0;

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      const CalNnShape *w = n->n_inputs > 1 ? &shapes[n->inputs[1]] : NULL;
      double taps;

      if (n->op != CAL_NN_OP_CONV && n->op != CAL_NN_OP_CONV_TRANSPOSE)
        continue;
      /* Each output (Conv) or input (ConvTranspose) value meets C/g × k…
       * weights per channel of the other side. */
      taps = (double) cal_nn_shape_count (w) / w->d[0];
      if (n->op == CAL_NN_OP_CONV)
        flops += 2.0 * cal_nn_shape_count (&shapes[n->output]) * taps;
      else
        flops += 2.0 * cal_nn_shape_count (&shapes[n->inputs[0]]) * taps;
    }
  return flops;
}
