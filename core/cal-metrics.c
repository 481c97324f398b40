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

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* The q-quantile with linear interpolation between order statistics
 * (numpy's default, which MONAI uses).  Sorts values in place. */
double
cal_metrics_percentile (double *values,
                        gsize   n,
                        double  q)
{
  double pos, frac;
  gsize lo;

  if (n == 0)
    return NAN;
  qsort (values, n, sizeof *values, compare_doubles);
  pos = q * (double) (n - 1);
  lo = (gsize) floor (pos);
  frac = pos - (double) lo;
  if (lo + 1 >= n)
    return values[n - 1];
  return values[lo] + frac * (values[lo + 1] - values[lo]);
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

static void
overlap_metrics (const guint8  *a,
                 const guint8  *b,
                 const guint32  dims[3],
                 CalMetrics    *m)
{
  gsize plane = (gsize) dims[0] * dims[1];
  guint64 both = 0, na = 0, nb = 0;
  double sum = 0, inverse_sum = 0;
  guint n_slices = 0;
  gboolean any_zero = FALSE;

  for (guint32 k = 0; k < dims[2]; k++)
    {
      guint64 sb = 0, sa = 0, sab = 0;
      for (gsize i = k * plane; i < (k + 1) * plane; i++)
        {
          sa += a[i];
          sb += b[i];
          sab += a[i] & b[i];
        }
      both += sab;
      na += sa;
      nb += sb;
      if (sa + sb > 0)
        {
          double d = 2.0 * sab / (double) (sa + sb);
          sum += d;
          n_slices++;
          if (d == 0)
            any_zero = TRUE;
          else
            inverse_sum += 1.0 / d;
        }
    }
  m->dsc = 2.0 * both / (double) (na + nb);
  m->dsc_slice_mean = n_slices ? sum / n_slices : NAN;
  m->dsc_slice_harmonic = n_slices == 0 ? NAN : any_zero ? 0.0 : n_slices / inverse_sum;
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

static void
surface_metrics (double         *d_ab,
                 guint64         n_ab,
                 double         *d_ba,
                 guint64         n_ba,
                 CalMetrics     *m)
{
  double sum = 0, max_ab = 0, max_ba = 0;

  for (guint64 i = 0; i < n_ab; i++)
    {
      sum += d_ab[i];
      max_ab = MAX (max_ab, d_ab[i]);
    }
  for (guint64 i = 0; i < n_ba; i++)
    {
      sum += d_ba[i];
      max_ba = MAX (max_ba, d_ba[i]);
    }
  m->hd = MAX (max_ab, max_ba);
  m->assd = sum / (double) (n_ab + n_ba);
  m->hd95 = MAX (cal_metrics_percentile (d_ab, n_ab, 0.95), cal_metrics_percentile (d_ba, n_ba, 0.95));
}

static void
signed_deviation (const double  *d_ab,
                  const guint8  *ref_surface,
                  const guint8  *test,
                  const guint8  *roi,
                  gsize          n_voxels,
                  guint64        n_ab,
                  CalMetrics    *m)
{
  double sum = 0, sum2 = 0;
  guint64 at = 0;

  m->deviation = g_new (float, MAX (n_ab, 1));
  m->deviation_index = g_new (guint32, MAX (n_ab, 1));
  /* Same visiting order as the distance lists: index by index. */
  for (gsize idx = 0; idx < n_voxels && at < n_ab; idx++)
    if (ref_surface[idx] && (roi == NULL || roi[idx]))
      {
        double v = test[idx] ? d_ab[at] : -d_ab[at];
        m->deviation[at] = (float) v;
        m->deviation_index[at] = (guint32) idx;
        sum += v;
        sum2 += v * v;
        at++;
      }
  m->deviation_mean = sum / (double) n_ab;
  m->deviation_sd = n_ab > 1 ? sqrt (MAX (0.0, (sum2 - sum * sum / n_ab) / (double) (n_ab - 1))) : 0.0;
}

CalMetrics *
cal_metrics_compute_cpu (CalMask           *reference,
                         CalMask           *test,
                         CalMask           *roi,
                         CalMetricsMethod   method,
                         GCancellable      *cancellable,
                         GError           **error)
{
  const CalGrid *grid;
  const guint8 *a, *b, *r;
  g_autofree guint8 *sa = NULL, *sb = NULL;
  g_autofree double *d_ab = NULL, *d_ba = NULL, *sorted_ab = NULL;
  g_autoptr(CalMetrics) m = NULL;
  guint64 n_ab = 0, n_ba = 0;

  if (!check_inputs (reference, test, roi, error))
    return NULL;
  grid = cal_mask_get_grid (reference);
  a = cal_mask_get_labels (reference);
  b = cal_mask_get_labels (test);
  r = roi ? cal_mask_get_labels (roi) : NULL;

  m = g_new0 (CalMetrics, 1);
  overlap_metrics (a, b, grid->dims, m);
  sa = cal_metrics_surface (a, grid->dims);
  sb = cal_metrics_surface (b, grid->dims);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (method == CAL_METRICS_BRUTE_FORCE)
    {
      d_ab = brute_force_distances (sa, sb, r, grid, &n_ab);
      d_ba = brute_force_distances (sb, sa, r, grid, &n_ba);
    }
  else
    {
      d_ab = edt_distances (sa, sb, r, grid, &n_ab);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      d_ba = edt_distances (sb, sa, r, grid, &n_ba);
    }
  if (n_ab == 0 || n_ba == 0)
    {
      g_set_error (error, CAL_METRICS_ERROR, CAL_METRICS_ERROR_EMPTY,
                   "No %s surface inside the region of interest", n_ab == 0 ? "reference" : "test");
      return NULL;
    }
  m->n_surface_ref = n_ab;
  m->n_surface_test = n_ba;

  /* Deviation needs d_ab in voxel order; the percentile sorts a copy. */
  signed_deviation (d_ab, sa, b, r, cal_grid_n_voxels (grid), n_ab, m);
  sorted_ab = g_memdup2 (d_ab, n_ab * sizeof *d_ab);
  surface_metrics (sorted_ab, n_ab, d_ba, n_ba, m);
  return g_steal_pointer (&m);
}
