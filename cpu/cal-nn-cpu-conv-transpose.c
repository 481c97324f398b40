/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ConvTranspose on oneDNN, with the bias, the folded BatchNormalization and
 * the activation fused (cal-nn-cpu-conv.c does the common part).
 *
 * A transposed convolution whose kernel equals its stride (the U-net's
 * 2×2 stride-2 upsampling) is lowered: oneDNN 2.6's deconvolution runs it
 * at about a tenth of a convolution's speed, so it runs as a 1×1
 * convolution to taps × C channels followed by a depth-to-space copy. */
#include "cal-nn-cpu-private.h"

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
  static const dnnl_format_tag_t plain[] = { 0, 0, 0, dnnl_abc, dnnl_abcd, dnnl_abcde };
  const CalNnNode *node = step->node;
  const CalNnShape *xs = &plan->shapes[node->inputs[0]], *ys = &plan->shapes[node->output];
  gint64 cin = xs->d[1], cout = ys->d[1];
  CalNnShape mid = *xs;
  g_autofree float *rows = NULL;
  dnnl_memory_desc_t src, wmd, user, bmd, dst;
  dnnl_convolution_desc_t desc;
  dnnl_dims_t wdims = { 0 }, ones = { 1, 1, 1 }, zeros = { 0 };
  CalNnCpuConvPacking packing = { .user = &user, .bias = bias, .lowered = TRUE };

  step->taps = 1;
  for (guint a = 0; a + 2 < xs->rank; a++)
    step->taps *= (guint) node->kernel[a];
  mid.d[1] = cout * step->taps;
  cal_nn_cpu_any_md (xs, &src);
  cal_nn_cpu_any_md (&mid, &dst);
  wdims[0] = mid.d[1];
  wdims[1] = cin;
  for (guint a = 2; a < xs->rank; a++)
    wdims[a] = 1;
  dnnl_memory_desc_init_by_tag (&wmd, (int) xs->rank, wdims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag (&user, (int) xs->rank, wdims, dnnl_f32, plain[xs->rank]);
  dnnl_memory_desc_init_by_tag (&bmd, 1, (dnnl_dims_t) { mid.d[1] }, dnnl_f32, dnnl_a);
  packing.weights = rows = lowered_weights (weights, cin, cout, step->taps);
  packing.channels = mid.d[1];
  packing.repeat = step->taps;
  return cal_nn_cpu_conv_plan (cpu, plan, step,
                               dnnl_convolution_forward_desc_init (&desc, dnnl_forward_inference,
                                                                   dnnl_convolution_direct, &src, &wmd,
                                                                   bias ? &bmd : NULL, &dst, ones, zeros, zeros),
                               &desc, &packing, error);
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
  CalNnCpuConvPacking packing = { .user = &user, .weights = weights, .bias = bias, .channels = ys->d[1], .repeat = 1 };
  dnnl_dims_t dims;
  CalNnCpuGeometry g;
  int ndims;

  cal_nn_cpu_any_md (xs, &src);
  cal_nn_cpu_any_md (ys, &dst);
  cal_nn_cpu_conv_weights_dims (node, ys->d[1], xs->d[1], xs->rank - 2, dims, &ndims);
  dnnl_memory_desc_init_by_tag (&wmd, ndims, dims, dnnl_f32, dnnl_format_tag_any);
  /* ONNX stores (C_in, C_out / groups, taps): "io" order within a group. */
  dnnl_memory_desc_init_by_tag (&user, ndims, dims, dnnl_f32, node->groups > 1 ? gio[ndims] : io[ndims]);
  dnnl_memory_desc_init_by_tag (&bmd, 1, (dnnl_dims_t) { ys->d[1] }, dnnl_f32, dnnl_a);
  cal_nn_cpu_conv_geometry (node, xs, ys, TRUE, &g);
  for (guint a = 0; a + 2 < xs->rank; a++)
    if (g.pad_r[a] < 0)
      return CAL_NN_CPU_FALLBACK;   /* output padding beyond the pads: oneDNN has no negative padding */
  return cal_nn_cpu_conv_plan (cpu, plan, step,
                               dnnl_dilated_deconvolution_forward_desc_init (&desc, dnnl_forward_inference,
                                                                             dnnl_deconvolution_direct, &src, &wmd,
                                                                             bias ? &bmd : NULL, &dst, g.strides,
                                                                             g.dilates, g.pad_l, g.pad_r),
                               &desc, &packing, error);
}

static CalNnCpuPlanResult
conv_transpose_plan (CalNnCpu      *cpu,
                     CalNnCpuPlan  *plan,
                     guint          index,
                     CalNnCpuStep  *step,
                     GError       **error)
{
  const CalNnNode *node = step->node;
  const float *weights, *bias;

  if (!cal_nn_cpu_conv_operands (cpu, plan, node, &weights, &bias))
    return CAL_NN_CPU_FALLBACK;
  if (lowerable (node, &plan->shapes[node->inputs[0]], &plan->shapes[node->output]))
    return lowered_plan (cpu, plan, step, weights, bias, error);
  return deconv_plan (cpu, plan, step, weights, bias, error);
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
    return cal_nn_cpu_conv_run (cpu, step, inputs, output, error);
  gint64 start = g_get_monotonic_time (), copied;

  if (!cal_nn_cpu_conv_execute (cpu, step, inputs[0], &step->scratch_md, step->scratch, error))
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
