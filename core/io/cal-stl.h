/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mesh.h"

G_BEGIN_DECLS

#define CAL_STL_ERROR (cal_stl_error_quark ())
GQuark cal_stl_error_quark (void);

typedef enum {
  CAL_STL_ERROR_TRUNCATED,   /* shorter than its triangle count says */
  CAL_STL_ERROR_INVALID,     /* not STL, or a value that is not a number */
  CAL_STL_ERROR_TOO_LARGE,   /* more triangles than a mesh can hold */
} CalStlError;

typedef enum {
  CAL_STL_BINARY,
  CAL_STL_ASCII,
} CalStlFormat;

/*
 * STL in millimetres.  The binary header (80 bytes) and the ASCII solid
 * name say "Calvaria", the units and the coordinate space, and nothing
 * else: no patient data ever goes into an exported file.  Writing is
 * atomic (temporary file, fsync, rename): on any error, full disk
 * included, an existing file is left as it was.
 */
gboolean  cal_stl_write        (CalMesh       *mesh,
                                const char    *path,
                                CalStlFormat   format,
                                GCancellable  *cancellable,
                                GError       **error);

/* Reads binary or ASCII STL, merging vertices at identical coordinates.
 * The space comes from a Calvaria header; other files are taken as LPS
 * and *space_known (when not NULL) is set to FALSE. */
CalMesh  *cal_stl_read         (const char    *path,
                                gboolean      *space_known,
                                GError       **error);

G_END_DECLS
