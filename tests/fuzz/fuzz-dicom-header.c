/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One DICOM file's header: the nesting pre-scan, dcmtk's parser behind the
 * shim, and the checks made before any pixel buffer is allocated. */
#include "cal-fuzz.h"

#include "cal-dicom.h"
#include "cal-dicom-private.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = cal_fuzz_write ("slice.dcm", data, size);
  g_autoptr(GError) error = NULL;
  CalDicomHeader header;

  if (cal_dicom_shim_read_header (path, &header, &error) && header.problem == NULL)
    cal_dicom_header_check (&header, NULL);
  cal_dicom_header_clear (&header);
  return 0;
}
