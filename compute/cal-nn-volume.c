/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Slice-by-slice inference over a CT volume.  A 2-D model (N × C × H × W)
 * sees C neighbouring axial slices (clamped at the ends), windowed to
 * [0, 1], resampled in-plane to the model's spacing when it names one, and
 * padded to its size multiple; the foreground probability comes back
 * through the same steps in reverse. */
#include "cal-nn-volume.h"

#include <math.h>
#include <string.h>

#include "cal-grid.h"

typedef struct {
  const CalNnPreprocess *pre;
  guint32  nx, ny, nz;          /* the CT */
  guint32  rx, ry;              /* the resampled slice */
  guint32  px, py;              /* padded to the size multiple */
  double   step_x, step_y;      /* CT voxels per resampled voxel */
} SliceGeometry;

static float
window (const SliceGeometry *g,
        double               hu)
{
  double v = (hu - g->pre->hu_low) / (g->pre->hu_high - g->pre->hu_low);
  return (float) CLAMP (v, 0.0, 1.0);
}

/* Bilinear sample of a plane of nx × ny floats at voxel position (x, y),
 * clamped at the edges. */
static float
bilinear (const float *plane,
          guint32      nx,
          guint32      ny,
          double       x,
          double       y)
{
  double cx = CLAMP (x, 0, nx - 1.0), cy = CLAMP (y, 0, ny - 1.0);
  guint32 x0 = (guint32) cx, y0 = (guint32) cy;
  guint32 x1 = MIN (x0 + 1, nx - 1), y1 = MIN (y0 + 1, ny - 1);
  double fx = cx - x0, fy = cy - y0;
  double top = plane[y0 * nx + x0] * (1 - fx) + plane[y0 * nx + x1] * fx;
  double bottom = plane[y1 * nx + x0] * (1 - fx) + plane[y1 * nx + x1] * fx;

  return (float) (top * (1 - fy) + bottom * fy);
}

static void
fill_input (const SliceGeometry *g,
            CalVolume           *ct,
            guint32              k,
            float               *out,      /* C × py × px */
            float               *scratch)  /* nx × ny */
{
  const CalVoxelType type = cal_volume_get_voxel_type (ct);
  gconstpointer data = cal_volume_get_data (ct);
  guint context = g->pre->context_slices;
  gsize plane = (gsize) g->nx * g->ny;

  memset (out, 0, sizeof (float) * context * g->px * g->py);
  for (guint c = 0; c < context; c++)
    {
      gint64 z = CLAMP ((gint64) k + (gint64) c - (gint64) (context / 2), 0, (gint64) g->nz - 1);
      for (gsize i = 0; i < plane; i++)
        scratch[i] = window (g, type == CAL_VOXEL_INT16 ? ((const gint16 *) data)[z * plane + i]
                                                        : ((const float *) data)[z * plane + i]);
      for (guint32 y = 0; y < g->ry; y++)
        for (guint32 x = 0; x < g->rx; x++)
          out[((gsize) c * g->py + y) * g->px + x] =
            g->step_x == 1 && g->step_y == 1 ? scratch[(gsize) y * g->nx + x]
            : bilinear (scratch, g->nx, g->ny, (x + 0.5) * g->step_x - 0.5, (y + 0.5) * g->step_y - 0.5);
    }
}

/* The foreground probability of one output slice (channels × py × px),
 * as logits or probabilities the model says it gives. */
static void
foreground (const SliceGeometry *g,
            const float         *output,
            guint                channels,
            float               *prob)    /* ry × rx */
{
  guint fg = MIN (g->pre->foreground_channel, channels - 1);

  for (guint32 y = 0; y < g->ry; y++)
    for (guint32 x = 0; x < g->rx; x++)
      {
        gsize at = (gsize) y * g->px + x, stride = (gsize) g->px * g->py;
        double v = output[fg * stride + at];
        if (g->pre->output_is_logits && channels == 1)
          v = 1.0 / (1.0 + exp (-v));
        else if (g->pre->output_is_logits)
          {
            double top = -INFINITY, sum = 0;
            for (guint c = 0; c < channels; c++)
              top = MAX (top, output[c * stride + at]);
            for (guint c = 0; c < channels; c++)
              sum += exp (output[c * stride + at] - top);
            v = exp (v - top) / sum;
          }
        prob[(gsize) y * g->rx + x] = (float) CLAMP (v, 0.0, 1.0);
      }
}

static void
store_slice (const SliceGeometry *g,
             const float         *prob,
             float               *dest)   /* nx × ny of the CT slice */
{
  for (guint32 y = 0; y < g->ny; y++)
    for (guint32 x = 0; x < g->nx; x++)
      dest[(gsize) y * g->nx + x] =
        g->step_x == 1 && g->step_y == 1 ? prob[(gsize) y * g->rx + x]
        : bilinear (prob, g->rx, g->ry, (x + 0.5) / g->step_x - 0.5, (y + 0.5) / g->step_y - 0.5);
}

static gboolean
plan_geometry (CalNnGraph    *graph,
               CalVolume     *ct,
               SliceGeometry *g,
               GError       **error)
{
  const CalGrid *grid = cal_volume_get_grid (ct);
  const CalNnShape *in = &cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, 0))->shape;
  double spacing[3];
  guint m;

  if (graph->inputs->len != 1 || graph->outputs->len != 1 || in->rank != 4)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Segmenting a CT needs a 2-D model with one input (batch × slices × height × width) and one "
                   "output; this one has %u inputs of rank %u (3-D models run with --raw only)",
                   graph->inputs->len, in->rank);
      return FALSE;
    }
  cal_grid_get_spacing (grid, spacing);
  g->pre = &graph->preprocess;
  g->nx = grid->dims[0], g->ny = grid->dims[1], g->nz = grid->dims[2];
  g->step_x = g->pre->spacing[0] > 0 ? g->pre->spacing[0] / spacing[0] : 1;
  g->step_y = g->pre->spacing[1] > 0 ? g->pre->spacing[1] / spacing[1] : 1;
  /* Within 1 % of the model's spacing, the CT is used as it is. */
  if (fabs (g->step_x - 1) < 0.01 && fabs (g->step_y - 1) < 0.01)
    g->step_x = g->step_y = 1;
  g->rx = MAX (1, (guint32) lround (g->nx / g->step_x));
  g->ry = MAX (1, (guint32) lround (g->ny / g->step_y));
  m = MAX (g->pre->size_multiple, 1);
  g->px = (g->rx + m - 1) / m * m;
  g->py = (g->ry + m - 1) / m * m;
  if ((in->d[2] > 0 && in->d[2] != g->py) || (in->d[3] > 0 && in->d[3] != g->px))
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE,
                   "The model takes slices of exactly %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT
                   " voxels; this CT gives %u × %u after resampling and padding", in->d[3], in->d[2], g->px, g->py);
      return FALSE;
    }
  return TRUE;
}

/* The largest batch (up to 16 slices) whose activations fit the budget. */
static guint
choose_batch (CalNnEngine         *engine,
              const SliceGeometry *g,
              guint64              budget,
              GError             **error)
{
  CalNnShape shape = { 4, { 1, g->pre->context_slices, g->py, g->px } };
  guint64 one = cal_nn_engine_plan_bytes (engine, &shape, error);
  guint batch;

  if (one == 0)
    return 0;
  if (budget > 0 && one > budget)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY,
                   "One slice needs %.0f MiB of device memory for the network; %.0f MiB are available. "
                   "Use a device with more memory or a model with a coarser spacing",
                   one / 1048576.0, budget / 1048576.0);
      return 0;
    }
  batch = budget > 0 ? (guint) MIN (16, budget / one) : 4;
  return MAX (batch, 1);
}

CalVolume *
cal_nn_infer_volume (CalNnEngine       *engine,
                     CalVolume         *ct,
                     guint64            memory_budget,
                     CalNnProgress      progress,
                     gpointer           user_data,
                     CalNnVolumeStats  *stats,
                     GCancellable      *cancellable,
                     GError           **error)
{
  CalNnGraph *graph = cal_nn_engine_get_graph (engine);
  SliceGeometry g;
  guint batch;
  gsize plane, in_slice, n_voxels;
  g_autofree float *input = NULL, *scratch = NULL, *prob = NULL, *result = NULL;
  gint64 start = g_get_monotonic_time ();
  CalNnVolumeStats local = { 0 };
  CalNnRunStats run;

  if (!plan_geometry (graph, ct, &g, error) || (batch = choose_batch (engine, &g, memory_budget, error)) == 0)
    return NULL;
  plane = (gsize) g.nx * g.ny;
  n_voxels = plane * g.nz;
  in_slice = (gsize) g.pre->context_slices * g.px * g.py;
  input = g_new (float, in_slice * batch);
  scratch = g_new (float, plane);
  prob = g_new (float, (gsize) g.rx * g.ry);
  result = g_try_new (float, n_voxels);
  if (result == NULL)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE, "Not enough memory for the probability map (%.0f MiB)",
                   n_voxels * 4 / 1048576.0);
      return NULL;
    }
  local.batch = batch;
  {
    double spacing[3];
    cal_grid_get_spacing (cal_volume_get_grid (ct), spacing);
    local.resampled_spacing[0] = g.step_x * spacing[0];
    local.resampled_spacing[1] = g.step_y * spacing[1];
  }
  for (guint32 k0 = 0; k0 < g.nz; k0 += batch)
    {
      guint n = MIN (batch, g.nz - k0);
      CalNnShape shape = { 4, { n, g.pre->context_slices, g.py, g.px } }, out_shape;
      float **outputs;

      for (guint b = 0; b < n; b++)
        fill_input (&g, ct, k0 + b, input + b * in_slice, scratch);
      outputs = cal_nn_engine_run (engine, (const float **) &input, &shape, &out_shape, cancellable, error);
      if (outputs == NULL)
        return NULL;
      if (out_shape.rank != 4 || out_shape.d[0] != n || out_shape.d[2] != g.py || out_shape.d[3] != g.px)
        {
          g_autofree char *text = cal_nn_shape_to_string (&out_shape);
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE,
                       "The model's output %s is not one probability map per input slice", text);
          g_free (outputs[0]);
          g_free (outputs);
          return NULL;
        }
      for (guint b = 0; b < n; b++)
        {
          gsize out_slice = (gsize) out_shape.d[1] * g.px * g.py;
          foreground (&g, outputs[0] + b * out_slice, (guint) out_shape.d[1], prob);
          store_slice (&g, prob, result + (k0 + b) * plane);
        }
      g_free (outputs[0]);
      g_free (outputs);
      cal_nn_engine_get_stats (engine, &run);
      local.flops += run.flops;
      local.n_runs++;
      if (progress)
        progress ((double) (k0 + n) / g.nz, user_data);
    }
  local.seconds = (g_get_monotonic_time () - start) / 1e6;
  if (stats)
    *stats = local;
  return cal_volume_new (cal_volume_get_grid (ct), CAL_VOXEL_FLOAT32,
                         g_bytes_new_take (g_steal_pointer (&result), n_voxels * sizeof (float)));
}
