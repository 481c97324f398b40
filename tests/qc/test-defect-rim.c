/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The defect edge found without help (cal-defect-rim.h), judged against
 * synthetic heads' labels (1.2 mm voxels): one opening per defect, the band
 * covers at least 97 % of each defect's rim (skull within two voxels of
 * the gap) and reaches nothing farther than the band (and a voxel's slack)
 * from a defect; a skull without defects has none (its foramen magnum and
 * the openings over the orbits face down). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cal-defect-rim.h"
#include "cal-mask-components.h"
#include "cal-metrics.h"
#include "cal-phantom.h"
#include "cal-test-util.h"

static void
make_phantom (guint64 seed, guint burr_holes, guint flaps, CalVolume **ct, CalMask **labels)
{
  CalPhantomParams p;
  g_autoptr(GError) error = NULL;

  cal_phantom_params_from_seed (&p, seed);
  p.size = 192, p.pixel_mm = 1.2, p.slice_mm = 1.25;
  p.n_burr_holes = burr_holes, p.n_flaps = flaps;
  p.n_plates = 0, p.n_clips = 0;
  g_assert_true (cal_phantom_generate (&p, ct, labels, NULL, &error));
  g_assert_no_error (error);
}

static CalMask *
label_mask (CalMask *labels, guint8 label)
{
  CalMask *mask = cal_mask_new (cal_mask_get_grid (labels));
  const guint8 *l = cal_mask_get_labels (labels);
  guint8 *m = cal_mask_get_labels_mutable (mask);

  for (gsize v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (labels)); v++)
    m[v] = l[v] == label;
  return mask;
}

/* Squared distance (mm²) from every voxel to the nearest defect voxel. */
static double *
distance_to_defects (CalMask *labels)
{
  const CalGrid *grid = cal_mask_get_grid (labels);
  g_autoptr(CalMask) defect = label_mask (labels, CAL_PHANTOM_DEFECT);
  double spacing[3], *dist = g_new (double, cal_grid_n_voxels (grid));

  cal_grid_get_spacing (grid, spacing);
  cal_metrics_squared_edt (cal_mask_get_labels (defect), grid->dims, spacing, dist);
  return dist;
}

static void
check_rim (guint64 seed, guint burr_holes, guint flaps)
{
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL, skull = NULL, defect = NULL;
  g_autoptr(CalDefectRim) rim = NULL;
  g_autoptr(CalComponents) pieces = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *dist = NULL;
  const guint8 *region, *l;
  guint64 rim_voxels = 0, covered = 0, stray = 0;
  CalDefectRimOptions options;
  guint n_defects = 0;
  gsize n;

  make_phantom (seed, burr_holes, flaps, &ct, &labels);
  skull = label_mask (labels, CAL_PHANTOM_SKULL);
  cal_defect_rim_options_init (&options);
  rim = cal_find_defect_rim (skull, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rim);

  /* Defects that overlap are one opening. */
  defect = label_mask (labels, CAL_PHANTOM_DEFECT);
  pieces = cal_mask_components (defect, 1, NULL);
  for (guint32 c = 0; c < pieces->n_components; c++)
    n_defects += pieces->sizes[c] * cal_mask_voxel_volume (defect) > 50;
  for (guint i = 0; i < rim->openings->len; i++)
    {
      CalSkullOpening *o = &g_array_index (rim->openings, CalSkullOpening, i);
      g_test_message ("seed %" G_GUINT64_FORMAT ": opening %.0f mm² (%.0f mm across) at %.0f %.0f %.0f",
                      seed, o->area_mm2, o->width_mm, o->centre[0], o->centre[1], o->centre[2]);
    }
  if (!g_getenv ("RIM_EXPLORE"))
    g_assert_cmpuint (rim->openings->len, ==, n_defects);

  dist = distance_to_defects (labels);
  region = cal_mask_get_labels (rim->region);
  l = cal_mask_get_labels (labels);
  n = cal_grid_n_voxels (cal_mask_get_grid (labels));
  for (gsize v = 0; v < n; v++)
    {
      /* The rim: skull within two voxels of the gap. */
      if (l[v] == CAL_PHANTOM_SKULL && dist[v] <= 2.5 * 2.5)
        {
          rim_voxels++;
          covered += region[v];
        }
      /* Nothing else: no voxel beyond the band (and a voxel's slack). */
      if (region[v] && dist[v] > pow (options.band_mm + 2.5, 2))
        stray++;
    }
  g_test_message ("rim %" G_GUINT64_FORMAT " voxels, %.1f %% covered; %" G_GUINT64_FORMAT " region voxels, "
                  "%" G_GUINT64_FORMAT " beyond the band", rim_voxels, 100.0 * covered / MAX (rim_voxels, 1),
                  rim->n_region_voxels, stray);
  if (g_getenv ("RIM_EXPLORE"))
    {
      g_printerr ("EXPLORE seed %lu (%u,%u): defects %u openings %u rim %lu covered %.1f%% region %lu stray %lu\n",
                  (unsigned long) seed, burr_holes, flaps, n_defects, rim->openings->len, (unsigned long) rim_voxels,
                  100.0 * covered / MAX (rim_voxels, 1), (unsigned long) rim->n_region_voxels, (unsigned long) stray);
      return;
    }
  if (n_defects == 0)
    {
      g_assert_cmpuint (rim->n_region_voxels, ==, 0);
      return;
    }
  g_assert_cmpuint (rim_voxels, >, 0);
  g_assert_cmpfloat ((double) covered / rim_voxels, >=, 0.97);
  g_assert_cmpuint (stray, ==, 0);
}

static void
test_explore (void)
{
  const char *list = g_getenv ("RIM_EXPLORE");
  g_auto(GStrv) items = g_strsplit (list, " ", -1);

  for (int i = 0; items[i]; i++)
    {
      unsigned long seed; unsigned b, f;
      if (sscanf (items[i], "%lu,%u,%u", &seed, &b, &f) == 3)
        check_rim (seed, b, f);
    }
}

static void
test_burr_holes_and_flap (void)
{
  check_rim (21, 2, 1);
}

static void
test_low_flap (void)
{
  /* A flap low at the back, reaching below the horizontal. */
  check_rim (113, 2, 1);
}

static void
test_intact_skull (void)
{
  check_rim (21, 0, 0);
}

static void
test_empty_mask (void)
{
  const double sp[3] = { 1, 1, 1 };
  g_autoptr(CalMask) empty = cal_test_new_mask (16, 16, 16, sp);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalDefectRim) rim = cal_find_defect_rim (empty, NULL, NULL, &error);

  g_assert_null (rim);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("RIM_EXPLORE"))
    g_test_add_func ("/qc/defect-rim/explore", test_explore);
  g_test_add_func ("/qc/defect-rim/burr-holes-and-flap", test_burr_holes_and_flap);
  g_test_add_func ("/qc/defect-rim/low-flap", test_low_flap);
  g_test_add_func ("/qc/defect-rim/intact", test_intact_skull);
  g_test_add_func ("/qc/defect-rim/empty", test_empty_mask);
  return g_test_run ();
}
