/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 dims[3];
  double  i_off;   /* output column 0 sits at this column of the first slice */
  double  j_off;
} CalResampleGeometry;

/* Resamples a stack of float slices lying at distances d[s] along the normal
 * and shifted in-plane by (u[s], v[s]) pixels onto a regular box with
 * spacing dz that contains every slice; outside stays at the stack's
 * minimum (air).  Linear between slices, bilinear in-plane. */
GBytes *cal_dicom_resample (const float         *slices,
                            guint                n,
                            guint32              rows,
                            guint32              cols,
                            const double        *d,
                            const double        *u,
                            const double        *v,
                            double               dz,
                            gboolean             to_int16,
                            CalResampleGeometry *geometry);

G_END_DECLS
