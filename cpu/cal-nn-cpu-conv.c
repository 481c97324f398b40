/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Conv and ConvTranspose on oneDNN, with the bias, the folded
 * BatchNormalization and the activation fused.  Inputs and outputs take
 * the layouts oneDNN prefers ("any"); weights are packed into the layout
 * it chooses once per plan.
 *
 * A transposed convolution whose kernel equals its stride (the U-net's
 * 2×2 stride-2 upsampling) is lowered: oneDNN 2.6's deconvolution runs it
 * at about a tenth of a convolution's speed, so it runs as a 1×1
 * convolution to taps × C channels followed by a depth-to-space copy. */
#include "cal-nn-cpu-private.h"

#include <string.h>

/* The spatial geometry oneDNN wants: strides, dilations minus one, and
 * the padding on either side that makes the output the size shape
 * inference gave (ceil mode and SAME included). */
typedef struct {
  dnnl_dims_t strides, dilates, pad_l, pad_r;
} Geometry;

static void
geometry (const CalNnNode  *node,
          const CalNnShape *xs,
          const CalNnShape *ys,
          gboolean          transposed,
          Geometry         *g)
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

static void
weights_dims (const CalNnNode *node,
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

static void
any_md (const CalNnShape   *shape,
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
      dnnl_alg_kind_t alg = node->act == CAL_NN_ACT_SIGMOID ? dnnl_eltwise_logistic
                          : node->act == CAL_NN_ACT_CLIP ? dnnl_eltwise_clip : dnnl_eltwise_relu;
      status = dnnl_eltwise_forward_desc_init (&desc, dnnl_forward_inference, alg, md,
                                               node->act == CAL_NN_ACT_RELU ? 0.0f : node->act_alpha,
                                               node->act == CAL_NN_ACT_CLIP ? node->act_beta : 0.0f);
      if (status == dnnl_success)
        status = dnnl_primitive_desc_create (&pd, &desc, NULL, cpu->engine, NULL);
    }
  if (!cal_nn_cpu_check (status, "set up the activation", node, error))
    return FALSE;
  step->activation = cal_nn_cpu_make (cpu, pd, FALSE, node, error);
  dnnl_primitive_desc_destroy (pd);
  return step->activation != NULL;
}

/* Packs the primitive's weights (from user, over data), bias and PReLU
 * slopes, and asks for its input in the layout it chose. */
static gboolean
pack_operands (CalNnCpu                   *cpu,
               CalNnCpuPlan               *plan,
               CalNnCpuStep               *step,
               const_dnnl_primitive_desc_t pd,
               const dnnl_memory_desc_t   *user,
               const float                *data,
               const float                *bias,
               gint64                      channels,
               guint                       repeat,
               gboolean                    prelu,
               GError                    **error)
{
  const CalNnNode *node = step->node;
  guint rank = plan->shapes[node->output].rank;

  step->weights = cal_nn_cpu_pack (cpu, user, data, dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0), error);
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
finish_plan (CalNnCpu                *cpu,
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

static CalNnCpuPlanResult
conv_plan (CalNnCpu      *cpu,
           CalNnCpuPlan  *plan,
           guint          index,
           CalNnCpuStep  *step,
           GError       **error)
{
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  const CalNnTensor *w = cal_nn_graph_get_tensor (cpu->parent.graph, node->inputs[1]);
  const float *bias = node->n_inputs > 2 && node->inputs[2] >= 0
                        ? cal_nn_graph_get_tensor (cpu->parent.graph, node->inputs[2])->data : NULL;
  dnnl_memory_desc_t src, wmd, user, bmd, dst;
  dnnl_convolution_desc_t desc;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_attr_t attr;
  dnnl_dims_t dims;
  Geometry g;
  CalNnCpuPlanResult result;
  gboolean prelu;
  int ndims;

  (void) index;
  if (xs->rank < 3 || xs->rank > 5 || w->data == NULL ||
      (node->n_inputs > 2 && node->inputs[2] >= 0 && bias == NULL))
    return CAL_NN_CPU_FALLBACK;
  any_md (xs, &src);
  any_md (ys, &dst);
  weights_dims (node, ys->d[1], xs->d[1], xs->rank - 2, dims, &ndims);
  dnnl_memory_desc_init_by_tag (&wmd, ndims, dims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag (&user, ndims, dims, dnnl_f32, (dnnl_format_tag_t[]) { 0, 0, 0, dnnl_abc, dnnl_abcd,
                                                                                         dnnl_abcde, dnnl_abcdef }[ndims]);
  dnnl_memory_desc_init_by_tag (&bmd, 1, (dnnl_dims_t) { ys->d[1] }, dnnl_f32, dnnl_a);
  geometry (node, xs, ys, FALSE, &g);
  attr = cal_nn_cpu_activation_attr (cpu, node, ys->rank, &prelu, error);
  if (node->act != CAL_NN_ACT_NONE && attr == NULL)
    return CAL_NN_CPU_FAILED;
  result = finish_plan (cpu, step,
                        dnnl_dilated_convolution_forward_desc_init (&desc, dnnl_forward_inference,
                                                                    dnnl_convolution_direct, &src, &wmd,
                                                                    bias ? &bmd : NULL, &dst, g.strides, g.dilates,
                                                                    g.pad_l, g.pad_r),
                        &desc, attr, &pd, error);
  if (result == CAL_NN_CPU_PLANNED)
    {
      plan->mds[node->output] = *dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0);
      if (!pack_operands (cpu, plan, step, pd, &user, w->data, bias, ys->d[1], 1, prelu, error))
        result = CAL_NN_CPU_FAILED;
    }
  if (pd)
    dnnl_primitive_desc_destroy (pd);
  return result;
}

static gboolean
conv_execute (CalNnCpu      *cpu,
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

static gboolean
conv_run (CalNnCpu      *cpu,
          CalNnCpuStep  *step,
          void         **inputs,
          void          *output,
          GError       **error)
{
  const_dnnl_primitive_desc_t pd = NULL;

  dnnl_primitive_get_primitive_desc (step->primitive, &pd);
  return conv_execute (cpu, step, inputs[0], dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0), output, error);
}

const CalNnCpuOpClass cal_nn_cpu_conv_class = { conv_plan, conv_run };

/* ConvTranspose ----------------------------------------------------------- */

static gboolean
lowerable (const CalNnNode  *node,
           const CalNnShape *xs,
           const CalNnShape *ys)
{
  if (node->groups != 1)
    return FALSE;
  for (guint a = 0; a + 2 < xs->rank; a++)
    if (node->kernel[a] != node->stride[a] || node->dilation[a] != 1 || node->pad_begin[a] != 0 ||
        ys->d[2 + a] != xs->d[2 + a] * node->stride[a])
      return FALSE;
  return TRUE;
}

/* ONNX's ConvTranspose weights (C_in, C_out, taps) as the 1×1
 * convolution's (taps × C_out, C_in): row q × C_out + m. */
static float *
lowered_weights (const float *w,
                 gint64       cin,
                 gint64       cout,
                 guint        taps)
{
  float *rows = g_new (float, cin * cout * taps);

  for (gint64 c = 0; c < cin; c++)
    for (gint64 m = 0; m < cout; m++)
      for (guint q = 0; q < taps; q++)
        rows[((gint64) q * cout + m) * cin + c] = w[(c * cout + m) * taps + q];
  return rows;
}

static CalNnCpuPlanResult
lowered_plan (CalNnCpu      *cpu,
              CalNnCpuPlan  *plan,
              CalNnCpuStep  *step,
              const float   *weights,
              const float   *bias,
              GError       **error)
{
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  gint64 cin = xs->d[1], cout = ys->d[1];
  CalNnShape mid = *xs;
  g_autofree float *rows = NULL;
  dnnl_memory_desc_t src, wmd, user, bmd, dst;
  dnnl_convolution_desc_t desc;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_attr_t attr;
  dnnl_dims_t wdims = { 0 }, ones = { 1, 1, 1 }, zeros = { 0 };
  CalNnCpuPlanResult result;
  gboolean prelu;

  step->taps = 1;
  for (guint a = 0; a + 2 < xs->rank; a++)
    step->taps *= (guint) node->kernel[a];
  mid.d[1] = cout * step->taps;
  any_md (xs, &src);
  any_md (&mid, &dst);
  wdims[0] = mid.d[1];
  wdims[1] = cin;
  for (guint a = 2; a < xs->rank; a++)
    wdims[a] = 1;
  dnnl_memory_desc_init_by_tag (&wmd, (int) xs->rank, wdims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag (&user, (int) xs->rank, wdims, dnnl_f32,
                                (dnnl_format_tag_t[]) { 0, 0, 0, dnnl_abc, dnnl_abcd, dnnl_abcde }[xs->rank]);
  dnnl_memory_desc_init_by_tag (&bmd, 1, (dnnl_dims_t) { mid.d[1] }, dnnl_f32, dnnl_a);
  attr = cal_nn_cpu_activation_attr (cpu, node, xs->rank, &prelu, error);
  if (node->act != CAL_NN_ACT_NONE && attr == NULL)
    return CAL_NN_CPU_FAILED;
  result = finish_plan (cpu, step,
                        dnnl_convolution_forward_desc_init (&desc, dnnl_forward_inference, dnnl_convolution_direct,
                                                            &src, &wmd, bias ? &bmd : NULL, &dst, ones, zeros,
                                                            zeros),
                        &desc, attr, &pd, error);
  if (result == CAL_NN_CPU_PLANNED)
    {
      rows = lowered_weights (weights, cin, cout, step->taps);
      step->scratch_md = *dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0);
      step->has_scratch = TRUE;
      cal_nn_cpu_md_like (&step->scratch_md, ys, &plan->mds[node->output]);
      if (!pack_operands (cpu, plan, step, pd, &user, rows, bias, mid.d[1], step->taps, prelu, error))
        result = CAL_NN_CPU_FAILED;
    }
  if (pd)
    dnnl_primitive_desc_destroy (pd);
  return result;
}

static CalNnCpuPlanResult
deconv_plan (CalNnCpu      *cpu,
             CalNnCpuPlan  *plan,
             CalNnCpuStep  *step,
             const float   *weights,
             const float   *bias,
             GError       **error)
{
  static const dnnl_format_tag_t io[] = { 0, 0, 0, dnnl_bac, dnnl_bacd, dnnl_bacde };
  static const dnnl_format_tag_t gio[] = { 0, 0, 0, 0, dnnl_acbd, dnnl_acbde, dnnl_acbdef };
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  dnnl_memory_desc_t src, wmd, user, bmd, dst;
  dnnl_deconvolution_desc_t desc;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_attr_t attr;
  dnnl_dims_t dims;
  Geometry g;
  CalNnCpuPlanResult result;
  gboolean prelu;
  int ndims;

  any_md (xs, &src);
  any_md (ys, &dst);
  weights_dims (node, ys->d[1], xs->d[1], xs->rank - 2, dims, &ndims);
  dnnl_memory_desc_init_by_tag (&wmd, ndims, dims, dnnl_f32, dnnl_format_tag_any);
  /* ONNX stores (C_in, C_out / groups, taps): "io" order within a group. */
  dnnl_memory_desc_init_by_tag (&user, ndims, dims, dnnl_f32, node->groups > 1 ? gio[ndims] : io[ndims]);
  dnnl_memory_desc_init_by_tag (&bmd, 1, (dnnl_dims_t) { ys->d[1] }, dnnl_f32, dnnl_a);
  geometry (node, xs, ys, TRUE, &g);
  for (guint a = 0; a + 2 < xs->rank; a++)
    if (g.pad_r[a] < 0)
      return CAL_NN_CPU_FALLBACK;   /* output padding beyond the pads: oneDNN has no negative padding */
  attr = cal_nn_cpu_activation_attr (cpu, node, ys->rank, &prelu, error);
  if (node->act != CAL_NN_ACT_NONE && attr == NULL)
    return CAL_NN_CPU_FAILED;
  result = finish_plan (cpu, step,
                        dnnl_dilated_deconvolution_forward_desc_init (&desc, dnnl_forward_inference,
                                                                      dnnl_deconvolution_direct, &src, &wmd,
                                                                      bias ? &bmd : NULL, &dst, g.strides,
                                                                      g.dilates, g.pad_l, g.pad_r),
                        &desc, attr, &pd, error);
  if (result == CAL_NN_CPU_PLANNED)
    {
      plan->mds[node->output] = *dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0);
      if (!pack_operands (cpu, plan, step, pd, &user, weights, bias, ys->d[1], 1, prelu, error))
        result = CAL_NN_CPU_FAILED;
    }
  if (pd)
    dnnl_primitive_desc_destroy (pd);
  return result;
}

static CalNnCpuPlanResult
conv_transpose_plan (CalNnCpu      *cpu,
                     CalNnCpuPlan  *plan,
                     guint          index,
                     CalNnCpuStep  *step,
                     GError       **error)
{
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  const CalNnTensor *w = cal_nn_graph_get_tensor (cpu->parent.graph, node->inputs[1]);
  const float *bias = node->n_inputs > 2 && node->inputs[2] >= 0
                        ? cal_nn_graph_get_tensor (cpu->parent.graph, node->inputs[2])->data : NULL;

  (void) index;
  if (xs->rank < 3 || xs->rank > 5 || w->data == NULL ||
      (node->n_inputs > 2 && node->inputs[2] >= 0 && bias == NULL))
    return CAL_NN_CPU_FALLBACK;
  if (lowerable (node, xs, ys))
    return lowered_plan (cpu, plan, step, w->data, bias, error);
  return deconv_plan (cpu, plan, step, w->data, bias, error);
}

/* Where element (n, c, z, y, x) of a plain, channels-last or
 * channel-blocked layout lies. */
typedef struct {
  gint64 n, c, z, y, x;   /* strides of the outer dims (c: of a channel block) */
  gint64 block;
} Strides;

static void
strides_of (const dnnl_memory_desc_t *md,
            Strides                  *s)
{
  const dnnl_blocking_desc_t *b = &md->format_desc.blocking;
  int spatial = md->ndims - 2;

  s->block = b->inner_nblks ? b->inner_blks[0] : 1;
  s->n = b->strides[0];
  s->c = b->strides[1];
  s->z = spatial == 3 ? b->strides[2] : 0;
  s->y = spatial >= 2 ? b->strides[md->ndims - 2] : 0;
  s->x = b->strides[md->ndims - 1];
}

/* Y[n, m, z·sz + qz, y·sy + qy, x·sx + qx] = Z[n, q·C + m, z, y, x]:
 * runs of channels that lie side by side in both layouts at a time (a
 * block of 8 or 16 where both block them, all C where both keep channels
 * last, as oneDNN's 1×1 convolutions often do), else one value. */
static void
depth_to_space (CalNnCpuStep     *step,
                const CalNnShape *xs,
                const CalNnShape *ys,
                const float      *z_data,
                const dnnl_memory_desc_t *y_md,
                float            *y_data)
{
  const CalNnNode *node = step->node;
  guint spatial = xs->rank - 2;
  gint64 in[3] = { 1, 1, 1 }, k[3] = { 1, 1, 1 };
  gint64 n_items = xs->d[0], cout = ys->d[1];
  Strides zs, ysd;
  gint64 vec, rows;

  strides_of (&step->scratch_md, &zs);
  strides_of (y_md, &ysd);
  for (guint a = 0; a < spatial; a++)
    {
      in[3 - spatial + a] = xs->d[2 + a];
      k[3 - spatial + a] = node->kernel[a];
    }
  if (zs.block > 1 && zs.block == ysd.block && cout % zs.block == 0)
    vec = zs.block;
  else if (zs.block == 1 && ysd.block == 1 && zs.c == 1 && ysd.c == 1)
    vec = cout;
  else
    vec = 1;
  rows = n_items * (cout / vec) * in[0] * in[1];
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
  for (gint64 r = 0; r < rows; r++)
    {
      gint64 iy = r % in[1], iz = (r / in[1]) % in[0], mv = (r / (in[1] * in[0])) % (cout / vec);
      gint64 n = r / (in[1] * in[0] * (cout / vec)), m0 = mv * vec;

      for (gint64 qz = 0; qz < k[0]; qz++)
        for (gint64 qy = 0; qy < k[1]; qy++)
          for (gint64 qx = 0; qx < k[2]; qx++)
            {
              gint64 q = (qz * k[1] + qy) * k[2] + qx, zc = q * cout + m0;
              const float *from = z_data + n * zs.n + (zc / zs.block) * zs.c + (zc % zs.block) + iz * zs.z + iy * zs.y;
              float *to = y_data + n * ysd.n + (m0 / ysd.block) * ysd.c + (m0 % ysd.block) +
                          (iz * k[0] + qz) * ysd.z + (iy * k[1] + qy) * ysd.y + qx * ysd.x;
              for (gint64 x = 0; x < in[2]; x++)
                {
                  const float *f = from + x * zs.x;
                  float *t = to + x * k[2] * ysd.x;
                  if (vec > 1)
                    for (gint64 v = 0; v < vec; v++)
                      t[v] = f[v];
                  else
                    *t = *f;
                }
            }
    }
}

static gboolean
conv_transpose_run (CalNnCpu      *cpu,
                    CalNnCpuStep  *step,
                    void         **inputs,
                    void          *output,
                    GError       **error)
{
  CalNnCpuPlan *plan = step->plan;

  if (!step->has_scratch)
    return conv_run (cpu, step, inputs, output, error);
  gint64 start = g_get_monotonic_time (), copied;

  if (!conv_execute (cpu, step, inputs[0], &step->scratch_md, step->scratch, error))
    return FALSE;
  copied = g_get_monotonic_time ();
  depth_to_space (step, &plan->shapes[step->node->inputs[0]], &plan->shapes[step->node->output], step->scratch,
                  &plan->mds[step->node->output], output);
  if (cpu->profile)
    g_printerr ("profile   (1×1 convolution %.3f ms, depth to space %.3f ms)\n", (copied - start) / 1000.0,
                (g_get_monotonic_time () - copied) / 1000.0);
  return TRUE;
}

const CalNnCpuOpClass cal_nn_cpu_conv_transpose_class = { conv_transpose_plan, conv_transpose_run };
