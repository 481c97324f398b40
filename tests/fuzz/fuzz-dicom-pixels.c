/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One DICOM image decoded: every transfer syntax dcmtk's codecs take
 * (uncompressed, RLE, JPEG baseline/extended/lossless, JPEG-LS), rescaled. */
#include "cal-fuzz.h"

#include "cal-dicom.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = cal_fuzz_write ("image.dcm", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = cal_dicom_read_image (path, &error);

  g_assert ((volume == NULL) == (error != NULL));
  return 0;
}
