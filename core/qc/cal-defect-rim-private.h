/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by cal-defect-rim.c (the rays and the openings they find) and
 * its tests; kept apart so the file stays short. */
#pragma once

#include "cal-defect-rim.h"

G_BEGIN_DECLS

#define STEP_DEG   1.5
#define N_EL       120          /* 180° / STEP_DEG */
#define N_AZ       240          /* 360° / STEP_DEG */
#define N_DIRS     (N_EL * N_AZ)
#define BISECTIONS 6            /* the rim's direction to 1.5° / 64 */
#define COARSE_MM  2.5          /* grid for finding the cavity's middle */

typedef struct {
  const guint8 *skull;          /* 0/1, the mask's largest piece */
  guint32       dims[3];
  double        spacing[3];
  double        to_voxel[4][4];
  double        affine[4][4];
  double        step_mm;
  double        max_mm;         /* no ray inside the volume is longer */
} Rays;

typedef struct {
  gboolean covered;
  gboolean below;     /* further down than any defect is looked for */
  double   hit, exit;
} Ray;

typedef struct {
  guint32 root;
  GArray *cells;        /* guint32: its directions */
  GArray *border;       /* guint32 pairs: a covered direction beside it, and its uncovered neighbour */
} Opening;

void     cal_rim_direction_of    (int           row,
                                  int           col,
                                  double        dir[3]);
void     cal_rim_cell_direction  (guint32       cell,
                                  double        dir[3]);
int      cal_rim_neighbours      (int           row,
                                  int           col,
                                  guint32       out[N_AZ + 8]);
void     cal_rim_linear_to_voxel (const Rays   *rays,
                                  const double  v[3],
                                  double        out[3],
                                  gboolean      point);
gint64   cal_rim_voxel_along     (const Rays   *rays,
                                  const double  o[3],
                                  const double  d[3],
                                  double        t);
gboolean cal_rim_march           (const Rays   *rays,
                                  const double  from[3],
                                  const double  dir[3],
                                  double       *hit,
                                  double       *exit);


G_END_DECLS
