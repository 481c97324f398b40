/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The colour maps of the 3D view and the report, chosen so that viewers
 * with the common colour-vision deficiencies (deuteranopia, protanopia:
 * red and green look alike) still read them: blue against orange-red, and
 * lightness that changes with the value.
 *
 * Deviation (diverging, centred on 0): the tolerance band one neutral grey;
 * beyond it light to deep blue where the test lies inside the reference,
 * light orange to deep red where it lies outside, reaching the deepest at
 * ±range; beyond the range, one darker colour each, so "off the scale" is
 * never mistaken for "at the end of it".
 *
 * Thickness (sequential, 0 to max mm): dark violet for thin bone through
 * blue and green to yellow for thick, lightness rising all the way.
 */
typedef struct {
  double range_mm;       /* 5 */
  double tolerance_mm;   /* 1 */
} CalDeviationScale;

void cal_deviation_scale_init   (CalDeviationScale       *scale);
/* rgb in 0 … 1; NAN gives the colour of "not measured" (a darker grey). */
void cal_deviation_colour       (const CalDeviationScale *scale,
                                 double                   value_mm,
                                 float                    rgb[3]);

#define CAL_THICKNESS_SCALE_MAX_MM 10.0
void cal_thickness_colour       (double                   value_mm,
                                 float                    rgb[3]);

/* The scale's names, for legends and reports. */
#define CAL_DEVIATION_SCALE_NAME "blue–grey–red diverging, colour-vision-deficiency safe"
#define CAL_THICKNESS_SCALE_NAME "violet–blue–green–yellow sequential, colour-vision-deficiency safe"

G_END_DECLS
