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
      const PhantomBlob *blob = &h->blobs[b];
      double c[3], extent = MAX (blob->half[0], MAX (blob->half[1], blob->half[2]));
      /* The blob's centre back in the patient frame (the rotation is orthonormal). */
      for (int i = 0; i < 3; i++)
        c[i] = h->centre[i] + h->rotation[0][i] * blob->centre[0] + h->rotation[1][i] * blob->centre[1] +
               h->rotation[2][i] * blob->centre[2];
      if (fabs (c[2] - z) > extent)
        continue;
      for (int line = 0; line < 10; line++)
        {
          guint64 key = (h->params.seed << 8) ^ (b << 4) ^ line;
          double angle = G_PI * hash_uniform (key), amp = (hash_uniform (key + 77) - 0.55) * 900;
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
