/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/* Test data locations come from meson (see tests/meson.build). A missing
 * input is a failed test with a reason, never a silent skip. */
static inline const char *
cal_test_require_path (const char *path)
{
  g_autofree char *marker = g_build_filename (path, "MISSING-PYDICOM", NULL);

  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    g_error ("Test input “%s” was not made: python3-pydicom is missing (tools/setup/bootstrap.sh test "
             "installs it)", path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("Test input “%s” is missing: run the set-up in the README (tools/setup/bootstrap.sh test "
             "installs python3-pydicom, which writes the synthetic DICOM cases, and the sample data)", path);
  return path;
}

/* An empty axis-aligned mask. */
static inline CalMask *
cal_test_new_mask (guint32       nx,
                   guint32       ny,
                   guint32       nz,
                   const double  spacing[3])
{
  const guint32 dims[3] = { nx, ny, nz };
  CalGrid grid;

  cal_grid_init_axis_aligned (&grid, dims, spacing);
  return cal_mask_new (&grid);
}

/* Centroid, in LPS mm, of the voxels holding exactly `value`. */
static inline gboolean
cal_test_marker_centroid (CalVolume *volume,
                          double     value,
                          double     centroid[3])
{
  const CalGrid *grid = cal_volume_get_grid (volume);
  double sum[3] = { 0, 0, 0 };
  guint64 count = 0;

  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (guint32 j = 0; j < grid->dims[1]; j++)
      for (guint32 i = 0; i < grid->dims[0]; i++)
        if (cal_volume_get_value (volume, i, j, k) == value)
          {
            double ijk[3] = { i, j, k }, xyz[3];
            cal_grid_voxel_to_patient (grid, ijk, xyz);
            for (int a = 0; a < 3; a++)
              sum[a] += xyz[a];
            count++;
          }
  for (int a = 0; a < 3; a++)
    centroid[a] = count ? sum[a] / count : 0;
  return count > 0;
}

G_END_DECLS
