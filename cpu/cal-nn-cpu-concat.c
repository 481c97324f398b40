/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Concat on oneDNN: every input in the first one's layout (a copy per
 * input, no convolution writes into the result directly: that would make
 * oneDNN fall back to its reference convolution). */
#include "cal-nn-cpu-private.h"

static dnnl_primitive_desc_t
concat_pd (CalNnCpu                 *cpu,
           CalNnCpuPlan             *plan,
           const CalNnNode          *node,
           const dnnl_memory_desc_t *like,
           dnnl_memory_desc_t       *srcs,
           dnnl_memory_desc_t       *dst)
{
  dnnl_primitive_desc_t pd = NULL;

  for (guint k = 0; k < node->n_inputs; k++)
    cal_nn_cpu_md_like (like, &plan->shapes[node->inputs[k]], &srcs[k]);
  cal_nn_cpu_md_like (like, &plan->shapes[node->output], dst);
  if (dnnl_concat_primitive_desc_create (&pd, dst, (int) node->n_inputs, node->axis, srcs, NULL,
                                         cpu->engine) != dnnl_success)
    return NULL;
  return pd;
}

static CalNnCpuPlanResult
concat_plan (CalNnCpu      *cpu,
             CalNnCpuPlan  *plan,
             guint          index,
             CalNnCpuStep  *step,
             GError       **error)
{
  const CalNnNode *node = step->node;
  g_autofree dnnl_memory_desc_t *srcs = g_new0 (dnnl_memory_desc_t, node->n_inputs);
  dnnl_memory_desc_t like, dst;
  dnnl_primitive_desc_t pd;
  const char *impl = "";

  like = plan->mds[node->inputs[0]];
  for (guint k = 0; k < node->n_inputs; k++)
    if (cal_nn_cpu_is_constant (cpu, node->inputs[k]))
      cal_nn_cpu_plain_md (&plan->shapes[node->inputs[k]], &like);
  pd = concat_pd (cpu, plan, node, &like, srcs, &dst);
  /* Channel blocks that do not line up with the inputs' channels make
   * oneDNN copy element by element: plain is faster then. */
  if (pd != NULL && (dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl), g_str_has_prefix (impl, "ref")))
    {
      dnnl_primitive_desc_destroy (pd);
      cal_nn_cpu_plain_md (&plan->shapes[node->inputs[0]], &like);
      pd = concat_pd (cpu, plan, node, &like, srcs, &dst);
    }
  if (pd == NULL)
    return CAL_NN_CPU_FALLBACK;
  step->primitive = cal_nn_cpu_make (cpu, pd, FALSE, node, error);
  dnnl_primitive_desc_destroy (pd);
  if (step->primitive == NULL)
    return CAL_NN_CPU_FAILED;
  plan->mds[node->output] = dst;
  for (guint k = 0; k < node->n_inputs; k++)
    if (!cal_nn_cpu_want_input (cpu, plan, step, k, node->inputs[k], &srcs[k], error))
      return CAL_NN_CPU_FAILED;
  return CAL_NN_CPU_PLANNED;
}

static gboolean
concat_run (CalNnCpu      *cpu,
            CalNnCpuStep  *step,
            void         **inputs,
            void          *output,
            GError       **error)
{
  g_autofree dnnl_exec_arg_t *args = g_new0 (dnnl_exec_arg_t, step->n_inputs + 1);
  gboolean ok = TRUE;
  int n = 0;

  for (guint k = 0; k < step->n_inputs && ok; k++)
    {
      args[n].arg = DNNL_ARG_MULTIPLE_SRC + (int) k;
      ok = (args[n++].memory = cal_nn_cpu_memory (cpu, &step->inputs[k].md, inputs[k], error)) != NULL;
    }
  if (ok)
    {
      args[n].arg = DNNL_ARG_DST;
      ok = (args[n++].memory = cal_nn_cpu_memory (cpu, &step->plan->mds[step->node->output], output, error)) != NULL;
    }
  if (ok)
    ok = cal_nn_cpu_execute (cpu, step->primitive, n, args, step->node, error);
  for (int i = 0; i < n; i++)
    if (args[i].memory)
      dnnl_memory_destroy (args[i].memory);
  return ok;
}

const CalNnCpuOpClass cal_nn_cpu_concat_class = { concat_plan, concat_run };
