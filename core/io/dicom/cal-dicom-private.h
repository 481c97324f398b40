/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-dicom.h"
#include "cal-dicom-shim.h"

G_BEGIN_DECLS

/* Deeper sequence nesting, and element lengths the file cannot hold, are
 * refused before dcmtk parses the file (cal-dicom-depth.c). */
#define CAL_DICOM_MAX_NESTING 64

/* FALSE with an error for a file dcmtk must not parse whole.  A non-zero
 * *stop_tag (group << 16 | element) is the top-level element where the
 * damage starts: everything before it may still be read. */
gboolean cal_dicom_check_structure (const char           *path,
                                    guint32              *stop_tag,
                                    GError              **error);

gboolean cal_dicom_has_preamble (const char           *path);
CalDicomPreamble cal_dicom_preamble_kind (const char   *path);
gboolean cal_dicom_header_check (const CalDicomHeader  *header,
                                 GError               **error);

/* cal-dicom-series-checks.c */
gboolean   cal_dicom_geometry_is_finite (const CalDicomHeader  *header);
GPtrArray *cal_dicom_usable_slices      (CalDicomSeries        *series,
                                         CalLoadFlags           flags,
                                         CalLoadReport         *report,
                                         GError               **error);
gboolean   cal_dicom_check_acquisition  (GPtrArray             *headers,
                                         CalLoadFlags           flags,
                                         CalLoadReport         *report,
                                         GError               **error);

G_END_DECLS
