/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Local thickness (cal-thickness.h) on shapes of known thickness: a
 * spherical shell 6 mm thick and a flat table 4 mm thick on a grid with
 * thicker slices, every surface point within one voxel; the thinnest spot
 * of a region is found where a shell was thinned. */
#include <math.h>
#include <string.h>

#include "cal-surface.h"
#include "cal-test-util.h"
#include "cal-thickness.h"

static CalMask *
shell_mask (guint32 n, double spacing, double inner, double outer, double thin_outer)
{
  const double sp[3] = { spacing, spacing, spacing }, c = n * spacing / 2;
  CalMask *mask = cal_test_new_mask (n, n, n, sp);
  guint8 *m = cal_mask_get_labels_mutable (mask);

  for (guint32 k = 0; k < n; k++)
    for (guint32 j = 0; j < n; j++)
      for (guint32 i = 0; i < n; i++)
        {
          double x = i * spacing - c, y = j * spacing - c, z = k * spacing - c;
          double r = sqrt (x * x + y * y + z * z);
          /* A thinner cap around +z when thin_outer is set. */
          double out = thin_outer > 0 && z > 0.9 * r ? thin_outer : outer;
          m[i + n * (j + (gsize) n * k)] = r >= inner && r <= out;
        }
  return mask;
}

static float *
measure_mesh (CalMask *mask, CalMesh **mesh_out)
{
  g_autoptr(GError) error = NULL;
  CalMesh *mesh = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, &error);
  guint32 n = cal_mesh_get_n_vertices (mesh);
  float *values = g_new (float, n);

  g_assert_no_error (error);
  g_assert_true (cal_thickness_measure (mask, cal_mesh_get_vertices (mesh), 3, n, values, NULL, &error));
  *mesh_out = mesh;
  return values;
}

static void
test_spherical_shell (void)
{
  g_autoptr(CalMask) mask = shell_mask (100, 0.5, 18.0, 24.0, 0);
  g_autoptr(CalMesh) mesh = NULL;
  g_autofree float *t = measure_mesh (mask, &mesh);
  double worst = 0, sum = 0;
  guint32 n = cal_mesh_get_n_vertices (mesh);

  for (guint32 i = 0; i < n; i++)
    {
      g_assert_true (isfinite (t[i]));
      worst = MAX (worst, fabs (t[i] - 6.0));
      sum += t[i];
    }
  g_test_message ("shell 6 mm: mean %.3f mm, worst off by %.3f mm over %u points", sum / n, worst, n);
  /* One voxel (the voxels' own steps make the shell up to half a voxel
   * thinner or thicker on each side) and the march's step. */
  g_assert_cmpfloat (worst, <=, 0.5 + 0.125);
}

/* A table 4 mm thick (z from 10 to 14 mm) on 0.5 × 0.5 × 1 mm voxels:
 * every point of its top and bottom, away from the volume's sides. */
static void
test_flat_table (void)
{
  const double sp[3] = { 0.5, 0.5, 1.0 };
  g_autoptr(CalMask) mask = cal_test_new_mask (60, 60, 30, sp);
  g_autoptr(CalMesh) mesh = NULL;
  g_autofree float *t = NULL;
  guint8 *m = cal_mask_get_labels_mutable (mask);
  const float *v;
  guint32 counted = 0;
  double worst = 0;

  for (guint32 k = 10; k < 14; k++)
    memset (&m[(gsize) 60 * 60 * k], 1, 60 * 60);
  t = measure_mesh (mask, &mesh);
  v = cal_mesh_get_vertices (mesh);
  for (guint32 i = 0; i < cal_mesh_get_n_vertices (mesh); i++)
    if (v[3 * i] > 5 && v[3 * i] < 24 && v[3 * i + 1] > 5 && v[3 * i + 1] < 24)
      {
        worst = MAX (worst, fabs (t[i] - 4.0));
        counted++;
      }
  g_assert_cmpuint (counted, >, 1000);
  g_assert_cmpfloat (worst, <=, 0.5 + 0.125);   /* the in-plane voxel and the march's step */
}

/* The cap of a shell thinned to 3 mm: the thinnest spot of the region
 * around it is there; a region elsewhere does not see it. */
static void
test_thinnest_in_region (void)
{
  g_autoptr(CalMask) mask = shell_mask (100, 0.5, 18.0, 24.0, 21.0);
  g_autoptr(CalMesh) mesh = NULL;
  g_autofree float *t = measure_mesh (mask, &mesh);
  g_autoptr(CalMask) top = cal_mask_new (cal_mask_get_grid (mask));
  g_autoptr(CalMask) side = cal_mask_new (cal_mask_get_grid (mask));
  guint8 *a = cal_mask_get_labels_mutable (top), *b = cal_mask_get_labels_mutable (side);
  CalThinnest thin;

  /* Upper slab (z > 15 mm from the centre) and a slab at the side (x < −15). */
  for (guint32 k = 0; k < 100; k++)
    for (guint32 j = 0; j < 100; j++)
      for (guint32 i = 0; i < 100; i++)
        {
          gsize v = i + 100 * (j + (gsize) 100 * k);
          a[v] = k * 0.5 - 25 > 15;
          b[v] = i * 0.5 - 25 < -15;
        }
  g_assert_true (cal_thickness_thinnest (t, cal_mesh_get_vertices (mesh), 3, cal_mesh_get_n_vertices (mesh),
                                         top, &thin));
  g_test_message ("top: thinnest %.2f mm at z %.1f, median %.2f", thin.thinnest_mm, thin.position[2], thin.median_mm);
  g_assert_cmpfloat (fabs (thin.thinnest_mm - 3.0), <=, 0.5 + 0.125);
  g_assert_cmpfloat (thin.position[2] - 25, >, 15);
  g_assert_true (cal_thickness_thinnest (t, cal_mesh_get_vertices (mesh), 3, cal_mesh_get_n_vertices (mesh),
                                         side, &thin));
  g_assert_cmpfloat (fabs (thin.median_mm - 6.0), <=, 0.5);
  g_assert_cmpfloat (thin.thinnest_mm, >=, 5.4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qc/thickness/spherical-shell", test_spherical_shell);
  g_test_add_func ("/qc/thickness/flat-table", test_flat_table);
  g_test_add_func ("/qc/thickness/thinnest-in-region", test_thinnest_in_region);
  return g_test_run ();
}
