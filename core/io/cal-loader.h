/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-load-report.h"
#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

typedef enum {
  CAL_FORMAT_UNKNOWN,
  CAL_FORMAT_NIFTI,
  CAL_FORMAT_DICOM,
  CAL_FORMAT_INV3,
} CalFormat;

#define CAL_LOADER_ERROR (cal_loader_error_quark ())
GQuark cal_loader_error_quark (void);

typedef enum {
  CAL_LOADER_ERROR_UNKNOWN_FORMAT,
  CAL_LOADER_ERROR_NO_MASK,
} CalLoaderError;

CalFormat  cal_format_guess       (const char       *path);

/* Any CT Calvaria reads (DICOM file or folder, NIfTI, InVesalius project).
 * series_uid picks a DICOM series (NULL: the largest CT). */
CalVolume *cal_volume_load        (const char       *path,
                                   const char       *series_uid,
                                   CalLoadFlags      flags,
                                   CalLoadReport    *report,
                                   CalProgressFunc   progress,
                                   gpointer          progress_data,
                                   GCancellable     *cancellable,
                                   GError          **error);

/* A label mask: a NIfTI file, or mask number `index` (0-based) of an
 * InVesalius project. */
CalMask   *cal_mask_load          (const char       *path,
                                   guint             index,
                                   CalLoadFlags      flags,
                                   CalLoadReport    *report,
                                   GCancellable     *cancellable,
                                   GError          **error);

void       cal_volume_load_async  (const char          *path,
                                   const char          *series_uid,
                                   CalLoadFlags         flags,
                                   CalProgressFunc      progress,
                                   gpointer             progress_data,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
CalVolume *cal_volume_load_finish (GAsyncResult        *result,
                                   CalLoadReport      **report,
                                   GError             **error);

G_END_DECLS
