/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How far an output voxel of a network sees into its input, so that a CT
 * too large for the device can run in tiles whose cores come out exactly
 * as in one run over everything.  Each tensor computed from the graph's
 * input carries, per spatial axis, its reach (input voxels each side) and
 * its jump (input voxels between neighbouring elements: the product of
 * the strides before it).  A window of extent e = dilation × (kernel − 1)
 * whose padding puts b elements before the centre reaches max (b, e − b)
 * elements of its input, each `jump` input voxels apart. */
#include "cal-nn-graph.h"

#include <math.h>
#include <string.h>

typedef struct {
  gboolean derived;                     /* computed from the graph's input */
  double   reach[CAL_NN_MAX_SPATIAL];
  double   jump[CAL_NN_MAX_SPATIAL];
} TensorReach;

static double
window_reach (const CalNnNode *node,
              guint            a)
{
  double extent = MAX (node->dilation[a], 1) * (double) (MAX (node->kernel[a], 1) - 1);

  if (node->auto_pad != CAL_NN_PAD_EXPLICIT)
    return extent;   /* the padding is split by the input's size: take the whole window */
  return MAX ((double) node->pad_begin[a], extent - node->pad_begin[a]);
}

/* Whether an operator mixes voxels from across the whole input, or its
 * coordinates depend on the input's size: then no halo is enough. */
static gboolean
sees_everything (const CalNnNode *node,
                 guint            rank)
{
  switch (node->op)
    {
    case CAL_NN_OP_INSTANCE_NORM:
      return TRUE;
    case CAL_NN_OP_SOFTMAX:
      return node->coerce_2d ? (guint) node->axis + 1 < rank : node->axis >= 2;
    case CAL_NN_OP_CONCAT:
      return node->axis >= 2;
    case CAL_NN_OP_RESIZE:
      for (guint a = 2; a < rank; a++)
        if (node->sizes[a] > 0)
          return TRUE;
      return node->coord_mode == CAL_NN_COORD_ALIGN_CORNERS || node->coord_mode == CAL_NN_COORD_TF_HALF_PIXEL_FOR_NN;
    default:
      return FALSE;
    }
}

static void
propagate (const CalNnNode *node,
           guint            spatial,
           TensorReach     *out)
{
  for (guint a = 0; a < spatial; a++)
    {
      double jump = out->jump[a];
      switch (node->op)
        {
        case CAL_NN_OP_CONV:
        case CAL_NN_OP_MAX_POOL:
        case CAL_NN_OP_AVERAGE_POOL:
          out->reach[a] += window_reach (node, a) * jump;
          out->jump[a] = jump * MAX (node->stride[a], 1);
          break;
        case CAL_NN_OP_CONV_TRANSPOSE:
          out->reach[a] += window_reach (node, a) * jump / MAX (node->stride[a], 1);
          out->jump[a] = jump / MAX (node->stride[a], 1);
          break;
        case CAL_NN_OP_RESIZE:
          out->reach[a] += jump;   /* linear interpolation takes the neighbour on either side */
          out->jump[a] = jump / MAX (node->scales[a + 2], 1e-9);
          break;
        default:
          break;
        }
    }
}

gboolean
cal_nn_graph_reach (CalNnGraph *graph,
                    guint       rank,
                    CalNnReach *reach)
{
  guint spatial = rank - 2;
  g_autofree TensorReach *tensors = g_new0 (TensorReach, graph->tensors->len);
  const TensorReach *result;

  g_return_val_if_fail (rank >= 3 && rank <= 2 + CAL_NN_MAX_SPATIAL, FALSE);
  g_return_val_if_fail (graph->inputs->len == 1 && graph->outputs->len == 1, FALSE);
  memset (reach, 0, sizeof *reach);
  tensors[g_array_index (graph->inputs, int, 0)].derived = TRUE;
  for (guint a = 0; a < spatial; a++)
    tensors[g_array_index (graph->inputs, int, 0)].jump[a] = reach->alignment[a] = 1;
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const CalNnNode *node = cal_nn_graph_node (graph, i);
      TensorReach out = { FALSE };
      for (guint k = 0; k < node->n_inputs; k++)
        {
          const TensorReach *in = node->inputs[k] >= 0 ? &tensors[node->inputs[k]] : NULL;
          if (in == NULL || !in->derived)
            continue;
          for (guint a = 0; a < spatial; a++)
            {
              out.reach[a] = MAX (out.reach[a], in->reach[a]);
              out.jump[a] = out.derived ? MAX (out.jump[a], in->jump[a]) : in->jump[a];
            }
          out.derived = TRUE;
        }
      if (!out.derived)
        continue;
      if (sees_everything (node, rank))
        return FALSE;
      propagate (node, spatial, &out);
      for (guint a = 0; a < spatial; a++)
        reach->alignment[a] = MAX (reach->alignment[a], (guint) ceil (out.jump[a] - 1e-9));
      tensors[node->output] = out;
    }
  result = &tensors[g_array_index (graph->outputs, int, 0)];
  for (guint a = 0; a < spatial; a++)
    reach->radius[a] = result->reach[a];
  return TRUE;
}
