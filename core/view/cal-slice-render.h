/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-hu-presets.h"
#include "cal-mask.h"
#include "cal-slice-geometry.h"
#include "cal-volume.h"

G_BEGIN_DECLS

typedef struct {
  double window;            /* HU shown from black to white */
  double level;             /* HU at mid grey */
  double overlay_opacity;   /* 0..1, the mask over the grey values */
  CalMask *region;          /* (nullable) a region of interest, tinted orange over all; the volume's grid */
} CalSliceStyle;

/* The region of interest's tint, RGB (the 3D view's region colour). */
extern const guint8 cal_region_tint[3];

/* Label colours of the mask overlay, RGB; label 0 is never drawn. */
void cal_mask_label_color (guint8 label,
                           guint8 rgb[3]);

/* Draws slice `index` of `plane` as opaque RGBA (R, G, B, 255 per sample)
 * into `rgba`, plane->width x plane->height samples, rows `stride` bytes
 * apart: nearest-neighbour HU through the window, the mask blended on
 * top.  Samples outside the volume are black.  `mask` may be NULL; it
 * must share the volume's grid.  Runs on all cores. */
void cal_slice_render     (const CalSlicePlane *plane,
                           guint                index,
                           CalVolume           *volume,
                           CalMask             *mask,
                           const CalSliceStyle *style,
                           guint8              *rgba,
                           gsize                stride);

G_END_DECLS
