/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nn-executor.h"

void
cal_nn_executor_init (CalNnExecutor            *self,
                      const CalNnExecutorClass *klass,
                      CalNnGraph               *graph,
                      const char               *device,
                      guint64                   memory_bytes)
{
  *self = (CalNnExecutor) {
    .klass = klass,
    .graph = graph,
    .device = g_strdup (device),
    .memory_bytes = memory_bytes,
  };
}

float **
cal_nn_executor_run (CalNnExecutor     *self,
                     const float      **inputs,
                     const CalNnShape  *input_shapes,
                     CalNnShape        *output_shapes,
                     GCancellable      *cancellable,
                     GError           **error)
{
  g_return_val_if_fail (self != NULL && inputs != NULL && input_shapes != NULL, NULL);
  return self->klass->run (self, inputs, input_shapes, output_shapes, cancellable, error);
}

guint64
cal_nn_executor_plan_bytes (CalNnExecutor     *self,
                            const CalNnShape  *input_shapes,
                            GError           **error)
{
  g_return_val_if_fail (self != NULL && input_shapes != NULL, 0);
  return self->klass->plan_bytes (self, input_shapes, error);
}

void
cal_nn_executor_get_stats (CalNnExecutor *self,
                           CalNnRunStats *stats)
{
  *stats = self->stats;
}

CalNnGraph *
cal_nn_executor_get_graph (CalNnExecutor *self)
{
  return self->graph;
}

const char *
cal_nn_executor_get_device (CalNnExecutor *self)
{
  return self->device;
}

guint64
cal_nn_executor_default_budget (CalNnExecutor *self)
{
  return self->memory_bytes / 2;
}

void
cal_nn_executor_set_out_of_memory (CalNnExecutor *self,
                                   GError       **error,
                                   const char    *message)
{
  g_set_error_literal (error, self->klass->out_of_memory_domain (), self->klass->out_of_memory_code, message);
}

const char *
cal_nn_executor_get_memory_name (CalNnExecutor *self)
{
  return self->klass->memory_name;
}

void
cal_nn_executor_free (CalNnExecutor *self)
{
  char *device;

  if (self == NULL)
    return;
  device = self->device;
  self->klass->finalize (self);
  g_free (device);
}

int *
cal_nn_graph_last_uses (CalNnGraph *graph)
{
  int *last = g_new (int, MAX (graph->tensors->len, 1));

  for (guint t = 0; t < graph->tensors->len; t++)
    last[t] = -1;
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0)
          last[n->inputs[k]] = (int) i;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    last[g_array_index (graph->outputs, int, i)] = G_MAXINT;
  return last;
}

int
cal_nn_graph_input_index (CalNnGraph *graph,
                          int         tensor)
{
  for (guint k = 0; k < graph->inputs->len; k++)
    if (g_array_index (graph->inputs, int, k) == tensor)
      return (int) k;
  return -1;
}

/* The index of the smallest free buffer of at least `bytes`, or -1. */
static int
best_fit (GArray  *free_sizes,
          guint64  bytes)
{
  int best = -1;

  for (guint k = 0; k < free_sizes->len; k++)
    if (g_array_index (free_sizes, guint64, k) >= bytes &&
        (best < 0 || g_array_index (free_sizes, guint64, k) < g_array_index (free_sizes, guint64, best)))
      best = (int) k;
  return best;
}

guint64
cal_nn_graph_plan_bytes (CalNnGraph        *graph,
                         const CalNnShape  *shapes,
                         gsize              element_size)
{
  g_autofree int *last = cal_nn_graph_last_uses (graph);
  g_autoptr(GArray) free_sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree guint64 *held = g_new0 (guint64, MAX (graph->tensors->len, 1));
  guint n_inputs = graph->inputs->len;
  guint64 total = 0;

  for (guint i = 0; i < n_inputs + graph->nodes->len; i++)
    {
      int t = i < n_inputs ? g_array_index (graph->inputs, int, i) : cal_nn_graph_node (graph, i - n_inputs)->output;
      guint64 bytes = MAX (cal_nn_shape_count (&shapes[t]) * element_size, 16);
      int best = best_fit (free_sizes, bytes);

      if (best >= 0)
        {
          held[t] = g_array_index (free_sizes, guint64, best);
          g_array_remove_index_fast (free_sizes, (guint) best);
        }
      else
        total += held[t] = bytes;
      if (i < n_inputs)
        continue;
      CalNnNode *n = cal_nn_graph_node (graph, i - n_inputs);
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && last[n->inputs[k]] == (int) (i - n_inputs) && held[n->inputs[k]])
          {
            g_array_append_val (free_sizes, held[n->inputs[k]]);
            held[n->inputs[k]] = 0;
          }
    }
  return total;
}
