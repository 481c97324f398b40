/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the scanner adds to the ideal image, one axial slice at a time:
 * streaks from metal, noise, and the reconstruction kernel (smooth kernels
 * blur, sharp ones overshoot at edges).  Slice thickness and partial volume
 * come from sampling in cal-phantom.c. */
#include "cal-phantom-private.h"

#include <math.h>

guint64
phantom_hash (guint64 x)
{
  /* splitmix64's finaliser: every input bit reaches every output bit. */
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static double
hash_uniform (guint64 x)
{
  return ((phantom_hash (x) >> 11) + 0.5) / (double) (1ull << 53);
}

/* A metal blob's point in the patient frame, from its own frame's
 * coordinates u (in units of its half sizes). */
static void
blob_point (const PhantomHead *h,
            const PhantomBlob *blob,
            const double       u[3],
            double             out[3])
{
  double head[3];

  for (int j = 0; j < 3; j++)
    head[j] = blob->centre[j] + u[0] * blob->half[0] * blob->axes[0][j] +
              u[1] * blob->half[1] * blob->axes[1][j] + u[2] * blob->half[2] * blob->axes[2][j];
  /* Back to the patient frame: the rotation is orthonormal. */
  for (int i = 0; i < 3; i++)
    out[i] = h->centre[i] + h->rotation[0][i] * head[0] + h->rotation[1][i] * head[1] +
             h->rotation[2][i] * head[2];
}

/* The blob's half height along the patient's z axis. */
static double
blob_half_height (const PhantomHead *h,
                  const PhantomBlob *blob)
{
  double sum = 0;

  for (int k = 0; k < 3; k++)
    {
      double zk = 0;
      for (int j = 0; j < 3; j++)
        zk += h->rotation[j][2] * blob->axes[k][j];
      zk *= blob->half[k];
      sum += blob->shape == BLOB_BOX ? fabs (zk) : zk * zk;
    }
  return blob->shape == BLOB_BOX ? sum : sqrt (sum);
}

#define STREAK_GRID 9   /* points per axis when finding the metal a slice holds */

/* Scanner 2: how strongly the slice from z − slice/2 to z + slice/2 streaks
 * for this blob (the share of the slice's thickness the metal spans, or of
 * the metal's own height where that is less; 0 where the slice misses it),
 * and the centroid of the metal it holds, where its streaks cross. */
static double
metal_in_slice (const PhantomHead *h,
                const PhantomBlob *blob,
                double             z,
                double             centroid[2])
{
  double half_slice = 0.5 * h->params.slice_mm, half_height = blob_half_height (h, blob), c[3], overlap;
  guint inside = 0;

  blob_point (h, blob, (double[3]) { 0, 0, 0 }, c);
  overlap = MIN (c[2] + half_height, z + half_slice) - MAX (c[2] - half_height, z - half_slice);
  if (overlap <= 0)
    return 0;
  centroid[0] = centroid[1] = 0;
  for (int a = 0; a < STREAK_GRID; a++)
    for (int b = 0; b < STREAK_GRID; b++)
      for (int d = 0; d < STREAK_GRID; d++)
        {
          double u[3] = { 2.0 * a / (STREAK_GRID - 1) - 1, 2.0 * b / (STREAK_GRID - 1) - 1,
                          2.0 * d / (STREAK_GRID - 1) - 1 }, q[3];
          if (blob->shape == BLOB_ELLIPSOID && u[0] * u[0] + u[1] * u[1] + u[2] * u[2] > 1)
            continue;
          blob_point (h, blob, u, q);
          if (fabs (q[2] - z) > half_slice)
            continue;
          centroid[0] += q[0], centroid[1] += q[1], inside++;
        }
  if (inside == 0)
    return 0;
  centroid[0] /= inside, centroid[1] /= inside;
  return MIN (1.0, overlap / MIN (2 * half_slice, 2 * half_height));
}

/* Scanner 1, kept so that every seed keeps its phantom: the blob's centre,
 * on every slice within its largest half size of it, at full strength,
 * even where the slice misses the metal. */
static double
metal_near_slice (const PhantomHead *h,
                  const PhantomBlob *blob,
                  double             z,
                  double             centroid[2])
{
  double c[3], extent = MAX (blob->half[0], MAX (blob->half[1], blob->half[2]));

  blob_point (h, blob, (double[3]) { 0, 0, 0 }, c);
  centroid[0] = c[0], centroid[1] = c[1];
  return fabs (c[2] - z) > extent ? 0 : 1;
}

/* Dark and bright bands along lines through each metal object that this
 * slice cuts, fading with distance, as filtered back-projection leaves them
 * where metal starves the detector. */
void
phantom_add_streaks (const PhantomHead *h,
                     float             *slice,
                     guint32            size,
                     double             z,
                     const double       pixel_origin[2])
{
  double pixel = h->params.pixel_mm;

  for (guint b = 0; b < h->n_metal; b++)
    {
      double c[2], strength = h->params.scanner >= 2 ? metal_in_slice (h, &h->blobs[b], z, c)
                                                     : metal_near_slice (h, &h->blobs[b], z, c);
      if (strength <= 0)
        continue;
      for (int line = 0; line < 10; line++)
        {
          guint64 key = (h->params.seed << 8) ^ (b << 4) ^ line;
          double angle = G_PI * hash_uniform (key), amp = strength * (hash_uniform (key + 77) - 0.55) * 900;
          double ux = cos (angle), uy = sin (angle);
          for (guint32 j = 0; j < size; j++)
            for (guint32 i = 0; i < size; i++)
              {
                double dx = pixel_origin[0] + i * pixel - c[0], dy = pixel_origin[1] + j * pixel - c[1];
                double across = fabs (dx * uy - dy * ux), along = fabs (dx * ux + dy * uy);
                if (across < 4 * pixel)
                  slice[j * size + i] += amp * exp (-across * across / (2 * pixel * pixel)) / (1 + along / 40);
              }
        }
    }
}

void
phantom_add_noise (float   *slice,
                   guint32  size,
                   double   sigma,
                   guint64  seed)
{
  for (guint64 v = 0; v < (guint64) size * size; v++)
    {
      double u1 = hash_uniform (seed ^ (v << 1)), u2 = hash_uniform (seed ^ ((v << 1) | 1));
      slice[v] += sigma * sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
    }
}

static void
gaussian_blur (const float *in,
               float       *out,
               guint32      size,
               double       sigma)
{
  int radius = (int) ceil (3 * sigma);
  g_autofree double *weights = g_new (double, 2 * radius + 1);
  g_autofree float *tmp = g_new (float, (gsize) size * size);
  double total = 0;

  for (int k = -radius; k <= radius; k++)
    total += weights[k + radius] = exp (-k * k / (2 * sigma * sigma));
  for (int k = 0; k <= 2 * radius; k++)
    weights[k] /= total;
  for (int pass = 0; pass < 2; pass++)
    {
      const float *src = pass == 0 ? in : tmp;
      float *dst = pass == 0 ? tmp : out;
      for (guint32 j = 0; j < size; j++)
        for (guint32 i = 0; i < size; i++)
          {
            double v = 0;
            for (int k = -radius; k <= radius; k++)
              {
                int a = CLAMP ((int) (pass == 0 ? i : j) + k, 0, (int) size - 1);
                v += weights[k + radius] * src[pass == 0 ? j * size + a : a * size + i];
              }
            dst[j * size + i] = v;
          }
    }
}

void
phantom_apply_kernel (float   *slice,
                      guint32  size,
                      double   kernel)
{
  g_autofree float *blurred = NULL;

  if (kernel == 0)
    return;
  blurred = g_new (float, (gsize) size * size);
  gaussian_blur (slice, blurred, size, kernel < 0 ? -kernel : 0.8);
  for (guint64 v = 0; v < (guint64) size * size; v++)
    slice[v] = kernel < 0 ? blurred[v] : slice[v] + kernel * (slice[v] - blurred[v]);
}
