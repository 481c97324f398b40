/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <math.h>

#include "cal-mask.h"
#include "cal-mesh.h"

G_BEGIN_DECLS

/* Analytic phantoms for the surface tests: a sphere and a box voxelised on
 * a grid with any spacing and direction, with their exact distance
 * functions in patient mm. */

typedef struct {
  CalGrid grid;
  double  spacing[3];
  double  center[3];     /* sphere: LPS mm */
  double  radius;        /* sphere: mm */
  double  box_lo[3];     /* box: voxel index bounds of its faces */
  double  box_hi[3];
} CalTestPhantom;

static const double cal_test_identity[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

/* A grid around `center` with `margin` mm to spare on each side of a
 * `half_extent` mm half-size; grid points sit at fractions of a voxel from
 * the centre so nothing lines up by luck. */
static inline void
cal_test_phantom_grid (CalTestPhantom *ph,
                       const double    spacing[3],
                       const double    direction[3][3],
                       double          half_extent)
{
  static const double frac[3] = { 0.31, 0.17, 0.43 };
  guint32 dims[3];
  double origin[3];

  for (int a = 0; a < 3; a++)
    {
      dims[a] = (guint32) ceil (2 * (half_extent + 3 * spacing[a]) / spacing[a]) + 1;
      ph->spacing[a] = spacing[a];
    }
  for (int r = 0; r < 3; r++)
    {
      origin[r] = ph->center[r];
      for (int a = 0; a < 3; a++)
        origin[r] -= direction[a][r] * spacing[a] * ((dims[a] - 1) / 2.0 + frac[a]);
    }
  cal_grid_init (&ph->grid, dims, spacing, direction, origin);
}

static inline CalMask *
cal_test_sphere_mask (CalTestPhantom *ph,
                      const double    spacing[3],
                      const double    direction[3][3],
                      double          radius)
{
  CalMask *mask;
  guint8 *labels;
  const guint32 *d;

  ph->center[0] = 10.3;
  ph->center[1] = -20.7;
  ph->center[2] = 35.1;
  ph->radius = radius;
  cal_test_phantom_grid (ph, spacing, direction, radius);
  mask = cal_mask_new (&ph->grid);
  labels = cal_mask_get_labels_mutable (mask);
  d = ph->grid.dims;
  for (guint32 k = 0; k < d[2]; k++)
    for (guint32 j = 0; j < d[1]; j++)
      for (guint32 i = 0; i < d[0]; i++)
        {
          double ijk[3] = { i, j, k }, p[3];
          cal_grid_voxel_to_patient (&ph->grid, ijk, p);
          labels[i + d[0] * (j + (gsize) d[1] * k)] =
            hypot (hypot (p[0] - ph->center[0], p[1] - ph->center[1]), p[2] - ph->center[2]) <= radius;
        }
  return mask;
}

/* Unsigned distance in mm from p to the sphere, and the sphere's normal
 * nearest to p. */
static inline double
cal_test_sphere_distance (const CalTestPhantom *ph,
                          const double         *p,
                          double                normal[3])
{
  double r = hypot (hypot (p[0] - ph->center[0], p[1] - ph->center[1]), p[2] - ph->center[2]);

  for (int a = 0; a < 3; a++)
    normal[a] = (p[a] - ph->center[a]) / r;
  return fabs (r - ph->radius);
}

/* A voxel's extent along a unit normal: what "one voxel" of error means
 * there on an anisotropic grid (orthonormal directions assumed). */
static inline double
cal_test_voxel_extent (const CalGrid *grid,
                       const double   normal[3])
{
  double spacing[3], sum = 0;

  cal_grid_get_spacing (grid, spacing);
  for (int a = 0; a < 3; a++)
    {
      double unit[3], along;
      cal_grid_get_direction (grid, a, unit);
      along = (unit[0] * normal[0] + unit[1] * normal[1] + unit[2] * normal[2]) * spacing[a];
      sum += along * along;
    }
  return sqrt (sum);
}

/* A box whose faces lie on voxel boundaries (the only box a mask holds
 * exactly), `half` mm half-size, centred near the grid's middle. */
static inline CalMask *
cal_test_box_mask (CalTestPhantom *ph,
                   const double    spacing[3],
                   const double    direction[3][3],
                   const double    half[3])
{
  CalMask *mask;
  guint8 *labels;
  const guint32 *d;
  guint32 lo[3], hi[3];

  ph->center[0] = -5.2;
  ph->center[1] = 14.9;
  ph->center[2] = 60.4;
  cal_test_phantom_grid (ph, spacing, direction, MAX (half[0], MAX (half[1], half[2])));
  d = ph->grid.dims;
  for (int a = 0; a < 3; a++)
    {
      guint32 n = (guint32) round (2 * half[a] / spacing[a]);
      lo[a] = (d[a] - n) / 2;
      hi[a] = lo[a] + n - 1;
      ph->box_lo[a] = lo[a] - 0.5;
      ph->box_hi[a] = hi[a] + 0.5;
    }
  mask = cal_mask_new (&ph->grid);
  labels = cal_mask_get_labels_mutable (mask);
  for (guint32 k = lo[2]; k <= hi[2]; k++)
    for (guint32 j = lo[1]; j <= hi[1]; j++)
      for (guint32 i = lo[0]; i <= hi[0]; i++)
        labels[i + d[0] * (j + (gsize) d[1] * k)] = 1;
  return mask;
}

static inline double
cal_test_box_volume (const CalTestPhantom *ph)
{
  double v = 1;
  for (int a = 0; a < 3; a++)
    v *= (ph->box_hi[a] - ph->box_lo[a]) * ph->spacing[a];
  return v;
}

/* Unsigned distance in mm from p to the box's surface, and the normal of
 * the nearest face (orthonormal directions assumed, as the phantom grids
 * have). */
static inline double
cal_test_box_distance (const CalTestPhantom *ph,
                       const double         *p,
                       double                normal[3])
{
  double ijk[3], outside = 0, inside = INFINITY, out[3];
  int nearest = 0;

  cal_grid_patient_to_voxel (&ph->grid, p, ijk);
  for (int a = 0; a < 3; a++)
    {
      double below = (ph->box_lo[a] - ijk[a]) * ph->spacing[a];
      double above = (ijk[a] - ph->box_hi[a]) * ph->spacing[a];
      out[a] = MAX (below, above);
      if (out[a] > 0)
        outside += out[a] * out[a];
      if (-out[a] < inside)
        {
          inside = -out[a];
          nearest = a;
        }
    }
  for (int r = 0; r < 3; r++)
    normal[r] = 0;
  {
    double unit[3];
    cal_grid_get_direction (&ph->grid, nearest, unit);
    for (int r = 0; r < 3; r++)
      normal[r] = unit[r];
  }
  return outside > 0 ? sqrt (outside) : inside;
}

typedef double (*CalTestDistanceFunc) (const CalTestPhantom *ph,
                                       const double         *p,
                                       double                normal[3]);

/* RMS distance from the mesh's surface to the analytic one, in voxels
 * (each point's error over the voxel's extent along the surface normal),
 * integrated over the triangles with a 7-point rule (corners, edge
 * midpoints, centroid; weights 1/20, 2/15, 9/20). */
static inline double
cal_test_surface_rms_voxels (CalMesh              *mesh,
                             const CalTestPhantom *ph,
                             CalTestDistanceFunc   distance)
{
  static const double rule[7][4] = {
    { 1, 0, 0, 1.0 / 20 }, { 0, 1, 0, 1.0 / 20 }, { 0, 0, 1, 1.0 / 20 },
    { 0.5, 0.5, 0, 2.0 / 15 }, { 0, 0.5, 0.5, 2.0 / 15 }, { 0.5, 0, 0.5, 2.0 / 15 },
    { 1.0 / 3, 1.0 / 3, 1.0 / 3, 9.0 / 20 },
  };
  const float *v = cal_mesh_get_vertices (mesh);
  const guint32 *t = cal_mesh_get_triangles (mesh);
  double sum = 0, area_sum = 0;

  for (guint32 f = 0; f < cal_mesh_get_n_triangles (mesh); f++)
    {
      double c[3][3], area;
      for (int k = 0; k < 3; k++)
        for (int a = 0; a < 3; a++)
          c[k][a] = v[3 * t[3 * f + k] + a];
      {
        double u[3], w[3], x[3];
        for (int a = 0; a < 3; a++)
          {
            u[a] = c[1][a] - c[0][a];
            w[a] = c[2][a] - c[0][a];
          }
        x[0] = u[1] * w[2] - u[2] * w[1];
        x[1] = u[2] * w[0] - u[0] * w[2];
        x[2] = u[0] * w[1] - u[1] * w[0];
        area = sqrt (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) / 2;
      }
      for (int q = 0; q < 7; q++)
        {
          double p[3], normal[3], d, extent;
          for (int a = 0; a < 3; a++)
            p[a] = rule[q][0] * c[0][a] + rule[q][1] * c[1][a] + rule[q][2] * c[2][a];
          d = distance (ph, p, normal);
          extent = cal_test_voxel_extent (&ph->grid, normal);
          sum += area * rule[q][3] * (d / extent) * (d / extent);
        }
      area_sum += area;
    }
  return sqrt (sum / area_sum);
}

G_END_DECLS
