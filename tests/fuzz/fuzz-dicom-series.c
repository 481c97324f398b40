/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A series' geometry: the input is up to eight DICOM files separated by
 * the marker below, scanned as a folder and assembled into one volume
 * (ordering, duplicates, spacing, tilt, resampling, every refusal). */
#include "cal-fuzz.h"

#include <string.h>

#include "cal-dicom.h"

#define SEPARATOR     "CALVARIA-NEXT-FILE"
#define MAX_FILES     8

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *folder = g_build_filename (cal_fuzz_dir, "series", NULL);
  g_autoptr(CalDicomScan) scan = NULL;
  g_autoptr(CalVolume) volume = NULL;
  g_autoptr(GError) error = NULL;
  const uint8_t *start = data, *end = data + size;
  guint n = 0;

  g_mkdir (folder, 0700);
  while (start <= end && n < MAX_FILES)
    {
      const uint8_t *next = memmem (start, (size_t) (end - start), SEPARATOR, strlen (SEPARATOR));
      g_autofree char *name = g_strdup_printf ("series/%u.dcm", n++);
      g_free (cal_fuzz_write (name, start, (size_t) ((next ? next : end) - start)));
      if (next == NULL)
        break;
      start = next + strlen (SEPARATOR);
    }

  scan = cal_dicom_scan (folder, NULL, &error);
  if (scan != NULL)
    volume = cal_dicom_series_load (cal_dicom_scan_pick (scan, NULL, NULL),
                                    CAL_LOAD_ACCEPT_RESAMPLING | CAL_LOAD_ACCEPT_DERIVED |
                                    CAL_LOAD_ACCEPT_MISSING_RESCALE | CAL_LOAD_EXCLUDE_BAD_SLICES,
                                    NULL, NULL, NULL, NULL, &error);
  g_assert ((volume == NULL) == (error != NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%u.dcm", folder, i);
      g_remove (path);
    }
  return 0;
}
