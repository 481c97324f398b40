/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-dicom-shim.h"

G_BEGIN_DECLS

gboolean cal_dicom_has_preamble (const char           *path);
gboolean cal_dicom_header_check (const CalDicomHeader  *header,
                                 GError               **error);

G_END_DECLS
