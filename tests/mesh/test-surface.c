/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "cal-mesh-check.h"
#include "cal-surface.h"
#include "cal-surface-private.h"
#include "cal-test-phantom.h"
#include "cal-test-util.h"

static CalMesh *
extract (CalMask *mask)
{
  g_autoptr(GError) error = NULL;
  CalMesh *mesh = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  return mesh;
}

static void
assert_closed_manifold (CalMesh *mesh,
                        CalMask *mask)
{
  CalMeshReport r;

  cal_mesh_check (mesh, mask, 0, 1.0, &r);
  if (!r.passed)
    {
      g_autofree char *text = cal_mesh_report_describe (&r);
      g_test_message ("%s", text);
    }
  g_assert_cmpuint (r.n_boundary_edges, ==, 0);
  g_assert_cmpuint (r.n_nonmanifold_edges, ==, 0);
  g_assert_cmpuint (r.n_misoriented_edges, ==, 0);
  g_assert_cmpuint (r.n_nonmanifold_vertices, ==, 0);
  g_assert_cmpuint (r.n_degenerate_triangles, ==, 0);
  g_assert_cmpuint (r.n_duplicate_triangles, ==, 0);
  g_assert_cmpfloat (r.volume_mm3, >, 0);
  g_assert_true (r.passed);
}

/* No fan triangle of any case faces from the case's outside corners to its
 * inside ones, together they face outward, and every crossing edge is
 * used.  (A fan triangle of a hexagon can stand edge-on to its own three
 * edges' corners, hence >= per triangle.) */
static void
test_case_table (void)
{
  const CalCubeCase *cases = cal_cube_cases ();

  g_assert_cmpuint (cases[0].n_triangles, ==, 0);
  g_assert_cmpuint (cases[255].n_triangles, ==, 0);
  for (guint config = 1; config < 255; config++)
    {
      gboolean used[12] = { FALSE };
      double total = 0;
      for (guint t = 0; t < cases[config].n_triangles; t++)
        {
          const guint8 *tri = cases[config].edges + 3 * t;
          double facing = cal_cube_loop_orientation (config, tri, 3);
          g_assert_cmpfloat (facing, >=, 0);
          total += facing;
          for (int k = 0; k < 3; k++)
            used[tri[k]] = TRUE;
        }
      for (guint e = 0; e < 12; e++)
        {
          guint from, to;
          cal_cube_edge_corners (e, &from, &to);
          g_assert_cmpint (used[e], ==, ((config >> from) & 1) != ((config >> to) & 1));
        }
      g_assert_cmpfloat (total, >, 0);
    }
}

/* All 256 configurations of a 2x2x2 block, and random masks with every
 * kind of touching voxel: always closed, manifold and outward. */
static void
test_closed_on_every_configuration (void)
{
  const double spacing[3] = { 0.7, 1.1, 1.9 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint config = 1; config < 256; config++)
    {
      g_autoptr(CalMask) mask = cal_test_new_mask (4, 4, 4, spacing);
      g_autoptr(CalMesh) mesh = NULL;
      guint8 *l = cal_mask_get_labels_mutable (mask);

      for (guint c = 0; c < 8; c++)
        l[1 + (c & 1) + 4 * (1 + ((c >> 1) & 1) + 4 * (1 + (c >> 2)))] = (config >> c) & 1;
      mesh = extract (mask);
      assert_closed_manifold (mesh, NULL);
    }
  for (int round = 0; round < 40; round++)
    {
      g_autoptr(CalMask) mask = cal_test_new_mask (13, 9, 7, spacing);
      g_autoptr(CalMesh) mesh = NULL;
      guint8 *l = cal_mask_get_labels_mutable (mask);

      for (guint i = 0; i < 13 * 9 * 7; i++)
        l[i] = g_rand_double (rand) < 0.3 + 0.01 * round;
      mesh = extract (mask);
      assert_closed_manifold (mesh, NULL);
    }
}

/* Two voxels meeting along an edge, and at a corner, are separate solids
 * (6-connectivity), and voxels on the volume's border are closed off. */
static void
test_connectivity_and_border (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (3, 3, 3, spacing);
  g_autoptr(CalMesh) mesh = NULL;
  guint8 *l = cal_mask_get_labels_mutable (mask);
  g_autofree guint32 *component = NULL;
  CalMeshReport r;

  l[0] = 1;                      /* (0,0,0), on the border */
  l[1 + 3 * 1] = 1;              /* (1,1,0): shares an edge with it */
  l[2 + 3 * (2 + 3 * 1)] = 1;    /* (2,2,1): shares a corner with (1,1,0) */
  mesh = extract (mask);
  assert_closed_manifold (mesh, NULL);
  component = g_new (guint32, cal_mesh_get_n_triangles (mesh));
  g_assert_cmpuint (cal_mesh_label_components (mesh, component), ==, 3);
  cal_mesh_check (mesh, mask, 0, 1.0, &r);
  /* Each lone voxel becomes an octahedron of 1/6 voxel. */
  g_assert_cmpfloat_with_epsilon (r.volume_mm3, 3.0 / 6.0, 1e-6);
  g_assert_cmpuint (r.n_triangles, ==, 24);
}

typedef struct {
  const char *name;
  double      spacing[3];
} SpacingCase;

static const SpacingCase spacings[] = {
  { "0.5 mm", { 0.5, 0.5, 0.5 } },
  { "1 mm", { 1, 1, 1 } },
  { "2 mm", { 2, 2, 2 } },
  { "anisotropic 0.45x0.45x1.25 mm", { 0.45, 0.45, 1.25 } },
  { "anisotropic 0.9x0.7x2 mm", { 0.9, 0.7, 2.0 } },
};

/* The acceptance phantoms: a sphere of 25 mm radius and a 40x32x24 mm box
 * (defect-sized) at 0.5, 1, 2 mm and anisotropic voxels.  RMS distance from
 * the mesh to the analytic surface within 0.25 voxel, enclosed volume
 * within 1 % of the analytic one.  (Midpoint marching cubes cuts every
 * convex box edge by a prism of s_b * s_c / 8 mm² cross-section: 0.6 % of
 * this box at 2 mm, more for smaller boxes.) */
static void
test_phantoms (void)
{
  const double half[3] = { 20, 16, 12 };

  for (gsize s = 0; s < G_N_ELEMENTS (spacings); s++)
    {
      CalTestPhantom sphere, box;
      g_autoptr(CalMask) sphere_mask = cal_test_sphere_mask (&sphere, spacings[s].spacing,
                                                             cal_test_identity, 25);
      g_autoptr(CalMask) box_mask = cal_test_box_mask (&box, spacings[s].spacing,
                                                       cal_test_identity, half);
      g_autoptr(CalMesh) sphere_mesh = extract (sphere_mask);
      g_autoptr(CalMesh) box_mesh = extract (box_mask);
      double sphere_volume = 4.0 / 3.0 * G_PI * pow (25, 3);
      double sphere_rms = cal_test_surface_rms_voxels (sphere_mesh, &sphere,
                                                       cal_test_sphere_distance);
      double box_rms = cal_test_surface_rms_voxels (box_mesh, &box, cal_test_box_distance);
      double sphere_err = cal_mesh_signed_volume (sphere_mesh) / sphere_volume - 1;
      double box_err = cal_mesh_signed_volume (box_mesh) / cal_test_box_volume (&box) - 1;

      g_test_message ("%s: sphere RMS %.3f voxel, volume %+.3f %%; box RMS %.3f voxel, "
                      "volume %+.3f %%", spacings[s].name, sphere_rms, 100 * sphere_err,
                      box_rms, 100 * box_err);
      assert_closed_manifold (sphere_mesh, sphere_mask);
      assert_closed_manifold (box_mesh, box_mask);
      g_assert_cmpfloat (sphere_rms, <=, 0.25);
      g_assert_cmpfloat (box_rms, <=, 0.25);
      g_assert_cmpfloat (fabs (sphere_err), <=, 0.01);
      g_assert_cmpfloat (fabs (box_err), <=, 0.01);
    }
}

/* A left-handed grid (rows running to the patient's right, as feet-first
 * scans store them) and an oblique one give the same solid, still wound
 * outward, in the same place. */
static void
test_grid_handedness_and_obliquity (void)
{
  const double spacing[3] = { 0.8, 0.6, 1.5 };
  const double mirrored[3][3] = { { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  double c = cos (0.3), s = sin (0.3);
  const double oblique[3][3] = { { c, s, 0 }, { -s, c, 0 }, { 0, 0, 1 } };
  const double (*directions[2])[3] = { mirrored, oblique };

  for (int d = 0; d < 2; d++)
    {
      CalTestPhantom ph;
      g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, directions[d], 20);
      g_autoptr(CalMesh) mesh = extract (mask);
      double min[3], max[3];
      double volume = 4.0 / 3.0 * G_PI * pow (20, 3);

      assert_closed_manifold (mesh, mask);
      g_assert_cmpfloat (fabs (cal_mesh_signed_volume (mesh) / volume - 1), <=, 0.01);
      cal_mesh_bounds (mesh, min, max);
      for (int a = 0; a < 3; a++)
        g_assert_cmpfloat (fabs ((min[a] + max[a]) / 2 - ph.center[a]), <, 1.0);
    }
}

/* RAS is LPS with x and y negated; windings stay outward. */
static void
test_ras (void)
{
  const double spacing[3] = { 1, 1, 1 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 6);
  g_autoptr(CalMesh) lps = extract (mask);
  g_autoptr(CalMesh) ras = cal_surface_from_mask (mask, 0, CAL_SPACE_RAS, NULL, NULL, NULL, NULL);
  const float *a = cal_mesh_get_vertices (lps), *b = cal_mesh_get_vertices (ras);

  g_assert_cmpuint (cal_mesh_get_n_vertices (lps), ==, cal_mesh_get_n_vertices (ras));
  g_assert_cmpint (cal_mesh_get_space (ras), ==, CAL_SPACE_RAS);
  for (guint32 i = 0; i < cal_mesh_get_n_vertices (lps); i++)
    {
      g_assert_cmpfloat (b[3 * i], ==, -a[3 * i]);
      g_assert_cmpfloat (b[3 * i + 1], ==, -a[3 * i + 1]);
      g_assert_cmpfloat (b[3 * i + 2], ==, a[3 * i + 2]);
    }
  g_assert_cmpfloat_with_epsilon (cal_mesh_signed_volume (ras), cal_mesh_signed_volume (lps), 1e-6);
}

static void
test_labels_and_errors (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (8, 8, 8, spacing);
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint8 *l = cal_mask_get_labels_mutable (mask);

  g_assert_null (cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_SURFACE_ERROR, CAL_SURFACE_ERROR_EMPTY);
  g_clear_error (&error);

  l[2 + 8 * (2 + 8 * 2)] = 1;
  l[5 + 8 * (5 + 8 * 5)] = 2;
  mesh = cal_surface_from_mask (mask, 2, CAL_SPACE_LPS, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cal_mesh_get_n_triangles (mesh), ==, 8);   /* one voxel */
  g_clear_object (&mesh);
  mesh = extract (mask);
  g_assert_cmpuint (cal_mesh_get_n_triangles (mesh), ==, 16);  /* both */
  g_clear_object (&mesh);
  g_assert_null (cal_surface_from_mask (mask, 3, CAL_SPACE_LPS, NULL, NULL, NULL, &error));
  g_assert_error (error, CAL_SURFACE_ERROR, CAL_SURFACE_ERROR_EMPTY);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_null (cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
count_progress (double   fraction,
                gpointer data)
{
  double *last = data;
  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_progress (void)
{
  const double spacing[3] = { 1, 1, 1 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 30);
  g_autoptr(CalMesh) mesh = NULL;
  double last = 0;

  mesh = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, count_progress, &last, NULL, NULL);
  g_assert_nonnull (mesh);
  /* Ends at 1 even when the pool's workers took every chunk (CI saw that). */
  g_assert_cmpfloat (last, ==, 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/surface/case-table", test_case_table);
  g_test_add_func ("/surface/closed-on-every-configuration", test_closed_on_every_configuration);
  g_test_add_func ("/surface/connectivity-and-border", test_connectivity_and_border);
  g_test_add_func ("/surface/phantoms", test_phantoms);
  g_test_add_func ("/surface/grid-handedness-and-obliquity", test_grid_handedness_and_obliquity);
  g_test_add_func ("/surface/ras", test_ras);
  g_test_add_func ("/surface/labels-and-errors", test_labels_and_errors);
  g_test_add_func ("/surface/progress", test_progress);
  return g_test_run ();
}
