/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Patch-by-patch inference over a CT volume.  The input is the CT
 * windowed to [0, 1] and resampled to the model's spacing, one plane at a
 * time as the patches need it (a 2-D model sees C neighbouring slices,
 * clamped at the ends); padding is 0.  Each patch's core goes into a
 * probability map on the resampled grid, which is resampled back to the
 * CT's grid at the end.  The patch plan is in cal-nn-tiles.c. */
#include "cal-nn-volume-private.h"

#include <math.h>
#include <string.h>

#include "cal-grid.h"
#include "cal-reorient.h"

/* Windowed, resampled, padded planes (p[0] × p[1]) of the input, kept
 * for as long as the patches in hand need them: slot z mod n_slots. */
typedef struct {
  const VolumeGeometry *g;
  CalVolume  *ct;
  guint       n_slots;
  gint64     *keys;
  float      *planes;
  float      *scratch;    /* two CT planes, windowed */
  float      *rows;       /* a plane resampled along x only: r[0] × n[1] */
} PlaneSource;

static float
window (const VolumeGeometry *g,
        double                hu)
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
window_plane (PlaneSource *s,
              guint32      k,
              float       *out)
{
  gconstpointer data = cal_volume_get_data (s->ct);
  gsize plane = (gsize) s->g->n[0] * s->g->n[1];

  for (gsize i = 0; i < plane; i++)
    out[i] = window (s->g, cal_volume_get_voxel_type (s->ct) == CAL_VOXEL_INT16
                             ? ((const gint16 *) data)[k * plane + i] : ((const float *) data)[k * plane + i]);
}

/* One output sample of a line of n values resampled by `step` (output
 * pixel size over input pixel size): where the output is coarser, the
 * mean over the output pixel's footprint [x·step, (x+1)·step), as a
 * scanner with bigger pixels would have averaged (a point sample would
 * step over thin bone); otherwise linear between the two nearest, with
 * half-pixel centres, clamped at the ends. */
static double
resample_at (const float *line,
             gsize        stride,
             guint32      n,
             double       step,
             guint32      x)
{
  if (step > 1)
    {
      double lo = x * step, hi = MIN ((x + 1) * step, (double) n), sum = 0;
      for (guint32 i = (guint32) lo; i < n && i < hi; i++)
        sum += line[i * stride] * (MIN (hi, i + 1.0) - MAX (lo, (double) i));
      return hi > lo ? sum / (hi - lo) : line[(n - 1) * stride];
    }
  else
    {
      double c = CLAMP ((x + 0.5) * step - 0.5, 0, n - 1.0);
      guint32 i0 = (guint32) c, i1 = MIN (i0 + 1, n - 1);
      return line[i0 * stride] * (1 - (c - i0)) + line[i1 * stride] * (c - i0);
    }
}

/* A windowed CT plane (n[0] × n[1]) resampled to r[0] × r[1] into out
 * (rows p[0] apart): along x into s->rows, then along y. */
static void
resample_plane (PlaneSource *s,
                const float *plane,
                float       *out)
{
  const VolumeGeometry *g = s->g;

  for (guint32 y = 0; y < g->n[1]; y++)
    for (guint32 x = 0; x < g->r[0]; x++)
      s->rows[(gsize) y * g->r[0] + x] = (float) resample_at (plane + (gsize) y * g->n[0], 1, g->n[0], g->step[0], x);
  for (guint32 y = 0; y < g->r[1]; y++)
    for (guint32 x = 0; x < g->r[0]; x++)
      out[(gsize) y * g->p[0] + x] = (float) resample_at (s->rows + x, g->r[0], g->n[1], g->step[1], y);
}

/* Resampled plane z: in-plane by resample_plane (footprint means where the
 * model's pixel is coarser, linear where it is finer); between CT slices
 * linear where the model's slice spacing differs from the CT's. */
static void
make_plane (PlaneSource *s,
            gint64       z,
            float       *out)
{
  const VolumeGeometry *g = s->g;
  gsize plane = (gsize) g->n[0] * g->n[1];
  double cz = CLAMP ((z + 0.5) * g->step[2] - 0.5, 0, g->n[2] - 1.0);
  guint32 z0 = (guint32) cz, z1 = MIN (z0 + 1, g->n[2] - 1);
  double fz = cz - z0;

  memset (out, 0, sizeof (float) * g->p[0] * g->p[1]);
  if (g->rank == 5 && z >= g->r[2])
    return;   /* padding below the last slice */
  window_plane (s, z0, s->scratch);
  if (fz > 0)
    {
      window_plane (s, z1, s->scratch + plane);
      for (gsize i = 0; i < plane; i++)
        s->scratch[i] = (float) (s->scratch[i] * (1 - fz) + s->scratch[plane + i] * fz);
    }
  if (g->step[0] != 1 || g->step[1] != 1)
    resample_plane (s, s->scratch, out);
  else
    for (guint32 y = 0; y < g->r[1]; y++)
      memcpy (out + (gsize) y * g->p[0], s->scratch + (gsize) y * g->n[0], sizeof (float) * g->r[0]);
}

static const float *
source_plane (PlaneSource *s,
              gint64       z)
{
  guint slot = (guint) (z % s->n_slots);
  float *plane = s->planes + (gsize) slot * s->g->p[0] * s->g->p[1];

  if (s->keys[slot] != z)
    {
      make_plane (s, z, plane);
      s->keys[slot] = z;
    }
  return plane;
}

static void
fill_patch (PlaneSource          *s,
            const AxisTile       *t[3],
            float                *out)     /* channels × patch[2] × patch[1] × patch[0] */
{
  const VolumeGeometry *g = s->g;
  guint depth = g->rank == 5 ? g->patch[2] : g->channels;

  for (guint c = 0; c < depth; c++)
    {
      gint64 z = g->rank == 5 ? (gint64) t[2]->start + c
                 : CLAMP ((gint64) t[2]->start + c - (gint64) (g->channels / 2), 0, (gint64) g->r[2] - 1);
      const float *plane = source_plane (s, z);
      for (guint32 y = 0; y < g->patch[1]; y++)
        memcpy (out + ((gsize) c * g->patch[1] + y) * g->patch[0],
                plane + (gsize) (t[1]->start + y) * g->p[0] + t[0]->start, sizeof (float) * g->patch[0]);
    }
}

/* The foreground probability at one output voxel: channels `stride` apart. */
static float
foreground (const VolumeGeometry *g,
            const float          *at,
            guint                 channels,
            gsize                 stride)
{
  guint fg = MIN (g->pre->foreground_channel, channels - 1);
  double v = at[fg * stride];

  if (g->pre->output_is_logits && channels == 1)
    v = 1.0 / (1.0 + exp (-v));
  else if (g->pre->output_is_logits)
    {
      double top = -INFINITY, sum = 0;
      for (guint c = 0; c < channels; c++)
        top = MAX (top, at[c * stride]);
      for (guint c = 0; c < channels; c++)
        sum += exp (at[c * stride] - top);
      v = exp (v - top) / sum;
    }
  return (float) CLAMP (v, 0.0, 1.0);
}

/* A patch's core into the probability map on the resampled grid. */
static void
collect_patch (const VolumeGeometry *g,
               const AxisTile       *t[3],
               const float          *output,    /* channels × patch voxels */
               guint                 channels,
               float                *prob)
{
  gsize stride = (gsize) g->patch[0] * g->patch[1] * g->patch[2];
  guint32 hi[3];

  for (guint a = 0; a < 3; a++)
    hi[a] = MIN (t[a]->hi, g->r[a]);
  for (guint32 z = t[2]->lo; z < hi[2]; z++)
    for (guint32 y = t[1]->lo; y < hi[1]; y++)
      for (guint32 x = t[0]->lo; x < hi[0]; x++)
        {
          gsize in = ((gsize) (g->rank == 5 ? z - t[2]->start : 0) * g->patch[1] + (y - t[1]->start)) * g->patch[0]
                     + (x - t[0]->start);
          prob[((gsize) z * g->r[1] + y) * g->r[0] + x] = foreground (g, output + in, channels, stride);
        }
}

/* The probability map from the resampled grid back to the CT's. */
static float *
resample_back (const VolumeGeometry *g,
               float                *prob)
{
  gsize plane_r = (gsize) g->r[0] * g->r[1];
  float *out;

  if (g->step[0] == 1 && g->step[1] == 1 && g->step[2] == 1)
    return prob;
  out = g_try_new (float, (gsize) g->n[0] * g->n[1] * g->n[2]);
  if (out == NULL)
    {
      g_free (prob);
      return NULL;
    }
  for (guint32 z = 0; z < g->n[2]; z++)
    {
      double cz = CLAMP ((z + 0.5) / g->step[2] - 0.5, 0, g->r[2] - 1.0);
      guint32 z0 = (guint32) cz, z1 = MIN (z0 + 1, g->r[2] - 1);
      double fz = cz - z0;
      for (guint32 y = 0; y < g->n[1]; y++)
        for (guint32 x = 0; x < g->n[0]; x++)
          {
            double px = (x + 0.5) / g->step[0] - 0.5, py = (y + 0.5) / g->step[1] - 0.5;
            double v = bilinear (prob + z0 * plane_r, g->r[0], g->r[1], px, py) * (1 - fz);
            if (fz > 0)
              v += bilinear (prob + z1 * plane_r, g->r[0], g->r[1], px, py) * fz;
            out[((gsize) z * g->n[1] + y) * g->n[0] + x] = (float) v;
          }
    }
  g_free (prob);
  return out;
}

typedef struct {
  VolumeGeometry  g;
  GArray         *tiles[3];
  guint           batch;
  float          *input;        /* batch × one patch's input */
  float          *prob;         /* r[0] × r[1] × r[2] */
  PlaneSource     source;
  const AxisTile *pending[16][3];
} VolumeRun;

static void
volume_run_clear (VolumeRun *run)
{
  for (guint a = 0; a < 3; a++)
    g_clear_pointer (&run->tiles[a], g_array_unref);
  g_free (run->input);
  g_free (run->prob);
  g_free (run->source.keys);
  g_free (run->source.planes);
  g_free (run->source.scratch);
  g_free (run->source.rows);
}

static gboolean
volume_run_init (VolumeRun  *run,
                 CalVolume  *ct,
                 GError    **error)
{
  VolumeGeometry *g = &run->g;
  gsize patch = (gsize) g->channels * g->patch[0] * g->patch[1] * g->patch[2];
  gsize voxels = (gsize) g->r[0] * g->r[1] * g->r[2], plane = (gsize) g->p[0] * g->p[1];

  for (guint a = 0; a < 3; a++)
    run->tiles[a] = nn_volume_axis_tiles (g, a);
  /* No input buffer for more patches than there are (a whole 3-D volume
   * is one). */
  run->batch = MIN (run->batch, run->tiles[0]->len * run->tiles[1]->len * run->tiles[2]->len);
  run->source = (PlaneSource) { g, ct, MAX (g->channels, g->patch[2]) + 1 };
  run->source.keys = g_new (gint64, run->source.n_slots);
  for (guint i = 0; i < run->source.n_slots; i++)
    run->source.keys[i] = -1;
  run->source.planes = g_try_new (float, plane * run->source.n_slots);
  run->source.scratch = g_new (float, 2 * (gsize) g->n[0] * g->n[1]);
  run->source.rows = g_new (float, (gsize) g->r[0] * g->n[1]);
  run->input = g_try_new (float, patch * run->batch);
  run->prob = g_try_new0 (float, voxels);
  if (run->source.planes == NULL || run->input == NULL || run->prob == NULL)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE,
                   "Not enough memory for the network's input and probability map (%.0f MiB)",
                   (voxels + patch * run->batch + plane * run->source.n_slots) * 4 / 1048576.0);
      return FALSE;
    }
  return TRUE;
}

/* Runs the patches gathered so far and keeps their cores. */
static gboolean
run_pending (CalNnExecutor *executor,
             VolumeRun     *run,
             guint          n,
             GCancellable  *cancellable,
             GError       **error)
{
  const VolumeGeometry *g = &run->g;
  CalNnShape shape, out_shape;
  gboolean same;
  float **outputs;
  gsize out_patch;

  nn_volume_patch_shape (g, n, &shape);
  outputs = cal_nn_executor_run (executor, (const float **) &run->input, &shape, &out_shape, cancellable, error);
  if (outputs == NULL)
    return FALSE;
  same = out_shape.rank == shape.rank && out_shape.d[0] == n;
  for (guint a = 2; same && a < shape.rank; a++)
    same = out_shape.d[a] == shape.d[a];
  if (!same)
    {
      g_autofree char *text = cal_nn_shape_to_string (&out_shape);
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE,
                   "The model's output %s is not one probability map the size of its input", text);
    }
  out_patch = (gsize) out_shape.d[1] * g->patch[0] * g->patch[1] * g->patch[2];
  for (guint b = 0; same && b < n; b++)
    collect_patch (g, run->pending[b], outputs[0] + b * out_patch, (guint) out_shape.d[1], run->prob);
  g_free (outputs[0]);
  g_free (outputs);
  return same;
}

/* What the plan chose, before the first run. */
static void
plan_stats (const VolumeRun   *run,
            CalVolume         *ct,
            CalNnVolumeStats  *stats)
{
  double spacing[3];

  cal_grid_get_spacing (cal_volume_get_grid (ct), spacing);
  stats->batch = run->batch;
  stats->exact = run->g.exact;
  stats->resampled = FALSE;
  for (guint a = 0; a < 3; a++)
    {
      stats->patch[a] = run->g.patch[a];
      stats->halo[a] = run->g.halo[a];
      stats->resampled_spacing[a] = run->g.step[a] * spacing[a];
      stats->resampled |= run->g.step[a] != 1;
    }
}

/* The network over the CT as its voxels are stored. */
static CalVolume *
infer_as_stored (CalNnExecutor     *executor,
                 CalVolume         *ct,
                 guint64            memory_budget,
                 CalNnProgress      progress,
                 gpointer           user_data,
                 CalNnVolumeStats  *stats,
                 GCancellable      *cancellable,
                 GError           **error)
{
  VolumeRun run = { 0 };
  CalNnVolumeStats local = { 0 };
  CalNnRunStats last;
  gint64 start = g_get_monotonic_time ();
  gsize patch_input;
  guint n = 0, total, seen = 0;
  gboolean ok = TRUE;
  float *prob;

  if (!nn_volume_plan (executor, ct, memory_budget, &run.g, &run.batch, error) ||
      !volume_run_init (&run, ct, error))
    {
      volume_run_clear (&run);
      return NULL;
    }
  plan_stats (&run, ct, &local);
  patch_input = (gsize) run.g.channels * run.g.patch[0] * run.g.patch[1] * run.g.patch[2];
  total = run.tiles[0]->len * run.tiles[1]->len * run.tiles[2]->len;
  for (guint k = 0; ok && k < run.tiles[2]->len; k++)
    for (guint j = 0; ok && j < run.tiles[1]->len; j++)
      for (guint i = 0; ok && i < run.tiles[0]->len; i++)
        {
          const AxisTile **t = run.pending[n];
          t[0] = &g_array_index (run.tiles[0], AxisTile, i);
          t[1] = &g_array_index (run.tiles[1], AxisTile, j);
          t[2] = &g_array_index (run.tiles[2], AxisTile, k);
          fill_patch (&run.source, t, run.input + n * patch_input);
          n++, seen++;
          if (n < run.batch && seen < total)
            continue;
          ok = run_pending (executor, &run, n, cancellable, error);
          cal_nn_executor_get_stats (executor, &last);
          local.flops += last.flops;
          local.n_runs++;
          local.n_patches += n;
          n = 0;
          if (ok && progress)
            progress ((double) local.n_patches / total, user_data);
        }
  prob = ok ? resample_back (&run.g, g_steal_pointer (&run.prob)) : NULL;
  volume_run_clear (&run);
  if (ok && prob == NULL)
    g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_SHAPE, "Not enough memory for the probability map");
  if (prob == NULL)
    return NULL;
  local.seconds = (g_get_monotonic_time () - start) / 1e6;
  if (stats)
    *stats = local;
  {
    /* cal_volume_new takes a reference of its own. */
    g_autoptr(GBytes) bytes = g_bytes_new_take (prob, (gsize) run.g.n[0] * run.g.n[1] * run.g.n[2] * sizeof (float));
    return cal_volume_new (cal_volume_get_grid (ct), CAL_VOXEL_FLOAT32, bytes);
  }
}

/* Network axes 0 and 1 are its slice plane; the CT axis each one read
 * gets that axis's pixel. */
static void
plane_pixel_on_ct_axes (CalNnVolumeStats *stats,
                        const CalAxisMap *map)
{
  for (int a = 0; a < 3; a++)
    stats->plane_pixel_on_ct[a] = 0;
  for (int n = 0; n < 2; n++)
    stats->plane_pixel_on_ct[map ? map->from[n] : n] = stats->resampled_spacing[n];
}

CalVolume *
cal_nn_infer_volume (CalNnExecutor     *executor,
                     CalVolume         *ct,
                     guint64            memory_budget,
                     CalNnProgress      progress,
                     gpointer           user_data,
                     CalNnVolumeStats  *stats,
                     GCancellable      *cancellable,
                     GError           **error)
{
  const char *wanted = cal_nn_executor_get_graph (executor)->preprocess.orientation;
  const CalGrid *grid = cal_volume_get_grid (ct);
  CalNnVolumeStats local = { 0 };
  g_autoptr(CalVolume) turned = NULL, prob = NULL;
  gboolean reorder = *wanted != '\0' && grid->orientation_known;
  CalAxisMap map, back;

  if (reorder)
    {
      cal_axis_map_to_orientation (grid, wanted, &map);
      reorder = !cal_axis_map_is_identity (&map);
    }
  turned = reorder ? cal_volume_reorder (ct, &map) : g_object_ref (ct);
  prob = infer_as_stored (executor, turned, memory_budget, progress, user_data, &local, cancellable, error);
  cal_grid_orientation_code (cal_volume_get_grid (turned), local.network_orientation);
  if (prob != NULL && reorder)
    {
      g_autoptr(CalVolume) again = NULL;
      cal_axis_map_invert (&map, &back);
      again = cal_volume_reorder (prob, &back);
      /* The CT's own grid, not one recomputed from the reordered one. */
      g_clear_object (&prob);
      prob = cal_volume_new (grid, CAL_VOXEL_FLOAT32, cal_volume_get_bytes (again));
    }
  /* (infer_as_stored fills the whole of local: the codes go in after it.) */
  cal_grid_orientation_code (grid, local.stored_orientation);
  plane_pixel_on_ct_axes (&local, reorder ? &map : NULL);
  if (prob != NULL && stats)
    *stats = local;
  return g_steal_pointer (&prob);
}
