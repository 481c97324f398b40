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
  dnnl_memory_desc_t data;
  dnnl_status_t status;

  /* Before opset 13 Softmax normalises over every axis from `axis` on. */
  if ((node->coerce_2d && node->axis != (int) xs->rank - 1) || cal_nn_cpu_is_constant (cpu, node->inputs[0]))
    return CAL_NN_CPU_FALLBACK;
  data = plan->mds[node->inputs[0]];
  status = dnnl_softmax_v2_forward_desc_init (&desc, dnnl_forward_inference, dnnl_softmax_accurate, &data, &data,
                                              node->axis);
  return cal_nn_cpu_plan_unary (cpu, plan, step, status, &desc, &data, &data, "set up a softmax", error);
}

const CalNnCpuOpClass cal_nn_cpu_softmax_class = { softmax_plan, cal_nn_cpu_run_unary };
