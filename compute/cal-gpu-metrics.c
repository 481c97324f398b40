/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Surface metrics on the GPU.  The masks are cropped to their bounding box
 * on the host (exact: see CalMetricsBox), then four kernels run:
 *
 *   metrics-rows    per x-row counts: voxels of A, B, A∩B; surface voxels
 *   edt-rows        distance transform pass along x (exact, in voxels)
 *   edt-lines       passes along y and z (lower envelope of parabolas)
 *   metrics-gather  squared distances at the other surface, in voxel order
 *
 * The host turns row counts into per-slice DSC and output offsets, and the
 * gathered values into HD, HD95, ASSD and the signed deviation (in double,
 * by the same code as the CPU path).
 */
#include "cal-gpu-metrics.h"

#include <math.h>
#include <string.h>

#include "cal-vk-private.h"

#define SCRATCH_BUDGET       (256u << 20)

/* Passes differ in cost per step (the z pass skips columns), so each
 * has its own measured throughput. */
enum { PASS_ROWS, PASS_EDT_X, PASS_EDT_Y, PASS_EDT_Z, PASS_GATHER, N_PASSES };

enum { BUF_A, BUF_B, BUF_ROI, BUF_DIST2, BUF_SCRATCH, BUF_ROWS, BUF_OFFSETS,
       BUF_OUT_DIST2, BUF_OUT_INDEX, BUF_COLUMNS, N_BUFFERS };

/* Mirrors the push constant block of shaders/metrics-common.glsl. */
typedef struct {
  guint32 dims[4];
  guint32 first, count, axis, which;
  float   spacing;
  guint32 scratch_lines;
  guint64 address[N_BUFFERS];
} MetricsPush;
G_STATIC_ASSERT (sizeof (MetricsPush) == 120);

typedef struct {
  CalVkContext   *context;         /* borrowed */
  CalVkKernel    *rows;            /* owned, and the three below */
  CalVkKernel    *edt_rows;
  CalVkKernel    *edt_lines;
  CalVkKernel    *gather;
  CalVkBuffer    *buffers[N_BUFFERS]; /* owned */
  MetricsPush     push;
  guint32         dims[3];
  double          spacing[3];
  double          steps_per_ms[N_PASSES]; /* measured throughput per pass */
  guint32        *active_columns[2];   /* owned: prefix counts of z-columns with
                                        * a surface voxel of A, of B */
  guint64         steps_done;
  guint64         steps_total;
  CalProgressFunc progress;
  gpointer        progress_data;
  GCancellable   *cancellable;
} Run;

static void
run_free (Run *run)
{
  cal_vk_kernel_free (run->context, run->rows);
  cal_vk_kernel_free (run->context, run->edt_rows);
  cal_vk_kernel_free (run->context, run->edt_lines);
  cal_vk_kernel_free (run->context, run->gather);
  for (int b = 0; b < N_BUFFERS; b++)
    cal_vk_buffer_free (run->context, run->buffers[b]);
  g_free (run->active_columns[0]);
  g_free (run->active_columns[1]);
}

static gboolean
create_kernels (Run     *run,
                GError **error)
{
  return (run->rows = cal_vk_kernel_new (run->context, "metrics-rows", sizeof (MetricsPush), error)) &&
         (run->edt_rows = cal_vk_kernel_new (run->context, "edt-rows", sizeof (MetricsPush), error)) &&
         (run->edt_lines = cal_vk_kernel_new (run->context, "edt-lines", sizeof (MetricsPush), error)) &&
         (run->gather = cal_vk_kernel_new (run->context, "metrics-gather", sizeof (MetricsPush), error));
}

static gboolean
allocate (Run          *run,
          int           which,
          VkDeviceSize  size,
          const char   *what,
          GError      **error)
{
  cal_vk_buffer_free (run->context, run->buffers[which]);
  run->buffers[which] = cal_vk_buffer_new (run->context, size, what, error);
  if (run->buffers[which] == NULL)
    return FALSE;
  run->push.address[which] = run->buffers[which]->address;
  return TRUE;
}

static gboolean
upload_labels (Run          *run,
               int           which,
               const guint8 *labels,
               gsize         n,
               const char   *what,
               GError      **error)
{
  /* Shaders read whole words: round up, the tail is never looked at. */
  return allocate (run, which, (n + 3) & ~(gsize) 3, what, error) &&
         cal_vk_buffer_upload (run->context, run->buffers[which], 0, labels, n, error);
}

static void
report_progress (Run *run)
{
  if (run->progress)
    run->progress (MIN (1.0, (double) run->steps_done / (double) run->steps_total), run->progress_data);
}

/* Steps of items [first, first + count): every item costs one step to
 * look at; active ones (all, without a prefix count) steps_per_item. */
static double
pass_steps (const guint32 *active_prefix,
            guint32        first,
            guint32        count,
            guint32        steps_per_item)
{
  guint32 active = active_prefix ? active_prefix[first + count] - active_prefix[first] : count;
  return (double) active * steps_per_item + count;
}

/* The most items from first that fit in budget steps (at least one). */
static guint32
items_within (const guint32 *active_prefix,
              guint32        first,
              guint32        most,
              guint32        steps_per_item,
              double         budget)
{
  guint32 lo = 1, hi = most;

  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo + 1) / 2;
      if (pass_steps (active_prefix, first, mid, steps_per_item) <= budget)
        lo = mid;
      else
        hi = mid - 1;
    }
  return lo;
}

/* Runs kernel over n_items rows or lines, one dispatch per submission,
 * each sized from the throughput measured so far to take about the
 * context's submission target.  active_prefix (nullable, n_items + 1
 * entries) counts the items that do real work; the others return at once. */
static gboolean
run_pass (Run           *run,
          CalVkKernel   *kernel,
          int            pass,
          guint32        n_items,
          guint32        steps_per_item,
          guint32        max_items,
          const guint32 *active_prefix,
          GError       **error)
{
  double target_ms = cal_vk_context_get_submission_target (run->context);
  double *steps_per_ms = &run->steps_per_ms[pass];

  for (guint32 first = 0; first < n_items;)
    {
      guint32 count = items_within (active_prefix, first, MIN (max_items, n_items - first),
                                    steps_per_item, target_ms * *steps_per_ms);
      double steps = pass_steps (active_prefix, first, count, steps_per_item), ms;
      gint64 start;

      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;
      run->push.first = first;
      run->push.count = count;
      start = g_get_monotonic_time ();
      if (!cal_vk_batch_begin (run->context, error))
        return FALSE;
      cal_vk_batch_barrier (run->context);
      cal_vk_batch_dispatch (run->context, kernel, &run->push, count);
      if (!cal_vk_batch_submit (run->context, error))
        return FALSE;
      ms = (double) (g_get_monotonic_time () - start) / 1000.0;
      /* Short submissions measure mostly overhead, and work varies along
       * a pass: grow at most twofold per submission. */
      *steps_per_ms = ms < target_ms / 4 ? *steps_per_ms * 2 : MIN (steps / ms, *steps_per_ms * 2);
      first += count;
      run->steps_done += (guint64) count * steps_per_item;
      report_progress (run);
    }
  return TRUE;
}

/* Squared distances to the surface of `which`, in BUF_DIST2. */
static gboolean
distance_transform (Run     *run,
                    guint32  which,
                    GError **error)
{
  const guint32 *d = run->dims;
  guint32 scratch_lines = run->push.scratch_lines;

  run->push.which = which;
  run->push.spacing = (float) run->spacing[0];
  if (!run_pass (run, run->edt_rows, PASS_EDT_X, d[1] * d[2], d[0], G_MAXUINT32, NULL, error))
    return FALSE;
  run->push.axis = 1;
  run->push.spacing = (float) run->spacing[1];
  if (!run_pass (run, run->edt_lines, PASS_EDT_Y, d[0] * d[2], d[1], scratch_lines, NULL, error))
    return FALSE;
  run->push.axis = 2;
  run->push.spacing = (float) run->spacing[2];
  /* The z pass works only on columns where the other mask is queried. */
  return run_pass (run, run->edt_lines, PASS_EDT_Z, d[0] * d[1], d[2], scratch_lines,
                   run->active_columns[1 - which], error);
}

/* Per-slice DSC counts and the output offsets of each row's surface
 * voxels (exclusive prefix sums), from the rows kernel's counts. */
static void
digest_row_counts (Run           *run,
                   const guint32 *counts,
                   CalMetrics    *m,
                   guint32       *offsets_a,
                   guint32       *offsets_b,
                   guint64       *n_a,
                   guint64       *n_b)
{
  guint32 ny = run->dims[1], nz = run->dims[2];
  g_autofree guint64 *slice_a = g_new0 (guint64, nz);
  g_autofree guint64 *slice_b = g_new0 (guint64, nz);
  g_autofree guint64 *slice_ab = g_new0 (guint64, nz);

  *n_a = *n_b = 0;
  for (guint32 row = 0; row < ny * nz; row++)
    {
      const guint32 *c = counts + 5 * (gsize) row;
      slice_a[row / ny] += c[0];
      slice_b[row / ny] += c[1];
      slice_ab[row / ny] += c[2];
      offsets_a[row] = (guint32) *n_a;
      offsets_b[row] = (guint32) *n_b;
      *n_a += c[3];
      *n_b += c[4];
    }
  cal_metrics_set_overlap (m, slice_a, slice_b, slice_ab, nz);
}

/* Prefix counts of the z-columns flagged by the rows kernel, per mask:
 * they size the z pass's dispatches by the work they really hold. */
static gboolean
count_active_columns (Run     *run,
                      GError **error)
{
  gsize n = (gsize) run->dims[0] * run->dims[1];
  g_autofree guint32 *flags = g_new (guint32, n);

  if (!cal_vk_buffer_download (run->context, run->buffers[BUF_COLUMNS], 0, flags, n * sizeof *flags, error))
    return FALSE;
  for (int m = 0; m < 2; m++)
    {
      run->active_columns[m] = g_new (guint32, n + 1);
      run->active_columns[m][0] = 0;
      for (gsize c = 0; c < n; c++)
        run->active_columns[m][c + 1] = run->active_columns[m][c] + ((flags[c] >> m) & 1);
    }
  return TRUE;
}

/* Distances from the surface of `which` (0: A, 1: B) to the other one. */
static gboolean
gather (Run            *run,
        guint32         which,
        const guint32  *offsets,
        guint64         n,
        float          *dist2,
        guint32        *index,
        GError        **error)
{
  guint32 rows = run->dims[1] * run->dims[2];

  if (!distance_transform (run, 1 - which, error) ||
      !cal_vk_buffer_upload (run->context, run->buffers[BUF_OFFSETS], 0, offsets, rows * sizeof *offsets, error))
    return FALSE;
  run->push.which = which;
  return run_pass (run, run->gather, PASS_GATHER, rows, run->dims[0], G_MAXUINT32, NULL, error) &&
         cal_vk_buffer_download (run->context, run->buffers[BUF_OUT_DIST2], 0, dist2, n * sizeof *dist2, error) &&
         (index == NULL ||
          cal_vk_buffer_download (run->context, run->buffers[BUF_OUT_INDEX], 0, index, n * sizeof *index, error));
}

static gboolean
check_size (const guint32  dims[3],
            GError       **error)
{
  guint64 n = (guint64) dims[0] * dims[1] * dims[2];

  if (n >= G_MAXUINT32 / 2 || (guint64) dims[1] * dims[2] * 5 >= G_MAXUINT32)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_UNSUPPORTED,
                   "The masks' bounding box (%u×%u×%u voxels) is too large for the GPU kernels "
                   "(2³¹ voxels at most); use the CPU", dims[0], dims[1], dims[2]);
      return FALSE;
    }
  return TRUE;
}

/* Runs everything after cropping; fills m.  run holds what to free. */
static gboolean
compute (Run                  *run,
         const CalMetricsCrop *crop,
         const guint32         volume_dims[3],
         CalMask              *region,
         CalMetrics           *m,
         GError              **error)
{
  const guint32 *d = run->dims;
  gsize n = (gsize) d[0] * d[1] * d[2], rows = (gsize) d[1] * d[2];
  guint32 longest = MAX (d[1], d[2]);
  g_autofree guint32 *counts = g_new (guint32, 5 * rows);
  g_autofree guint32 *offsets_a = g_new (guint32, rows), *offsets_b = g_new (guint32, rows);
  g_autofree float *dist2_ab = NULL, *dist2_ba = NULL;
  g_autofree guint32 *index_ab = NULL, *index_ba = NULL;
  g_autofree double *d_ab = NULL, *d_ba = NULL;
  guint64 n_ab, n_ba;

  run->push.scratch_lines = (guint32) CLAMP (SCRATCH_BUDGET / (3 * 4 * (gsize) longest), 1,
                                             MAX (d[0] * d[2], d[0] * d[1]));
  if (!create_kernels (run, error) ||
      !upload_labels (run, BUF_A, crop->a, n, "the reference mask", error) ||
      !upload_labels (run, BUF_B, crop->b, n, "the test mask", error) ||
      !upload_labels (run, BUF_ROI, crop->roi ? crop->roi : crop->a, n, "the region of interest", error) ||
      !allocate (run, BUF_ROWS, 5 * rows * sizeof (guint32), "row counts", error) ||
      !allocate (run, BUF_OFFSETS, rows * sizeof (guint32), "row offsets", error) ||
      !allocate (run, BUF_COLUMNS, (gsize) d[0] * d[1] * sizeof (guint32), "column flags", error) ||
      !cal_vk_buffer_fill (run->context, run->buffers[BUF_COLUMNS], 0, error) ||
      !allocate (run, BUF_DIST2, n * sizeof (float), "the distance map", error) ||
      !allocate (run, BUF_SCRATCH, (VkDeviceSize) 3 * longest * run->push.scratch_lines * 4,
                 "distance-transform scratch", error))
    return FALSE;

  if (!run_pass (run, run->rows, PASS_ROWS, rows, d[0], G_MAXUINT32, NULL, error) ||
      !cal_vk_buffer_download (run->context, run->buffers[BUF_ROWS], 0, counts, 5 * rows * sizeof *counts, error))
    return FALSE;
  digest_row_counts (run, counts, m, offsets_a, offsets_b, &n_ab, &n_ba);
  if (!count_active_columns (run, error))
    return FALSE;
  if (n_ab == 0 || n_ba == 0)
    {
      g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY,
                   "No %s surface inside the region of interest", n_ab == 0 ? "reference" : "test");
      return FALSE;
    }

  dist2_ab = g_new (float, n_ab);
  dist2_ba = g_new (float, n_ba);
  index_ab = g_new (guint32, n_ab);
  index_ba = region ? g_new (guint32, n_ba) : NULL;
  if (!allocate (run, BUF_OUT_DIST2, MAX (n_ab, n_ba) * sizeof (float), "surface distances", error) ||
      !allocate (run, BUF_OUT_INDEX, MAX (n_ab, n_ba) * sizeof (guint32), "surface voxel indices", error) ||
      !gather (run, 0, offsets_a, n_ab, dist2_ab, index_ab, error) ||
      !gather (run, 1, offsets_b, n_ba, dist2_ba, index_ba, error))
    return FALSE;

  /* Square roots in double on the host: one rounding less than the GPU's. */
  d_ab = g_new (double, n_ab);
  d_ba = g_new (double, n_ba);
  for (guint64 i = 0; i < n_ab; i++)
    {
      d_ab[i] = dist2_ab[i] < 0 ? -sqrt (-(double) dist2_ab[i]) : sqrt ((double) dist2_ab[i]);
      index_ab[i] = cal_metrics_box_index_to_volume (&crop->box, volume_dims, index_ab[i]);
    }
  for (guint64 i = 0; i < n_ba; i++)
    d_ba[i] = sqrt ((double) dist2_ba[i]);
  if (region)
    {
      for (guint64 i = 0; i < n_ba; i++)
        index_ba[i] = cal_metrics_box_index_to_volume (&crop->box, volume_dims, index_ba[i]);
      cal_metrics_set_region (m, cal_mask_get_labels (region), d_ab, index_ab, n_ab, d_ba, index_ba, n_ba);
    }
  cal_metrics_set_surface_distances (m, d_ab, index_ab, n_ab, d_ba, n_ba);
  return TRUE;
}

static CalMetrics *
gpu_metrics_compute (CalVkContext     *context,
                     CalMask          *reference,
                     CalMask          *test,
                     CalMask          *roi,
                     CalMask          *region,
                     CalProgressFunc   progress,
                     gpointer          progress_data,
                     GCancellable     *cancellable,
                     GError          **error)
{
  const CalGrid *grid;
  g_auto(CalMetricsCrop) crop = { 0 };
  g_autoptr(CalMetrics) m = NULL;
  Run run = { .context = context, .progress = progress, .progress_data = progress_data,
              .cancellable = cancellable };
  gboolean ok;
  gsize n;

  g_return_val_if_fail (CAL_IS_VK_CONTEXT (context), NULL);
  if (!cal_metrics_crop_inputs (reference, test, roi, &crop, error) ||
      !check_size (crop.box.dims, error))
    return NULL;
  if (!cal_metrics_check_region (reference, region, error))
    return NULL;
  grid = cal_mask_get_grid (reference);

  memcpy (run.dims, crop.box.dims, sizeof run.dims);
  cal_grid_get_spacing (&crop.grid, run.spacing);
  memcpy (run.push.dims, crop.box.dims, sizeof crop.box.dims);
  run.push.dims[3] = crop.roi != NULL;
  n = (gsize) crop.box.dims[0] * crop.box.dims[1] * crop.box.dims[2];
  run.steps_total = 8 * (guint64) n;   /* rows, 2 × (3 EDT passes + gather) */
  for (int k = 0; k < (int) G_N_ELEMENTS (run.steps_per_ms); k++)
    run.steps_per_ms[k] = cal_vk_context_get_info (context)->kind == CAL_VK_DEVICE_CPU ? 5e3 : 2e5;

  m = g_new0 (CalMetrics, 1);
  m->device = g_strdup (cal_vk_context_get_info (context)->name);
  ok = compute (&run, &crop, grid->dims, region, m, error);
  run_free (&run);
  return ok ? g_steal_pointer (&m) : NULL;
}

CalMetrics *
cal_gpu_metrics_compute (CalVkContext     *context,
                         CalMask          *reference,
                         CalMask          *test,
                         CalMask          *roi,
                         CalProgressFunc   progress,
                         gpointer          progress_data,
                         GCancellable     *cancellable,
                         GError          **error)
{
  return gpu_metrics_compute (context, reference, test, roi, NULL, progress, progress_data, cancellable, error);
}

CalMetrics *
cal_gpu_metrics_compute_with_region (CalVkContext     *context,
                                     CalMask          *reference,
                                     CalMask          *test,
                                     CalMask          *region,
                                     CalProgressFunc   progress,
                                     gpointer          progress_data,
                                     GCancellable     *cancellable,
                                     GError          **error)
{
  return gpu_metrics_compute (context, reference, test, NULL, region, progress, progress_data, cancellable, error);
}
