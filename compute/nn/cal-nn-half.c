/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IEEE binary16 on the host, for engines that keep activations in 16-bit
 * floats: inputs go up converted, outputs come back converted.  Rounding
 * is to nearest, ties to even, as the GPU's own conversions do; values
 * past 65504 become infinities and tiny ones subnormals or zeros. */
#include "cal-nn-engine-private.h"

#include <string.h>

static guint16
round_shifted (guint32 sign,
               guint32 bits,
               guint   shift)
{
  guint32 kept = bits >> shift, rest = bits & ((1u << shift) - 1), half_way = 1u << (shift - 1);

  if (rest > half_way || (rest == half_way && (kept & 1)))
    kept++;   /* may carry into the exponent, which is the right result */
  return (guint16) (sign | kept);
}

guint16
cal_nn_float_to_half (float value)
{
  guint32 x, sign, mantissa;
  int exponent;

  memcpy (&x, &value, sizeof x);
  sign = (x >> 16) & 0x8000;
  mantissa = x & 0x7fffff;
  exponent = (int) ((x >> 23) & 0xff) - 127 + 15;
  if (((x >> 23) & 0xff) == 0xff)
    return (guint16) (sign | 0x7c00 | (mantissa ? 0x200 : 0));   /* infinity, NaN */
  if (exponent >= 31)
    return (guint16) (sign | 0x7c00);
  if (exponent <= 0)
    return exponent < -10 ? (guint16) sign : round_shifted (sign, mantissa | 0x800000, (guint) (14 - exponent));
  return round_shifted (sign, ((guint32) exponent << 23) | mantissa, 13);
}

float
cal_nn_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, x;
  float value;

  if (exponent == 0 && mantissa == 0)
    x = sign;
  else if (exponent == 0)
    {
      /* Subnormal: normalise it. */
      exponent = 127 - 15 + 1;
      while (!(mantissa & 0x400))
        mantissa <<= 1, exponent--;
      x = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
    }
  else if (exponent == 31)
    x = sign | 0x7f800000 | (mantissa << 13);
  else
    x = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  memcpy (&value, &x, sizeof value);
  return value;
}

guint16 *
cal_nn_floats_to_halves (const float *values,
                         gsize        n)
{
  guint16 *halves = g_new (guint16, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    halves[i] = cal_nn_float_to_half (values[i]);
  return halves;
}

void
cal_nn_halves_to_floats (const guint16 *halves,
                         float         *values,
                         gsize          n)
{
  for (gsize i = 0; i < n; i++)
    values[i] = cal_nn_half_to_float (halves[i]);
}
