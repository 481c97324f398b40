/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-colour-scale.h"

#include <math.h>

typedef struct {
  double t;              /* 0 … 1 along the scale */
  float  rgb[3];         /* 0 … 255 */
} Stop;

/* From the tolerance's edge (0) to the range (1), each side. */
static const Stop outside_stops[] = {
  { 0.0,  { 247, 212, 188 } },
  { 0.5,  { 232, 126, 72 } },
  { 1.0,  { 168, 28, 30 } },
};
static const Stop inside_stops[] = {
  { 0.0,  { 200, 222, 240 } },
  { 0.5,  { 92, 158, 208 } },
  { 1.0,  { 28, 84, 160 } },
};
static const float neutral[3] = { 196, 196, 196 };
static const float unmeasured[3] = { 96, 96, 96 };
static const float beyond_outside[3] = { 100, 10, 20 };
static const float beyond_inside[3] = { 12, 40, 100 };

static const Stop thickness_stops[] = {
  { 0.0,  { 52, 22, 82 } },
  { 0.3,  { 44, 96, 150 } },
  { 0.6,  { 40, 160, 130 } },
  { 1.0,  { 238, 226, 70 } },
};

static void
interpolate (const Stop *stops, gsize n, double t, float rgb[3])
{
  t = CLAMP (t, 0.0, 1.0);
  for (gsize i = 1; i < n; i++)
    if (t <= stops[i].t || i == n - 1)
      {
        double f = (t - stops[i - 1].t) / (stops[i].t - stops[i - 1].t);

        for (int k = 0; k < 3; k++)
          rgb[k] = (float) ((stops[i - 1].rgb[k] + f * (stops[i].rgb[k] - stops[i - 1].rgb[k])) / 255.0);
        return;
      }
}

static void
copy_rgb (const float src[3], float rgb[3])
{
  for (int k = 0; k < 3; k++)
    rgb[k] = src[k] / 255.0f;
}

void
cal_deviation_scale_init (CalDeviationScale *scale)
{
  scale->range_mm = 5.0;
  scale->tolerance_mm = 1.0;
}

void
cal_deviation_colour (const CalDeviationScale *scale,
                      double                   value_mm,
                      float                    rgb[3])
{
  double a = fabs (value_mm), span = MAX (scale->range_mm - scale->tolerance_mm, 1e-9);

  if (isnan (value_mm))
    copy_rgb (unmeasured, rgb);
  else if (a <= scale->tolerance_mm)
    copy_rgb (neutral, rgb);
  else if (a > scale->range_mm)
    copy_rgb (value_mm > 0 ? beyond_outside : beyond_inside, rgb);
  else if (value_mm > 0)
    interpolate (outside_stops, G_N_ELEMENTS (outside_stops), (a - scale->tolerance_mm) / span, rgb);
  else
    interpolate (inside_stops, G_N_ELEMENTS (inside_stops), (a - scale->tolerance_mm) / span, rgb);
}

void
cal_thickness_colour (double value_mm, float rgb[3])
{
  if (isnan (value_mm))
    copy_rgb (unmeasured, rgb);
  else
    interpolate (thickness_stops, G_N_ELEMENTS (thickness_stops), value_mm / CAL_THICKNESS_SCALE_MAX_MM, rgb);
}
