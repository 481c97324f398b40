/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"

G_BEGIN_DECLS

/*
 * The defect edge, found without help: the openings the mask leaves in the
 * skull, and a band of `band_mm` around each one's rim, the region where an
 * implant meets bone (the second seed judged its accuracy apart: 0.27 ±
 * 0.29 mm at the edges against 0.44 ± 0.36 mm overall).
 *
 * Rays from the middle of the cranial cavity (the point inside the skull
 * farthest from bone) go out in every direction on a 1.5° grid; those that
 * leave the volume without meeting the skull (its largest piece: loose
 * fragments and metal do not close a hole) pass through openings.  Each
 * connected set of such directions is one opening; where the rays at its
 * edge meet bone (found by halving between an open and a closed direction)
 * is its rim, and the region is every voxel within band_mm of that bone.
 * Openings that face down, seen from there (their middle more than
 * max_down_deg below the horizontal: the foramen magnum, the canals of the
 * skull base; in front, over the orbits and the nose, already
 * max_down_front_deg below) are natural and not listed, nor are those whose
 * rim is under min_width_mm across (gaps in thin bone, noise).  Directions
 * below max_down_deg never join an opening, so a defect reaching that low
 * is judged above it only.
 *
 * The rim is found where the rays graze the bone, so a hole seen at a
 * slant from the middle (a burr hole off to the side), or with bevelled
 * edges, shows a narrower opening than it has: its rim rays meet the inner
 * table on one side and the outer on the other.  The band, wider than the
 * skull is thick, still takes in the whole rim; its reported width is what
 * the middle sees.  Thin natural bone the mask leaves out (a sinus wall)
 * is an opening too: it is one, in the mask.
 */
typedef struct {
  double band_mm;          /* 10 */
  double min_width_mm;     /* 3 (as seen from the middle: see above) */
  double max_down_deg;     /* 40 */
  double max_down_front_deg; /* 10: in front, over the orbits and the nose */
} CalDefectRimOptions;

void cal_defect_rim_options_init (CalDefectRimOptions *options);

typedef struct {
  double  area_mm2;        /* inside its rim, as seen from the middle (an ellipse through the rim's spread) */
  double  width_mm;        /* across, from that area as if it were round */
  double  centre[3];       /* LPS mm: the middle of its rim */
  double  direction[3];    /* unit, from the cavity's middle */
  guint64 n_rim_voxels;    /* bone voxels the rim rays cross */
} CalSkullOpening;

typedef struct {
  CalMask *region;         /* (owned) 1 within band_mm of a rim, 0 elsewhere; the mask's grid */
  GArray  *openings;       /* (owned) CalSkullOpening, largest first */
  double   cavity_centre[3];/* LPS mm */
  guint64  n_region_voxels;
} CalDefectRim;

/* NULL with the error set when the mask has no bone, no enclosed cavity to
 * look out from, or when cancelled.  No opening is not an error: an empty
 * region and list. */
CalDefectRim *cal_find_defect_rim (CalMask                   *mask,
                                   const CalDefectRimOptions *options,
                                   GCancellable              *cancellable,
                                   GError                   **error);
void          cal_defect_rim_free (CalDefectRim              *rim);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalDefectRim, cal_defect_rim_free)

G_END_DECLS
