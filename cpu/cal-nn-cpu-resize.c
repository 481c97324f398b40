/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resize on oneDNN's resampling where it computes exactly what ONNX asks.
 * ONNX has five coordinate modes and four nearest roundings, oneDNN one
 * rule per algorithm; rather than trust a reading of both, each axis is
 * checked when the plan is made: oneDNN resamples 0, 1, 2, … along it and
 * the CPU reference does the same, and any difference leaves the node to
 * the reference. */
#include "cal-nn-cpu-private.h"

#include <math.h>

/* The reference's answer for a 1-D resize of iota along `axis` of node. */
static void
reference_line (CalNnCpu        *cpu,
                const CalNnNode *node,
                guint            axis,
                gint64           in,
                gint64           out,
                const float     *x,
                float           *y)
{
  CalNnGraph *graph = cpu->parent.graph;
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, graph->tensors->len);
  g_autofree float **values = g_new0 (float *, graph->tensors->len);
  CalNnNode line = *node;

  line.scales[0] = line.scales[1] = 1;
  line.sizes[0] = line.sizes[1] = 0;
  line.scales[2] = node->scales[axis];
  line.sizes[2] = node->sizes[axis];
  shapes[node->inputs[0]] = (CalNnShape) { .rank = 3, .d = { 1, 1, in } };
  shapes[node->output] = (CalNnShape) { .rank = 3, .d = { 1, 1, out } };
  values[node->inputs[0]] = (float *) x;
  values[node->output] = y;
  cal_nn_reference_run_node (graph, &line, shapes, values);
}

/* Whether oneDNN's resampling along one axis equals the reference's. */
static gboolean
axis_agrees (CalNnCpu        *cpu,
             const CalNnNode *node,
             dnnl_alg_kind_t  alg,
             guint            axis,
             gint64           in,
             gint64           out)
{
  g_autofree float *x = g_new (float, in);
  g_autofree float *ours = g_new0 (float, out);
  g_autofree float *theirs = g_new0 (float, out);
  dnnl_memory_desc_t src, dst;
  dnnl_resampling_desc_t desc;
  dnnl_primitive_desc_t pd = NULL;
  float factor = (float) node->scales[axis];
  CalNnCpuStep step = { 0 };
  gboolean same = TRUE;

  for (gint64 i = 0; i < in; i++)
    x[i] = (float) i;
  dnnl_memory_desc_init_by_tag (&src, 3, (dnnl_dims_t) { 1, 1, in }, dnnl_f32, dnnl_abc);
  dnnl_memory_desc_init_by_tag (&dst, 3, (dnnl_dims_t) { 1, 1, out }, dnnl_f32, dnnl_abc);
  if (dnnl_resampling_forward_desc_init (&desc, dnnl_forward_inference, alg, &factor, &src, &dst) != dnnl_success ||
      dnnl_primitive_desc_create (&pd, &desc, NULL, cpu->engine, NULL) != dnnl_success)
    return FALSE;
  if (dnnl_primitive_create (&step.primitive, pd) != dnnl_success)
    same = FALSE;
  dnnl_primitive_desc_destroy (pd);
  if (same && !cal_nn_cpu_execute_unary (cpu, &step, &src, x, &dst, theirs, NULL))
    same = FALSE;
  if (step.primitive)
    dnnl_primitive_destroy (step.primitive);
  reference_line (cpu, node, axis, in, out, x, ours);
  for (gint64 i = 0; i < out && same; i++)
    same = fabsf (ours[i] - theirs[i]) <= 1e-4f * MAX (1.0f, fabsf (ours[i]));
  return same;
}

static CalNnCpuPlanResult
resize_plan (CalNnCpu      *cpu,
             CalNnCpuPlan  *plan,
             guint          index,
             CalNnCpuStep  *step,
             GError       **error)
{
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  dnnl_alg_kind_t alg = node->resize_mode == CAL_NN_RESIZE_LINEAR ? dnnl_resampling_linear : dnnl_resampling_nearest;
  float factors[CAL_NN_MAX_SPATIAL];
  dnnl_resampling_desc_t desc;
  dnnl_memory_desc_t src, dst;
  dnnl_status_t status;

  if (xs->rank < 3 || xs->rank > 5 || xs->d[0] != ys->d[0] || xs->d[1] != ys->d[1] ||
      cal_nn_cpu_is_constant (cpu, node->inputs[0]))
    return CAL_NN_CPU_FALLBACK;
  for (guint a = 2; a < xs->rank; a++)
    {
      if (!axis_agrees (cpu, node, alg, a, xs->d[a], ys->d[a]))
        return CAL_NN_CPU_FALLBACK;
      factors[a - 2] = (float) node->scales[a];
    }
  src = plan->mds[node->inputs[0]];
  cal_nn_cpu_md_like (&src, ys, &dst);
  status = dnnl_resampling_forward_desc_init (&desc, dnnl_forward_inference, alg, factors, &src, &dst);
  return cal_nn_cpu_plan_unary (cpu, plan, step, status, &desc, &src, &dst, "set up a resize", error);
}

const CalNnCpuOpClass cal_nn_cpu_resize_class = { resize_plan, cal_nn_cpu_run_unary };
