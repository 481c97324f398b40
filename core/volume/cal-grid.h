/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-matrix.h"

G_BEGIN_DECLS

/*
 * CalGrid: where a volume's voxels sit in the patient.
 *
 * Voxel (i, j, k) is stored at index i + nx * (j + ny * k).  The affine maps
 * (i, j, k, 1) to patient millimetres in LPS (x to the patient's left, y to
 * the posterior, z to the head: the DICOM convention).  Every loader fills
 * this once; nothing downstream guesses orientation.
 */
/* The voxel sizes any loader accepts, in mm: outside them a file's
 * geometry is a mistake or an attack, not a CT (micro-CT reaches 1 µm). */
#define CAL_MIN_VOXEL_MM 1e-3
#define CAL_MAX_VOXEL_MM 100.0

typedef struct {
  guint32  dims[3];
  double   affine[4][4];        /* voxel index -> LPS mm, row-major */
  gboolean orientation_known;   /* FALSE when the file said nothing */
} CalGrid;

#define CAL_TYPE_GRID (cal_grid_get_type ())
GType     cal_grid_get_type            (void) G_GNUC_CONST;

CalGrid  *cal_grid_copy                (const CalGrid *grid);
void      cal_grid_free                (CalGrid       *grid);

void      cal_grid_init                (CalGrid       *grid,
                                        const guint32  dims[3],
                                        const double   spacing[3],
                                        const double   direction[3][3],
                                        const double   origin[3]);
void      cal_grid_init_axis_aligned   (CalGrid       *grid,
                                        const guint32  dims[3],
                                        const double   spacing[3]);
guint64   cal_grid_n_voxels            (const CalGrid *grid);
void      cal_grid_get_spacing         (const CalGrid *grid,
                                        double         spacing[3]);
void      cal_grid_get_direction       (const CalGrid *grid,
                                        int            axis,
                                        double         unit[3]);
void      cal_grid_voxel_to_patient    (const CalGrid *grid,
                                        const double   ijk[3],
                                        double         xyz[3]);
gboolean  cal_grid_patient_to_voxel    (const CalGrid *grid,
                                        const double   xyz[3],
                                        double         ijk[3]);
void      cal_grid_orientation_code    (const CalGrid *grid,
                                        char           code[4]);
gboolean  cal_grid_is_oblique          (const CalGrid *grid,
                                        double         tolerance_deg);
gboolean  cal_grid_same_geometry       (const CalGrid *a,
                                        const CalGrid *b,
                                        double         tolerance_mm);
/* The voxel's signed volume in mm³: negative for a left-handed grid (one
 * whose voxel axes are a mirror image of the patient's). */
double    cal_grid_determinant         (const CalGrid *grid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalGrid, cal_grid_free)

G_END_DECLS
