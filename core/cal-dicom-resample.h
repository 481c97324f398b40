/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 dims[3];
  double  i_off;   /* output column 0 sits at this column of the first slice */
  double  j_off;
} CalResampleGeometry;

/* The box that holds every slice of a stack lying at distances d[s] along
 * the normal and shifted in-plane by (u[s], v[s]) pixels, at spacing dz.
 * FALSE when a side would exceed CAL_RESAMPLE_MAX_SIDE voxels: positions
 * that far apart describe no scan. */
#define CAL_RESAMPLE_MAX_SIDE 65536

gboolean cal_dicom_resample_plan (guint                n,
                                  guint32              rows,
                                  guint32              cols,
                                  const double        *d,
                                  const double        *u,
                                  const double        *v,
                                  double               dz,
                                  CalResampleGeometry *geometry);

/* Resamples the float slices onto the planned box; outside stays at the
 * stack's minimum (air).  Linear between slices, bilinear in-plane. */
GBytes  *cal_dicom_resample      (const float               *slices,
                                  guint                      n,
                                  guint32                    rows,
                                  guint32                    cols,
                                  const double              *d,
                                  const double              *u,
                                  const double              *v,
                                  double                     dz,
                                  gboolean                   to_int16,
                                  const CalResampleGeometry *geometry);

G_END_DECLS
