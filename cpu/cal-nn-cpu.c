/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CPU executor: plans per input shape (primitives made and weights
 * packed once, kept for the next run at the same shape), activations in
 * blocks from a pool that outlives runs (a fresh page costs a fault and a
 * clear each), reorders between layouts where a step asks, and the CPU
 * reference for what oneDNN lacks.
 *
 * Threads: Debian's oneDNN runs on OpenMP.  Its worker threads are made by
 * the first thread that runs a network and take that thread's priority, so
 * a network run from a background task (nice 10, cal_task_run) leaves the
 * user interface its share of the cores. */
#include "cal-nn-cpu-private.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "cal-parallel.h"

#define MAX_PLANS 8

typedef struct {
  gsize  size;
  void  *data;
} Block;

static const CalNnCpuOpClass *
class_for (CalNnOp op)
{
  switch (op)
    {
    case CAL_NN_OP_CONV:           return &cal_nn_cpu_conv_class;
    case CAL_NN_OP_CONV_TRANSPOSE: return &cal_nn_cpu_conv_transpose_class;
    case CAL_NN_OP_MAX_POOL:
    case CAL_NN_OP_AVERAGE_POOL:   return &cal_nn_cpu_pool_class;
    case CAL_NN_OP_RELU:
    case CAL_NN_OP_LEAKY_RELU:
    case CAL_NN_OP_SIGMOID:
    case CAL_NN_OP_CLIP:           return &cal_nn_cpu_eltwise_class;
    case CAL_NN_OP_ADD:
    case CAL_NN_OP_MUL:            return &cal_nn_cpu_binary_class;
    case CAL_NN_OP_CONCAT:         return &cal_nn_cpu_concat_class;
    case CAL_NN_OP_SOFTMAX:        return &cal_nn_cpu_softmax_class;
    case CAL_NN_OP_RESIZE:         return &cal_nn_cpu_resize_class;
    default:                       return &cal_nn_cpu_reference_class;
    }
}

/* The reference's nodes: every input and the output plain. */
static CalNnCpuPlanResult
reference_plan (CalNnCpu      *cpu,
                CalNnCpuPlan  *plan,
                guint          index,
                CalNnCpuStep  *step,
                GError       **error)
{
  const CalNnNode *node = step->node;
  dnnl_memory_desc_t plain;

  cpu->census.reference_nodes++;
  for (guint k = 0; k < node->n_inputs; k++)
    {
      int t = node->inputs[k];
      if (t < 0)
        continue;
      cal_nn_cpu_plain_md (&plan->shapes[t], &plain);
      if (!cal_nn_cpu_want_input (cpu, plan, step, k, t, &plain, error))
        return CAL_NN_CPU_FAILED;
    }
  cal_nn_cpu_plain_md (&plan->shapes[node->output], &plan->mds[node->output]);
  return CAL_NN_CPU_PLANNED;
}

static gboolean
reference_step_run (CalNnCpu      *cpu,
                    CalNnCpuStep  *step,
                    void         **inputs,
                    void          *output,
                    GError       **error)
{
  const CalNnNode *node = step->node;

  (void) error;
  for (guint k = 0; k < node->n_inputs; k++)
    if (node->inputs[k] >= 0)
      cpu->values[node->inputs[k]] = inputs[k];
  cpu->values[node->output] = output;
  cal_nn_reference_run_node (cpu->parent.graph, node, step->plan->shapes, cpu->values);
  return TRUE;
}

const CalNnCpuOpClass cal_nn_cpu_reference_class = { reference_plan, reference_step_run };

/* Plans ----------------------------------------------------------------- */

static void
clear_step (CalNnCpuStep *step)
{
  for (guint k = 0; k < step->n_inputs; k++)
    g_clear_pointer (&step->inputs[k].reorder, dnnl_primitive_destroy);
  memset (step->inputs, 0, step->n_inputs * sizeof (CalNnCpuInput));
  for (guint k = 0; k < step->n_inputs; k++)
    step->inputs[k].tensor = -1;
  g_clear_pointer (&step->primitive, dnnl_primitive_destroy);
  g_clear_pointer (&step->activation, dnnl_primitive_destroy);
  g_clear_pointer (&step->weights, dnnl_memory_destroy);
  g_clear_pointer (&step->bias, dnnl_memory_destroy);
  g_clear_pointer (&step->slopes, dnnl_memory_destroy);
  step->has_scratch = FALSE;
  step->separate_activation = FALSE;
}

static void
plan_free (CalNnCpuPlan *plan,
           guint         n_nodes)
{
  for (guint i = 0; i < n_nodes && plan->steps; i++)
    {
      clear_step (&plan->steps[i]);
      g_free (plan->steps[i].inputs);
    }
  g_free (plan->steps);
  g_free (plan->mds);
  g_free (plan->shapes);
  g_free (plan->inputs);
  g_free (plan);
}

static gsize
md_bytes (const dnnl_memory_desc_t *md)
{
  return MAX (dnnl_memory_desc_get_size (md), 64);
}

static gboolean
plan_step (CalNnCpu      *cpu,
           CalNnCpuPlan  *plan,
           guint          i,
           GError       **error)
{
  CalNnCpuStep *step = &plan->steps[i];
  const CalNnNode *node = cal_nn_graph_node (cpu->parent.graph, i);
  CalNnCpuPlanResult result;

  *step = (CalNnCpuStep) { .node = node, .plan = plan, .n_inputs = node->n_inputs,
                           .inputs = g_new0 (CalNnCpuInput, MAX (node->n_inputs, 1)) };
  for (guint k = 0; k < node->n_inputs; k++)
    step->inputs[k].tensor = -1;
  step->klass = class_for (node->op);
  result = step->klass->plan (cpu, plan, i, step, error);
  if (result == CAL_NN_CPU_FALLBACK)
    {
      clear_step (step);
      step->klass = &cal_nn_cpu_reference_class;
      result = step->klass->plan (cpu, plan, i, step, error);
    }
  return result == CAL_NN_CPU_PLANNED;
}

static CalNnCpuPlan *
plan_new (CalNnCpu          *cpu,
          const CalNnShape  *input_shapes,
          GError           **error)
{
  CalNnGraph *graph = cpu->parent.graph;
  CalNnCpuPlan *plan = g_new0 (CalNnCpuPlan, 1);

  plan->inputs = g_memdup2 (input_shapes, MAX (graph->inputs->len, 1) * sizeof (CalNnShape));
  plan->shapes = g_new0 (CalNnShape, MAX (graph->tensors->len, 1));
  plan->mds = g_new0 (dnnl_memory_desc_t, MAX (graph->tensors->len, 1));
  if (!cal_nn_graph_infer_shapes (graph, input_shapes, plan->shapes, error))
    {
      plan_free (plan, 0);
      return NULL;
    }
  for (guint t = 0; t < graph->tensors->len; t++)
    cal_nn_cpu_plain_md (&plan->shapes[t], &plan->mds[t]);
  plan->steps = g_new0 (CalNnCpuStep, MAX (graph->nodes->len, 1));
  for (guint i = 0; i < graph->nodes->len; i++)
    if (!plan_step (cpu, plan, i, error))
      {
        plan_free (plan, i + 1);
        return NULL;
      }
  cpu->census.plans++;
  return plan;
}

static gboolean
plan_is_for (CalNnCpu         *cpu,
             CalNnCpuPlan     *plan,
             const CalNnShape *input_shapes)
{
  for (guint k = 0; k < cpu->parent.graph->inputs->len; k++)
    if (!cal_nn_shape_equal (&plan->inputs[k], &input_shapes[k]))
      return FALSE;
  return TRUE;
}

/* The plan for these shapes, made if new; the least recently used goes
 * when more than MAX_PLANS are kept. */
static CalNnCpuPlan *
plan_for (CalNnCpu          *cpu,
          const CalNnShape  *input_shapes,
          GError           **error)
{
  CalNnCpuPlan *plan;

  for (guint i = 0; i < cpu->plans->len; i++)
    if (plan_is_for (cpu, (plan = g_ptr_array_index (cpu->plans, i)), input_shapes))
      {
        g_ptr_array_steal_index (cpu->plans, i);
        g_ptr_array_add (cpu->plans, plan);
        return plan;
      }
  if ((plan = plan_new (cpu, input_shapes, error)) == NULL)
    return NULL;
  if (cpu->plans->len >= MAX_PLANS)
    plan_free (g_ptr_array_steal_index (cpu->plans, 0), cpu->parent.graph->nodes->len);
  g_ptr_array_add (cpu->plans, plan);
  return plan;
}

/* The block pool --------------------------------------------------------- */

static void *
take_block (CalNnCpu *cpu,
            gsize     size)
{
  int best = -1;
  void *data;

  for (guint i = 0; i < cpu->pool->len; i++)
    {
      Block *b = g_ptr_array_index (cpu->pool, i);
      if (b->size >= size && (best < 0 || b->size < ((Block *) g_ptr_array_index (cpu->pool, best))->size))
        best = (int) i;
    }
  if (best >= 0)
    {
      Block *b = g_ptr_array_steal_index_fast (cpu->pool, (guint) best);
      data = b->data;
      g_free (b);
      return data;
    }
  /* 4 KiB aligned: oneDNN's kernels want at least 64 bytes. */
  return aligned_alloc (4096, (size + 4095) & ~(gsize) 4095);
}

static void
give_block (CalNnCpu *cpu,
            void     *data,
            gsize     size)
{
  Block *b = g_new (Block, 1);

  b->data = data;
  b->size = (size + 4095) & ~(gsize) 4095;
  g_ptr_array_add (cpu->pool, b);
}

static void
block_free (gpointer data)
{
  Block *b = data;

  free (b->data);
  g_free (b);
}

/* A run ------------------------------------------------------------------ */

typedef struct {
  CalNnCpu      *cpu;
  CalNnCpuPlan  *plan;
  void         **data;       /* per tensor, in plan->mds[t] */
  gboolean      *owned;      /* from the pool */
  guint64        live;
} Run;

static gboolean
out_of_memory (Run *run, gsize bytes, GError **error)
{
  g_autofree char *message = g_strdup_printf ("The network needs %.1f MiB more memory than the system has free; "
                                              "use a smaller memory budget", bytes / 1048576.0);
  cal_nn_executor_set_out_of_memory (&run->cpu->parent, error, message);
  return FALSE;
}

static void *
run_take (Run *run, gsize bytes, GError **error)
{
  void *data = take_block (run->cpu, bytes);

  if (data == NULL)
    out_of_memory (run, bytes, error);
  else
    run->live += bytes;
  return data;
}

static void
run_give (Run *run, void *data, gsize bytes)
{
  give_block (run->cpu, data, bytes);
  run->live -= bytes;
}

/* Reorders the step's inputs that it reads in another layout; *scratch
 * lists what was taken for them. */
static gboolean
prepare_inputs (Run          *run,
                CalNnCpuStep *step,
                void        **inputs,
                void        **scratch,
                GError      **error)
{
  for (guint k = 0; k < step->n_inputs; k++)
    {
      CalNnCpuInput *input = &step->inputs[k];
      int t = input->tensor;
      void *stored = t < 0 ? NULL : input->constant ? cal_nn_graph_get_tensor (run->cpu->parent.graph, t)->data
                                                    : run->data[t];
      dnnl_memory_desc_t stored_md;

      inputs[k] = stored;
      if (input->reorder == NULL)
        continue;
      if ((scratch[k] = run_take (run, md_bytes (&input->md), error)) == NULL)
        return FALSE;
      cal_nn_cpu_stored_md (run->cpu, run->plan, t, &stored_md);
      {
        CalNnCpuStep reorder = { .primitive = input->reorder, .node = step->node };
        if (!cal_nn_cpu_execute_unary (run->cpu, &reorder, &stored_md, stored, &input->md, scratch[k], error))
          return FALSE;
      }
      inputs[k] = scratch[k];
    }
  return TRUE;
}

static gboolean
run_step (Run     *run,
          guint    i,
          GError **error)
{
  CalNnCpuStep *step = &run->plan->steps[i];
  const CalNnNode *node = step->node;
  g_autofree void **inputs = g_new0 (void *, MAX (step->n_inputs, 1));
  g_autofree void **scratch = g_new0 (void *, MAX (step->n_inputs, 1));
  gsize out_bytes = md_bytes (&run->plan->mds[node->output]);
  gboolean ok = FALSE;

  if ((run->data[node->output] = run_take (run, out_bytes, error)) == NULL)
    return FALSE;
  run->owned[node->output] = TRUE;
  run->cpu->parent.stats.peak_bytes = MAX (run->cpu->parent.stats.peak_bytes, run->live);
  if (step->has_scratch && (step->scratch = run_take (run, md_bytes (&step->scratch_md), error)) == NULL)
    return FALSE;
  if (prepare_inputs (run, step, inputs, scratch, error))
    {
      run->cpu->parent.stats.peak_bytes = MAX (run->cpu->parent.stats.peak_bytes, run->live);
      ok = step->klass->run (run->cpu, step, inputs, run->data[node->output], error);
    }
  for (guint k = 0; k < step->n_inputs; k++)
    if (scratch[k])
      run_give (run, scratch[k], md_bytes (&step->inputs[k].md));
  if (step->scratch)
    run_give (run, g_steal_pointer (&step->scratch), md_bytes (&step->scratch_md));
  return ok;
}

static void
release_inputs (Run *run, guint i, const int *last)
{
  const CalNnNode *node = cal_nn_graph_node (run->cpu->parent.graph, i);

  for (guint k = 0; k < node->n_inputs; k++)
    {
      int t = node->inputs[k];
      if (t >= 0 && run->owned[t] && last[t] == (int) i)
        {
          run_give (run, run->data[t], md_bytes (&run->plan->mds[t]));
          run->data[t] = NULL;
          run->owned[t] = FALSE;
        }
    }
}

/* A graph output in plain layout, in a new array. */
static float *
plain_output (Run               *run,
              int                t,
              const float      **inputs,
              GError           **error)
{
  CalNnGraph *graph = run->cpu->parent.graph;
  gint64 count = MAX (cal_nn_shape_count (&run->plan->shapes[t]), 1);
  int k = cal_nn_graph_input_index (graph, t);
  dnnl_memory_desc_t plain;
  float *out;

  if (k >= 0)
    return g_memdup2 (inputs[k], count * sizeof (float));
  if (cal_nn_cpu_is_constant (run->cpu, t))
    return g_memdup2 (cal_nn_graph_get_tensor (graph, t)->data, count * sizeof (float));
  out = g_try_new (float, count);
  if (out == NULL)
    {
      out_of_memory (run, count * sizeof (float), error);
      return NULL;
    }
  cal_nn_cpu_plain_md (&run->plan->shapes[t], &plain);
  if (dnnl_memory_desc_equal (&plain, &run->plan->mds[t]))
    memcpy (out, run->data[t], count * sizeof (float));
  else if (!cal_nn_cpu_reorder (run->cpu, &run->plan->mds[t], run->data[t], &plain, out, error))
    g_clear_pointer (&out, g_free);
  return out;
}

/* With CALVARIA_NN_PROFILE set, each node's time goes to stderr, as the
 * Vulkan engine's do (tools/bench/unet). */
static void
profile_step (const CalNnCpuStep *step,
              gint64              start)
{
  const CalNnNode *n = step->node;
  const CalNnShape *s = &step->plan->shapes[n->output];
  guint reorders = 0;

  for (guint k = 0; k < step->n_inputs; k++)
    reorders += step->inputs[k].reorder != NULL;
  g_printerr ("profile %-26s %-14s out %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
              " %8.3f ms%s%s\n", n->name ? n->name : "", cal_nn_op_name (n->op), s->d[1], s->d[s->rank - 2],
              s->d[s->rank - 1], (g_get_monotonic_time () - start) / 1000.0, reorders ? " (reordered input)" : "",
              step->klass == &cal_nn_cpu_reference_class ? " (CPU reference)" : "");
}

static float **
cpu_run (CalNnExecutor     *self,
         const float      **inputs,
         const CalNnShape  *input_shapes,
         CalNnShape        *output_shapes,
         GCancellable      *cancellable,
         GError           **error)
{
  CalNnCpu *cpu = (CalNnCpu *) self;
  CalNnGraph *graph = self->graph;
  g_autofree int *last = cal_nn_graph_last_uses (graph);
  gint64 start = g_get_monotonic_time ();
  Run run = { .cpu = cpu };
  float **outputs = NULL;
  gboolean ok = TRUE;

  if ((run.plan = plan_for (cpu, input_shapes, error)) == NULL)
    return NULL;
  self->stats = (CalNnRunStats) { .flops = cal_nn_graph_flops (graph, run.plan->shapes) };
  run.data = g_new0 (void *, MAX (graph->tensors->len, 1));
  run.owned = g_new0 (gboolean, MAX (graph->tensors->len, 1));
  for (guint k = 0; k < graph->inputs->len; k++)
    run.data[g_array_index (graph->inputs, int, k)] = (void *) inputs[k];
  for (guint i = 0; i < graph->nodes->len && ok; i++)
    {
      gint64 node_start = g_get_monotonic_time ();
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error) && run_step (&run, i, error);
      release_inputs (&run, i, last);
      if (cpu->profile && ok)
        profile_step (&run.plan->steps[i], node_start);
    }
  if (ok)
    {
      outputs = g_new0 (float *, graph->outputs->len + 1);
      for (guint i = 0; i < graph->outputs->len && ok; i++)
        {
          int t = g_array_index (graph->outputs, int, i);
          output_shapes[i] = run.plan->shapes[t];
          ok = (outputs[i] = plain_output (&run, t, inputs, error)) != NULL;
        }
      if (!ok)
        {
          g_strfreev ((char **) outputs);
          outputs = NULL;
        }
    }
  for (guint t = 0; t < graph->tensors->len; t++)
    if (run.owned[t])
      run_give (&run, run.data[t], md_bytes (&run.plan->mds[t]));
  g_free (run.data);
  g_free (run.owned);
  self->stats.seconds = (g_get_monotonic_time () - start) / 1e6;
  return outputs;
}

/* An activation's bytes in the widest layout oneDNN may choose: channels
 * padded to blocks of 16. */
static guint64
padded_bytes (const CalNnShape *shape)
{
  gint64 count = MAX (cal_nn_shape_count (shape), 1);

  if (shape->rank >= 3 && shape->d[1] > 0)
    count = count / shape->d[1] * ((shape->d[1] + 15) / 16 * 16);
  return (guint64) MAX (count * 4, 64);
}

/* What a run at these shapes may peak at, without making its plan (the
 * patch planner asks for many shapes, and a plan compiles kernels): every
 * output held until its last reader in the padded layout, and while a
 * convolution runs, a reordered copy of its input and (ConvTranspose) its
 * lowered result.  The plan a run makes peaks at no more. */
static guint64
cpu_plan_bytes (CalNnExecutor     *self,
                const CalNnShape  *input_shapes,
                GError           **error)
{
  CalNnGraph *graph = self->graph;
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, MAX (graph->tensors->len, 1));
  g_autofree int *last = cal_nn_graph_last_uses (graph);
  guint64 live = 0, peak = 0;

  if (!cal_nn_graph_infer_shapes (graph, input_shapes, shapes, error))
    return 0;
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const CalNnNode *node = cal_nn_graph_node (graph, i);
      guint64 out = padded_bytes (&shapes[node->output]), scratch = 0;

      if (node->op == CAL_NN_OP_CONV || node->op == CAL_NN_OP_CONV_TRANSPOSE)
        scratch = padded_bytes (&shapes[node->inputs[0]]) + (node->op == CAL_NN_OP_CONV_TRANSPOSE ? out : 0);
      live += out;
      peak = MAX (peak, live + scratch);
      for (guint k = 0; k < node->n_inputs; k++)
        {
          int t = node->inputs[k];
          gboolean seen = FALSE;
          for (guint j = 0; j < k; j++)
            seen |= node->inputs[j] == t;
          if (t >= 0 && !seen && last[t] == (int) i && !cal_nn_cpu_is_constant ((CalNnCpu *) self, t) &&
              cal_nn_graph_input_index (graph, t) < 0)
            live -= padded_bytes (&shapes[t]);
        }
    }
  return MAX (peak, 64);
}

static void
cpu_finalize (CalNnExecutor *self)
{
  CalNnCpu *cpu = (CalNnCpu *) self;

  for (guint i = 0; i < cpu->plans->len; i++)
    plan_free (g_ptr_array_index (cpu->plans, i), self->graph->nodes->len);
  g_ptr_array_unref (cpu->plans);
  g_ptr_array_unref (cpu->pool);
  g_free (cpu->values);
  if (cpu->stream)
    dnnl_stream_destroy (cpu->stream);
  if (cpu->engine)
    dnnl_engine_destroy (cpu->engine);
  g_free (cpu);
}

static const CalNnExecutorClass cpu_class = {
  .run = cpu_run,
  .plan_bytes = cpu_plan_bytes,
  .finalize = cpu_finalize,
  .out_of_memory_domain = g_io_error_quark,
  .out_of_memory_code = G_IO_ERROR_NO_SPACE,
  .memory_name = "memory",
};

static const char *
isa_name (dnnl_cpu_isa_t isa)
{
  switch ((int) isa)
    {
    case dnnl_cpu_isa_sse41:              return "SSE4.1";
    case dnnl_cpu_isa_avx:                return "AVX";
    case dnnl_cpu_isa_avx2:               return "AVX2";
    case dnnl_cpu_isa_avx512_mic:
    case dnnl_cpu_isa_avx512_mic_4ops:
    case dnnl_cpu_isa_avx512_core:        return "AVX-512";
    case dnnl_cpu_isa_avx512_core_vnni:   return "AVX-512 VNNI";
    case dnnl_cpu_isa_avx512_core_bf16:   return "AVX-512 BF16";
    case dnnl_cpu_isa_avx512_core_amx:    return "AVX-512 AMX";
    case dnnl_cpu_isa_avx2_vnni:          return "AVX2 VNNI";
    default:                              return "generic";
    }
}

char *
cal_nn_cpu_describe (void)
{
  const dnnl_version_t *v = dnnl_version ();
#ifdef _OPENMP
  int threads = omp_get_max_threads ();
#else
  int threads = (int) cal_parallel_n_threads ();
#endif

  return g_strdup_printf ("CPU: oneDNN %d.%d.%d (%s JIT, %d threads)", v->major, v->minor, v->patch,
                          isa_name (dnnl_get_effective_cpu_isa ()), threads);
}

CalNnExecutor *
cal_nn_cpu_new (CalNnGraph  *graph,
                GError     **error)
{
  CalNnCpu *cpu;
  g_autofree char *device = NULL;

  g_return_val_if_fail (graph != NULL, NULL);
  cpu = g_new0 (CalNnCpu, 1);
  device = cal_nn_cpu_describe ();
  cal_nn_executor_init (&cpu->parent, &cpu_class, graph, device, cal_physical_memory_bytes ());
  cpu->plans = g_ptr_array_new ();
  cpu->pool = g_ptr_array_new_with_free_func (block_free);
  cpu->values = g_new0 (float *, MAX (graph->tensors->len, 1));
  cpu->refuse_reference = g_getenv ("CALVARIA_NN_REFUSE_REFERENCE") != NULL;
  cpu->profile = g_getenv ("CALVARIA_NN_PROFILE") != NULL;
  if (!cal_nn_cpu_check (dnnl_engine_create (&cpu->engine, dnnl_cpu, 0), "open the CPU", NULL, error) ||
      !cal_nn_cpu_check (dnnl_stream_create (&cpu->stream, cpu->engine, dnnl_stream_default_flags),
                         "make a CPU stream", NULL, error))
    {
      cal_nn_executor_free (&cpu->parent);
      return NULL;
    }
  return &cpu->parent;
}

gboolean
cal_nn_cpu_is (CalNnExecutor *executor)
{
  return executor != NULL && executor->klass == &cpu_class;
}

void
cal_nn_cpu_get_census (CalNnExecutor  *executor,
                       CalNnCpuCensus *census)
{
  g_return_if_fail (cal_nn_cpu_is (executor));
  *census = ((CalNnCpu *) executor)->census;
}
