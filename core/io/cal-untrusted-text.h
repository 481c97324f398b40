/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text read from a file (a DICOM attribute, a mask's name), made safe to
 * show: control characters (terminal escape sequences among them) and
 * invalid UTF-8 become \xNN or \uNNNN, everything else stays as it is. */
char *cal_untrusted_text_escape (const char *text);

/* A message made safe to show in the window: every file location in it
 * (“/home/…/scan.nii”, '/data/study/', file:///…, quoted or not) becomes
 * `instead`.  Folder and file names of scans often carry the patient's
 * name, and GLib's own errors quote the full path. */
char *cal_text_hide_paths       (const char *text,
                                 const char *instead);

G_END_DECLS
