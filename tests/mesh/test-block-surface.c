/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 3D view's block surface: its blocks join into the same surface as
 * one extraction of the whole mask, an edit re-meshes only its blocks and
 * gives what a full rebuild gives, and a coarser display grid cuts the
 * triangles by about its factor squared. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal-block-surface.h"
#include "cal-surface.h"
#include "cal-test-phantom.h"
#include "cal-test-util.h"

static CalDisplayMesh *
build_all (CalMask *mask,
           guint    factor,
           CalBlockSurface **out)
{
  CalBlockSurface *s = cal_block_surface_new (cal_mask_get_grid (mask), factor);
  g_autoptr(CalBlockRegion) r = cal_block_region_new (s, mask, NULL);

  cal_block_region_mesh (s, r);
  cal_block_surface_apply (s, r);
  *out = s;
  return cal_block_surface_to_display (s);
}

/* Triangles as sorted centroids, rounded to 1e-3 mm: a set to compare. */
static int
compare_rows (const void *a, const void *b)
{
  const gint64 *x = a, *y = b;
  for (int k = 0; k < 3; k++)
    if (x[k] != y[k])
      return x[k] < y[k] ? -1 : 1;
  return 0;
}

static gint64 *
centroids (const CalDisplayMesh *d)
{
  gint64 *c = g_new (gint64, 3 * (gsize) d->n_triangles);
  for (guint32 t = 0; t < d->n_triangles; t++)
    for (int a = 0; a < 3; a++)
      {
        double sum = 0;
        for (int corner = 0; corner < 3; corner++)
          sum += d->vertices[6 * (gsize) d->indices[3 * t + corner] + a];
        c[3 * t + a] = (gint64) llround (sum / 3 * 1000);
      }
  qsort (c, d->n_triangles, 3 * sizeof (gint64), compare_rows);
  return c;
}

static double
enclosed_volume (const CalDisplayMesh *d)
{
  double v = 0;
  for (guint32 t = 0; t < d->n_triangles; t++)
    {
      const float *a = d->vertices + 6 * (gsize) d->indices[3 * t];
      const float *b = d->vertices + 6 * (gsize) d->indices[3 * t + 1];
      const float *c = d->vertices + 6 * (gsize) d->indices[3 * t + 2];
      v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
    }
  return v;
}

static void
test_same_as_one_extraction (void)
{
  const double spacing[3] = { 0.7, 0.7, 1.1 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 30);
  g_autoptr(CalMesh) whole = cal_surface_from_mask (mask, 0, CAL_SPACE_LPS, NULL, NULL, NULL, NULL);
  CalBlockSurface *s;
  g_autoptr(CalDisplayMesh) d = build_all (mask, 1, &s);

  /* The sphere spans several 32³ blocks on each axis. */
  g_assert_cmpuint (cal_mask_get_grid (mask)->dims[0], >, 64);
  g_assert_cmpuint (d->n_triangles, ==, cal_mesh_get_n_triangles (whole));
  g_assert_cmpfloat (fabs (enclosed_volume (d) - cal_mesh_signed_volume (whole)), <, 1e-3 * cal_mesh_signed_volume (whole));
  cal_block_surface_unref (s);
}

static void
test_edit_remeshes_its_blocks (void)
{
  const double spacing[3] = { 0.7, 0.7, 1.1 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 30);
  const guint32 *dims = cal_mask_get_grid (mask)->dims;
  CalBlockSurface *live, *fresh;
  g_autoptr(CalDisplayMesh) before = build_all (mask, 1, &live);
  g_autoptr(CalDisplayMesh) after = NULL, rebuilt = NULL;
  g_autoptr(CalBlockRegion) r = NULL;
  g_autofree gint64 *a = NULL, *b = NULL;
  CalBox box = { { 5, 30, 20 }, { 15, 40, 28 } };   /* a blob on the sphere's side, across a block edge */
  guint8 *l = cal_mask_get_labels_mutable (mask);

  for (guint32 k = box.lo[2]; k < box.hi[2]; k++)
    for (guint32 j = box.lo[1]; j < box.hi[1]; j++)
      for (guint32 i = box.lo[0]; i < box.hi[0]; i++)
        l[i + (gsize) dims[0] * (j + (gsize) dims[1] * k)] = 1;
  r = cal_block_region_new (live, mask, &box);
  g_assert_cmpuint (cal_block_region_get_n_blocks (r), <=, 8);
  cal_block_region_mesh (live, r);
  cal_block_surface_apply (live, r);
  after = cal_block_surface_to_display (live);
  rebuilt = build_all (mask, 1, &fresh);
  g_assert_cmpuint (after->n_triangles, !=, before->n_triangles);
  g_assert_cmpuint (after->n_triangles, ==, rebuilt->n_triangles);
  a = centroids (after);
  b = centroids (rebuilt);
  g_assert_cmpmem (a, 3 * sizeof (gint64) * after->n_triangles, b, 3 * sizeof (gint64) * rebuilt->n_triangles);
  cal_block_surface_unref (live);
  cal_block_surface_unref (fresh);
}

static void
test_coarser_display (void)
{
  const double spacing[3] = { 0.5, 0.5, 0.5 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 30);
  CalBlockSurface *s1, *s2;
  g_autoptr(CalDisplayMesh) d1 = build_all (mask, 1, &s1);
  g_autoptr(CalDisplayMesh) d2 = build_all (mask, 2, &s2);
  double ratio = (double) d1->n_triangles / d2->n_triangles;
  guint factor = cal_block_surface_choose_factor (mask, d1->n_triangles / 3, NULL);

  g_test_message ("factor 1: %u triangles, factor 2: %u (ratio %.2f)", d1->n_triangles, d2->n_triangles, ratio);
  g_assert_cmpfloat (ratio, >, 3.0);
  g_assert_cmpfloat (ratio, <, 5.0);
  /* The same volume within a few percent. */
  g_assert_cmpfloat (fabs (enclosed_volume (d2) / enclosed_volume (d1) - 1), <, 0.05);
  g_assert_cmpuint (factor, >=, 2);
  g_assert_cmpuint (cal_block_surface_choose_factor (mask, d1->n_triangles * 2, NULL), ==, 1);
  cal_block_surface_unref (s1);
  cal_block_surface_unref (s2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/block-surface/same-as-one-extraction", test_same_as_one_extraction);
  g_test_add_func ("/block-surface/edit-remeshes-its-blocks", test_edit_remeshes_its_blocks);
  g_test_add_func ("/block-surface/coarser-display", test_coarser_display);
  return g_test_run ();
}
