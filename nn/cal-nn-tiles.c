/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cutting a CT into patches for a network: the resampled, padded extent,
 * the largest patch whose activations fit the device's memory budget, the
 * halo from the network's reach (nn/cal-nn-reach.c), and the patches
 * along each axis. */
#include "cal-nn-volume-private.h"
#include "cal-nn-private.h"

#include <math.h>

#include "cal-grid.h"

static guint32
round_up (guint32 v,
          guint   m)
{
  return (v + m - 1) / m * m;
}

/* Shape index of axis a (x is the last). */
static guint
shape_axis (const VolumeGeometry *g,
            guint                 a)
{
  return g->rank - 1 - a;
}

static gboolean
check_model (CalNnGraph        *graph,
             const CalNnShape  *in,
             GError           **error)
{
  if (graph->inputs->len != 1 || graph->outputs->len != 1 || (in->rank != 4 && in->rank != 5))
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Segmenting a CT needs a model with one input (batch × channels × [depth ×] height × width) "
                   "and one output; this one has %u inputs of rank %u", graph->inputs->len, in->rank);
      return FALSE;
    }
  if (in->rank == 5 && in->d[1] > 1)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "This 3-D model takes %" G_GINT64_FORMAT " input channels; over a CT, 3-D models take one "
                   "(the windowed CT)", in->d[1]);
      return FALSE;
    }
  return TRUE;
}

/* The CT at the model's spacing may not outgrow what a grid can index:
 * a model asking for 1e-9 mm voxels is refused here, not overflowed. */
#define MAX_RESAMPLED_VOXELS (G_GUINT64_CONSTANT (1) << 32)

static gboolean
plan_extent (CalNnGraph       *graph,
             CalVolume        *ct,
             const CalNnShape *in,
             VolumeGeometry   *g,
             GError          **error)
{
  double resampled = 1;

  const CalGrid *grid = cal_volume_get_grid (ct);
  guint spatial = in->rank - 2;
  double spacing[3];

  cal_grid_get_spacing (grid, spacing);
  memset (g, 0, sizeof *g);
  g->pre = &graph->preprocess;
  g->rank = in->rank;
  g->channels = in->rank == 4 ? g->pre->context_slices : 1;
  g->align = MAX (g->pre->size_multiple, 1);
  for (guint a = 0; a < 3; a++)
    {
      g->n[a] = grid->dims[a];
      g->step[a] = a < spatial && g->pre->spacing[a] > 0 ? g->pre->spacing[a] / spacing[a] : 1;
    }
  /* Within 1 % of the model's spacing, or within the range of pixel
   * sizes it was trained on, the CT is used as it is. */
  if ((fabs (g->step[0] - 1) < 0.01 && fabs (g->step[1] - 1) < 0.01) || cal_nn_spacing_in_range (g->pre->spacing_range, spacing))
    g->step[0] = g->step[1] = 1;
  if (fabs (g->step[2] - 1) < 0.01)
    g->step[2] = 1;
  for (guint a = 0; a < 3; a++)
    resampled *= MAX (1.0, round (g->n[a] / g->step[a]));
  if (!(resampled <= (double) MAX_RESAMPLED_VOXELS))
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "At the model's voxel size (calvaria.spacing_mm %g × %g × %g mm) this CT "
                   "would become %.3g voxels, more than %" G_GUINT64_FORMAT "; the model's "
                   "spacing does not suit a CT", g->pre->spacing[0], g->pre->spacing[1],
                   g->pre->spacing[2], resampled, MAX_RESAMPLED_VOXELS);
      return FALSE;
    }
  for (guint a = 0; a < 3; a++)
    {
      g->r[a] = MAX (1, (guint32) lround (g->n[a] / g->step[a]));
      g->p[a] = a < spatial ? round_up (g->r[a], g->align) : g->r[a];
      g->patch[a] = a < spatial ? g->p[a] : 1;
      if (a < spatial && in->d[shape_axis (g, a)] > 0)
        {
          g->fixed[a] = TRUE;
          g->patch[a] = (guint32) in->d[shape_axis (g, a)];
          g->p[a] = MAX (g->p[a], g->patch[a]);
        }
    }
  return TRUE;
}

void
nn_volume_patch_shape (const VolumeGeometry *g,
                       guint                 batch,
                       CalNnShape           *shape)
{
  *shape = (CalNnShape) { g->rank, { batch, g->channels } };
  for (guint a = 0; a < g->rank - 2; a++)
    shape->d[shape_axis (g, a)] = g->patch[a];
}

static guint64
patch_bytes (CalNnExecutor        *executor,
             const VolumeGeometry *g,
             guint                 batch,
             GError              **error)
{
  CalNnShape shape;

  nn_volume_patch_shape (g, batch, &shape);
  return cal_nn_executor_plan_bytes (executor, &shape, error);
}

/* A halo covering the reach keeps the result exact; one over a quarter of
 * the patch would waste more than half of every run, so it is capped
 * there and the seams may differ slightly (as in any sliding window). */
static void
choose_halos (CalNnGraph     *graph,
              VolumeGeometry *g)
{
  CalNnReach reach;
  gboolean local = cal_nn_graph_reach (graph, g->rank, &reach);

  g->exact = TRUE;
  g->shortfall = 0;
  for (guint a = 0; a < g->rank - 2; a++)
    {
      guint align = MAX (g->align, local ? reach.alignment[shape_axis (g, a) - 2] : 1);
      /* At least an alignment step, but always under half the patch, so
       * that every patch has a core (a model's fixed size can be small). */
      guint32 cap = MIN (MAX (align, g->patch[a] / 4 / align * align), (g->patch[a] - 1) / 2 / align * align);
      guint32 needed = local ? round_up ((guint32) ceil (reach.radius[shape_axis (g, a) - 2] - 1e-9), align) : cap + 1;
      if (g->patch[a] >= g->p[a])
        continue;
      g->halo[a] = MIN (needed, cap);
      g->exact &= needed <= cap && align == g->align && g->patch[a] % align == 0;
      /* A global operator's reach is the whole extent. */
      g->shortfall = MAX (g->shortfall, (local ? needed : g->p[a]) - g->halo[a]);
    }
}

/* Voxels the network computes under a plan: patches times patch size
 * along each axis (2-D models: per slice). */
static guint64
plan_work (const VolumeGeometry *g,
           guint                *n_patches)
{
  guint64 work = 1;

  *n_patches = 1;
  for (guint a = 0; a < g->rank - 2; a++)
    {
      g_autoptr(GArray) tiles = nn_volume_axis_tiles (g, a);
      work *= (guint64) tiles->len * g->patch[a];
      *n_patches *= tiles->len;
    }
  return work;
}

typedef struct {
  VolumeGeometry g;
  guint64        one, work;
  guint          n_patches;
  gboolean       found;
} PatchChoice;

/* Exact plans first (their result equals one run), then the halos that
 * miss the least of the network's reach (the seams closest to one run),
 * then the least work, then the fewest patches. */
static gboolean
better_choice (const PatchChoice *c,
               const PatchChoice *best)
{
  if (!best->found || c->g.exact != best->g.exact)
    return !best->found || c->g.exact;
  if (c->g.shortfall != best->g.shortfall)
    return c->g.shortfall < best->g.shortfall;
  if (c->work != best->work)
    return c->work < best->work;
  return c->n_patches < best->n_patches;
}

static guint32
smallest_size (const VolumeGeometry *g,
               guint                 a)
{
  return MIN (4 * g->align, g->p[a]);
}

/* The largest size along axis a (alignment steps, the rest of the patch
 * as it is) at which one patch fits the budget; 0 if none does, and
 * FALSE with error set if the network rejects a shape. */
static gboolean
largest_fitting (CalNnExecutor   *executor,
                 guint64          budget,
                 VolumeGeometry  *g,
                 guint            a,
                 guint64         *one,
                 GError         **error)
{
  guint32 lo = smallest_size (g, a) / g->align, hi = g->p[a] / g->align, found = 0;
  guint64 bytes;

  while (lo <= hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      g->patch[a] = mid * g->align;
      if ((bytes = patch_bytes (executor, g, 1, error)) == 0)
        return FALSE;
      if (bytes <= budget)
        found = mid, *one = bytes, lo = mid + 1;
      else
        hi = mid - 1;
    }
  g->patch[a] = found * g->align;
  return TRUE;
}

/* Tries one patch size for the free axes other than the last, the largest
 * that fits for the last, and keeps it if it is the best plan so far. */
static gboolean
try_patch (CalNnExecutor   *executor,
           CalNnGraph      *graph,
           guint64          budget,
           VolumeGeometry   g,
           guint            last_free,
           PatchChoice     *best,
           GError         **error)
{
  PatchChoice c = { .found = TRUE };

  if (!largest_fitting (executor, budget, &g, last_free, &c.one, error))
    return FALSE;
  if (g.patch[last_free] == 0)
    return TRUE;
  choose_halos (graph, &g);
  c.g = g;
  c.work = plan_work (&g, &c.n_patches);
  if (better_choice (&c, best))
    *best = c;
  return TRUE;
}

/* When the whole extent does not fit, searches the patch shapes that do
 * (about 32 sizes per free axis) for the best plan (better_choice); the
 * caller chooses the halos of the shape returned.
 * Shrinking every axis alike cuts a slice just over the budget into four
 * overlapping squares; a strip of whole rows, with the same halo, often
 * needs half the work. */
static gboolean
choose_patch (CalNnExecutor   *executor,
              CalNnGraph      *graph,
              guint64          budget,
              VolumeGeometry  *g,
              guint64         *one,
              GError         **error)
{
  guint free_axes[3], n_free = 0, step[3];
  PatchChoice best = { .found = FALSE };

  for (guint a = 0; a < g->rank - 2; a++)
    if (!g->fixed[a])
      {
        free_axes[n_free++] = a;
        step[a] = round_up (MAX (g->align, (g->p[a] + 31) / 32), g->align);
      }
  if ((*one = patch_bytes (executor, g, 1, error)) == 0)
    return FALSE;
  if (*one <= budget)
    return TRUE;
  if (n_free > 0)
    {
      /* An odometer over the sizes of all free axes but the last. */
      VolumeGeometry trial = *g;
      for (guint k = 0; k + 1 < n_free; k++)
        trial.patch[free_axes[k]] = smallest_size (g, free_axes[k]);
      for (;;)
        {
          guint k;
          if (!try_patch (executor, graph, budget, trial, free_axes[n_free - 1], &best, error))
            return FALSE;
          for (k = 0; k + 1 < n_free; k++)
            {
              guint a = free_axes[k];
              if (trial.patch[a] < g->p[a])
                {
                  trial.patch[a] = MIN (g->p[a], trial.patch[a] + step[a]);
                  break;
                }
              trial.patch[a] = smallest_size (g, a);
            }
          if (k + 1 >= n_free)
            break;
        }
    }
  if (!best.found)
    {
      g_autofree char *needed = NULL, *available = NULL, *message = NULL;
      for (guint k = 0; k < n_free; k++)
        g->patch[free_axes[k]] = smallest_size (g, free_axes[k]);
      needed = g_format_size_full (patch_bytes (executor, g, 1, NULL), G_FORMAT_SIZE_IEC_UNITS);
      available = g_format_size_full (budget, G_FORMAT_SIZE_IEC_UNITS);
      message = g_strdup_printf ("Even a patch of %u × %u%s voxels needs %s of %s for the network; "
                                 "%s are available. Use a device with more memory or a model with a coarser "
                                 "spacing", g->patch[0], g->patch[1], g->rank == 5 ? " × …" : "", needed,
                                 cal_nn_executor_get_memory_name (executor), available);
      cal_nn_executor_set_out_of_memory (executor, error, message);
      return FALSE;
    }
  *g = best.g;
  *one = best.one;
  return TRUE;
}

gboolean
nn_volume_plan (CalNnExecutor   *executor,
                CalVolume       *ct,
                guint64          budget,
                VolumeGeometry  *g,
                guint           *batch,
                GError         **error)
{
  CalNnGraph *graph = cal_nn_executor_get_graph (executor);
  const CalNnShape *in = &cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, 0))->shape;
  guint64 one;

  if (!check_model (graph, in, error))
    return FALSE;
  if (!plan_extent (graph, ct, in, g, error))
    return FALSE;
  if (budget == 0)
    {
      if ((one = patch_bytes (executor, g, 1, error)) == 0)
        return FALSE;
      *batch = 4;
    }
  else
    {
      if (!choose_patch (executor, graph, budget, g, &one, error))
        return FALSE;
      *batch = (guint) CLAMP (budget / one, 1, 16);
    }
  choose_halos (graph, g);
  return TRUE;
}

GArray *
nn_volume_axis_tiles (const VolumeGeometry *g,
                      guint                 a)
{
  GArray *tiles = g_array_new (FALSE, FALSE, sizeof (AxisTile));
  guint32 extent = g->p[a], size = g->patch[a], halo = g->halo[a], c = 0;

  if (a == 2 && g->rank == 4)
    {
      for (guint32 k = 0; k < g->r[2]; k++)
        g_array_append_val (tiles, ((AxisTile) { k, k, k + 1 }));
      return tiles;
    }
  /* Each patch starts a halo before the first voxel it is responsible for
   * (held inside the extent) and answers for everything up to a halo
   * before its end, or up to the extent's end. */
  while (c < extent)
    {
      guint32 start = c > halo ? MIN (c - halo, extent - size) : 0;
      guint32 hi = start + size >= extent ? extent : start + size - halo;
      g_array_append_val (tiles, ((AxisTile) { start, c, hi }));
      c = hi;
    }
  return tiles;
}
