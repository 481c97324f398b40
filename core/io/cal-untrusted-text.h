/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text read from a file (a DICOM attribute, a mask's name), made safe to
 * show: control characters (terminal escape sequences among them) and
 * invalid UTF-8 become \xNN or \uNNNN, everything else stays as it is. */
char *cal_untrusted_text_escape (const char *text);

G_END_DECLS
