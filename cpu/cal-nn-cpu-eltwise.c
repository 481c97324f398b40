/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Activations standing alone (Relu, LeakyRelu, Sigmoid, Clip) and the
 * binary operators (Add, Mul, broadcasting B) on oneDNN, in the layout of
 * their first input. */
#include "cal-nn-cpu-private.h"

#include <string.h>

static CalNnCpuPlanResult
eltwise_plan (CalNnCpu      *cpu,
              CalNnCpuPlan  *plan,
              guint          index,
              CalNnCpuStep  *step,
              GError       **error)
{
  const CalNnNode *node = step->node;
  int x = node->inputs[0];
  dnnl_memory_desc_t data;
  dnnl_eltwise_desc_t desc;
  CalNnActivation act = node->op == CAL_NN_OP_RELU ? CAL_NN_ACT_RELU
                      : node->op == CAL_NN_OP_LEAKY_RELU ? CAL_NN_ACT_LEAKY_RELU
                      : node->op == CAL_NN_OP_SIGMOID ? CAL_NN_ACT_SIGMOID
                      : node->op == CAL_NN_OP_CLIP ? CAL_NN_ACT_CLIP : CAL_NN_ACT_NONE;
  dnnl_alg_kind_t alg = dnnl_eltwise_relu;
  float alpha, beta;

  /* A standalone activation keeps its parameters in alpha and beta. */
  if (!cal_nn_cpu_eltwise_of (act, node->alpha, node->beta, &alg, &alpha, &beta))
    return CAL_NN_CPU_FALLBACK;
  cal_nn_cpu_stored_md (cpu, plan, x, &data);
  return cal_nn_cpu_plan_unary (cpu, plan, step,
                                dnnl_eltwise_forward_desc_init (&desc, dnnl_forward_inference, alg, &data, alpha, beta),
                                &desc, &data, &data, "set up an activation", error);
}

const CalNnCpuOpClass cal_nn_cpu_eltwise_class = { eltwise_plan, cal_nn_cpu_run_unary };

/* B as A's layout where it has A's shape; else plain in the shape it
 * broadcasts as (ones where it repeats). */
static CalNnCpuPlanResult
binary_plan (CalNnCpu      *cpu,
             CalNnCpuPlan  *plan,
             guint          index,
             CalNnCpuStep  *step,
             GError       **error)
{
  const CalNnNode *node = step->node;
  int a = node->inputs[0], b = node->inputs[1];
  const CalNnShape *as = &plan->shapes[a], *ys = &plan->shapes[node->output];
  dnnl_memory_desc_t amd, bmd;
  dnnl_binary_desc_t desc;
  CalNnShape bs;
  CalNnCpuPlanResult result;

  if (node->op == CAL_NN_OP_PRELU || !cal_nn_shape_equal (as, ys))
    return CAL_NN_CPU_FALLBACK;
  cal_nn_binary_operand_shape (node, as, &plan->shapes[b], &bs);
  while (bs.rank < as->rank)   /* NumPy: missing leading axes are ones */
    {
      memmove (&bs.d[1], &bs.d[0], bs.rank * sizeof (gint64));
      bs.d[0] = 1;
      bs.rank++;
    }
  cal_nn_cpu_stored_md (cpu, plan, a, &amd);
  if (cal_nn_shape_equal (&bs, as))
    bmd = amd;
  else
    cal_nn_cpu_plain_md (&bs, &bmd);
  result = cal_nn_cpu_finish_plan (cpu, step,
                                   dnnl_binary_desc_init (&desc, node->op == CAL_NN_OP_ADD ? dnnl_binary_add
                                                                                            : dnnl_binary_mul,
                                                          &amd, &bmd, &amd),
                                   &desc, "set up an element-wise operator", error);
  if (result != CAL_NN_CPU_PLANNED)
    return result;
  plan->mds[node->output] = amd;
  return cal_nn_cpu_want_input (cpu, plan, step, 0, a, &amd, error) &&
         cal_nn_cpu_want_input (cpu, plan, step, 1, b, &bmd, error) ? result : CAL_NN_CPU_FAILED;
}

static gboolean
binary_run (CalNnCpu      *cpu,
            CalNnCpuStep  *step,
            void         **inputs,
            void          *output,
            GError       **error)
{
  dnnl_memory_t a = cal_nn_cpu_memory (cpu, &step->inputs[0].md, inputs[0], error);
  dnnl_memory_t b = a ? cal_nn_cpu_memory (cpu, &step->inputs[1].md, inputs[1], error) : NULL;
  dnnl_memory_t y = b ? cal_nn_cpu_memory (cpu, &step->plan->mds[step->node->output], output, error) : NULL;
  gboolean ok = FALSE;

  if (y != NULL)
    {
      dnnl_exec_arg_t args[] = { { DNNL_ARG_SRC_0, a }, { DNNL_ARG_SRC_1, b }, { DNNL_ARG_DST, y } };
      ok = cal_nn_cpu_execute (cpu, step->primitive, 3, args, step->node, error);
    }
  g_clear_pointer (&a, dnnl_memory_destroy);
  g_clear_pointer (&b, dnnl_memory_destroy);
  g_clear_pointer (&y, dnnl_memory_destroy);
  return ok;
}

const CalNnCpuOpClass cal_nn_cpu_binary_class = { binary_plan, binary_run };
