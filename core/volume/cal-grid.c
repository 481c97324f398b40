/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-grid.h"

#include <math.h>
#include <string.h>

G_DEFINE_BOXED_TYPE (CalGrid, cal_grid, cal_grid_copy, cal_grid_free)

CalGrid *
cal_grid_copy (const CalGrid *grid)
{
  return g_memdup2 (grid, sizeof *grid);
}

void
cal_grid_free (CalGrid *grid)
{
  g_free (grid);
}

/* direction[a] is the unit vector (in LPS) along which voxel axis a grows. */
void
cal_grid_init (CalGrid       *grid,
               const guint32  dims[3],
               const double   spacing[3],
               const double   direction[3][3],
               const double   origin[3])
{
  memset (grid, 0, sizeof *grid);
  for (int a = 0; a < 3; a++)
    grid->dims[a] = dims[a];
  for (int r = 0; r < 3; r++)
    {
      for (int a = 0; a < 3; a++)
        grid->affine[r][a] = direction[a][r] * spacing[a];
      grid->affine[r][3] = origin[r];
    }
  grid->affine[3][3] = 1.0;
  grid->orientation_known = TRUE;
}

void
cal_grid_init_axis_aligned (CalGrid       *grid,
                            const guint32  dims[3],
                            const double   spacing[3])
{
  static const double identity[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  static const double zero[3] = { 0, 0, 0 };

  cal_grid_init (grid, dims, spacing, identity, zero);
}

guint64
cal_grid_n_voxels (const CalGrid *grid)
{
  return (guint64) grid->dims[0] * grid->dims[1] * grid->dims[2];
}

void
cal_grid_get_spacing (const CalGrid *grid,
                      double         spacing[3])
{
  for (int a = 0; a < 3; a++)
    spacing[a] = sqrt (grid->affine[0][a] * grid->affine[0][a] +
                       grid->affine[1][a] * grid->affine[1][a] +
                       grid->affine[2][a] * grid->affine[2][a]);
}

double
cal_grid_determinant (const CalGrid *grid)
{
  double m[3][3];

  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      m[r][c] = grid->affine[r][c];
  return cal_mat3_determinant (m);
}

void
cal_grid_get_direction (const CalGrid *grid,
                        int            axis,
                        double         unit[3])
{
  double spacing[3];

  g_return_if_fail (axis >= 0 && axis < 3);
  cal_grid_get_spacing (grid, spacing);
  for (int r = 0; r < 3; r++)
    unit[r] = spacing[axis] > 0 ? grid->affine[r][axis] / spacing[axis] : 0.0;
}

void
cal_grid_voxel_to_patient (const CalGrid *grid,
                           const double   ijk[3],
                           double         xyz[3])
{
  for (int r = 0; r < 3; r++)
    xyz[r] = grid->affine[r][0] * ijk[0] + grid->affine[r][1] * ijk[1] +
             grid->affine[r][2] * ijk[2] + grid->affine[r][3];
}

gboolean
cal_grid_patient_to_voxel (const CalGrid *grid,
                           const double   xyz[3],
                           double         ijk[3])
{
  double inv[4][4];

  if (!cal_mat4_invert (grid->affine, inv))
    return FALSE;
  for (int r = 0; r < 3; r++)
    ijk[r] = inv[r][0] * xyz[0] + inv[r][1] * xyz[1] + inv[r][2] * xyz[2] + inv[r][3];
  return TRUE;
}

/* For each voxel axis, the anatomical direction it grows toward, as the
 * letter of the nearest LPS axis: "LPS" for a DICOM-style axial stack. */
void
cal_grid_orientation_code (const CalGrid *grid,
                           char           code[4])
{
  static const char positive[3] = { 'L', 'P', 'S' };
  static const char negative[3] = { 'R', 'A', 'I' };

  for (int a = 0; a < 3; a++)
    {
      double unit[3];
      int best = 0;

      cal_grid_get_direction (grid, a, unit);
      for (int r = 1; r < 3; r++)
        if (fabs (unit[r]) > fabs (unit[best]))
          best = r;
      code[a] = unit[best] >= 0 ? positive[best] : negative[best];
    }
  code[3] = '\0';
}

/* TRUE when some voxel axis is more than tolerance_deg away from the
 * nearest patient axis. */
gboolean
cal_grid_is_oblique (const CalGrid *grid,
                     double         tolerance_deg)
{
  double min_cos = cos (tolerance_deg * G_PI / 180.0);

  for (int a = 0; a < 3; a++)
    {
      double unit[3], largest = 0;

      cal_grid_get_direction (grid, a, unit);
      for (int r = 0; r < 3; r++)
        largest = MAX (largest, fabs (unit[r]));
      if (largest < min_cos)
        return TRUE;
    }
  return FALSE;
}

gboolean
cal_grid_same_geometry (const CalGrid *a,
                        const CalGrid *b,
                        double         tolerance_mm)
{
  double far_corner[3], pa[3], pb[3];

  for (int d = 0; d < 3; d++)
    if (a->dims[d] != b->dims[d])
      return FALSE;

  /* Compare where the first and the last voxel land: catches differing
   * spacing, origin and direction in one tolerance that means something. */
  for (int d = 0; d < 3; d++)
    far_corner[d] = a->dims[d] > 0 ? a->dims[d] - 1.0 : 0.0;
  for (int corner = 0; corner < 8; corner++)
    {
      double ijk[3];

      for (int d = 0; d < 3; d++)
        ijk[d] = (corner >> d) & 1 ? far_corner[d] : 0.0;
      cal_grid_voxel_to_patient (a, ijk, pa);
      cal_grid_voxel_to_patient (b, ijk, pb);
      for (int d = 0; d < 3; d++)
        if (fabs (pa[d] - pb[d]) > tolerance_mm)
          return FALSE;
    }
  return TRUE;
}
