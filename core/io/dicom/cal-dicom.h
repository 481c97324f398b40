/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-load-report.h"
#include "cal-volume.h"

G_BEGIN_DECLS

#define CAL_DICOM_ERROR (cal_dicom_error_quark ())
GQuark cal_dicom_error_quark (void);

typedef enum {
  CAL_DICOM_ERROR_NOT_DICOM,                    /* not a DICOM file at all */
  CAL_DICOM_ERROR_NO_IMAGES,                    /* folder holds no usable image */
  CAL_DICOM_ERROR_NO_SUCH_SERIES,
  CAL_DICOM_ERROR_PIXEL_FORMAT,                 /* rows/columns/bits/colour */
  CAL_DICOM_ERROR_TRUNCATED,                    /* pixel data shorter than declared */
  CAL_DICOM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX,
  CAL_DICOM_ERROR_GEOMETRY,                     /* missing or inconsistent position/orientation */
  CAL_DICOM_ERROR_CONFLICTING_SLICES,           /* two different images at one position */
  CAL_DICOM_ERROR_TOO_FEW_SLICES,
  CAL_DICOM_ERROR_UNSUPPORTED,                  /* valid DICOM Calvaria does not read yet */
  CAL_DICOM_ERROR_NESTING,                      /* sequences nested too deep to read safely */
  CAL_DICOM_ERROR_CORRUPT_PIXELS,               /* a supported codec failed on the stream */
} CalDicomError;

/* One series found in a folder.  Holds no patient identifiers. */
typedef struct {
  char      *uid;          /* SeriesInstanceUID */
  char      *modality;
  char      *description;  /* SeriesDescription, e.g. the protocol */
  int        number;
  guint      rows;
  guint      columns;
  GPtrArray *headers;      /* (element-type CalDicomHeader) owned */
} CalDicomSeries;

typedef struct {
  GPtrArray *series;       /* (element-type CalDicomSeries), largest CT first */
  GPtrArray *skipped;      /* (element-type utf8) "file: reason" for unreadable files */
  char      *walk_notes;   /* what the folder walk left out (deep folders, link loops), or "" */
} CalDicomScan;

CalDicomScan   *cal_dicom_scan              (const char       *path,
                                             GCancellable     *cancellable,
                                             GError          **error);
void            cal_dicom_scan_free         (CalDicomScan     *scan);
/* What the scan skipped, as warnings and notes of a load's report. */
void            cal_dicom_scan_report       (CalDicomScan     *scan,
                                             CalLoadReport    *report);
CalDicomSeries *cal_dicom_scan_pick         (CalDicomScan     *scan,
                                             const char       *series_uid,
                                             GError          **error);

CalVolume      *cal_dicom_series_load       (CalDicomSeries   *series,
                                             CalLoadFlags      flags,
                                             CalLoadReport    *report,
                                             CalProgressFunc   progress,
                                             gpointer          progress_data,
                                             GCancellable     *cancellable,
                                             GError          **error);

/* Folder or file in, volume out: the default series is the largest CT. */
CalVolume      *cal_dicom_load              (const char       *path,
                                             const char       *series_uid,
                                             CalLoadFlags      flags,
                                             CalLoadReport    *report,
                                             CalProgressFunc   progress,
                                             gpointer          progress_data,
                                             GCancellable     *cancellable,
                                             GError          **error);

/* One image on its own (no series rules), in rescaled units: for previews
 * and for checking a decoder against a reference file. */
CalVolume      *cal_dicom_read_image        (const char       *path,
                                             GError          **error);

gboolean        cal_dicom_file_looks_dicom  (const char       *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalDicomScan, cal_dicom_scan_free)

G_END_DECLS
