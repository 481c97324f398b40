/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NumPy .npy arrays (format 1.0 to 3.0), float32 or float64 little-endian
 * in C order: how `calvaria-cli infer --raw` exchanges tensors with the
 * framework that trained a model. */
#pragma once

#include <glib.h>

#include "cal-nn-graph.h"

G_BEGIN_DECLS

#define CAL_NPY_ERROR (cal_npy_error_quark ())
GQuark cal_npy_error_quark (void);

typedef enum {
  CAL_NPY_ERROR_INVALID,       /* not an .npy file, or truncated */
  CAL_NPY_ERROR_UNSUPPORTED,   /* another element type, Fortran order, too many axes */
} CalNpyError;

/* Returns the values as float32 (float64 files are converted). */
float   *cal_npy_read  (const char        *path,
                        CalNnShape        *shape,
                        GError           **error);
/* Writes float32, atomically (temporary file, fsync, rename). */
gboolean cal_npy_write (const char        *path,
                        const float       *values,
                        const CalNnShape  *shape,
                        GError           **error);

G_END_DECLS
