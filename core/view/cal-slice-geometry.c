/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-slice-geometry.h"

#include <math.h>
#include <string.h>

#include "cal-vec3.h"

/* Slice images larger than this are sampled more coarsely: a view never
 * needs more samples than a 4K screen has pixels. */
#define MAX_SLICE_SAMPLES 4096

/* right, down, normal in LPS for each orientation (radiological). */
static const double frames[3][3][3] = {
  /* axial: patient's left to the right, posterior down, toward the head */
  { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } },
  /* coronal: left to the right, feet down, toward the face */
  { { 1, 0, 0 }, { 0, 0, -1 }, { 0, -1, 0 } },
  /* sagittal: posterior to the right, feet down, toward the left */
  { { 0, 1, 0 }, { 0, 0, -1 }, { 1, 0, 0 } },
};

static const char *edge_labels[3][4] = {
  { "R", "L", "A", "P" },
  { "R", "L", "S", "I" },
  { "A", "P", "S", "I" },
};

const char *
cal_slice_orientation_name (CalSliceOrientation orientation)
{
  static const char *names[] = { "axial", "coronal", "sagittal" };

  g_return_val_if_fail (orientation <= CAL_SLICE_SAGITTAL, NULL);
  return names[orientation];
}

const char *
cal_slice_edge_label (CalSliceOrientation orientation,
                      CalSliceEdge        edge)
{
  g_return_val_if_fail (orientation <= CAL_SLICE_SAGITTAL, NULL);
  g_return_val_if_fail (edge <= CAL_SLICE_EDGE_BOTTOM, NULL);
  return edge_labels[orientation][edge];
}

/* The spacing of the voxel axis most parallel to `axis`. */
static double
step_along (const CalGrid *grid,
            const double   axis[3])
{
  double spacing[3], best = -1, step = 1;

  cal_grid_get_spacing (grid, spacing);
  for (int a = 0; a < 3; a++)
    {
      double unit[3], d;

      cal_grid_get_direction (grid, a, unit);
      d = fabs (cal_vec3_dot (unit, axis));
      if (d > best)
        {
          best = d;
          step = spacing[a];
        }
    }
  return step;
}

/* Range of the volume's corners along `axis`; `edge` 0.5 takes voxel
 * edges, 0 voxel centres. */
static void
extent_along (const CalGrid *grid,
              const double   axis[3],
              double         edge,
              double        *lo,
              double        *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int c = 0; c < 8; c++)
    {
      double ijk[3], xyz[3], d;

      for (int a = 0; a < 3; a++)
        ijk[a] = (c >> a & 1) ? grid->dims[a] - 1 + edge : -edge;
      cal_grid_voxel_to_patient (grid, ijk, xyz);
      d = cal_vec3_dot (xyz, axis);
      *lo = MIN (*lo, d);
      *hi = MAX (*hi, d);
    }
}

static guint
samples_for (double  length,
             double *step)
{
  double n = ceil (length / *step - 1e-9);

  if (n > MAX_SLICE_SAMPLES)
    {
      *step = length / MAX_SLICE_SAMPLES;
      n = MAX_SLICE_SAMPLES;
    }
  return (guint) MAX (n, 1.0);
}

void
cal_slice_plane_init (CalSlicePlane       *plane,
                      const CalGrid       *grid,
                      CalSliceOrientation  orientation)
{
  double n_lo, n_hi;

  g_return_if_fail (orientation <= CAL_SLICE_SAGITTAL);

  plane->orientation = orientation;
  memcpy (plane->right, frames[orientation][0], sizeof plane->right);
  memcpy (plane->down, frames[orientation][1], sizeof plane->down);
  memcpy (plane->normal, frames[orientation][2], sizeof plane->normal);

  extent_along (grid, plane->right, 0.5, &plane->u_min, &plane->u_max);
  extent_along (grid, plane->down, 0.5, &plane->v_min, &plane->v_max);
  plane->pixel_u = step_along (grid, plane->right);
  plane->pixel_v = step_along (grid, plane->down);
  plane->width = samples_for (plane->u_max - plane->u_min, &plane->pixel_u);
  plane->height = samples_for (plane->v_max - plane->v_min, &plane->pixel_v);

  /* Slices sit on voxel centres along the normal, one voxel apart. */
  extent_along (grid, plane->normal, 0, &n_lo, &n_hi);
  plane->step_n = step_along (grid, plane->normal);
  plane->n_min = n_lo;
  plane->n_slices = (guint) floor ((n_hi - n_lo) / plane->step_n + 0.5) + 1;
  plane->n_max = n_lo + (plane->n_slices - 1) * plane->step_n;
}

void
cal_slice_plane_to_patient (const CalSlicePlane *plane,
                            double               u,
                            double               v,
                            double               n,
                            double               xyz[3])
{
  for (int a = 0; a < 3; a++)
    xyz[a] = u * plane->right[a] + v * plane->down[a] + n * plane->normal[a];
}

void
cal_slice_plane_from_patient (const CalSlicePlane *plane,
                              const double         xyz[3],
                              double              *u,
                              double              *v,
                              double              *n)
{
  if (u)
    *u = cal_vec3_dot (xyz, plane->right);
  if (v)
    *v = cal_vec3_dot (xyz, plane->down);
  if (n)
    *n = cal_vec3_dot (xyz, plane->normal);
}

guint
cal_slice_plane_index (const CalSlicePlane *plane,
                       double               n)
{
  double index = floor ((n - plane->n_min) / plane->step_n + 0.5);

  return (guint) CLAMP (index, 0.0, (double) plane->n_slices - 1);
}

double
cal_slice_plane_position (const CalSlicePlane *plane,
                          guint                index)
{
  return plane->n_min + MIN (index, plane->n_slices - 1) * plane->step_n;
}

void
cal_slice_plane_sample_center (const CalSlicePlane *plane,
                               guint                x,
                               guint                y,
                               double              *u,
                               double              *v)
{
  *u = plane->u_min + (x + 0.5) * plane->pixel_u;
  *v = plane->v_min + (y + 0.5) * plane->pixel_v;
}

void
cal_slice_plane_corners (const CalSlicePlane *plane,
                         double               n,
                         double               corners[4][3])
{
  double u_max = plane->u_min + plane->width * plane->pixel_u;
  double v_max = plane->v_min + plane->height * plane->pixel_v;

  cal_slice_plane_to_patient (plane, plane->u_min, plane->v_min, n, corners[0]);
  cal_slice_plane_to_patient (plane, u_max, plane->v_min, n, corners[1]);
  cal_slice_plane_to_patient (plane, u_max, v_max, n, corners[2]);
  cal_slice_plane_to_patient (plane, plane->u_min, v_max, n, corners[3]);
}

void
cal_slice_viewport_fit (CalSliceViewport    *viewport,
                        const CalSlicePlane *plane,
                        double               width,
                        double               height)
{
  double w_mm = plane->u_max - plane->u_min;
  double h_mm = plane->v_max - plane->v_min;

  viewport->width = width;
  viewport->height = height;
  viewport->zoom = MIN (width / MAX (w_mm, 1e-6), height / MAX (h_mm, 1e-6));
  viewport->center_u = (plane->u_min + plane->u_max) / 2;
  viewport->center_v = (plane->v_min + plane->v_max) / 2;
}

void
cal_slice_viewport_resize (CalSliceViewport *viewport,
                           double            width,
                           double            height)
{
  /* Keep what the engineer looked at: same mm per pixel across the
   * smaller dimension. */
  double before = MIN (viewport->width, viewport->height);
  double after = MIN (width, height);

  if (before > 0 && after > 0)
    viewport->zoom *= after / before;
  viewport->width = width;
  viewport->height = height;
}

void
cal_slice_viewport_to_plane (const CalSliceViewport *viewport,
                             double                  x,
                             double                  y,
                             double                 *u,
                             double                 *v)
{
  *u = viewport->center_u + (x - viewport->width / 2) / viewport->zoom;
  *v = viewport->center_v + (y - viewport->height / 2) / viewport->zoom;
}

void
cal_slice_viewport_to_screen (const CalSliceViewport *viewport,
                              double                  u,
                              double                  v,
                              double                 *x,
                              double                 *y)
{
  *x = viewport->width / 2 + (u - viewport->center_u) * viewport->zoom;
  *y = viewport->height / 2 + (v - viewport->center_v) * viewport->zoom;
}

void
cal_slice_viewport_zoom_at (CalSliceViewport *viewport,
                            double            x,
                            double            y,
                            double            factor)
{
  double u, v;

  g_return_if_fail (factor > 0);
  cal_slice_viewport_to_plane (viewport, x, y, &u, &v);
  viewport->zoom = CLAMP (viewport->zoom * factor, 1e-3, 1e3);
  viewport->center_u = u - (x - viewport->width / 2) / viewport->zoom;
  viewport->center_v = v - (y - viewport->height / 2) / viewport->zoom;
}

void
cal_slice_viewport_pan (CalSliceViewport *viewport,
                        double            dx,
                        double            dy)
{
  viewport->center_u -= dx / viewport->zoom;
  viewport->center_v -= dy / viewport->zoom;
}

gboolean
cal_slice_screen_to_voxel (const CalSliceViewport *viewport,
                           const CalSlicePlane    *plane,
                           const CalGrid          *grid,
                           double                  n,
                           double                  x,
                           double                  y,
                           double                  xyz[3],
                           double                  ijk[3])
{
  double u, v;

  cal_slice_viewport_to_plane (viewport, x, y, &u, &v);
  cal_slice_plane_to_patient (plane, u, v, n, xyz);
  if (!cal_grid_patient_to_voxel (grid, xyz, ijk))
    return FALSE;
  for (int a = 0; a < 3; a++)
    if (ijk[a] < -0.5 || ijk[a] >= grid->dims[a] - 0.5)
      return FALSE;
  return TRUE;
}

double
cal_scale_bar_length_mm (double zoom,
                         double target_px)
{
  double target_mm, decade, best;

  g_return_val_if_fail (zoom > 0 && target_px > 0, 0);
  target_mm = target_px / zoom;
  decade = pow (10, floor (log10 (target_mm)));
  best = decade;
  for (guint m = 0; m < 3; m++)
    {
      static const double nice[] = { 1, 2, 5 };
      double length = decade * nice[m];

      if (length <= target_mm * 1.0001)
        best = length;
    }
  return best;
}
