/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MaxPool and AveragePool on oneDNN, in whatever layout their input has. */
#include "cal-nn-cpu-private.h"

static CalNnCpuPlanResult
pool_plan (CalNnCpu      *cpu,
           CalNnCpuPlan  *plan,
           guint          index,
           CalNnCpuStep  *step,
           GError       **error)
{
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  gboolean average = node->op == CAL_NN_OP_AVERAGE_POOL;
  dnnl_dims_t strides, kernel, dilates, pad_l, pad_r;
  dnnl_memory_desc_t src, dst;
  dnnl_pooling_v2_desc_t desc;
  dnnl_status_t status;

  if (xs->rank < 3 || xs->rank > 5 || cal_nn_cpu_is_constant (cpu, node->inputs[0]))
    return CAL_NN_CPU_FALLBACK;
  for (guint a = 0; a + 2 < xs->rank; a++)
    {
      gint64 span = (node->kernel[a] - 1) * node->dilation[a] + 1;
      strides[a] = node->stride[a];
      kernel[a] = node->kernel[a];
      dilates[a] = node->dilation[a] - 1;
      pad_l[a] = node->pad_begin[a];
      pad_r[a] = (ys->d[2 + a] - 1) * node->stride[a] + span - xs->d[2 + a] - node->pad_begin[a];
      /* ceil_mode's extra windows: ONNX never counts their padding in an
       * average, oneDNN would with count_include_pad. */
      if (average && node->count_include_pad && pad_r[a] != node->pad_end[a])
        return CAL_NN_CPU_FALLBACK;
    }
  src = plan->mds[node->inputs[0]];
  cal_nn_cpu_md_like (&src, ys, &dst);
  status = dnnl_pooling_v2_forward_desc_init (&desc, dnnl_forward_inference,
                                              !average ? dnnl_pooling_max
                                              : node->count_include_pad ? dnnl_pooling_avg_include_padding
                                                                        : dnnl_pooling_avg_exclude_padding,
                                              &src, &dst, strides, kernel, dilates, pad_l, pad_r);
  return cal_nn_cpu_plan_unary (cpu, plan, step, status, &desc, &src, &dst, "set up pooling", error);
}

const CalNnCpuOpClass cal_nn_cpu_pool_class = { pool_plan, cal_nn_cpu_run_unary };
