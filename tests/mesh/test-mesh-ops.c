/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cal-mesh-check.h"
#include "cal-mesh-decimate.h"
#include "cal-mesh-export.h"
#include "cal-mesh-pipeline.h"
#include "cal-mesh-smooth.h"
#include "cal-surface.h"
#include "cal-test-phantom.h"
#include "cal-test-util.h"

static void
assert_checks_pass (CalMesh *mesh,
                    CalMask *mask,
                    double   tolerance)
{
  CalMeshReport r;

  cal_mesh_check (mesh, mask, 0, tolerance, &r);
  if (!r.passed)
    {
      g_autofree char *text = cal_mesh_report_describe (&r);
      g_test_message ("%s", text);
    }
  g_assert_true (r.passed);
}

/* Taubin smoothing takes the voxel steps off a sphere (RMS drops) without
 * shrinking it (volume within 1 % of the analytic one). */
static void
test_smoothing_keeps_volume (void)
{
  const double spacing[3] = { 1, 1, 1 };
  const double aniso[3] = { 0.45, 0.45, 1.25 };
  const double *spacings[2] = { spacing, aniso };

  for (int s = 0; s < 2; s++)
    {
      CalTestPhantom ph;
      g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacings[s], cal_test_identity, 25);
      g_autoptr(CalMesh) mesh = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, NULL);
      double volume = 4.0 / 3.0 * G_PI * pow (25, 3);
      double rms_before = cal_test_surface_rms_voxels (mesh, &ph, cal_test_sphere_distance);
      double rms_after;

      g_assert_true (cal_mesh_smooth_taubin (mesh, 20, NULL, NULL, NULL, NULL));
      rms_after = cal_test_surface_rms_voxels (mesh, &ph, cal_test_sphere_distance);
      g_test_message ("spacing %d: RMS %.3f -> %.3f voxel, volume %+.3f %%", s, rms_before,
                      rms_after, 100 * (cal_mesh_signed_volume (mesh) / volume - 1));
      g_assert_cmpfloat (rms_after, <, rms_before * 0.8);
      g_assert_cmpfloat (rms_after, <=, 0.25);
      g_assert_cmpfloat (fabs (cal_mesh_signed_volume (mesh) / volume - 1), <=, 0.01);
      assert_checks_pass (mesh, mask, 0.05);
    }
}

/* Decimation halves a smoothed sphere, stays closed and manifold, and
 * keeps every vertex within the bound of the surface it replaced. */
static void
test_decimation_bound (void)
{
  const double spacing[3] = { 0.8, 0.8, 0.8 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 20);
  g_autoptr(CalMesh) mesh = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, NULL);
  g_autoptr(CalMesh) reduced = NULL;
  g_autoptr(CalMesh) tight = NULL;
  CalDecimateSummary summary;
  double volume, worst_before = 0, worst_after = 0, n[3];
  const float *v;

  g_assert_true (cal_mesh_smooth_taubin (mesh, 20, NULL, NULL, NULL, NULL));
  volume = cal_mesh_signed_volume (mesh);
  v = cal_mesh_get_vertices (mesh);
  for (guint32 i = 0; i < cal_mesh_get_n_vertices (mesh); i++)
    {
      double p[3] = { v[3 * i], v[3 * i + 1], v[3 * i + 2] };
      worst_before = MAX (worst_before, cal_test_sphere_distance (&ph, p, n));
    }

  reduced = cal_mesh_decimate (mesh, 0.5, 0.2, &summary, NULL, NULL, NULL, NULL);
  g_assert_nonnull (reduced);
  g_assert_true (summary.reached_target);
  g_assert_cmpuint (cal_mesh_get_n_triangles (reduced), <=, (cal_mesh_get_n_triangles (mesh) + 1) / 2);
  assert_checks_pass (reduced, NULL, 0);
  g_assert_cmpfloat (fabs (cal_mesh_signed_volume (reduced) / volume - 1), <=, 0.01);
  v = cal_mesh_get_vertices (reduced);
  for (guint32 i = 0; i < cal_mesh_get_n_vertices (reduced); i++)
    {
      double p[3] = { v[3 * i], v[3 * i + 1], v[3 * i + 2] };
      worst_after = MAX (worst_after, cal_test_sphere_distance (&ph, p, n));
    }
  /* The sphere is smooth at this scale: its planes are the sphere. */
  g_assert_cmpfloat (worst_after, <=, worst_before + 0.2 + 1e-4);

  /* A bound too tight to meet stops it early, and says so. */
  tight = cal_mesh_decimate (mesh, 0.9, 1e-6, &summary, NULL, NULL, NULL, NULL);
  g_assert_false (summary.reached_target);
  g_assert_cmpuint (summary.n_triangles_after, >, cal_mesh_get_n_triangles (mesh) / 10);
  assert_checks_pass (tight, NULL, 0);
}

/* Keep-largest on a mesh and on a mask. */
static void
test_largest_component (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(CalMask) mask = cal_test_new_mask (30, 20, 20, spacing);
  guint8 *l = cal_mask_get_labels_mutable (mask);
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(CalMesh) largest = NULL;
  g_autofree guint32 *component = NULL;
  CalMeshOptions options;
  CalMeshReport report;

  for (int z = 2; z < 12; z++)     /* a 10-voxel cube with a 4-voxel hollow */
    for (int y = 2; y < 12; y++)
      for (int x = 2; x < 12; x++)
        l[x + 30 * (y + 20 * z)] = !(x >= 5 && x < 9 && y >= 5 && y < 9 && z >= 5 && z < 9);
  for (int z = 4; z < 7; z++)      /* a separate 3-voxel cube */
    for (int y = 4; y < 7; y++)
      for (int x = 20; x < 23; x++)
        l[x + 30 * (y + 20 * z)] = 1;

  mesh = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, NULL);
  component = g_new (guint32, cal_mesh_get_n_triangles (mesh));
  g_assert_cmpuint (cal_mesh_label_components (mesh, component), ==, 3);
  largest = cal_mesh_keep_largest_component (mesh);
  g_clear_pointer (&component, g_free);
  component = g_new (guint32, cal_mesh_get_n_triangles (largest));
  g_assert_cmpuint (cal_mesh_label_components (largest, component), ==, 1);
  g_assert_cmpfloat (cal_mesh_signed_volume (largest), >, 900);
  assert_checks_pass (largest, NULL, 0);

  /* On the mask, the solid keeps its hollow: two shells, volume of the
   * solid with the pocket taken out. */
  g_clear_object (&mesh);
  cal_mesh_options_init (&options);
  options.keep_largest = TRUE;
  mesh = cal_mesh_build (mask, &options, &report, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (report.n_components, ==, 2);
  g_assert_cmpuint (report.n_cavities, ==, 1);   /* one piece with one void, not two pieces */
  g_assert_cmpfloat_with_epsilon (report.mask_volume_mm3, 1000 - 64, 1e-9);
  g_assert_true (report.passed);
}

static void
ready_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
progress_cb (double fraction, gpointer data)
{
  double *last = data;
  g_assert_cmpfloat (fraction, >=, *last - 1e-12);
  *last = fraction;
}

/* The async pipeline with every stage, then export: refused while the
 * checks fail unless overridden, written atomically otherwise. */
static void
test_pipeline_async_and_export (void)
{
  const double spacing[3] = { 0.7, 0.7, 1.2 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 15);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalMesh) mesh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cal-mesh-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.stl", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CalMeshOptions options;
  CalMeshReport report;
  double last = 0;

  cal_mesh_options_init (&options);
  options.smooth_iterations = 10;
  options.decimate_reduction = 0.3;
  options.decimate_max_error_mm = 0.2;
  options.keep_largest = TRUE;
  cal_mesh_build_async (mask, &options, progress_cb, &last, NULL, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  mesh = cal_mesh_build_finish (result, &report, &error);
  g_assert_no_error (error);
  g_assert_true (report.passed);
  g_assert_cmpfloat (last, ==, 1.0);
  g_assert_cmpfloat (fabs (report.volume_difference), <, 0.01);
  g_clear_object (&result);

  report.passed = FALSE;   /* as if a check had failed */
  report.n_boundary_edges = 3;
  g_assert_false (cal_mesh_export (mesh, &report, path, CAL_STL_BINARY, FALSE, NULL, &error));
  g_assert_error (error, CAL_MESH_ERROR, CAL_MESH_ERROR_CHECKS_FAILED);
  g_assert_nonnull (strstr (error->message, "3 open edges"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  cal_mesh_export_async (mesh, &report, path, CAL_STL_BINARY, TRUE, NULL, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cal_mesh_export_finish (result, &error));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  cal_mesh_build_async (mask, &options, NULL, NULL, cancellable, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (cal_mesh_build_finish (result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mesh-ops/smoothing-keeps-volume", test_smoothing_keeps_volume);
  g_test_add_func ("/mesh-ops/decimation-bound", test_decimation_bound);
  g_test_add_func ("/mesh-ops/largest-component", test_largest_component);
  g_test_add_func ("/mesh-ops/pipeline-async-and-export", test_pipeline_async_and_export);
  return g_test_run ();
}
