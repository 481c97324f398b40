/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-thickness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal-matrix.h"
#include "cal-parallel.h"
#include "cal-point-lookup.h"

#define CHUNK      2048
#define N_CONE     24      /* lines around the normal, besides the normal */
#define CONE_DEG   20.0

typedef struct {
  const guint8 *labels;
  guint32       dims[3];
  double        to_voxel[4][4];
  double        step_mm;
  double        cone[N_CONE + 1][3];   /* unit directions around +z */
  const float  *points;
  gsize         stride;
  float        *values;
  guint32       n_points;
  GCancellable *cancellable;
} Job;

static inline gboolean
bone_at (const Job *job, const double ijk[3])
{
  gint64 v[3];

  for (int a = 0; a < 3; a++)
    {
      double r = floor (ijk[a] + 0.5);

      if (!(r >= 0 && r < job->dims[a]))
        return FALSE;
      v[a] = (gint64) r;
    }
  return job->labels[v[0] + job->dims[0] * (v[1] + (gint64) job->dims[1] * v[2])] != 0;
}

static void
to_voxel (const double m[4][4], const double p[3], double ijk[3], gboolean point)
{
  for (int r = 0; r < 3; r++)
    ijk[r] = m[r][0] * p[0] + m[r][1] * p[1] + m[r][2] * p[2] + (point ? m[r][3] : 0);
}

/* The outward normal from the mask's gradient, Gaussian-weighted over the
 * 5³ voxels around the point (σ 1.2 voxels): smooth where the voxels step.
 * In voxel axes, then to LPS by the grid's rotation. */
static gboolean
smoothed_normal (const Job *job, const double ijk[3], const double to_lps[3][3], double n[3])
{
  double g[3] = { 0, 0, 0 }, len;
  gint64 base[3];

  for (int a = 0; a < 3; a++)
    base[a] = (gint64) floor (ijk[a] + 0.5);
  for (int dk = -2; dk <= 2; dk++)
    for (int dj = -2; dj <= 2; dj++)
      for (int di = -2; di <= 2; di++)
        {
          double q[3] = { (double) (base[0] + di), (double) (base[1] + dj), (double) (base[2] + dk) };
          double d[3] = { q[0] - ijk[0], q[1] - ijk[1], q[2] - ijk[2] };
          double w = exp (-(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) / (2 * 1.2 * 1.2));

          if (bone_at (job, q))
            for (int a = 0; a < 3; a++)
              g[a] += w * d[a];
        }
  /* Bone lies along +g: the outward normal points the other way. */
  for (int r = 0; r < 3; r++)
    n[r] = -(to_lps[r][0] * g[0] + to_lps[r][1] * g[1] + to_lps[r][2] * g[2]);
  len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  if (len < 1e-9)
    return FALSE;
  for (int r = 0; r < 3; r++)
    n[r] /= len;
  return TRUE;
}

/* How far a line from p along unit dir runs through bone: from where it
 * first meets bone (within a voxel of p) to where it leaves; -1 when it
 * meets none. */
static double
run_through_bone (const Job *job, const double p[3], const double dir[3])
{
  double o[3], d[3], entry = -1;

  to_voxel (job->to_voxel, p, o, TRUE);
  to_voxel (job->to_voxel, dir, d, FALSE);
  for (double t = 0; t <= CAL_THICKNESS_MAX_MM; t += job->step_mm)
    {
      double q[3] = { o[0] + t * d[0], o[1] + t * d[1], o[2] + t * d[2] };
      gboolean bone = bone_at (job, q);

      if (entry < 0 && bone)
        entry = t;
      else if (entry < 0 && t > 6 * job->step_mm)
        return -1;   /* no bone within a voxel and a half: not under this point */
      else if (entry >= 0 && !bone)
        /* The surface sits halfway between the last bone sample and this
         * one; the point itself is on the surface, so the run starts at 0. */
        return t - job->step_mm / 2;
    }
  return entry < 0 ? -1 : CAL_THICKNESS_MAX_MM;
}

/* Rotates the cone (around +z) onto unit n. */
static void
cone_around (const double cone[3], const double n[3], double out[3])
{
  double u[3], w[3], len;

  if (fabs (n[2]) < 0.9)
    u[0] = -n[1], u[1] = n[0], u[2] = 0;
  else
    u[0] = 0, u[1] = -n[2], u[2] = n[1];
  len = sqrt (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  for (int k = 0; k < 3; k++)
    u[k] /= len;
  w[0] = n[1] * u[2] - n[2] * u[1];
  w[1] = n[2] * u[0] - n[0] * u[2];
  w[2] = n[0] * u[1] - n[1] * u[0];
  for (int k = 0; k < 3; k++)
    out[k] = cone[0] * u[k] + cone[1] * w[k] + cone[2] * n[k];
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
measure_chunk (guint index, gpointer data)
{
  Job *job = data;
  guint32 start = index * CHUNK, end = MIN (job->n_points, start + CHUNK);
  double to_lps[3][3], m[4][4];

  if (g_cancellable_is_cancelled (job->cancellable))
    return;
  /* The voxel-to-LPS rotation, columns normalised (the inverse's
   * transpose direction is what a gradient needs; for an orthogonal grid
   * that is the rotation itself). */
  cal_mat4_invert (job->to_voxel, m);
  for (int c = 0; c < 3; c++)
    {
      double len = sqrt (m[0][c] * m[0][c] + m[1][c] * m[1][c] + m[2][c] * m[2][c]);
      for (int r = 0; r < 3; r++)
        to_lps[r][c] = m[r][c] / len;
    }
  for (guint32 i = start; i < end; i++)
    {
      const float *q = &job->points[i * job->stride];
      double p[3] = { q[0], q[1], q[2] }, ijk[3], n[3], runs[N_CONE + 1], best = INFINITY, median;
      int n_runs = 0;

      to_voxel (job->to_voxel, p, ijk, TRUE);
      job->values[i] = NAN;
      if (!smoothed_normal (job, ijk, to_lps, n))
        continue;
      for (int c = 0; c <= N_CONE; c++)
        {
          double dir[3], inward[3] = { -n[0], -n[1], -n[2] }, t;

          cone_around (job->cone[c], inward, dir);
          t = run_through_bone (job, p, dir);
          if (t >= 0)
            runs[n_runs++] = t;
        }
      if (n_runs == 0)
        continue;
      /* A line that clips the corner of a voxel step leaves the bone at
       * once: far shorter than any line through the table, which is at
       * least as long as the perpendicular one.  Those below 0.85 of the
       * median are such clips. */
      qsort (runs, n_runs, sizeof (double), compare_double);
      median = runs[n_runs / 2];
      for (int r = 0; r < n_runs; r++)
        if (runs[r] >= 0.9 * median)
          {
            best = runs[r];
            break;
          }
      job->values[i] = (float) best;
    }
}

gboolean
cal_thickness_measure (CalMask       *mask,
                       const float   *points,
                       gsize          stride,
                       guint32        n_points,
                       float         *values,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  double spacing[3];
  Job job = { cal_mask_get_labels (mask), { grid->dims[0], grid->dims[1], grid->dims[2] } };

  if (!cal_mat4_invert (grid->affine, job.to_voxel))
    g_assert_not_reached ();
  cal_grid_get_spacing (grid, spacing);
  job.step_mm = 0.25 * MIN (spacing[0], MIN (spacing[1], spacing[2]));
  /* The normal, then rings of lines 7°, 14° and 20° off it. */
  job.cone[0][0] = 0, job.cone[0][1] = 0, job.cone[0][2] = 1;
  for (int c = 0; c < N_CONE; c++)
    {
      int ring = c / 8;
      double tilt = CONE_DEG * (ring + 1) / 3.0 * G_PI / 180.0, az = (c % 8 + 0.5 * ring) * G_PI / 4;

      job.cone[c + 1][0] = sin (tilt) * cos (az);
      job.cone[c + 1][1] = sin (tilt) * sin (az);
      job.cone[c + 1][2] = cos (tilt);
    }
  job.points = points;
  job.stride = stride;
  job.values = values;
  job.n_points = n_points;
  job.cancellable = cancellable;
  cal_parallel_for ((n_points + CHUNK - 1) / CHUNK, measure_chunk, &job);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

typedef struct {
  float   value;
  guint32 index;
} Sample;

static int
compare_sample (const void *a, const void *b)
{
  float x = ((const Sample *) a)->value, y = ((const Sample *) b)->value;

  return (x > y) - (x < y);
}

gboolean
cal_thickness_thinnest (const float *values,
                        const float *points,
                        gsize        stride,
                        guint32      n_points,
                        CalMask     *region,
                        CalThinnest *out)
{
  g_autoptr(GArray) inside = g_array_new (FALSE, FALSE, sizeof (Sample));
  CalPointLookup lookup;
  const Sample *pick;

  memset (out, 0, sizeof *out);
  if (region && !cal_point_lookup_init (&lookup, region))
    return FALSE;
  for (guint32 i = 0; i < n_points; i++)
    if (isfinite (values[i]) && (!region || cal_point_lookup_label (&lookup, &points[i * stride])))
      {
        Sample s = { values[i], i };
        g_array_append_val (inside, s);
      }
  out->n_points = inside->len;
  if (inside->len == 0)
    return FALSE;
  qsort (inside->data, inside->len, sizeof (Sample), compare_sample);
  pick = &g_array_index (inside, Sample, (guint) (0.05 * (inside->len - 1)));
  out->thinnest_mm = pick->value;
  for (int k = 0; k < 3; k++)
    out->position[k] = points[pick->index * stride + k];
  out->median_mm = g_array_index (inside, Sample, inside->len / 2).value;
  return TRUE;
}
