/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CPU reference of every operator: plain loops in double precision
 * where it matters, no tiling, no packing.  The Vulkan kernels are checked
 * against it on odd shapes; it is not meant to be fast. */
#include "cal-nn-executor.h"

#include "cal-parallel.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* A window operator's geometry with spatial axes padded to three (the
 * leading ones of size 1), so one loop nest serves 1-, 2- and 3-D. */
typedef struct {
  gint64 n, c_in, c_out, groups;
  gint64 in[3], out[3], k[3], stride[3], dil[3], pad[3], pad_end[3];
} Window3;

static void
window3 (const CalNnNode  *node,
         const CalNnShape *x,
         const CalNnShape *y,
         Window3          *w)
{
  guint s = x->rank - 2, lead = 3 - s;

  *w = (Window3) { .n = x->d[0], .c_in = x->d[1], .c_out = y->d[1], .groups = node->groups };
  for (guint a = 0; a < 3; a++)
    {
      gboolean real = a >= lead;
      w->in[a] = real ? x->d[2 + a - lead] : 1;
      w->out[a] = real ? y->d[2 + a - lead] : 1;
      w->k[a] = real ? node->kernel[a - lead] : 1;
      w->stride[a] = real ? node->stride[a - lead] : 1;
      w->dil[a] = real ? node->dilation[a - lead] : 1;
      w->pad[a] = real ? node->pad_begin[a - lead] : 0;
      w->pad_end[a] = real ? node->pad_end[a - lead] : 0;
    }
}

static float
activate (const CalNnGraph *graph,
          const CalNnNode  *node,
          gint64            channel,
          float             v)
{
  const CalNnTensor *slope;

  switch (node->act)
    {
    case CAL_NN_ACT_NONE:       return v;
    case CAL_NN_ACT_RELU:       return v > 0 ? v : 0;
    case CAL_NN_ACT_LEAKY_RELU: return v >= 0 ? v : v * node->act_alpha;
    case CAL_NN_ACT_SIGMOID:    return (float) (1.0 / (1.0 + exp (-(double) v)));
    case CAL_NN_ACT_CLIP:       return fminf (fmaxf (v, node->act_alpha), node->act_beta);
    case CAL_NN_ACT_PRELU:
      slope = g_ptr_array_index (graph->tensors, node->act_slope);
      return v >= 0 ? v : v * slope->data[cal_nn_shape_count (&slope->shape) == 1 ? 0 : channel];
    }
  return v;
}

static gint64
spatial_size (const CalNnShape *s)
{
  return s->rank > 2 ? cal_nn_shape_count (s) / (s->d[0] * s->d[1]) : 1;
}

/* One convolution, forward or transposed, its output planes (one per
 * batch item and output channel) shared out over the cores: each plane is
 * summed by one thread in the same order, so the result never depends on
 * how many cores there are. */
typedef struct {
  const CalNnGraph *graph;
  const CalNnNode  *node;
  Window3           w;
  const float      *x, *weights, *bias;
  float            *y;
} ConvJob;

static double
conv_tap_sum (const ConvJob *job, gint64 n, gint64 m, gint64 oz, gint64 oy, gint64 ox)
{
  const Window3 *w = &job->w;
  gint64 cin_g = w->c_in / w->groups, cout_g = w->c_out / w->groups, g = m / cout_g;
  double sum = job->bias ? job->bias[m] : 0;

  for (gint64 c = 0; c < cin_g; c++)
    for (gint64 kz = 0; kz < w->k[0]; kz++)
      for (gint64 ky = 0; ky < w->k[1]; ky++)
        for (gint64 kx = 0; kx < w->k[2]; kx++)
          {
            gint64 iz = oz * w->stride[0] - w->pad[0] + kz * w->dil[0];
            gint64 iy = oy * w->stride[1] - w->pad[1] + ky * w->dil[1];
            gint64 ix = ox * w->stride[2] - w->pad[2] + kx * w->dil[2];
            if (iz < 0 || iy < 0 || ix < 0 || iz >= w->in[0] || iy >= w->in[1] || ix >= w->in[2])
              continue;
            sum += (double) job->x[(((n * w->c_in + g * cin_g + c) * w->in[0] + iz) * w->in[1] + iy) * w->in[2] + ix] *
                   job->weights[(((m * cin_g + c) * w->k[0] + kz) * w->k[1] + ky) * w->k[2] + kx];
          }
  return sum;
}

/* ConvTranspose as a gather: output o takes input i wherever
 * o = i × stride − pad + k × dilation. */
static double
conv_transpose_tap_sum (const ConvJob *job, gint64 n, gint64 m, gint64 oz, gint64 oy, gint64 ox)
{
  const Window3 *w = &job->w;
  gint64 cin_g = w->c_in / w->groups, cout_g = w->c_out / w->groups, g = m / cout_g, mg = m % cout_g;
  double sum = job->bias ? job->bias[m] : 0;

  for (gint64 c = 0; c < cin_g; c++)
    for (gint64 kz = 0; kz < w->k[0]; kz++)
      for (gint64 ky = 0; ky < w->k[1]; ky++)
        for (gint64 kx = 0; kx < w->k[2]; kx++)
          {
            gint64 tz = oz + w->pad[0] - kz * w->dil[0], ty = oy + w->pad[1] - ky * w->dil[1];
            gint64 tx = ox + w->pad[2] - kx * w->dil[2];
            gint64 iz = tz / w->stride[0], iy = ty / w->stride[1], ix = tx / w->stride[2];
            if (tz < 0 || ty < 0 || tx < 0 || tz % w->stride[0] || ty % w->stride[1] || tx % w->stride[2] ||
                iz >= w->in[0] || iy >= w->in[1] || ix >= w->in[2])
              continue;
            sum += (double) job->x[(((n * w->c_in + g * cin_g + c) * w->in[0] + iz) * w->in[1] + iy) * w->in[2] + ix] *
                   job->weights[((((g * cin_g + c) * cout_g + mg) * w->k[0] + kz) * w->k[1] + ky) * w->k[2] + kx];
          }
  return sum;
}

static void
conv_plane (guint    index,
            gpointer user_data)
{
  const ConvJob *job = user_data;
  const Window3 *w = &job->w;
  gint64 n = index / w->c_out, m = index % w->c_out;
  float *y = job->y + (gint64) index * w->out[0] * w->out[1] * w->out[2];
  gboolean transpose = job->node->op == CAL_NN_OP_CONV_TRANSPOSE;

  for (gint64 oz = 0; oz < w->out[0]; oz++)
    for (gint64 oy = 0; oy < w->out[1]; oy++)
      for (gint64 ox = 0; ox < w->out[2]; ox++)
        {
          double sum = transpose ? conv_transpose_tap_sum (job, n, m, oz, oy, ox) : conv_tap_sum (job, n, m, oz, oy, ox);
          *y++ = activate (job->graph, job->node, m, (float) sum);
        }
}

static void
run_conv (const CalNnGraph *graph, const CalNnNode *node, const CalNnShape *xs, const CalNnShape *ys,
          const float *x, const float *weights, const float *bias, float *y)
{
  ConvJob job = { graph, node, { 0 }, x, weights, bias, y };

  window3 (node, xs, ys, &job.w);
  cal_parallel_for ((guint) (job.w.n * job.w.c_out), conv_plane, &job);
}

static void
run_pool (const CalNnNode *node, const CalNnShape *xs, const CalNnShape *ys, const float *x, float *y)
{
  Window3 w;
  gint64 o = 0;
  gboolean is_max = node->op == CAL_NN_OP_MAX_POOL;

  window3 (node, xs, ys, &w);
  for (gint64 nc = 0; nc < w.n * w.c_in; nc++)
    for (gint64 oz = 0; oz < w.out[0]; oz++)
      for (gint64 oy = 0; oy < w.out[1]; oy++)
        for (gint64 ox = 0; ox < w.out[2]; ox++, o++)
          {
            double acc = is_max ? -INFINITY : 0;
            gint64 counted = 0, padded = 1;
            /* count_include_pad counts the taps inside the padded input */
            for (guint a = 0; a < 3; a++)
              {
                gint64 start = (a == 0 ? oz : a == 1 ? oy : ox) * w.stride[a] - w.pad[a], taps = 0;
                for (gint64 k = 0; k < w.k[a]; k++)
                  taps += start + k * w.dil[a] >= -w.pad[a] && start + k * w.dil[a] < w.in[a] + w.pad_end[a];
                padded *= taps;
              }
            for (gint64 kz = 0; kz < w.k[0]; kz++)
              for (gint64 ky = 0; ky < w.k[1]; ky++)
                for (gint64 kx = 0; kx < w.k[2]; kx++)
                  {
                    gint64 iz = oz * w.stride[0] - w.pad[0] + kz * w.dil[0];
                    gint64 iy = oy * w.stride[1] - w.pad[1] + ky * w.dil[1];
                    gint64 ix = ox * w.stride[2] - w.pad[2] + kx * w.dil[2];
                    float v;
                    if (iz < 0 || iy < 0 || ix < 0 || iz >= w.in[0] || iy >= w.in[1] || ix >= w.in[2])
                      continue;
                    v = x[((nc * w.in[0] + iz) * w.in[1] + iy) * w.in[2] + ix];
                    acc = is_max ? MAX (acc, v) : acc + v;
                    counted++;
                  }
            y[o] = is_max ? (float) acc
                          : (float) (acc / (double) (node->count_include_pad ? padded : MAX (counted, 1)));
          }
}

static void
run_norm (const CalNnGraph *graph, const CalNnNode *node, const CalNnShape *xs,
          const float *x, const float *scale, const float *bias, float *y)
{
  gint64 inner = spatial_size (xs), channels = xs->d[1];

  for (gint64 nc = 0; nc < xs->d[0] * channels; nc++)
    {
      gint64 c = nc % channels;
      const float *in = x + nc * inner;
      float *out = y + nc * inner;
      double mean = 0, var = 0, a, b;

      if (node->op == CAL_NN_OP_BATCH_NORM)
        a = node->bn_scale[c], b = node->bn_shift[c];
      else
        {
          for (gint64 i = 0; i < inner; i++)
            mean += in[i];
          mean /= inner;
          for (gint64 i = 0; i < inner; i++)
            var += (in[i] - mean) * (in[i] - mean);
          var /= inner;
          a = scale[c] / sqrt (var + node->epsilon);
          b = bias[c] - mean * a;
        }
      for (gint64 i = 0; i < inner; i++)
        out[i] = activate (graph, node, c, (float) (in[i] * a + b));
    }
}

static void
run_binary (const CalNnNode *node, const CalNnShape *as, const CalNnShape *bs, const CalNnShape *ys,
            const float *a, const float *b, float *y)
{
  gint64 sa[CAL_NN_MAX_RANK], sb[CAL_NN_MAX_RANK], count = cal_nn_shape_count (ys);

  cal_nn_broadcast_strides (as, ys, sa);
  cal_nn_broadcast_strides (bs, ys, sb);
  for (gint64 o = 0; o < count; o++)
    {
      gint64 rest = o, ia = 0, ib = 0;
      float va, vb;
      for (int i = (int) ys->rank - 1; i >= 0; i--)
        {
          gint64 c = rest % ys->d[i];
          rest /= ys->d[i];
          ia += c * sa[i];
          ib += c * sb[i];
        }
      va = a[ia], vb = b[ib];
      y[o] = node->op == CAL_NN_OP_ADD ? va + vb : node->op == CAL_NN_OP_MUL ? va * vb : (va >= 0 ? va : va * vb);
    }
}

static void
run_softmax (const CalNnNode *node, const CalNnShape *xs, const float *x, float *y)
{
  gint64 outer = 1, len = 1, inner = 1;

  for (guint i = 0; i < xs->rank; i++)
    {
      if ((int) i < node->axis)
        outer *= xs->d[i];
      else if ((int) i == node->axis || node->coerce_2d)
        len *= xs->d[i];
      else
        inner *= xs->d[i];
    }
  for (gint64 o = 0; o < outer; o++)
    for (gint64 in = 0; in < inner; in++)
      {
        const float *src = x + o * len * inner + in;
        float *dst = y + o * len * inner + in;
        double max = -INFINITY, sum = 0;
        for (gint64 k = 0; k < len; k++)
          max = MAX (max, src[k * inner]);
        for (gint64 k = 0; k < len; k++)
          sum += exp (src[k * inner] - max);
        for (gint64 k = 0; k < len; k++)
          dst[k * inner] = (float) (exp (src[k * inner] - max) / sum);
      }
}

double
cal_nn_resize_source (const CalNnNode *node,
                      guint            axis,
                      gint64           o,
                      gint64           in,
                      gint64           out)
{
  double scale = node->sizes[axis] > 0 ? (double) out / in : node->scales[axis];
  /* With scales, ONNX measures the output as in × scale, unrounded. */
  double out_length = node->sizes[axis] > 0 ? (double) out : in * scale;

  switch (node->coord_mode)
    {
    case CAL_NN_COORD_HALF_PIXEL:          return (o + 0.5) / scale - 0.5;
    case CAL_NN_COORD_PYTORCH_HALF_PIXEL:  return out > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case CAL_NN_COORD_ALIGN_CORNERS:       return out_length > 1 ? o * (double) (in - 1) / (out_length - 1) : 0;
    case CAL_NN_COORD_ASYMMETRIC:          return o / scale;
    case CAL_NN_COORD_TF_HALF_PIXEL_FOR_NN: return (o + 0.5) / scale;
    }
  return 0;
}

gint64
cal_nn_resize_nearest (const CalNnNode *node,
                       double           s,
                       gint64           in)
{
  double f = floor (s);
  gint64 i;

  switch (node->nearest_mode)
    {
    case CAL_NN_NEAREST_ROUND_PREFER_FLOOR: i = (gint64) (s - f == 0.5 ? f : floor (s + 0.5)); break;
    case CAL_NN_NEAREST_ROUND_PREFER_CEIL:  i = (gint64) floor (s + 0.5); break;
    case CAL_NN_NEAREST_FLOOR:              i = (gint64) f; break;
    default:                                i = (gint64) ceil (s); break;
    }
  return CLAMP (i, 0, in - 1);
}

static void
run_resize (const CalNnNode *node, const CalNnShape *xs, const CalNnShape *ys, const float *x, float *y)
{
  gint64 count = cal_nn_shape_count (ys);
  guint rank = xs->rank;

  for (gint64 o = 0; o < count; o++)
    {
      gint64 rest = o, lo[CAL_NN_MAX_RANK], hi[CAL_NN_MAX_RANK];
      double frac[CAL_NN_MAX_RANK], sum = 0;
      for (int i = (int) rank - 1; i >= 0; i--)
        {
          gint64 c = rest % ys->d[i];
          double s = cal_nn_resize_source (node, (guint) i, c, xs->d[i], ys->d[i]);
          rest /= ys->d[i];
          if (node->resize_mode == CAL_NN_RESIZE_NEAREST)
            {
              lo[i] = hi[i] = cal_nn_resize_nearest (node, s, xs->d[i]);
              frac[i] = 0;
              continue;
            }
          s = CLAMP (s, 0, (double) (xs->d[i] - 1));
          lo[i] = (gint64) floor (s);
          hi[i] = MIN (lo[i] + 1, xs->d[i] - 1);
          frac[i] = s - lo[i];
        }
      for (guint corner = 0; corner < (1u << rank); corner++)
        {
          double weight = 1;
          gint64 idx = 0;
          for (guint i = 0; i < rank && weight != 0; i++)
            {
              gboolean upper = (corner >> i) & 1;
              weight *= upper ? frac[i] : 1 - frac[i];
              idx = idx * xs->d[i] + (upper ? hi[i] : lo[i]);
            }
          if (weight != 0)
            sum += weight * x[idx];
        }
      y[o] = (float) sum;
    }
}

static void
run_concat (const CalNnGraph *graph, const CalNnNode *node, const CalNnShape *shapes,
            float **values, float *y)
{
  const CalNnShape *ys = &shapes[node->output];
  gint64 outer = 1, inner = 1, offset = 0;

  for (int i = 0; i < node->axis; i++)
    outer *= ys->d[i];
  for (guint i = (guint) node->axis + 1; i < ys->rank; i++)
    inner *= ys->d[i];
  for (guint k = 0; k < node->n_inputs; k++)
    {
      gint64 len = shapes[node->inputs[k]].d[node->axis];
      for (gint64 o = 0; o < outer; o++)
        memcpy (y + (o * ys->d[node->axis] + offset) * inner, values[node->inputs[k]] + o * len * inner,
                len * inner * sizeof (float));
      offset += len;
    }
  (void) graph;
}

void
cal_nn_reference_run_node (const CalNnGraph *graph, const CalNnNode *node, const CalNnShape *shapes, float **values)
{
  const float *x = values[node->inputs[0]];
  const CalNnShape *xs = &shapes[node->inputs[0]], *ys = &shapes[node->output];
  float *y = values[node->output];
  const float *in1 = node->n_inputs > 1 && node->inputs[1] >= 0 ? values[node->inputs[1]] : NULL;
  const float *in2 = node->n_inputs > 2 && node->inputs[2] >= 0 ? values[node->inputs[2]] : NULL;
  gint64 count = cal_nn_shape_count (ys);

  switch (node->op)
    {
    case CAL_NN_OP_CONV:
    case CAL_NN_OP_CONV_TRANSPOSE: run_conv (graph, node, xs, ys, x, in1, in2, y); break;
    case CAL_NN_OP_MAX_POOL:
    case CAL_NN_OP_AVERAGE_POOL:   run_pool (node, xs, ys, x, y); break;
    case CAL_NN_OP_BATCH_NORM:
    case CAL_NN_OP_INSTANCE_NORM:  run_norm (graph, node, xs, x, in1, in2, y); break;
    case CAL_NN_OP_ADD:
    case CAL_NN_OP_MUL:
    case CAL_NN_OP_PRELU:
      {
        CalNnShape bs;
        cal_nn_binary_operand_shape (node, xs, &shapes[node->inputs[1]], &bs);
        run_binary (node, xs, &bs, ys, x, in1, y);
      }
      break;
    case CAL_NN_OP_SOFTMAX:        run_softmax (node, xs, x, y); break;
    case CAL_NN_OP_RESIZE:         run_resize (node, xs, ys, x, y); break;
    case CAL_NN_OP_CONCAT:         run_concat (graph, node, shapes, values, y); break;
    case CAL_NN_OP_RELU:
    case CAL_NN_OP_LEAKY_RELU:
    case CAL_NN_OP_SIGMOID:
    case CAL_NN_OP_CLIP:
      {
        CalNnNode as_act = *node;
        as_act.act = node->op == CAL_NN_OP_RELU ? CAL_NN_ACT_RELU : node->op == CAL_NN_OP_SIGMOID ? CAL_NN_ACT_SIGMOID
                   : node->op == CAL_NN_OP_CLIP ? CAL_NN_ACT_CLIP : CAL_NN_ACT_LEAKY_RELU;
        as_act.act_alpha = node->alpha;
        as_act.act_beta = node->beta;
        for (gint64 i = 0; i < count; i++)
          y[i] = activate (graph, &as_act, 0, x[i]);
      }
      break;
    default:
      memcpy (y, x, count * sizeof (float));
      break;
    }
}

/* The reference as an executor ----------------------------------------- */

typedef struct {
  CalNnExecutor parent;
} CalNnReference;

/* Graph outputs, copied from wherever they are: computed, a constant, or
 * an input passed straight through. */
static float **
copy_outputs (CalNnGraph        *graph,
              const CalNnShape  *shapes,
              float            **values,
              const float      **inputs,
              CalNnShape        *output_shapes)
{
  float **outputs = g_new0 (float *, graph->outputs->len + 1);

  for (guint i = 0; i < graph->outputs->len; i++)
    {
      int t = g_array_index (graph->outputs, int, i);
      int k = cal_nn_graph_input_index (graph, t);
      const float *from = k >= 0 ? inputs[k] : values[t];

      output_shapes[i] = shapes[t];
      outputs[i] = g_memdup2 (from, MAX (cal_nn_shape_count (&shapes[t]), 1) * sizeof (float));
    }
  return outputs;
}

/* Each node's output is allocated before it runs and freed after its last
 * reader, so memory peaks where cal_nn_graph_plan_bytes() says. */
static float **
reference_run (CalNnExecutor     *self,
               const float      **inputs,
               const CalNnShape  *input_shapes,
               CalNnShape        *output_shapes,
               GCancellable      *cancellable,
               GError           **error)
{
  CalNnGraph *graph = self->graph;
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, graph->tensors->len);
  g_autofree float **values = g_new0 (float *, graph->tensors->len);
  g_autofree gboolean *owned = g_new0 (gboolean, graph->tensors->len);
  g_autofree int *last = cal_nn_graph_last_uses (graph);
  gint64 start = g_get_monotonic_time ();
  guint64 live = 0;
  float **outputs = NULL;

  if (!cal_nn_graph_infer_shapes (graph, input_shapes, shapes, error))
    return NULL;
  self->stats = (CalNnRunStats) { .flops = cal_nn_graph_flops (graph, shapes) };
  for (guint i = 0; i < graph->tensors->len; i++)
    values[i] = cal_nn_graph_get_tensor (graph, (int) i)->data;
  for (guint i = 0; i < graph->inputs->len; i++)
    values[g_array_index (graph->inputs, int, i)] = (float *) inputs[i];
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const CalNnNode *node = cal_nn_graph_node (graph, i);
      gsize count = MAX (cal_nn_shape_count (&shapes[node->output]), 1);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      values[node->output] = g_try_new0 (float, count);
      if (values[node->output] == NULL)
        {
          g_autofree char *message = g_strdup_printf ("The CPU reference needs %.1f MiB more memory for one "
                                                      "activation than the system has free; use a smaller "
                                                      "memory budget", count * 4 / 1048576.0);
          cal_nn_executor_set_out_of_memory (self, error, message);
          goto out;
        }
      owned[node->output] = TRUE;
      live += count * sizeof (float);
      self->stats.peak_bytes = MAX (self->stats.peak_bytes, live);
      cal_nn_reference_run_node (graph, node, shapes, values);
      for (guint k = 0; k < node->n_inputs; k++)
        {
          int t = node->inputs[k];
          if (t >= 0 && owned[t] && last[t] == (int) i)
            {
              live -= MAX (cal_nn_shape_count (&shapes[t]), 1) * sizeof (float);
              g_clear_pointer (&values[t], g_free);
              owned[t] = FALSE;
            }
        }
    }
  outputs = copy_outputs (graph, shapes, values, inputs, output_shapes);
out:
  for (guint i = 0; i < graph->tensors->len; i++)
    if (owned[i])
      g_free (values[i]);
  self->stats.seconds = (g_get_monotonic_time () - start) / 1e6;
  return outputs;
}

static guint64
reference_plan_bytes (CalNnExecutor     *self,
                      const CalNnShape  *input_shapes,
                      GError           **error)
{
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, self->graph->tensors->len);

  if (!cal_nn_graph_infer_shapes (self->graph, input_shapes, shapes, error))
    return 0;
  return cal_nn_graph_plan_bytes (self->graph, shapes, sizeof (float));
}

static void
reference_finalize (CalNnExecutor *self)
{
  g_free ((CalNnReference *) self);
}

static const CalNnExecutorClass reference_class = {
  .run = reference_run,
  .plan_bytes = reference_plan_bytes,
  .finalize = reference_finalize,
  .out_of_memory_domain = g_io_error_quark,
  .out_of_memory_code = G_IO_ERROR_NO_SPACE,
  .memory_name = "memory",
};

CalNnExecutor *
cal_nn_reference_new (CalNnGraph *graph)
{
  CalNnReference *reference = g_new0 (CalNnReference, 1);
  g_autofree char *device = g_strdup_printf ("CPU reference (exact, unoptimised; %u threads)",
                                             cal_parallel_n_threads ());

  g_return_val_if_fail (graph != NULL, NULL);
  cal_nn_executor_init (&reference->parent, &reference_class, graph, device, cal_physical_memory_bytes ());
  return &reference->parent;
}
