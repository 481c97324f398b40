/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The views' geometry without a display: screen <-> voxel <-> patient mm
 * for anisotropic, flipped and oblique volumes, the slice renderer, the
 * 3D camera and the reduced display mesh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal-camera.h"
#include "cal-mesh-display.h"
#include "cal-slice-geometry.h"
#include "cal-slice-render.h"
#include "cal-surface.h"
#include "cal-test-phantom.h"

static const double identity[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

static void
make_grid (CalGrid      *grid,
           const double  direction[3][3])
{
  const guint32 dims[3] = { 13, 17, 5 };
  const double spacing[3] = { 0.5, 0.8, 2.5 };
  const double origin[3] = { -30.25, 12.5, 100 };

  cal_grid_init (grid, dims, spacing, direction, origin);
}

/* The screen point at the centre of sample (x, y) lands in voxel ijk. */
static void
assert_sample_maps_to_voxel (const CalSlicePlane *plane,
                             const CalGrid       *grid,
                             guint                index,
                             guint                x,
                             guint                y,
                             const double         expected[3])
{
  CalSliceViewport vp;
  double u, v, sx, sy, xyz[3], ijk[3];
  double n = cal_slice_plane_position (plane, index);

  cal_slice_viewport_fit (&vp, plane, 640, 480);
  cal_slice_plane_sample_center (plane, x, y, &u, &v);
  cal_slice_viewport_to_screen (&vp, u, v, &sx, &sy);
  g_assert_true (cal_slice_screen_to_voxel (&vp, plane, grid, n, sx, sy, xyz, ijk));
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat_with_epsilon (ijk[a], expected[a], 1e-6);
}

static void
test_anisotropic_axis_aligned (void)
{
  CalGrid grid;
  CalSlicePlane axial, coronal, sagittal;
  CalSliceViewport vp;
  double x0, y0, x1, y1;

  make_grid (&grid, identity);
  cal_slice_plane_init (&axial, &grid, CAL_SLICE_AXIAL);
  g_assert_cmpuint (axial.width, ==, 13);
  g_assert_cmpuint (axial.height, ==, 17);
  g_assert_cmpuint (axial.n_slices, ==, 5);
  g_assert_cmpfloat_with_epsilon (axial.pixel_u, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (axial.pixel_v, 0.8, 1e-12);
  g_assert_cmpfloat_with_epsilon (axial.step_n, 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (axial.n_min, 100, 1e-9);

  cal_slice_plane_init (&coronal, &grid, CAL_SLICE_CORONAL);
  g_assert_cmpuint (coronal.width, ==, 13);
  g_assert_cmpuint (coronal.height, ==, 5);
  g_assert_cmpuint (coronal.n_slices, ==, 17);
  g_assert_cmpfloat_with_epsilon (coronal.pixel_v, 2.5, 1e-12);

  cal_slice_plane_init (&sagittal, &grid, CAL_SLICE_SAGITTAL);
  g_assert_cmpuint (sagittal.width, ==, 17);
  g_assert_cmpuint (sagittal.height, ==, 5);
  g_assert_cmpuint (sagittal.n_slices, ==, 13);

  /* Axial: screen right is the patient's left (+x), down is posterior;
   * the bottom row is the most posterior voxel row. */
  assert_sample_maps_to_voxel (&axial, &grid, 3, 0, 0, (double[3]) { 0, 0, 3 });
  assert_sample_maps_to_voxel (&axial, &grid, 3, 12, 16, (double[3]) { 12, 16, 3 });
  /* Coronal: the top row is the highest slice (superior). */
  assert_sample_maps_to_voxel (&coronal, &grid, 0, 4, 0, (double[3]) { 4, 16, 4 });
  assert_sample_maps_to_voxel (&coronal, &grid, 16, 4, 4, (double[3]) { 4, 0, 0 });
  /* Sagittal: anterior on the left, slices toward the patient's left. */
  assert_sample_maps_to_voxel (&sagittal, &grid, 12, 0, 4, (double[3]) { 12, 0, 0 });

  /* True aspect: 2.5 mm slices are five times as tall as 0.5 mm columns. */
  cal_slice_viewport_fit (&vp, &coronal, 800, 800);
  cal_slice_viewport_to_screen (&vp, coronal.u_min, coronal.v_min, &x0, &y0);
  cal_slice_viewport_to_screen (&vp, coronal.u_min + 0.5, coronal.v_min + 2.5, &x1, &y1);
  g_assert_cmpfloat_with_epsilon ((y1 - y0) / (x1 - x0), 5.0, 1e-9);
  /* The whole volume fits and is centred. */
  g_assert_cmpfloat (vp.zoom * (coronal.u_max - coronal.u_min), <=, 800 + 1e-9);
  g_assert_cmpfloat (vp.zoom * (coronal.v_max - coronal.v_min), <=, 800 + 1e-9);
}

static void
test_labels (void)
{
  g_assert_cmpstr (cal_slice_edge_label (CAL_SLICE_AXIAL, CAL_SLICE_EDGE_LEFT), ==, "R");
  g_assert_cmpstr (cal_slice_edge_label (CAL_SLICE_AXIAL, CAL_SLICE_EDGE_TOP), ==, "A");
  g_assert_cmpstr (cal_slice_edge_label (CAL_SLICE_CORONAL, CAL_SLICE_EDGE_BOTTOM), ==, "I");
  g_assert_cmpstr (cal_slice_edge_label (CAL_SLICE_SAGITTAL, CAL_SLICE_EDGE_LEFT), ==, "A");
  g_assert_cmpstr (cal_slice_edge_label (CAL_SLICE_SAGITTAL, CAL_SLICE_EDGE_RIGHT), ==, "P");
}

/* A scan stored right-to-left and front-to-back (as RAS-ordered NIfTI
 * files are) still shows the patient's right on the screen's left. */
static void
test_flipped_storage (void)
{
  const double flipped[3][3] = { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 1 } };
  CalGrid grid;
  CalSlicePlane axial;

  make_grid (&grid, flipped);
  cal_slice_plane_init (&axial, &grid, CAL_SLICE_AXIAL);
  assert_sample_maps_to_voxel (&axial, &grid, 2, 0, 0, (double[3]) { 12, 16, 2 });
  assert_sample_maps_to_voxel (&axial, &grid, 2, 12, 0, (double[3]) { 0, 16, 2 });
}

static void
test_oblique_round_trip (void)
{
  double c = cos (G_PI / 6), s = sin (G_PI / 6);
  const double tilted[3][3] = { { c, 0, s }, { 0, 1, 0 }, { -s, 0, c } };
  CalGrid grid;

  make_grid (&grid, tilted);
  for (CalSliceOrientation o = CAL_SLICE_AXIAL; o <= CAL_SLICE_SAGITTAL; o++)
    {
      CalSlicePlane plane;
      CalSliceViewport vp;
      double ijk_in[3] = { 6.2, 9.7, 2.1 }, xyz[3], u, v, n, sx, sy, xyz_back[3], ijk[3];

      cal_slice_plane_init (&plane, &grid, o);
      cal_slice_viewport_fit (&vp, &plane, 500, 300);
      cal_slice_viewport_zoom_at (&vp, 123, 77, 2.5);
      cal_slice_viewport_pan (&vp, -31, 14);
      cal_grid_voxel_to_patient (&grid, ijk_in, xyz);
      cal_slice_plane_from_patient (&plane, xyz, &u, &v, &n);
      cal_slice_viewport_to_screen (&vp, u, v, &sx, &sy);
      g_assert_true (cal_slice_screen_to_voxel (&vp, &plane, &grid, n, sx, sy, xyz_back, ijk));
      for (int a = 0; a < 3; a++)
        {
          g_assert_cmpfloat_with_epsilon (xyz_back[a], xyz[a], 1e-9);
          g_assert_cmpfloat_with_epsilon (ijk[a], ijk_in[a], 1e-9);
        }
      /* Every corner of the volume lies inside the plane's extent. */
      for (int corner = 0; corner < 8; corner++)
        {
          double cijk[3], cxyz[3];

          for (int a = 0; a < 3; a++)
            cijk[a] = (corner >> a & 1) ? grid.dims[a] - 0.5 : -0.5;
          cal_grid_voxel_to_patient (&grid, cijk, cxyz);
          cal_slice_plane_from_patient (&plane, cxyz, &u, &v, NULL);
          g_assert_cmpfloat (u, >=, plane.u_min - 1e-9);
          g_assert_cmpfloat (u, <=, plane.u_max + 1e-9);
          g_assert_cmpfloat (v, >=, plane.v_min - 1e-9);
          g_assert_cmpfloat (v, <=, plane.v_max + 1e-9);
        }
      /* Outside the volume is outside. */
      g_assert_false (cal_slice_screen_to_voxel (&vp, &plane, &grid, plane.n_max + 50, sx, sy,
                                                 xyz_back, ijk));
    }
}

static void
test_viewport_zoom_keeps_point (void)
{
  CalGrid grid;
  CalSlicePlane plane;
  CalSliceViewport vp;
  double u0, v0, u1, v1, x, y;

  make_grid (&grid, identity);
  cal_slice_plane_init (&plane, &grid, CAL_SLICE_AXIAL);
  cal_slice_viewport_fit (&vp, &plane, 400, 400);
  cal_slice_viewport_to_plane (&vp, 50, 300, &u0, &v0);
  cal_slice_viewport_zoom_at (&vp, 50, 300, 3);
  cal_slice_viewport_to_plane (&vp, 50, 300, &u1, &v1);
  g_assert_cmpfloat_with_epsilon (u0, u1, 1e-9);
  g_assert_cmpfloat_with_epsilon (v0, v1, 1e-9);
  cal_slice_viewport_pan (&vp, 20, -10);
  cal_slice_viewport_to_screen (&vp, u0, v0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 70, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, 290, 1e-9);
  cal_slice_viewport_resize (&vp, 200, 800);
  g_assert_cmpfloat_with_epsilon (vp.width, 200, 1e-12);
}

static void
test_slice_index (void)
{
  CalGrid grid;
  CalSlicePlane plane;

  make_grid (&grid, identity);
  cal_slice_plane_init (&plane, &grid, CAL_SLICE_AXIAL);
  g_assert_cmpuint (cal_slice_plane_index (&plane, 100 + 2 * 2.5 + 1.0), ==, 2);
  g_assert_cmpuint (cal_slice_plane_index (&plane, -1000), ==, 0);
  g_assert_cmpuint (cal_slice_plane_index (&plane, 1000), ==, 4);
  g_assert_cmpfloat_with_epsilon (cal_slice_plane_position (&plane, 4), 110, 1e-9);
}

static void
test_scale_bar (void)
{
  g_assert_cmpfloat (cal_scale_bar_length_mm (2.0, 100), ==, 50);
  g_assert_cmpfloat (cal_scale_bar_length_mm (2.0, 90), ==, 20);
  g_assert_cmpfloat (cal_scale_bar_length_mm (0.5, 100), ==, 200);
  g_assert_cmpfloat (cal_scale_bar_length_mm (30, 100), ==, 2);
}

static void
test_render_window_and_overlay (void)
{
  const double flipped[3][3] = { { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  CalGrid grid;
  CalSlicePlane plane;
  g_autoptr (CalVolume) volume = NULL;
  g_autoptr (CalMask) mask = NULL;
  g_autofree guint8 *rgba = NULL;
  gint16 *hu;
  gsize n;
  CalSliceStyle style = { .window = 200, .level = 100, .overlay_opacity = 0.5 };
  guint8 bone[3];
  int mid;

  make_grid (&grid, flipped);
  n = cal_grid_n_voxels (&grid);
  hu = g_new (gint16, n);
  for (gsize i = 0; i < n; i++)
    hu[i] = (gint16) (i % 13 == 0 ? 1000 : i % 13 == 1 ? 100 : -1000);
  volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (hu, n * sizeof *hu));
  mask = cal_mask_new (&grid);
  cal_mask_get_labels_mutable (mask)[13 * 5 + 1] = 1;   /* i = 1, j = 5, k = 0 */

  cal_slice_plane_init (&plane, &grid, CAL_SLICE_AXIAL);
  rgba = g_malloc (plane.width * 4 * plane.height);
  cal_slice_render (&plane, 0, volume, mask, &style, rgba, plane.width * 4);

  /* Storage is flipped in i: screen column x shows voxel i = 12 - x. */
  g_assert_cmpuint (rgba[4 * (12 + 0 * plane.width)], ==, 255);       /* i 0: 1000 HU, white */
  g_assert_cmpuint (rgba[4 * (5 + 2 * plane.width)], ==, 0);          /* -1000 HU, black */
  mid = rgba[4 * (11 + 2 * plane.width)];                              /* i 1: level, mid grey */
  g_assert_cmpint (abs (mid - 128), <=, 1);
  cal_mask_label_color (1, bone);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (rgba[4 * (11 + 5 * plane.width) + c], ==, (mid * 128 + bone[c] * 128) >> 8);
  g_assert_cmpuint (rgba[4 * (11 + 5 * plane.width) + 3], ==, 255);
}

/* Every sample of every orientation against a brute-force nearest voxel,
 * for scans stored straight, flipped, permuted and tilted (the renderer
 * walks whole-voxel steps on the first three and rounds on the last). */
static void
test_render_matches_oracle (void)
{
  double c = cos (0.4), s = sin (0.4);
  const double grids[4][3][3] = {
    { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } },
    { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, -1 } },
    { { 0, 1, 0 }, { 0, 0, -1 }, { 1, 0, 0 } },
    { { c, s, 0 }, { -s, c, 0 }, { 0, 0, 1 } },
  };
  CalSliceStyle style = { .window = 4000, .level = 0, .overlay_opacity = 0 };

  for (guint g = 0; g < G_N_ELEMENTS (grids); g++)
    {
      CalGrid grid;
      g_autoptr (CalVolume) volume = NULL;
      gint16 *hu;
      gsize n;

      make_grid (&grid, grids[g]);
      n = cal_grid_n_voxels (&grid);
      hu = g_new (gint16, n);
      for (gsize i = 0; i < n; i++)
        hu[i] = (gint16) ((i * 7919) % 3000 - 1500);
      volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (hu, n * sizeof *hu));
      for (CalSliceOrientation o = CAL_SLICE_AXIAL; o <= CAL_SLICE_SAGITTAL; o++)
        {
          CalSlicePlane plane;
          g_autofree guint8 *rgba = NULL;
          guint index;
          double pos;

          cal_slice_plane_init (&plane, &grid, o);
          rgba = g_malloc (plane.width * 4 * plane.height);
          index = plane.n_slices / 2;
          pos = cal_slice_plane_position (&plane, index);
          cal_slice_render (&plane, index, volume, NULL, &style, rgba, plane.width * 4);
          for (guint y = 0; y < plane.height; y++)
            for (guint x = 0; x < plane.width; x++)
              {
                double u, v, xyz[3], ijk[3];
                gint64 vox[3];
                gboolean inside = TRUE;
                guint8 expected = 0;

                cal_slice_plane_sample_center (&plane, x, y, &u, &v);
                cal_slice_plane_to_patient (&plane, u, v, pos, xyz);
                g_assert_true (cal_grid_patient_to_voxel (&grid, xyz, ijk));
                for (int a = 0; a < 3; a++)
                  {
                    vox[a] = (gint64) floor (ijk[a] + 0.5);
                    inside = inside && vox[a] >= 0 && vox[a] < grid.dims[a];
                  }
                if (inside)
                  {
                    double value = cal_volume_get_value (volume, (guint32) vox[0], (guint32) vox[1],
                                                         (guint32) vox[2]);
                    expected = (guint8) CLAMP ((value + 2000) * 255.0 / 4000 + 0.5, 0, 255);
                  }
                g_assert_cmpint (abs (rgba[4 * (y * plane.width + x)] - expected), <=, 1);
              }
        }
    }
}

static void
test_camera (void)
{
  const double min[3] = { -100, -120, -50 }, max[3] = { 100, 80, 150 };
  const double left[3] = { 50, -20, 50 }, head[3] = { 0, -20, 120 };
  CalCamera camera;
  double centre[2], p[2], right[3], up[3], forward[3];
  float view[16];

  cal_camera_fit (&camera, min, max);
  g_assert_true (cal_camera_project (&camera, 1280, 800, camera.target, centre));
  g_assert_cmpfloat_with_epsilon (centre[0], 640, 1e-6);
  g_assert_cmpfloat_with_epsilon (centre[1], 400, 1e-6);
  /* Seen from the front: the patient's left is on the screen's right,
   * the head at the top. */
  g_assert_true (cal_camera_project (&camera, 1280, 800, left, p));
  g_assert_cmpfloat (p[0], >, 640);
  g_assert_true (cal_camera_project (&camera, 1280, 800, head, p));
  g_assert_cmpfloat (p[1], <, 400);
  /* Every corner of the bounds is on screen. */
  for (int c = 0; c < 8; c++)
    {
      double corner[3] = { c & 1 ? max[0] : min[0], c & 2 ? max[1] : min[1], c & 4 ? max[2] : min[2] };

      g_assert_true (cal_camera_project (&camera, 800, 800, corner, p));
      g_assert_cmpfloat (p[0], >=, 0);
      g_assert_cmpfloat (p[0], <=, 800);
      g_assert_cmpfloat (p[1], >=, 0);
      g_assert_cmpfloat (p[1], <=, 800);
    }
  /* A quarter turn shows the patient's left side: the face (anterior, -y)
   * is now on the screen's left. */
  cal_camera_orbit (&camera, G_PI / 2, 0);
  g_assert_true (cal_camera_project (&camera, 1280, 800,
                                     (double[3]) { camera.target[0], camera.target[1] - 50,
                                                   camera.target[2] }, p));
  g_assert_cmpfloat (p[0], <, 640);
  /* The view matrix is a rigid motion. */
  cal_camera_view (&camera, view);
  cal_camera_basis (&camera, right, up, forward);
  g_assert_cmpfloat_with_epsilon (right[0] * up[0] + right[1] * up[1] + right[2] * up[2], 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (view[0] * view[0] + view[4] * view[4] + view[8] * view[8], 1, 1e-6);
  /* Elevation stops short of the pole; panning moves the target. */
  cal_camera_orbit (&camera, 0, 10);
  g_assert_cmpfloat (camera.elevation, <, G_PI / 2);
  cal_camera_pan (&camera, 100, 0, 800);
  g_assert_cmpfloat (fabs (camera.target[0]) + fabs (camera.target[1] + 20), >, 1);
}

static void
test_display_mesh (void)
{
  const double spacing[3] = { 0.7, 0.6, 1.1 };
  CalTestPhantom ph;
  g_autoptr (CalMask) mask = cal_test_sphere_mask (&ph, spacing, identity, 25);
  g_autoptr (GError) error = NULL;
  g_autoptr (CalMesh) mesh = cal_surface_from_mask (mask, 1, CAL_SPACE_LPS, NULL, NULL, NULL,
                                                    &error);
  g_autoptr (CalDisplayMesh) full = NULL;
  g_autoptr (CalDisplayMesh) reduced = NULL;
  guint32 budget;
  double min[3], max[3];
  guint outward = 0;

  g_assert_no_error (error);
  full = cal_display_mesh_new (mesh, G_MAXUINT32);
  g_assert_cmpuint (full->n_triangles, ==, cal_mesh_get_n_triangles (mesh));
  g_assert_cmpfloat (full->cell_mm, ==, 0);

  budget = cal_mesh_get_n_triangles (mesh) / 10;
  reduced = cal_display_mesh_new (mesh, budget);
  g_assert_cmpuint (reduced->n_triangles, <=, budget);
  g_assert_cmpuint (reduced->n_triangles, >, budget / 4);
  g_assert_cmpfloat (reduced->cell_mm, >, 0);
  cal_mesh_bounds (mesh, min, max);
  for (guint32 i = 0; i < reduced->n_vertices; i++)
    {
      const float *v = reduced->vertices + 6 * i;
      double r = 0, d = 0, len = 0;

      for (int a = 0; a < 3; a++)
        {
          r += (v[a] - ph.center[a]) * (v[a] - ph.center[a]);
          d += (v[a] - ph.center[a]) * v[3 + a];
          len += v[3 + a] * v[3 + a];
        }
      /* Within a cell of the sphere, normal unit length and outward. */
      g_assert_cmpfloat (fabs (sqrt (r) - 25), <, reduced->cell_mm + 1.5);
      g_assert_cmpfloat_with_epsilon (len, 1, 1e-4);
      outward += d > 0;
    }
  /* Clustering may fold a rare triangle; the shading must not. */
  g_assert_cmpuint (outward, >=, reduced->n_vertices * 99 / 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slice/anisotropic", test_anisotropic_axis_aligned);
  g_test_add_func ("/slice/labels", test_labels);
  g_test_add_func ("/slice/flipped-storage", test_flipped_storage);
  g_test_add_func ("/slice/oblique-round-trip", test_oblique_round_trip);
  g_test_add_func ("/slice/zoom-pan", test_viewport_zoom_keeps_point);
  g_test_add_func ("/slice/index", test_slice_index);
  g_test_add_func ("/slice/scale-bar", test_scale_bar);
  g_test_add_func ("/slice/render", test_render_window_and_overlay);
  g_test_add_func ("/slice/render-oracle", test_render_matches_oracle);
  g_test_add_func ("/camera/orbit", test_camera);
  g_test_add_func ("/display-mesh/reduce", test_display_mesh);
  return g_test_run ();
}
