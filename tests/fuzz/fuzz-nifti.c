/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NIfTI-1 and -2, plain or gzip'd (the reader tells them by their bytes):
 * header, geometry, sizes against the file, decompression, scaling, and
 * the same bytes read as a label mask. */
#include "cal-fuzz.h"

#include "cal-nifti.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = cal_fuzz_write ("image.nii", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = NULL;
  g_autoptr(CalMask) mask = NULL;

  volume = cal_nifti_read_volume (path, CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION, NULL, NULL, &error);
  g_assert ((volume == NULL) == (error != NULL));
  g_clear_error (&error);
  mask = cal_nifti_read_mask (path, CAL_LOAD_FLAGS_NONE, NULL, NULL, &error);
  g_assert ((mask == NULL) == (error != NULL));
  return 0;
}
