/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-dicom-resample.h"

#include <math.h>

#include "cal-parallel.h"

typedef struct {
  const float               *slices;
  const CalSlicePlaces      *places;
  gboolean                   to_int16;
  float                      fill;
  const CalResampleGeometry *g;
  gpointer                   out;
} ResampleJob;

static float
bilinear (const float *img,
          guint32      cols,
          guint32      rows,
          double       x,
          double       y,
          float        fill)
{
  double fx = floor (x), fy = floor (y), ax = x - fx, ay = y - fy;
  gint64 x0 = (gint64) fx, y0 = (gint64) fy;
  float v[2][2];

  /* Outside the slice by more than a pixel: the fill value; at the border,
   * neighbours outside read as fill so edges fade rather than smear. */
  if (x0 < -1 || y0 < -1 || x0 >= cols || y0 >= rows)
    return fill;
  for (int b = 0; b < 2; b++)
    for (int a = 0; a < 2; a++)
      {
        gint64 xi = x0 + a, yi = y0 + b;
        v[b][a] = (xi < 0 || yi < 0 || xi >= cols || yi >= rows) ? fill : img[yi * cols + xi];
      }
  return (float) ((1 - ay) * ((1 - ax) * v[0][0] + ax * v[0][1]) +
                  ay * ((1 - ax) * v[1][0] + ax * v[1][1]));
}

static void
resample_slice (guint    k,
                gpointer user_data)
{
  ResampleJob *job = user_data;
  const CalResampleGeometry *g = job->g;
  const CalSlicePlaces *p = job->places;
  gsize in_size = (gsize) p->rows * p->cols;
  gsize out_size = (gsize) g->dims[0] * g->dims[1];
  double t = p->d[0] + k * p->dz;
  guint s = 0;
  double w;

  while (s + 2 < p->n && p->d[s + 1] < t)
    s++;
  w = p->d[s + 1] > p->d[s] ? (t - p->d[s]) / (p->d[s + 1] - p->d[s]) : 0.0;
  w = CLAMP (w, 0.0, 1.0);

  for (guint32 j = 0; j < g->dims[1]; j++)
    for (guint32 i = 0; i < g->dims[0]; i++)
      {
        double x = i + g->i_off, y = j + g->j_off;
        float a = bilinear (job->slices + in_size * s, p->cols, p->rows,
                            x - p->u[s], y - p->v[s], job->fill);
        float b = bilinear (job->slices + in_size * (s + 1), p->cols, p->rows,
                            x - p->u[s + 1], y - p->v[s + 1], job->fill);
        float value = (float) ((1 - w) * a + w * b);
        gsize index = out_size * k + (gsize) j * g->dims[0] + i;

        if (job->to_int16)
          ((gint16 *) job->out)[index] = (gint16) CLAMP (lrintf (value), G_MININT16, G_MAXINT16);
        else
          ((float *) job->out)[index] = value;
      }
}

gboolean
cal_dicom_resample_plan (const CalSlicePlaces *p,
                         CalResampleGeometry  *geometry)
{
  double u_min = 0, u_max = 0, v_min = 0, v_max = 0, sides[3];

  for (guint s = 0; s < p->n; s++)
    {
      u_min = MIN (u_min, p->u[s]);
      u_max = MAX (u_max, p->u[s]);
      v_min = MIN (v_min, p->v[s]);
      v_max = MAX (v_max, p->v[s]);
    }
  /* In doubles first: crafted positions must not overflow the sides. */
  sides[0] = p->cols + (ceil (u_max) - floor (u_min));
  sides[1] = p->rows + (ceil (v_max) - floor (v_min));
  sides[2] = round ((p->d[p->n - 1] - p->d[0]) / p->dz) + 1;
  for (int a = 0; a < 3; a++)
    if (!(sides[a] >= 1 && sides[a] <= CAL_RESAMPLE_MAX_SIDE))
      return FALSE;
  geometry->i_off = floor (u_min);
  geometry->j_off = floor (v_min);
  for (int a = 0; a < 3; a++)
    geometry->dims[a] = (guint32) sides[a];
  return TRUE;
}

GBytes *
cal_dicom_resample (const float               *slices,
                    const CalSlicePlaces      *places,
                    gboolean                   to_int16,
                    const CalResampleGeometry *geometry)
{
  gsize n_out, in_total = (gsize) places->rows * places->cols * places->n;
  float fill = INFINITY;
  ResampleJob job;

  for (gsize i = 0; i < in_total; i++)
    fill = MIN (fill, slices[i]);

  n_out = (gsize) geometry->dims[0] * geometry->dims[1] * geometry->dims[2];
  job = (ResampleJob) { slices, places, to_int16, fill, geometry, NULL };
  job.out = g_malloc (n_out * (to_int16 ? sizeof (gint16) : sizeof (float)));
  cal_parallel_for (geometry->dims[2], resample_slice, &job);
  return g_bytes_new_take (job.out, n_out * (to_int16 ? sizeof (gint16) : sizeof (float)));
}
