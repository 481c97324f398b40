/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Softmax over one axis on oneDNN, in its input's layout. */
#include "cal-nn-cpu-private.h"

static CalNnCpuPlanResult
softmax_plan (CalNnCpu      *cpu,
              CalNnCpuPlan  *plan,
              guint          index,
              CalNnCpuStep  *step,
              GError       **error)
{
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]];
  dnnl_softmax_v2_desc_t desc;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_memory_desc_t data;
  dnnl_status_t status;

  (void) index;
  /* Before opset 13 Softmax normalises over every axis from `axis` on. */
  if ((node->coerce_2d && node->axis != (int) xs->rank - 1) || cal_nn_cpu_is_constant (cpu, node->inputs[0]))
    return CAL_NN_CPU_FALLBACK;
  data = plan->mds[node->inputs[0]];
  status = dnnl_softmax_v2_forward_desc_init (&desc, dnnl_forward_inference, dnnl_softmax_accurate, &data, &data,
                                              node->axis);
  if (status == dnnl_success)
    status = dnnl_primitive_desc_create (&pd, &desc, NULL, cpu->engine, NULL);
  if (status == dnnl_unimplemented)
    return CAL_NN_CPU_FALLBACK;
  if (!cal_nn_cpu_check (status, "set up a softmax", node, error))
    return CAL_NN_CPU_FAILED;
  step->primitive = cal_nn_cpu_make (cpu, pd, FALSE, node, error);
  dnnl_primitive_desc_destroy (pd);
  plan->mds[node->output] = data;
  return step->primitive && cal_nn_cpu_want_input (cpu, plan, step, 0, node->inputs[0], &data, error)
           ? CAL_NN_CPU_PLANNED : CAL_NN_CPU_FAILED;
}

static gboolean
softmax_run (CalNnCpu      *cpu,
             CalNnCpuStep  *step,
             void         **inputs,
             void          *output,
             GError       **error)
{
  return cal_nn_cpu_execute_unary (cpu, step, &step->inputs[0].md, inputs[0],
                                   &step->plan->mds[step->node->output], output, error);
}

const CalNnCpuOpClass cal_nn_cpu_softmax_class = { softmax_plan, softmax_run };
