/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-load-report.h"
#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

#define CAL_NIFTI_ERROR (cal_nifti_error_quark ())
GQuark cal_nifti_error_quark (void);

typedef enum {
  CAL_NIFTI_ERROR_NOT_NIFTI,            /* no NIfTI-1/2 header */
  CAL_NIFTI_ERROR_INVALID_HEADER,       /* a field holds an impossible value */
  CAL_NIFTI_ERROR_UNSUPPORTED,          /* valid NIfTI Calvaria cannot use */
  CAL_NIFTI_ERROR_TRUNCATED,            /* fewer bytes than the header declares */
  CAL_NIFTI_ERROR_SIZE_MISMATCH,        /* more bytes than declared, or impossible sizes */
  CAL_NIFTI_ERROR_ORIENTATION_UNKNOWN,  /* no qform/sform and the caller did not accept it */
  CAL_NIFTI_ERROR_NOT_A_MASK,           /* values that are not labels 0..255 */
  CAL_NIFTI_ERROR_INVALID_VALUES,       /* NaN or infinite voxels */
} CalNiftiError;

typedef enum {
  CAL_NIFTI_1 = 1,
  CAL_NIFTI_2 = 2,
} CalNiftiVersion;

CalVolume *cal_nifti_read_volume  (const char      *path,
                                   CalLoadFlags     flags,
                                   CalLoadReport   *report,
                                   GCancellable    *cancellable,
                                   GError         **error);
CalMask   *cal_nifti_read_mask    (const char      *path,
                                   CalLoadFlags     flags,
                                   CalLoadReport   *report,
                                   GCancellable    *cancellable,
                                   GError         **error);

/* Compression follows the name: ".nii.gz" is gzip'd, ".nii" is not.
 * NIfTI-2 is used when asked, or when a dimension does not fit NIfTI-1. */
gboolean   cal_nifti_write_volume (CalVolume       *volume,
                                   const char      *path,
                                   CalNiftiVersion  version,
                                   GError         **error);
gboolean   cal_nifti_write_mask   (CalMask         *mask,
                                   const char      *path,
                                   CalNiftiVersion  version,
                                   GError         **error);

gboolean   cal_nifti_path_is_nifti (const char     *path);

G_END_DECLS
