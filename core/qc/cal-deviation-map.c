/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-deviation-map.h"

#include <math.h>
#include <string.h>

#include "cal-matrix.h"
#include "cal-parallel.h"
#include "cal-point-lookup.h"
#include "cal-surface-distance.h"
#include "cal-surface.h"

G_DEFINE_QUARK (cal-deviation-error-quark, cal_deviation_error)

#define CHUNK 4096

struct _CalDeviationReference {
  CalMask            *mask;
  CalSurfaceDistance *surface;
  guint32             n_triangles;
  double              to_voxel[4][4];   /* LPS mm → voxel index */
};

CalDeviationReference *
cal_deviation_reference_new (CalMask       *reference,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(GError) local = NULL;
  CalDeviationReference *self;

  mesh = cal_surface_from_mask (reference, 0, CAL_SPACE_LPS, NULL, NULL, cancellable, &local);
  if (mesh == NULL)
    {
      if (g_error_matches (local, CAL_SURFACE_ERROR, CAL_SURFACE_ERROR_EMPTY))
        g_set_error (error, CAL_DEVIATION_ERROR, CAL_DEVIATION_ERROR_EMPTY,
                     "The reference mask has no bone, so there is no surface to measure to");
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  self = g_new0 (CalDeviationReference, 1);
  self->mask = g_object_ref (reference);
  self->n_triangles = cal_mesh_get_n_triangles (mesh);
  self->surface = cal_surface_distance_new (mesh);
  if (!cal_mat4_invert (cal_mask_get_grid (reference)->affine, self->to_voxel))
    g_assert_not_reached ();   /* every loaded grid has an invertible affine */
  return self;
}

void
cal_deviation_reference_free (CalDeviationReference *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->mask);
  cal_surface_distance_free (self->surface);
  g_free (self);
}

CalMask *
cal_deviation_reference_get_mask (CalDeviationReference *self)
{
  return self->mask;
}

guint32
cal_deviation_reference_get_n_triangles (CalDeviationReference *self)
{
  return self->n_triangles;
}

static void
to_voxel (const double m[4][4], const double p[3], double ijk[3])
{
  for (int r = 0; r < 3; r++)
    ijk[r] = m[r][0] * p[0] + m[r][1] * p[1] + m[r][2] * p[2] + m[r][3];
}

static inline double
label_at (const guint8 *labels, const guint32 dims[3], gint64 i, gint64 j, gint64 k)
{
  if (i < 0 || j < 0 || k < 0 || i >= dims[0] || j >= dims[1] || k >= dims[2])
    return 0;
  return labels[i + dims[0] * (j + (gint64) dims[1] * k)] != 0;
}

/* The mask's 0/1 labels interpolated trilinearly at a voxel position;
 * outside the volume counts as background. */
static double
sample_trilinear (CalMask *mask, const double ijk[3])
{
  const guint8 *labels = cal_mask_get_labels (mask);
  const guint32 *dims = cal_mask_get_grid (mask)->dims;
  double f[3], sum = 0;
  gint64 base[3];

  for (int a = 0; a < 3; a++)
    {
      double fl = floor (ijk[a]);

      if (!isfinite (fl) || fl < -2 || fl > dims[a] + 1.0)
        return 0;
      base[a] = (gint64) fl;
      f[a] = ijk[a] - fl;
    }
  for (int c = 0; c < 8; c++)
    {
      int di = c & 1, dj = (c >> 1) & 1, dk = (c >> 2) & 1;
      double w = (di ? f[0] : 1 - f[0]) * (dj ? f[1] : 1 - f[1]) * (dk ? f[2] : 1 - f[2]);

      if (w > 0)
        sum += w * label_at (labels, dims, base[0] + di, base[1] + dj, base[2] + dk);
    }
  return sum;
}

/* Where the masks agree, the test surface's vertices are the reference
 * surface's own: marching cubes puts one at the midpoint of every edge
 * between a bone and a background voxel.  A point at such a midpoint of
 * the reference (to a fraction of a voxel's ten-thousandth) lies on its
 * surface; its distance is the one to that vertex, placed as the mesher
 * places it, and no search is needed.  Returns FALSE for any other point. */
static gboolean
on_reference_vertex (CalDeviationReference *self,
                     const double           p[3],
                     const double           ijk[3],
                     double                *distance,
                     double                 closest[3])
{
  const guint8 *labels = cal_mask_get_labels (self->mask);
  const CalGrid *grid = cal_mask_get_grid (self->mask);
  gint64 twice[3], low[3];
  int axis = -1;
  double d2 = 0;

  for (int a = 0; a < 3; a++)
    {
      double t = 2.0 * ijk[a], r = nearbyint (t);

      if (!(fabs (t - r) < 2e-4) || fabs (r) > 1e9)
        return FALSE;
      twice[a] = (gint64) r;
      if (twice[a] & 1)
        {
          if (axis >= 0)
            return FALSE;
          axis = a;
        }
    }
  if (axis < 0)
    return FALSE;
  for (int a = 0; a < 3; a++)
    low[a] = (twice[a] - (a == axis)) / 2;
  if (label_at (labels, grid->dims, low[0], low[1], low[2]) ==
      label_at (labels, grid->dims, low[0] + (axis == 0), low[1] + (axis == 1), low[2] + (axis == 2)))
    return FALSE;
  for (int r = 0; r < 3; r++)
    {
      float v = (float) (grid->affine[r][0] * (twice[0] * 0.5) + grid->affine[r][1] * (twice[1] * 0.5) +
                         grid->affine[r][2] * (twice[2] * 0.5) + grid->affine[r][3]);
      if (closest)
        closest[r] = v;
      d2 += (p[r] - v) * (p[r] - v);
    }
  *distance = sqrt (d2);
  return TRUE;
}

static double
measure_hinted (CalDeviationReference *self,
                const double           p[3],
                double                 closest[3],
                guint32               *hint)
{
  double ijk[3], d, q[3], n[3], inside;

  to_voxel (self->to_voxel, p, ijk);
  if (on_reference_vertex (self, p, ijk, &d, closest))
    return d;
  d = cal_surface_distance_nearest_hinted (self->surface, p, q, n, hint);
  if (closest)
    memcpy (closest, q, sizeof q);
  inside = sample_trilinear (self->mask, ijk);
  /* Between bone and background to within a thousandth (a point midway
   * between voxels, as many of each): which side a rounding of the grid's
   * numbers (a NIfTI file keeps them as 32-bit floats) puts it must not
   * decide; the nearest triangle's outward normal does. */
  if (fabs (inside - 0.5) < 1e-3)
    return (p[0] - q[0]) * n[0] + (p[1] - q[1]) * n[1] + (p[2] - q[2]) * n[2] < 0 ? -d : d;
  return inside > 0.5 ? -d : d;
}

double
cal_deviation_reference_measure_point (CalDeviationReference *self,
                                       const double           p[3],
                                       double                 closest[3])
{
  return measure_hinted (self, p, closest, NULL);
}

typedef struct {
  CalDeviationReference *self;
  const float           *points;
  gsize                  stride;
  guint32                n_points;
  const guint32         *order;
  float                 *values;
  CalProgressFunc        progress;     /* nullable: fraction of the points done */
  gpointer               progress_data;
  gint                   done;         /* atomic: chunks measured */
  GCancellable          *cancellable;
} MeasureJob;

static void
measure_chunk (guint index, gpointer data)
{
  MeasureJob *job = data;
  guint32 start = index * CHUNK, end = MIN (job->n_points, start + CHUNK), hint = 0;
  guint chunks = (job->n_points + CHUNK - 1) / CHUNK;

  if (g_cancellable_is_cancelled (job->cancellable))
    return;
  for (guint32 at = start; at < end; at++)
    {
      guint32 i = job->order[at];
      const float *q = &job->points[i * job->stride];
      double p[3] = { q[0], q[1], q[2] };

      job->values[i] = isfinite (p[0]) && isfinite (p[1]) && isfinite (p[2])
        ? (float) measure_hinted (job->self, p, NULL, &hint)
        : NAN;
    }
  if (job->progress)
    job->progress ((g_atomic_int_add (&job->done, 1) + 1) / (double) chunks, job->progress_data);
}

/* In Morton order: a mesh's vertices come row by row, and the next one
 * along a row is often across the skull, where the last answer is no
 * help; along the curve it is the neighbour's. */
static gboolean
measure_points (CalDeviationReference *self,
                const float           *points,
                gsize                  stride,
                guint32                n_points,
                float                 *values,
                CalProgressFunc        progress,
                gpointer               progress_data,
                GCancellable          *cancellable,
                GError               **error)
{
  g_autofree guint32 *order = cal_points_morton_order (points, stride, n_points);
  MeasureJob job = { self, points, stride, n_points, order, values, progress, progress_data, 0, cancellable };

  cal_parallel_for ((n_points + CHUNK - 1) / CHUNK, measure_chunk, &job);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
cal_deviation_reference_measure (CalDeviationReference *self,
                                 const float           *points,
                                 gsize                  stride,
                                 guint32                n_points,
                                 float                 *values,
                                 GCancellable          *cancellable,
                                 GError               **error)
{
  return measure_points (self, points, stride, n_points, values, NULL, NULL, cancellable, error);
}

/* progress of a stage [from, to] of the comparison. */
typedef struct {
  CalProgressFunc progress;
  gpointer        data;
  double          from, to;
} Stage;

static void
stage_progress (double fraction, gpointer data)
{
  Stage *stage = data;

  stage->progress (stage->from + (stage->to - stage->from) * fraction, stage->data);
}

/* A third of the area of every triangle around each point. */
static double *
vertex_areas (const float *points, gsize stride, guint32 n_points,
              const guint32 *triangles, guint32 n_triangles)
{
  double *area = g_new0 (double, n_points);

  for (guint32 f = 0; f < n_triangles; f++)
    {
      const guint32 *t = &triangles[3 * (gsize) f];
      const float *a, *b, *c;
      double u[3], w[3], n[3], third;

      if (t[0] >= n_points || t[1] >= n_points || t[2] >= n_points)
        continue;
      a = &points[t[0] * stride];
      b = &points[t[1] * stride];
      c = &points[t[2] * stride];
      for (int i = 0; i < 3; i++)
        {
          u[i] = (double) b[i] - a[i];
          w[i] = (double) c[i] - a[i];
        }
      n[0] = u[1] * w[2] - u[2] * w[1];
      n[1] = u[2] * w[0] - u[0] * w[2];
      n[2] = u[0] * w[1] - u[1] * w[0];
      third = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) / 6.0;
      for (int k = 0; k < 3; k++)
        area[t[k]] += third;
    }
  return area;
}

void
cal_deviation_stats_compute (const float       *values,
                             const float       *points,
                             gsize              stride,
                             guint32            n_points,
                             const guint32     *triangles,
                             guint32            n_triangles,
                             CalMask           *roi,
                             double             tolerance_mm,
                             double             range_mm,
                             CalDeviationStats *stats)
{
  g_autofree double *area = NULL;
  CalPointLookup lookup;
  double sum = 0, sum2 = 0, within = 0, weight = 0;

  memset (stats, 0, sizeof *stats);
  stats->tolerance_mm = tolerance_mm;
  stats->range_mm = range_mm;
  stats->min = INFINITY;
  stats->max = -INFINITY;
  if (triangles != NULL && n_triangles > 0)
    area = vertex_areas (points, stride, n_points, triangles, n_triangles);
  if (roi && !cal_point_lookup_init (&lookup, roi))
    return;
  for (guint32 i = 0; i < n_points; i++)
    {
      double d = values[i], w = area ? area[i] : 1.0;
      int bin;

      if (!isfinite (d) || w <= 0 || (roi && !cal_point_lookup_label (&lookup, &points[i * stride])))
        continue;
      stats->n_points++;
      weight += w;
      sum += w * d;
      sum2 += w * d * d;
      stats->min = MIN (stats->min, d);
      stats->max = MAX (stats->max, d);
      if (fabs (d) <= tolerance_mm)
        within += w;
      if (d < -range_mm)
        stats->below_range += w;
      else if (d > range_mm)
        stats->above_range += w;
      else
        {
          bin = (int) floor ((d + range_mm) / (2 * range_mm) * CAL_DEVIATION_BINS);
          stats->histogram[CLAMP (bin, 0, CAL_DEVIATION_BINS - 1)] += w;
        }
    }
  if (stats->n_points == 0)
    {
      stats->min = stats->max = 0;
      return;
    }
  stats->area_mm2 = area ? weight : 0;
  stats->mean = sum / weight;
  stats->rms = sqrt (sum2 / weight);
  stats->sd = sqrt (MAX (sum2 / weight - stats->mean * stats->mean, 0.0));
  stats->within_tolerance = within / weight;
  stats->below_range /= weight;
  stats->above_range /= weight;
  for (int b = 0; b < CAL_DEVIATION_BINS; b++)
    stats->histogram[b] /= weight;
}

CalSurfaceComparison *
cal_surface_comparison_compute (CalMask       *reference,
                                CalMask       *test,
                                CalMask       *region,
                                double         tolerance_mm,
                                double         range_mm,
                                GCancellable  *cancellable,
                                GError       **error)
{
  return cal_surface_comparison_compute_with (NULL, reference, test, region, tolerance_mm, range_mm,
                                              NULL, NULL, cancellable, error);
}

CalSurfaceComparison *
cal_surface_comparison_compute_with (CalDeviationReference *made,
                                     CalMask               *reference,
                                     CalMask               *test,
                                     CalMask               *region,
                                     double                 tolerance_mm,
                                     double                 range_mm,
                                     CalProgressFunc        progress,
                                     gpointer               progress_data,
                                     GCancellable          *cancellable,
                                     GError               **error)
{
  g_autoptr(CalDeviationReference) dev = made;
  /* Meshing both surfaces and indexing the reference: about a fifth. */
  Stage measuring = { progress, progress_data, 0.2, 1.0 };
  g_autoptr(CalMesh) mesh = NULL;
  g_autofree float *values = NULL;
  CalSurfaceComparison *comparison;
  guint32 n;

  if (!cal_grid_same_geometry (cal_mask_get_grid (reference), cal_mask_get_grid (test), 1e-3) ||
      (region && !cal_grid_same_geometry (cal_mask_get_grid (reference), cal_mask_get_grid (region), 1e-3)))
    {
      g_set_error (error, CAL_DEVIATION_ERROR, CAL_DEVIATION_ERROR_GRID_MISMATCH,
                   "The masks are not on the same voxel grid; resample one onto the other first");
      return NULL;
    }
  g_return_val_if_fail (dev == NULL || cal_deviation_reference_get_mask (dev) == reference, NULL);
  if ((dev == NULL && !(dev = cal_deviation_reference_new (reference, cancellable, error))) ||
      !(mesh = cal_surface_from_mask (test, 0, CAL_SPACE_LPS, NULL, NULL, cancellable, error)))
    return NULL;
  if (progress)
    progress (0.2, progress_data);
  n = cal_mesh_get_n_vertices (mesh);
  values = g_new (float, n);
  if (!measure_points (dev, cal_mesh_get_vertices (mesh), 3, n, values, progress ? stage_progress : NULL,
                       &measuring, cancellable, error))
    return NULL;
  comparison = g_new0 (CalSurfaceComparison, 1);
  cal_deviation_stats_compute (values, cal_mesh_get_vertices (mesh), 3, n,
                               cal_mesh_get_triangles (mesh), cal_mesh_get_n_triangles (mesh),
                               NULL, tolerance_mm, range_mm, &comparison->stats);
  if (region)
    cal_deviation_stats_compute (values, cal_mesh_get_vertices (mesh), 3, n,
                                 cal_mesh_get_triangles (mesh), cal_mesh_get_n_triangles (mesh),
                                 region, tolerance_mm, range_mm, &comparison->region_stats);
  cal_mesh_set_scalars_take (mesh, g_steal_pointer (&values));
  comparison->test_mesh = g_steal_pointer (&mesh);
  comparison->reference = g_steal_pointer (&dev);
  return comparison;
}

void
cal_surface_comparison_free (CalSurfaceComparison *comparison)
{
  if (comparison == NULL)
    return;
  g_clear_object (&comparison->test_mesh);
  g_clear_pointer (&comparison->reference, cal_deviation_reference_free);
  g_free (comparison);
}
