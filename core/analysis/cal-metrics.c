/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (cal-metrics-error-quark, cal_metrics_error)

void
cal_metrics_free (CalMetrics *metrics)
{
  if (metrics == NULL)
    return;
  g_free (metrics->deviation);
  g_free (metrics->deviation_index);
  g_free (metrics->device);
  cal_metrics_free (metrics->region);
  g_free (metrics->region_problem);
  g_free (metrics);
}

guint8 *
cal_metrics_surface (const guint8  *labels,
                     const guint32  dims[3])
{
  gsize nx = dims[0], ny = dims[1], nz = dims[2], sy = nx, sz = nx * ny;
  guint8 *surface = g_malloc0 (MAX (nx * ny * nz, 1));

  for (gsize k = 0; k < nz; k++)
    for (gsize j = 0; j < ny; j++)
      for (gsize i = 0; i < nx; i++)
        {
          gsize idx = i + j * sy + k * sz;
          if (!labels[idx])
            continue;
          surface[idx] = i == 0 || i == nx - 1 || j == 0 || j == ny - 1 || k == 0 || k == nz - 1 ||
                         !labels[idx - 1] || !labels[idx + 1] || !labels[idx - sy] ||
                         !labels[idx + sy] || !labels[idx - sz] || !labels[idx + sz];
        }
  return surface;
}

static void
swap_doubles (double *a,
              double *b)
{
  double t = *a;
  *a = *b;
  *b = t;
}

/* Moves the k-th smallest value to values[k], smaller ones before it and
 * larger ones after it (Hoare's selection, median-of-three pivots): O(n). */
static void
select_kth (double *values,
            gsize   n,
            gsize   k)
{
  gsize lo = 0, hi = n - 1;

  while (hi > lo)
    {
      gsize mid = lo + (hi - lo) / 2, i = lo, j = hi;
      double pivot;

      if (values[mid] < values[lo])
        swap_doubles (&values[mid], &values[lo]);
      if (values[hi] < values[lo])
        swap_doubles (&values[hi], &values[lo]);
      if (values[hi] < values[mid])
        swap_doubles (&values[hi], &values[mid]);
      pivot = values[mid];
      while (i <= j)
        {
          while (values[i] < pivot)
            i++;
          while (values[j] > pivot)
            j--;
          if (i <= j)
            {
              swap_doubles (&values[i], &values[j]);
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return;
    }
}

/* The q-quantile with linear interpolation between order statistics
 * (numpy's default, which MONAI uses).  Reorders values. */
double
cal_metrics_percentile (double *values,
                        gsize   n,
                        double  q)
{
  double pos, frac, next;
  gsize lo;

  if (n == 0)
    return NAN;
  pos = q * (double) (n - 1);
  lo = (gsize) floor (pos);
  frac = pos - (double) lo;
  select_kth (values, n, lo);
  if (lo + 1 >= n)
    return values[lo];
  next = values[lo + 1];
  for (gsize i = lo + 2; i < n; i++)
    next = MIN (next, values[i]);
  return values[lo] + frac * (next - values[lo]);
}

static gboolean
check_inputs (CalMask  *reference,
              CalMask  *test,
              CalMask  *roi,
              GError  **error)
{
  CalMask *masks[3] = { reference, test, roi };
  const char *names[3] = { "reference", "test", "region of interest" };

  for (int m = 0; m < 3; m++)
    {
      if (masks[m] == NULL)
        continue;
      if (!cal_grid_same_geometry (cal_mask_get_grid (reference), cal_mask_get_grid (masks[m]), 1e-3))
        {
          g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_GRID_MISMATCH,
                       "The %s mask is not on the reference's grid (size, spacing, origin or "
                       "orientation differ); resample it first", names[m]);
          return FALSE;
        }
      if (cal_mask_get_max_label (masks[m]) > 1)
        {
          g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_NOT_BINARY,
                       "The %s mask holds labels above 1; metrics compare one structure "
                       "(0 = background, 1 = bone)", names[m]);
          return FALSE;
        }
      if (m < 2 && cal_mask_count (masks[m], 1) == 0)
        {
          g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY,
                       "The %s mask is empty: surface distances are undefined", names[m]);
          return FALSE;
        }
    }
  return TRUE;
}

void
cal_metrics_set_overlap (CalMetrics    *m,
                         const guint64 *slice_a,
                         const guint64 *slice_b,
                         const guint64 *slice_ab,
                         guint32        n_slices)
{
  guint64 both = 0, na = 0, nb = 0;
  double sum = 0, inverse_sum = 0;
  guint n_counted = 0;
  gboolean any_zero = FALSE;

  for (guint32 k = 0; k < n_slices; k++)
    {
      both += slice_ab[k];
      na += slice_a[k];
      nb += slice_b[k];
      if (slice_a[k] + slice_b[k] > 0)
        {
          double d = 2.0 * (double) slice_ab[k] / (double) (slice_a[k] + slice_b[k]);
          sum += d;
          n_counted++;
          if (d == 0)
            any_zero = TRUE;
          else
            inverse_sum += 1.0 / d;
        }
    }
  m->dsc = 2.0 * (double) both / (double) (na + nb);
  m->dsc_slice_mean = n_counted ? sum / n_counted : NAN;
  m->dsc_slice_harmonic = n_counted == 0 ? NAN : any_zero ? 0.0 : n_counted / inverse_sum;
}

static void
overlap_metrics (const guint8  *a,
                 const guint8  *b,
                 const guint32  dims[3],
                 CalMetrics    *m)
{
  gsize plane = (gsize) dims[0] * dims[1];
  g_autofree guint64 *sa = g_new0 (guint64, dims[2]);
  g_autofree guint64 *sb = g_new0 (guint64, dims[2]);
  g_autofree guint64 *sab = g_new0 (guint64, dims[2]);

  for (guint32 k = 0; k < dims[2]; k++)
    for (gsize i = k * plane; i < (k + 1) * plane; i++)
      {
        sa[k] += a[i];
        sb[k] += b[i];
        sab[k] += a[i] & b[i];
      }
  cal_metrics_set_overlap (m, sa, sb, sab, dims[2]);
}

static void
voxel_index_to_patient (const CalGrid *grid,
                        gsize          idx,
                        double         p[3])
{
  const guint32 *dims = grid->dims;
  double ijk[3] = { idx % dims[0], (idx / dims[0]) % dims[1], idx / ((gsize) dims[0] * dims[1]) };

  cal_grid_voxel_to_patient (grid, ijk, p);
}

/* Distances from the surface voxels of `from` (inside roi) to the nearest
 * surface voxel of `to`, by brute force over all pairs. */
static double *
brute_force_distances (const guint8  *from_surface,
                       const guint8  *to_surface,
                       const guint8  *roi,
                       const CalGrid *grid,
                       guint64       *n_out)
{
  gsize n = cal_grid_n_voxels (grid);
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, sizeof (double[3]));
  GArray *result = g_array_new (FALSE, FALSE, sizeof (double));

  for (gsize idx = 0; idx < n; idx++)
    if (to_surface[idx])
      {
        double p[3];
        voxel_index_to_patient (grid, idx, p);
        g_array_append_vals (targets, p, 1);
      }
  for (gsize idx = 0; idx < n; idx++)
    if (from_surface[idx] && (roi == NULL || roi[idx]))
      {
        double p[3], best = INFINITY;
        voxel_index_to_patient (grid, idx, p);
        for (guint t = 0; t < targets->len; t++)
          {
            const double *q = &g_array_index (targets, double, 3 * t);
            double d2 = (p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                        (p[2] - q[2]) * (p[2] - q[2]);
            best = MIN (best, d2);
          }
        best = sqrt (best);
        g_array_append_val (result, best);
      }
  *n_out = result->len;
  return (double *) g_array_free (result, FALSE);
}

/* The same distances read from an exact distance transform of `to`. */
static double *
edt_distances (const guint8  *from_surface,
               const guint8  *to_surface,
               const guint8  *roi,
               const CalGrid *grid,
               guint64       *n_out)
{
  gsize n = cal_grid_n_voxels (grid);
  g_autofree double *edt = g_new (double, n);
  GArray *result = g_array_new (FALSE, FALSE, sizeof (double));
  double spacing[3];

  cal_grid_get_spacing (grid, spacing);
  cal_metrics_squared_edt (to_surface, grid->dims, spacing, edt);
  for (gsize idx = 0; idx < n; idx++)
    if (from_surface[idx] && (roi == NULL || roi[idx]))
      {
        double d = sqrt (edt[idx]);
        g_array_append_val (result, d);
      }
  *n_out = result->len;
  return (double *) g_array_free (result, FALSE);
}

void
cal_metrics_set_surface_distances (CalMetrics    *m,
                                   double        *d_ab,
                                   const guint32 *index_ab,
                                   guint64        n_ab,
                                   double        *d_ba,
                                   guint64        n_ba)
{
  double sum = 0, sum2 = 0, total = 0, max_ab = 0, max_ba = 0;

  m->n_surface_ref = n_ab;
  m->n_surface_test = n_ba;
  m->deviation = g_new (float, MAX (n_ab, 1));
  m->deviation_index = g_memdup2 (index_ab, MAX (n_ab, 1) * sizeof *index_ab);
  for (guint64 i = 0; i < n_ab; i++)
    {
      double v = d_ab[i];
      m->deviation[i] = (float) v;
      sum += v;
      sum2 += v * v;
      d_ab[i] = fabs (v);
      total += d_ab[i];
      max_ab = MAX (max_ab, d_ab[i]);
    }
  m->deviation_mean = sum / (double) n_ab;
  m->deviation_sd = n_ab > 1 ? sqrt (MAX (0.0, (sum2 - sum * sum / (double) n_ab) / (double) (n_ab - 1))) : 0.0;

  for (guint64 i = 0; i < n_ba; i++)
    {
      total += d_ba[i];
      max_ba = MAX (max_ba, d_ba[i]);
    }
  m->hd = MAX (max_ab, max_ba);
  m->assd = total / (double) (n_ab + n_ba);
  {
    double p_ab = cal_metrics_percentile (d_ab, n_ab, 0.95);
    double p_ba = cal_metrics_percentile (d_ba, n_ba, 0.95);
    m->hd95 = MAX (p_ab, p_ba);
  }
}

void
cal_metrics_set_region (CalMetrics    *m,
                        const guint8  *region,
                        const double  *d_ab,
                        const guint32 *index_ab,
                        guint64        n_ab,
                        const double  *d_ba,
                        const guint32 *index_ba,
                        guint64        n_ba)
{
  g_autofree double *in_ab = g_new (double, MAX (n_ab, 1)), *in_ba = g_new (double, MAX (n_ba, 1));
  g_autofree guint32 *in_index_ab = g_new (guint32, MAX (n_ab, 1));
  guint64 k_ab = 0, k_ba = 0;
  CalMetrics *r;

  for (guint64 i = 0; i < n_ab; i++)
    if (region[index_ab[i]])
      {
        in_ab[k_ab] = d_ab[i];
        in_index_ab[k_ab++] = index_ab[i];
      }
  for (guint64 i = 0; i < n_ba; i++)
    if (region[index_ba[i]])
      in_ba[k_ba++] = d_ba[i];
  if (k_ab == 0 || k_ba == 0)
    {
      m->region_problem = g_strdup_printf ("No %s surface inside the region of interest",
                                           k_ab == 0 ? "reference" : "test");
      return;
    }
  r = g_new0 (CalMetrics, 1);
  r->dsc = m->dsc;
  r->dsc_slice_mean = m->dsc_slice_mean;
  r->dsc_slice_harmonic = m->dsc_slice_harmonic;
  r->device = g_strdup (m->device);
  cal_metrics_set_surface_distances (r, in_ab, in_index_ab, k_ab, in_ba, k_ba);
  m->region = r;
}

static void
bounding_box (const guint8  *a,
              const guint8  *b,
              const guint32  dims[3],
              CalMetricsBox *box)
{
  guint32 lo[3] = { G_MAXUINT32, G_MAXUINT32, G_MAXUINT32 }, hi[3] = { 0, 0, 0 };
  gsize idx = 0;

  for (guint32 k = 0; k < dims[2]; k++)
    for (guint32 j = 0; j < dims[1]; j++)
      for (guint32 i = 0; i < dims[0]; i++, idx++)
        if (a[idx] | b[idx])
          {
            const guint32 p[3] = { i, j, k };
            for (int d = 0; d < 3; d++)
              {
                lo[d] = MIN (lo[d], p[d]);
                hi[d] = MAX (hi[d], p[d]);
              }
          }
  for (int d = 0; d < 3; d++)
    {
      if (lo[d] > hi[d])   /* both empty: keep the whole volume */
        {
          lo[d] = 0;
          hi[d] = dims[d] - 1;
        }
      box->origin[d] = lo[d];
      box->dims[d] = hi[d] - lo[d] + 1;
    }
}

static guint8 *
crop_labels (const guint8        *labels,
             const guint32        dims[3],
             const CalMetricsBox *box)
{
  gsize row = box->dims[0];
  guint8 *out = g_malloc ((gsize) box->dims[0] * box->dims[1] * box->dims[2]);
  guint8 *at = out;

  for (guint32 k = 0; k < box->dims[2]; k++)
    for (guint32 j = 0; j < box->dims[1]; j++, at += row)
      memcpy (at, labels + box->origin[0] + (gsize) dims[0] * ((j + box->origin[1]) +
              (gsize) dims[1] * (k + box->origin[2])), row);
  return out;
}

/* The grid of the box: same axes and spacing, origin moved to the box. */
static void
crop_grid (const CalGrid       *grid,
           const CalMetricsBox *box,
           CalGrid             *out)
{
  double corner[3] = { box->origin[0], box->origin[1], box->origin[2] }, p[3];

  *out = *grid;
  cal_grid_voxel_to_patient (grid, corner, p);
  for (int d = 0; d < 3; d++)
    {
      out->dims[d] = box->dims[d];
      out->affine[d][3] = p[d];
    }
}

gboolean
cal_metrics_crop_inputs (CalMask         *reference,
                         CalMask         *test,
                         CalMask         *roi,
                         CalMetricsCrop  *crop,
                         GError         **error)
{
  const CalGrid *grid = cal_mask_get_grid (reference);

  memset (crop, 0, sizeof *crop);
  if (!check_inputs (reference, test, roi, error))
    return FALSE;
  bounding_box (cal_mask_get_labels (reference), cal_mask_get_labels (test), grid->dims, &crop->box);
  crop_grid (grid, &crop->box, &crop->grid);
  crop->a = crop_labels (cal_mask_get_labels (reference), grid->dims, &crop->box);
  crop->b = crop_labels (cal_mask_get_labels (test), grid->dims, &crop->box);
  crop->roi = roi ? crop_labels (cal_mask_get_labels (roi), grid->dims, &crop->box) : NULL;
  return TRUE;
}

void
cal_metrics_crop_clear (CalMetricsCrop *crop)
{
  g_clear_pointer (&crop->a, g_free);
  g_clear_pointer (&crop->b, g_free);
  g_clear_pointer (&crop->roi, g_free);
}

guint32
cal_metrics_box_index_to_volume (const CalMetricsBox *box,
                                 const guint32        dims[3],
                                 gsize                idx)
{
  gsize i = idx % box->dims[0], j = (idx / box->dims[0]) % box->dims[1];
  gsize k = idx / ((gsize) box->dims[0] * box->dims[1]);

  return (guint32) (i + box->origin[0] + dims[0] * ((j + box->origin[1]) +
                    (gsize) dims[1] * (k + box->origin[2])));
}

gboolean
cal_metrics_check_region (CalMask  *reference,
                          CalMask  *region,
                          GError  **error)
{
  if (region == NULL || cal_grid_same_geometry (cal_mask_get_grid (reference), cal_mask_get_grid (region), 1e-3))
    return TRUE;
  g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_GRID_MISMATCH,
               "The region of interest is not on the masks' voxel grid");
  return FALSE;
}

/* The volume indices of the test's surface voxels its distance array was
 * collected at (surface and, when given, roi set), in the order collected. */
static guint32 *
collected_indices (const guint8 *surface, const guint8 *roi, const CalMetricsBox *box,
                   const guint32 volume_dims[3], guint64 n)
{
  guint32 *index = g_new (guint32, MAX (n, 1));

  for (gsize idx = 0, at = 0; at < n; idx++)
    if (surface[idx] && (roi == NULL || roi[idx]))
      index[at++] = cal_metrics_box_index_to_volume (box, volume_dims, idx);
  return index;
}

static CalMetrics *
compute_cpu (CalMask           *reference,
             CalMask           *test,
             CalMask           *roi,
             CalMask           *region,
             CalMetricsMethod   method,
             GCancellable      *cancellable,
             GError           **error)
{
  const CalGrid *volume_grid;
  g_auto(CalMetricsCrop) crop = { 0 };
  const guint8 *r;
  g_autofree guint8 *sa = NULL, *sb = NULL;
  g_autofree double *d_ab = NULL, *d_ba = NULL;
  g_autofree guint32 *index_ab = NULL, *index_ba = NULL;
  g_autoptr(CalMetrics) m = NULL;
  guint64 n_ab = 0, n_ba = 0;

  if (!cal_metrics_crop_inputs (reference, test, roi, &crop, error))
    return NULL;
  if (!cal_metrics_check_region (reference, region, error))
    return NULL;
  volume_grid = cal_mask_get_grid (reference);
  m = g_new0 (CalMetrics, 1);
  m->device = g_strdup ("cpu");
  overlap_metrics (cal_mask_get_labels (reference), cal_mask_get_labels (test), volume_grid->dims, m);

  r = crop.roi;
  sa = cal_metrics_surface (crop.a, crop.grid.dims);
  sb = cal_metrics_surface (crop.b, crop.grid.dims);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (method == CAL_METRICS_BRUTE_FORCE)
    {
      d_ab = brute_force_distances (sa, sb, r, &crop.grid, &n_ab);
      d_ba = brute_force_distances (sb, sa, r, &crop.grid, &n_ba);
    }
  else
    {
      d_ab = edt_distances (sa, sb, r, &crop.grid, &n_ab);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      d_ba = edt_distances (sb, sa, r, &crop.grid, &n_ba);
    }
  if (n_ab == 0 || n_ba == 0)
    {
      g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY,
                   "No %s surface inside the region of interest", n_ab == 0 ? "reference" : "test");
      return NULL;
    }

  /* Sign each reference distance by where it lies in the test mask, in the
   * same index order the distances were collected in. */
  index_ab = g_new (guint32, n_ab);
  for (gsize idx = 0, at = 0; at < n_ab; idx++)
    if (sa[idx] && (r == NULL || r[idx]))
      {
        if (!crop.b[idx])
          d_ab[at] = -d_ab[at];
        index_ab[at++] = cal_metrics_box_index_to_volume (&crop.box, volume_grid->dims, idx);
      }
  if (region)
    {
      index_ba = collected_indices (sb, r, &crop.box, volume_grid->dims, n_ba);
      cal_metrics_set_region (m, cal_mask_get_labels (region), d_ab, index_ab, n_ab, d_ba, index_ba, n_ba);
    }
  cal_metrics_set_surface_distances (m, d_ab, index_ab, n_ab, d_ba, n_ba);
  return g_steal_pointer (&m);
}

CalMetrics *
cal_metrics_compute_cpu (CalMask           *reference,
                         CalMask           *test,
                         CalMask           *roi,
                         CalMetricsMethod   method,
                         GCancellable      *cancellable,
                         GError           **error)
{
  return compute_cpu (reference, test, roi, NULL, method, cancellable, error);
}

CalMetrics *
cal_metrics_compute_cpu_with_region (CalMask           *reference,
                                     CalMask           *test,
                                     CalMask           *region,
                                     CalMetricsMethod   method,
                                     GCancellable      *cancellable,
                                     GError           **error)
{
  return compute_cpu (reference, test, NULL, region, method, cancellable, error);
}
