/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Conv on oneDNN, with the bias, the folded BatchNormalization and the
 * activation fused, and what ConvTranspose (cal-nn-cpu-conv-transpose.c)
 * shares with it.  Inputs and outputs take the layouts oneDNN prefers
 * ("any"); weights are packed into the layout it chooses once per plan. */
#include "cal-nn-cpu-private.h"

#include <string.h>

void
cal_nn_cpu_conv_geometry (const CalNnNode  *node,
                          const CalNnShape *xs,
                          const CalNnShape *ys,
                          gboolean          transposed,
                          CalNnCpuGeometry *g)
{
  for (guint a = 0; a + 2 < xs->rank; a++)
    {
      gint64 span = (node->kernel[a] - 1) * node->dilation[a] + 1;
      gint64 in = xs->d[2 + a], out = ys->d[2 + a];

      g->strides[a] = node->stride[a];
      g->dilates[a] = node->dilation[a] - 1;
      g->pad_l[a] = node->pad_begin[a];
      g->pad_r[a] = transposed ? (in - 1) * node->stride[a] + span - out - node->pad_begin[a]
                               : (out - 1) * node->stride[a] + span - in - node->pad_begin[a];
    }
}

void
cal_nn_cpu_conv_weights_dims (const CalNnNode *node,
                              gint64           cout,
                              gint64           cin,
                              guint            spatial,
                              dnnl_dims_t      dims,
                              int             *ndims)
{
  int i = 0;

  if (node->groups > 1)
    dims[i++] = node->groups;
  dims[i++] = cout / node->groups;
  dims[i++] = cin / node->groups;
  for (guint a = 0; a < spatial; a++)
    dims[i++] = node->kernel[a];
  *ndims = i;
}

void
cal_nn_cpu_any_md (const CalNnShape   *shape,
                   dnnl_memory_desc_t *md)
{
  dnnl_dims_t dims;

  for (guint i = 0; i < shape->rank; i++)
    dims[i] = shape->d[i];
  dnnl_memory_desc_init_by_tag (md, (int) shape->rank, dims, dnnl_f32, dnnl_format_tag_any);
}

/* The node's activation as a primitive of its own, run in place over
 * what the convolution wrote (md). */
static gboolean
separate_activation (CalNnCpu                 *cpu,
                     CalNnCpuStep             *step,
                     const dnnl_memory_desc_t *md,
                     GError                  **error)
{
  const CalNnNode *node = step->node;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_status_t status;

  if (node->act == CAL_NN_ACT_PRELU)
    {
      dnnl_prelu_desc_t desc;
      const dnnl_memory_desc_t *slopes = NULL;
      dnnl_memory_get_memory_desc (step->slopes, &slopes);
      status = dnnl_prelu_forward_desc_init (&desc, dnnl_forward_inference, md, slopes);
      if (status == dnnl_success)
        status = dnnl_primitive_desc_create (&pd, &desc, NULL, cpu->engine, NULL);
    }
  else
    {
      dnnl_eltwise_desc_t desc;
      dnnl_alg_kind_t alg = dnnl_eltwise_relu;
      float alpha, beta;
      cal_nn_cpu_eltwise_of (node->act, node->act_alpha, node->act_beta, &alg, &alpha, &beta);
      status = dnnl_eltwise_forward_desc_init (&desc, dnnl_forward_inference, alg, md, alpha, beta);
      if (status == dnnl_success)
        status = dnnl_primitive_desc_create (&pd, &desc, NULL, cpu->engine, NULL);
    }
  if (!cal_nn_cpu_check (status, "set up the activation", node, error))
    return FALSE;
  step->activation = cal_nn_cpu_make (cpu, pd, FALSE, node, error);
  dnnl_primitive_desc_destroy (pd);
  return step->activation != NULL;
}

gboolean
cal_nn_cpu_conv_operands (CalNnCpu         *cpu,
                          CalNnCpuPlan     *plan,
                          const CalNnNode  *node,
                          const float     **weights,
                          const float     **bias)
{
  const CalNnShape *xs = &plan->shapes[node->inputs[0]];
  gboolean has_bias = node->n_inputs > 2 && node->inputs[2] >= 0;

  *weights = cal_nn_graph_get_tensor (cpu->parent.graph, node->inputs[1])->data;
  *bias = has_bias ? cal_nn_graph_get_tensor (cpu->parent.graph, node->inputs[2])->data : NULL;
  return xs->rank >= 3 && xs->rank <= 5 && *weights != NULL && (!has_bias || *bias != NULL);
}

/* Packs the primitive's weights (from p->user, over p->weights), bias and
 * PReLU slopes, makes the separate activation where needed, and asks for
 * the input in the layout pd chose. */
static gboolean
pack (CalNnCpu                   *cpu,
      CalNnCpuPlan               *plan,
      CalNnCpuStep               *step,
      const_dnnl_primitive_desc_t pd,
      const CalNnCpuConvPacking  *p,
      gboolean                    prelu,
      GError                    **error)
{
  const CalNnNode *node = step->node;
  const float *bias = p->bias;
  gint64 channels = p->channels;
  guint repeat = p->repeat;
  guint rank = plan->shapes[node->output].rank;

  step->weights = cal_nn_cpu_pack (cpu, p->user, p->weights, dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0),
                                   error);
  if (step->weights == NULL)
    return FALSE;
  if (bias != NULL)
    {
      CalNnShape shape = { .rank = 1, .d = { channels } };
      g_autofree float *repeated = g_new (float, channels);
      dnnl_memory_desc_t md;

      for (gint64 c = 0; c < channels; c++)
        repeated[c] = bias[c % (channels / repeat)];
      cal_nn_cpu_plain_md (&shape, &md);
      if ((step->bias = cal_nn_cpu_pack (cpu, &md, repeated, &md, error)) == NULL)
        return FALSE;
    }
  if (prelu && (step->slopes = cal_nn_cpu_slopes (cpu, node, rank, channels, repeat, error)) == NULL)
    return FALSE;
  if (step->separate_activation &&
      !separate_activation (cpu, step, dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0), error))
    return FALSE;
  return cal_nn_cpu_want_input (cpu, plan, step, 0, node->inputs[0],
                                dnnl_primitive_desc_query_md (pd, dnnl_query_src_md, 0), error);
}

static gboolean
is_reference (const_dnnl_primitive_desc_t pd)
{
  const char *impl = "";

  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  return g_str_has_prefix (impl, "ref");
}

/* Creates the convolution's primitive descriptor; FALLBACK where oneDNN
 * has no implementation at all.  Some fused activations (a PReLU after a
 * 1×1 convolution, in 2.6) leave only oneDNN's reference convolution: the
 * convolution then runs bare and step->separate_activation says the
 * activation follows on its own. */
static CalNnCpuPlanResult
finish (CalNnCpu                *cpu,
        CalNnCpuStep            *step,
        dnnl_status_t            status,
        const void              *desc,
        dnnl_primitive_attr_t    attr,
        dnnl_primitive_desc_t   *pd,
        GError                 **error)
{
  if (status == dnnl_success)
    status = dnnl_primitive_desc_create (pd, desc, attr, cpu->engine, NULL);
  if (status == dnnl_success && attr != NULL && is_reference (*pd))
    {
      dnnl_primitive_desc_t bare = NULL;
      if (dnnl_primitive_desc_create (&bare, desc, NULL, cpu->engine, NULL) == dnnl_success && !is_reference (bare))
        {
          dnnl_primitive_desc_destroy (*pd);
          *pd = g_steal_pointer (&bare);
          step->separate_activation = TRUE;
        }
      if (bare)
        dnnl_primitive_desc_destroy (bare);
    }
  if (attr)
    dnnl_primitive_attr_destroy (attr);
  if (status == dnnl_unimplemented)
    {
      cpu->census.convolutions++;
      cpu->census.reference_convolutions++;
      if (cpu->refuse_reference)
        {
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                       "oneDNN has no convolution for node “%s”: only the CPU reference could run it", step->node->name);
          return CAL_NN_CPU_FAILED;
        }
      g_warning ("oneDNN has no convolution for node “%s”: the CPU reference runs it, slowly", step->node->name);
      return CAL_NN_CPU_FALLBACK;
    }
  if (!cal_nn_cpu_check (status, "set up a convolution", step->node, error))
    return CAL_NN_CPU_FAILED;
  step->primitive = cal_nn_cpu_make (cpu, *pd, TRUE, step->node, error);
  return step->primitive ? CAL_NN_CPU_PLANNED : CAL_NN_CPU_FAILED;
}

CalNnCpuPlanResult
cal_nn_cpu_conv_plan (CalNnCpu                  *cpu,
                      CalNnCpuPlan              *plan,
                      CalNnCpuStep              *step,
                      dnnl_status_t              status,
                      const void                *desc,
                      const CalNnCpuConvPacking *p,
                      GError                   **error)
{
  const CalNnNode *node = step->node;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_attr_t attr;
  CalNnCpuPlanResult result;
  gboolean prelu;

  attr = cal_nn_cpu_activation_attr (cpu, node, &prelu, error);
  if (node->act != CAL_NN_ACT_NONE && attr == NULL)
    return CAL_NN_CPU_FAILED;
  result = finish (cpu, step, status, desc, attr, &pd, error);
  if (result == CAL_NN_CPU_PLANNED)
    {
      const dnnl_memory_desc_t *dst = dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0);
      if (p->lowered)
        {
          step->scratch_md = *dst;
          step->has_scratch = TRUE;
          cal_nn_cpu_md_like (dst, &plan->shapes[node->output], &plan->mds[node->output]);
        }
      else
        plan->mds[node->output] = *dst;
      if (!pack (cpu, plan, step, pd, p, prelu, error))
        result = CAL_NN_CPU_FAILED;
    }
  if (pd)
    dnnl_primitive_desc_destroy (pd);
  return result;
}

static CalNnCpuPlanResult
conv_plan (CalNnCpu      *cpu,
           CalNnCpuPlan  *plan,
           guint          index,
           CalNnCpuStep  *step,
           GError       **error)
{
  static const dnnl_format_tag_t plain[] = { 0, 0, 0, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef };
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  dnnl_memory_desc_t src, wmd, user, bmd, dst;
  dnnl_convolution_desc_t desc;
  CalNnCpuConvPacking packing = { .user = &user, .channels = ys->d[1], .repeat = 1 };
  dnnl_dims_t dims;
  CalNnCpuGeometry g;
  int ndims;

  if (!cal_nn_cpu_conv_operands (cpu, plan, node, &packing.weights, &packing.bias))
    return CAL_NN_CPU_FALLBACK;
  cal_nn_cpu_any_md (xs, &src);
  cal_nn_cpu_any_md (ys, &dst);
  cal_nn_cpu_conv_weights_dims (node, ys->d[1], xs->d[1], xs->rank - 2, dims, &ndims);
  dnnl_memory_desc_init_by_tag (&wmd, ndims, dims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag (&user, ndims, dims, dnnl_f32, plain[ndims]);
  dnnl_memory_desc_init_by_tag (&bmd, 1, (dnnl_dims_t) { ys->d[1] }, dnnl_f32, dnnl_a);
  cal_nn_cpu_conv_geometry (node, xs, ys, FALSE, &g);
  return cal_nn_cpu_conv_plan (cpu, plan, step,
                               dnnl_dilated_convolution_forward_desc_init (&desc, dnnl_forward_inference,
                                                                           dnnl_convolution_direct, &src, &wmd,
                                                                           packing.bias ? &bmd : NULL, &dst,
                                                                           g.strides, g.dilates, g.pad_l, g.pad_r),
                               &desc, &packing, error);
}

gboolean
cal_nn_cpu_conv_execute (CalNnCpu      *cpu,
                         CalNnCpuStep  *step,
                         void          *input,
                         const dnnl_memory_desc_t *dst_md,
                         void          *output,
                         GError       **error)
{
  dnnl_memory_t src = cal_nn_cpu_memory (cpu, &step->inputs[0].md, input, error);
  dnnl_memory_t dst = src ? cal_nn_cpu_memory (cpu, dst_md, output, error) : NULL;
  dnnl_exec_arg_t args[5];
  int n = 0;
  gboolean ok = FALSE;

  if (dst != NULL)
    {
      args[n++] = (dnnl_exec_arg_t) { DNNL_ARG_SRC, src };
      args[n++] = (dnnl_exec_arg_t) { DNNL_ARG_WEIGHTS, step->weights };
      args[n++] = (dnnl_exec_arg_t) { DNNL_ARG_DST, dst };
      if (step->bias)
        args[n++] = (dnnl_exec_arg_t) { DNNL_ARG_BIAS, step->bias };
      if (step->slopes && !step->separate_activation)
        args[n++] = (dnnl_exec_arg_t) { DNNL_ARG_ATTR_MULTIPLE_POST_OP (0) | DNNL_ARG_WEIGHTS, step->slopes };
      ok = cal_nn_cpu_execute (cpu, step->primitive, n, args, step->node, error);
    }
  if (ok && step->activation)
    {
      dnnl_exec_arg_t act[] = { { DNNL_ARG_SRC, dst }, { DNNL_ARG_WEIGHTS, step->slopes }, { DNNL_ARG_DST, dst } };
      if (step->slopes)
        ok = cal_nn_cpu_execute (cpu, step->activation, 3, act, step->node, error);
      else
        {
          act[1] = act[2];
          ok = cal_nn_cpu_execute (cpu, step->activation, 2, act, step->node, error);
        }
    }
  if (src)
    dnnl_memory_destroy (src);
  if (dst)
    dnnl_memory_destroy (dst);
  return ok;
}

gboolean
cal_nn_cpu_conv_run (CalNnCpu      *cpu,
                     CalNnCpuStep  *step,
                     void         **inputs,
                     void          *output,
                     GError       **error)
{
  const_dnnl_primitive_desc_t pd = NULL;

  dnnl_primitive_get_primitive_desc (step->primitive, &pd);
  return cal_nn_cpu_conv_execute (cpu, step, inputs[0], dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0), output, error);
}

const CalNnCpuOpClass cal_nn_cpu_conv_class = { conv_plan, cal_nn_cpu_conv_run };
