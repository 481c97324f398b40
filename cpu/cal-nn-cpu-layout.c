/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every CPU operator file shares: oneDNN's statuses as GErrors,
 * layouts, reorders, packed weights and fused activations. */
#include "cal-nn-cpu-private.h"

#include <string.h>

gboolean
cal_nn_cpu_check (dnnl_status_t     status,
                  const char       *what,
                  const CalNnNode  *node,
                  GError          **error)
{
  if (status == dnnl_success)
    return TRUE;
  g_set_error (error, CAL_NN_ERROR, status == dnnl_unimplemented ? CAL_NN_ERROR_UNSUPPORTED : CAL_NN_ERROR_INVALID,
               "oneDNN could not %s%s%s%s (status %d)", what, node ? " for node “" : "", node ? node->name : "",
               node ? "”" : "", (int) status);
  return FALSE;
}

static const dnnl_format_tag_t plain_tags[] = {
  dnnl_a, dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef,
};

static void
dims_of (const CalNnShape *shape,
         dnnl_dims_t       dims,
         int              *ndims)
{
  *ndims = MAX ((int) shape->rank, 1);
  for (int i = 0; i < *ndims; i++)
    dims[i] = shape->rank ? shape->d[i] : 1;
}

void
cal_nn_cpu_plain_md (const CalNnShape   *shape,
                     dnnl_memory_desc_t *md)
{
  dnnl_dims_t dims;
  int ndims;

  dims_of (shape, dims, &ndims);
  dnnl_memory_desc_init_by_tag (md, ndims, dims, dnnl_f32, plain_tags[ndims]);
}

/* Channels last: the channel stride is 1 and every other is larger. */
static gboolean
is_channels_last (const dnnl_memory_desc_t *md)
{
  const dnnl_blocking_desc_t *b = &md->format_desc.blocking;

  if (md->ndims < 3 || b->inner_nblks != 0 || b->strides[1] != 1)
    return FALSE;
  for (int i = 0; i < md->ndims; i++)
    if (i != 1 && b->strides[i] <= 1 && md->dims[i] > 1)
      return FALSE;
  return md->dims[1] > 1;
}

guint
cal_nn_cpu_md_block (const dnnl_memory_desc_t *md)
{
  const dnnl_blocking_desc_t *b = &md->format_desc.blocking;

  if (md->format_kind != dnnl_blocked)
    return 0;
  if (b->inner_nblks == 0)
    return 1;
  if (b->inner_nblks == 1 && b->inner_idxs[0] == 1 && (b->inner_blks[0] == 8 || b->inner_blks[0] == 16))
    return (guint) b->inner_blks[0];
  return 0;
}

void
cal_nn_cpu_md_like (const dnnl_memory_desc_t *like,
                    const CalNnShape         *shape,
                    dnnl_memory_desc_t       *md)
{
  static const dnnl_format_tag_t last[] = { 0, 0, 0, dnnl_acb, dnnl_acdb, dnnl_acdeb };
  static const dnnl_format_tag_t block8[] = { 0, 0, 0, dnnl_aBc8b, dnnl_aBcd8b, dnnl_aBcde8b };
  static const dnnl_format_tag_t block16[] = { 0, 0, 0, dnnl_aBc16b, dnnl_aBcd16b, dnnl_aBcde16b };
  guint block = cal_nn_cpu_md_block (like);
  dnnl_dims_t dims;
  int ndims;

  dims_of (shape, dims, &ndims);
  if (like->ndims != ndims || ndims < 3 || ndims > 5 || block == 0 ||
      (block == 1 && !is_channels_last (like)))
    {
      cal_nn_cpu_plain_md (shape, md);
      return;
    }
  dnnl_memory_desc_init_by_tag (md, ndims, dims, dnnl_f32,
                                block == 1 ? last[ndims] : block == 8 ? block8[ndims] : block16[ndims]);
}

dnnl_primitive_t
cal_nn_cpu_make (CalNnCpu                    *cpu,
                 const_dnnl_primitive_desc_t  pd,
                 gboolean                     convolution,
                 const CalNnNode             *node,
                 GError                     **error)
{
  dnnl_primitive_t primitive = NULL;
  const char *impl = "?";

  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  g_debug ("CPU: %s “%s” runs on %s", node ? cal_nn_op_name (node->op) : "reorder", node ? node->name : "", impl);
  if (convolution)
    {
      cpu->census.convolutions++;
      if (g_str_has_prefix (impl, "ref"))
        {
          cpu->census.reference_convolutions++;
          if (cpu->refuse_reference)
            {
              g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                           "oneDNN implements convolution “%s” only by its reference code (%s), about 1000 "
                           "times slower than its optimised kernels", node->name, impl);
              return NULL;
            }
          g_warning ("oneDNN implements convolution “%s” only by its reference code (%s): the network will "
                     "run about 1000 times slower than it should", node->name, impl);
        }
    }
  if (!cal_nn_cpu_check (dnnl_primitive_create (&primitive, pd), "make a primitive", node, error))
    return NULL;
  return primitive;
}

gboolean
cal_nn_cpu_is_constant (CalNnCpu *cpu,
                        int       t)
{
  return cal_nn_graph_get_tensor (cpu->parent.graph, t)->data != NULL;
}

static dnnl_primitive_t
make_reorder (CalNnCpu                 *cpu,
              const dnnl_memory_desc_t *src,
              const dnnl_memory_desc_t *dst,
              GError                  **error)
{
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_t reorder;

  if (!cal_nn_cpu_check (dnnl_reorder_primitive_desc_create (&pd, src, cpu->engine, dst, cpu->engine, NULL),
                         "reorder between two layouts", NULL, error))
    return NULL;
  reorder = cal_nn_cpu_make (cpu, pd, FALSE, NULL, error);
  dnnl_primitive_desc_destroy (pd);
  return reorder;
}

gboolean
cal_nn_cpu_reorder (CalNnCpu                 *cpu,
                    const dnnl_memory_desc_t *src_md,
                    const void               *src,
                    const dnnl_memory_desc_t *dst_md,
                    void                     *dst,
                    GError                  **error)
{
  CalNnCpuStep step = { .primitive = make_reorder (cpu, src_md, dst_md, error) };
  gboolean ok;

  if (step.primitive == NULL)
    return FALSE;
  ok = cal_nn_cpu_execute_unary (cpu, &step, src_md, (void *) src, dst_md, dst, error);
  dnnl_primitive_destroy (step.primitive);
  return ok;
}

void
cal_nn_cpu_stored_md (CalNnCpu           *cpu,
                      CalNnCpuPlan       *plan,
                      int                 t,
                      dnnl_memory_desc_t *md)
{
  if (cal_nn_cpu_is_constant (cpu, t))
    cal_nn_cpu_plain_md (&plan->shapes[t], md);
  else
    *md = plan->mds[t];
}

/* Row-major and dense: the same bytes whatever the dims, given the count. */
static gboolean
is_plain (const dnnl_memory_desc_t *md)
{
  dnnl_memory_desc_t plain;

  if (md->ndims < 1 || md->ndims > 6)
    return FALSE;
  dnnl_memory_desc_init_by_tag (&plain, md->ndims, md->dims, dnnl_f32, plain_tags[md->ndims]);
  return dnnl_memory_desc_equal (&plain, md);
}

static gint64
element_count (const dnnl_memory_desc_t *md)
{
  gint64 count = 1;

  for (int i = 0; i < md->ndims; i++)
    count *= md->dims[i];
  return count;
}

gboolean
cal_nn_cpu_want_input (CalNnCpu                 *cpu,
                       CalNnCpuPlan             *plan,
                       CalNnCpuStep             *step,
                       guint                     k,
                       int                       t,
                       const dnnl_memory_desc_t *want,
                       GError                  **error)
{
  CalNnCpuInput *input = &step->inputs[k];
  dnnl_memory_desc_t stored;

  input->tensor = t;
  input->md = *want;
  input->constant = t >= 0 && cal_nn_cpu_is_constant (cpu, t);
  if (t < 0)
    return TRUE;
  cal_nn_cpu_stored_md (cpu, plan, t, &stored);
  if (dnnl_memory_desc_equal (&stored, want) ||
      (is_plain (&stored) && is_plain (want) && element_count (&stored) == element_count (want)))
    return TRUE;
  input->reorder = make_reorder (cpu, &stored, want, error);
  return input->reorder != NULL;
}

dnnl_memory_t
cal_nn_cpu_memory (CalNnCpu                 *cpu,
                   const dnnl_memory_desc_t *md,
                   void                     *data,
                   GError                  **error)
{
  dnnl_memory_t memory = NULL;

  if (!cal_nn_cpu_check (dnnl_memory_create (&memory, md, cpu->engine, data ? data : DNNL_MEMORY_ALLOCATE),
                         "make a memory object", NULL, error))
    return NULL;
  return memory;
}

gboolean
cal_nn_cpu_execute (CalNnCpu              *cpu,
                    dnnl_primitive_t       primitive,
                    int                    n_args,
                    const dnnl_exec_arg_t *args,
                    const CalNnNode       *node,
                    GError               **error)
{
  return cal_nn_cpu_check (dnnl_primitive_execute (primitive, cpu->stream, n_args, args), "run", node, error) &&
         cal_nn_cpu_check (dnnl_stream_wait (cpu->stream), "finish", node, error);
}

gboolean
cal_nn_cpu_execute_unary (CalNnCpu                 *cpu,
                          CalNnCpuStep             *step,
                          const dnnl_memory_desc_t *src_md,
                          void                     *src,
                          const dnnl_memory_desc_t *dst_md,
                          void                     *dst,
                          GError                  **error)
{
  dnnl_memory_t in = cal_nn_cpu_memory (cpu, src_md, src, error);
  dnnl_memory_t out = in ? cal_nn_cpu_memory (cpu, dst_md, dst, error) : NULL;
  gboolean ok = FALSE;

  if (out != NULL)
    {
      dnnl_exec_arg_t args[] = { { DNNL_ARG_SRC, in }, { DNNL_ARG_DST, out } };
      ok = cal_nn_cpu_execute (cpu, step ? step->primitive : NULL, 2, args, step ? step->node : NULL, error);
    }
  if (in)
    dnnl_memory_destroy (in);
  if (out)
    dnnl_memory_destroy (out);
  return ok;
}

dnnl_memory_t
cal_nn_cpu_pack (CalNnCpu                 *cpu,
                 const dnnl_memory_desc_t *src,
                 const void               *data,
                 const dnnl_memory_desc_t *want,
                 GError                  **error)
{
  dnnl_memory_t packed = cal_nn_cpu_memory (cpu, want, NULL, error);
  void *to = NULL;

  if (packed == NULL)
    return NULL;
  dnnl_memory_get_data_handle (packed, &to);
  if (dnnl_memory_desc_equal (src, want))
    memcpy (to, data, dnnl_memory_desc_get_size (want));
  else if (!cal_nn_cpu_reorder (cpu, src, data, want, to, error))
    g_clear_pointer (&packed, dnnl_memory_destroy);
  return packed;
}

gboolean
cal_nn_cpu_eltwise_of (CalNnActivation  act,
                       float            act_alpha,
                       float            act_beta,
                       dnnl_alg_kind_t *alg,
                       float           *alpha,
                       float           *beta)
{
  *alpha = *beta = 0.0f;
  switch (act)
    {
    case CAL_NN_ACT_RELU:       *alg = dnnl_eltwise_relu; return TRUE;
    case CAL_NN_ACT_LEAKY_RELU: *alg = dnnl_eltwise_relu; *alpha = act_alpha; return TRUE;
    case CAL_NN_ACT_SIGMOID:    *alg = dnnl_eltwise_logistic; return TRUE;
    case CAL_NN_ACT_CLIP:       *alg = dnnl_eltwise_clip; *alpha = act_alpha; *beta = act_beta; return TRUE;
    case CAL_NN_ACT_PRELU:
    case CAL_NN_ACT_NONE:       return FALSE;
    }
  return FALSE;
}

dnnl_primitive_attr_t
cal_nn_cpu_activation_attr (CalNnCpu        *cpu,
                            const CalNnNode *node,
                            gboolean        *prelu,
                            GError         **error)
{
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  dnnl_status_t status;
  dnnl_alg_kind_t alg = dnnl_eltwise_relu;
  float alpha, beta;

  *prelu = node->act == CAL_NN_ACT_PRELU;
  if (node->act == CAL_NN_ACT_NONE)
    return NULL;
  if (!cal_nn_cpu_check (dnnl_primitive_attr_create (&attr), "make attributes", node, error))
    return NULL;
  dnnl_post_ops_create (&ops);
  if (*prelu)
    {
      const CalNnTensor *slope = cal_nn_graph_get_tensor (cpu->parent.graph, node->act_slope);
      status = dnnl_post_ops_append_prelu (ops, cal_nn_shape_count (&slope->shape) == 1 ? 0 : 1 << 1);
    }
  else
    {
      cal_nn_cpu_eltwise_of (node->act, node->act_alpha, node->act_beta, &alg, &alpha, &beta);
      status = dnnl_post_ops_append_eltwise (ops, 1.0f, alg, alpha, beta);
    }
  if (status == dnnl_success)
    status = dnnl_primitive_attr_set_post_ops (attr, ops);
  dnnl_post_ops_destroy (ops);
  if (!cal_nn_cpu_check (status, "fuse the activation", node, error))
    g_clear_pointer (&attr, dnnl_primitive_attr_destroy);
  return attr;
}

dnnl_memory_t
cal_nn_cpu_slopes (CalNnCpu        *cpu,
                   const CalNnNode *node,
                   guint            rank,
                   gint64           channels,
                   guint            repeat,
                   GError         **error)
{
  const CalNnTensor *slope = cal_nn_graph_get_tensor (cpu->parent.graph, node->act_slope);
  gboolean single = cal_nn_shape_count (&slope->shape) == 1;
  CalNnShape shape = { .rank = rank };
  g_autofree float *values = NULL;
  dnnl_memory_desc_t md;

  for (guint i = 0; i < rank; i++)
    shape.d[i] = 1;
  if (!single)
    shape.d[1] = channels;
  values = g_new (float, single ? 1 : channels);
  for (gint64 c = 0; c < (single ? 1 : channels); c++)
    values[c] = slope->data[single ? 0 : c % (channels / repeat)];
  cal_nn_cpu_plain_md (&shape, &md);
  return cal_nn_cpu_pack (cpu, &md, values, &md, error);
}

CalNnCpuPlanResult
cal_nn_cpu_finish_plan (CalNnCpu      *cpu,
                        CalNnCpuStep  *step,
                        dnnl_status_t  status,
                        const void    *desc,
                        const char    *what,
                        GError       **error)
{
  dnnl_primitive_desc_t pd = NULL;

  if (status == dnnl_success)
    status = dnnl_primitive_desc_create (&pd, desc, NULL, cpu->engine, NULL);
  if (status == dnnl_unimplemented)
    return CAL_NN_CPU_FALLBACK;
  if (!cal_nn_cpu_check (status, what, step->node, error))
    return CAL_NN_CPU_FAILED;
  step->primitive = cal_nn_cpu_make (cpu, pd, FALSE, step->node, error);
  dnnl_primitive_desc_destroy (pd);
  return step->primitive ? CAL_NN_CPU_PLANNED : CAL_NN_CPU_FAILED;
}

CalNnCpuPlanResult
cal_nn_cpu_plan_unary (CalNnCpu                 *cpu,
                       CalNnCpuPlan             *plan,
                       CalNnCpuStep             *step,
                       dnnl_status_t             status,
                       const void               *desc,
                       const dnnl_memory_desc_t *src,
                       const dnnl_memory_desc_t *dst,
                       const char               *what,
                       GError                  **error)
{
  CalNnCpuPlanResult result = cal_nn_cpu_finish_plan (cpu, step, status, desc, what, error);

  if (result != CAL_NN_CPU_PLANNED)
    return result;
  plan->mds[step->node->output] = *dst;
  return cal_nn_cpu_want_input (cpu, plan, step, 0, step->node->inputs[0], src, error) ? result : CAL_NN_CPU_FAILED;
}

gboolean
cal_nn_cpu_run_unary (CalNnCpu      *cpu,
                      CalNnCpuStep  *step,
                      void         **inputs,
                      void          *output,
                      GError       **error)
{
  return cal_nn_cpu_execute_unary (cpu, step, &step->inputs[0].md, inputs[0],
                                   &step->plan->mds[step->node->output], output, error);
}
