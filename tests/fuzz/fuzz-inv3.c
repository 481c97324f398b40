/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An InVesalius 3 project: the gzip'd tar, its property lists, the image
 * matrix and the masks. */
#include "cal-fuzz.h"

#include "cal-inv3.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = cal_fuzz_write ("project.inv3", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalInv3Project) project = cal_inv3_project_load (path, TRUE, NULL, NULL, &error);

  g_assert ((project == NULL) == (error != NULL));
  return 0;
}
