/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 dims[3];
  double  i_off;   /* output column 0 sits at this column of the first slice */
  double  j_off;
} CalResampleGeometry;

/* Where a stack's slices lie: at distances d[s] along the normal, shifted
 * in-plane by (u[s], v[s]) pixels, to be put on a regular spacing dz. */
typedef struct {
  guint         n;
  guint32       rows;
  guint32       cols;
  const double *d;        /* borrowed, n of each */
  const double *u;
  const double *v;
  double        dz;
} CalSlicePlaces;

/* The box that holds every slice.  FALSE when a side would exceed
 * CAL_RESAMPLE_MAX_SIDE voxels: positions that far apart describe no scan. */
#define CAL_RESAMPLE_MAX_SIDE 65536

gboolean cal_dicom_resample_plan (const CalSlicePlaces      *places,
                                  CalResampleGeometry       *geometry);

/* Resamples the float slices onto the planned box; outside stays at the
 * stack's minimum (air).  Linear between slices, bilinear in-plane. */
GBytes  *cal_dicom_resample      (const float               *slices,
                                  const CalSlicePlaces      *places,
                                  gboolean                   to_int16,
                                  const CalResampleGeometry *geometry);

G_END_DECLS
