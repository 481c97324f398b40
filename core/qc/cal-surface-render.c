/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-surface-render.h"

#include <float.h>
#include <math.h>
#include <string.h>

typedef struct {
  double right[3], up[3], forward[3];
} Axes;

static const Axes view_axes[CAL_N_VIEWPOINTS] = {
  [CAL_VIEWPOINT_ANTERIOR]  = { { 1, 0, 0 },  { 0, 0, 1 },  { 0, 1, 0 } },
  [CAL_VIEWPOINT_POSTERIOR] = { { -1, 0, 0 }, { 0, 0, 1 },  { 0, -1, 0 } },
  [CAL_VIEWPOINT_LEFT]      = { { 0, 1, 0 },  { 0, 0, 1 },  { -1, 0, 0 } },
  [CAL_VIEWPOINT_RIGHT]     = { { 0, -1, 0 }, { 0, 0, 1 },  { 1, 0, 0 } },
  [CAL_VIEWPOINT_SUPERIOR]  = { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, -1 } },
};

const char *
cal_viewpoint_name (CalViewpoint view)
{
  static const char *names[CAL_N_VIEWPOINTS] = { "anterior", "posterior", "left", "right", "superior" };

  return view < CAL_N_VIEWPOINTS ? names[view] : "?";
}

static inline double
dot3 (const double a[3], const float *b)
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Screen x, y (pixels) and depth (mm along the view) of every point. */
static void
project (const CalColouredSurface *s, const Axes *ax, int width, int height, float *xyz)
{
  double lo[2] = { DBL_MAX, DBL_MAX }, hi[2] = { -DBL_MAX, -DBL_MAX }, scale, cx, cy;

  for (guint32 i = 0; i < s->n_points; i++)
    {
      const float *p = &s->points[i * s->stride];
      double u = dot3 (ax->right, p), v = dot3 (ax->up, p);

      lo[0] = MIN (lo[0], u), hi[0] = MAX (hi[0], u);
      lo[1] = MIN (lo[1], v), hi[1] = MAX (hi[1], v);
    }
  /* Square mm, 4 % margin on the longer side. */
  scale = 0.92 * MIN (width / MAX (hi[0] - lo[0], 1e-6), height / MAX (hi[1] - lo[1], 1e-6));
  cx = 0.5 * (lo[0] + hi[0]);
  cy = 0.5 * (lo[1] + hi[1]);
  for (guint32 i = 0; i < s->n_points; i++)
    {
      const float *p = &s->points[i * s->stride];

      xyz[3 * i] = (float) (width / 2.0 + (dot3 (ax->right, p) - cx) * scale);
      xyz[3 * i + 1] = (float) (height / 2.0 - (dot3 (ax->up, p) - cy) * scale);
      xyz[3 * i + 2] = (float) dot3 (ax->forward, p);
    }
}

static void
fill_triangle (const float *a, const float *b, const float *c,
               const float *ca, const float *cb, const float *cc, float shade,
               float *depth, guint8 *pixels, int width, int height, int row_stride)
{
  float area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  int x0 = MAX (0, (int) floorf (MIN (a[0], MIN (b[0], c[0])))), x1 = MIN (width - 1, (int) ceilf (MAX (a[0], MAX (b[0], c[0]))));
  int y0 = MAX (0, (int) floorf (MIN (a[1], MIN (b[1], c[1])))), y1 = MIN (height - 1, (int) ceilf (MAX (a[1], MAX (b[1], c[1]))));

  if (fabsf (area) < 1e-12f)
    return;
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        float px = x + 0.5f, py = y + 0.5f;
        float w0 = ((b[0] - px) * (c[1] - py) - (b[1] - py) * (c[0] - px)) / area;
        float w1 = ((c[0] - px) * (a[1] - py) - (c[1] - py) * (a[0] - px)) / area;
        float w2 = 1 - w0 - w1, z;
        guint32 rgb = 0;

        if (w0 < 0 || w1 < 0 || w2 < 0)
          continue;
        z = w0 * a[2] + w1 * b[2] + w2 * c[2];
        if (z >= depth[y * width + x])
          continue;
        depth[y * width + x] = z;
        for (int k = 0; k < 3; k++)
          {
            float v = shade * (w0 * ca[k] + w1 * cb[k] + w2 * cc[k]);
            rgb = (rgb << 8) | (guint32) CLAMP (v * 255.0f + 0.5f, 0.0f, 255.0f);
          }
        *(guint32 *) (pixels + (gsize) y * row_stride + 4 * (gsize) x) = rgb;
      }
}

void
cal_surface_render (const CalColouredSurface *s,
                    CalViewpoint              view,
                    guint8                   *pixels,
                    int                       width,
                    int                       height,
                    int                       row_stride)
{
  const Axes *ax = &view_axes[view];
  g_autofree float *xyz = g_new (float, 3 * (gsize) MAX (s->n_points, 1u));
  g_autofree float *depth = g_new (float, (gsize) width * height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      *(guint32 *) (pixels + (gsize) y * row_stride + 4 * (gsize) x) = 0xffffff;
  for (gsize i = 0; i < (gsize) width * height; i++)
    depth[i] = FLT_MAX;
  if (s->n_points == 0)
    return;
  project (s, ax, width, height, xyz);
  for (guint32 f = 0; f < s->n_triangles; f++)
    {
      const guint32 *t = &s->triangles[3 * (gsize) f];
      const float *p0 = &s->points[t[0] * s->stride], *p1 = &s->points[t[1] * s->stride], *p2 = &s->points[t[2] * s->stride];
      double u[3], w[3], n[3], len, facing;

      for (int k = 0; k < 3; k++)
        {
          u[k] = (double) p1[k] - p0[k];
          w[k] = (double) p2[k] - p0[k];
        }
      n[0] = u[1] * w[2] - u[2] * w[1];
      n[1] = u[2] * w[0] - u[0] * w[2];
      n[2] = u[0] * w[1] - u[1] * w[0];
      len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      if (len <= 0)
        continue;
      /* Lit from the viewer: the outward normal against the view. */
      facing = -(n[0] * ax->forward[0] + n[1] * ax->forward[1] + n[2] * ax->forward[2]) / len;
      fill_triangle (&xyz[3 * t[0]], &xyz[3 * t[1]], &xyz[3 * t[2]],
                     &s->rgb[3 * t[0]], &s->rgb[3 * t[1]], &s->rgb[3 * t[2]],
                     (float) (0.35 + 0.65 * fabs (facing)),
                     depth, pixels, width, height, row_stride);
    }
}
