/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-load-report.h"
#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

#define CAL_INV3_ERROR (cal_inv3_error_quark ())
GQuark cal_inv3_error_quark (void);

typedef enum {
  CAL_INV3_ERROR_NOT_INV3,       /* not a gzip'd tar with main.plist */
  CAL_INV3_ERROR_INVALID,        /* a plist or member contradicts another */
  CAL_INV3_ERROR_UNSUPPORTED,    /* valid project Calvaria cannot use */
  CAL_INV3_ERROR_NO_SUCH_MASK,
} CalInv3Error;

/* An InVesalius 3 project: the CT and its masks (names and HU ranges
 * are InVesalius' own; the project name is never read, it may hold
 * patient data). */
typedef struct {
  CalVolume *volume;         /* owned */
  GPtrArray *masks;          /* (element-type CalMask) owned; empty unless asked */
  GPtrArray *mask_names;     /* (element-type utf8) owned */
  GArray    *mask_ranges;    /* (element-type double[2]) threshold HU range per mask */
} CalInv3Project;

CalInv3Project *cal_inv3_project_load (const char      *path,
                                       gboolean         with_masks,
                                       CalLoadReport   *report,
                                       GCancellable    *cancellable,
                                       GError         **error);
void            cal_inv3_project_free (CalInv3Project  *project);

gboolean        cal_inv3_path_is_inv3 (const char      *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalInv3Project, cal_inv3_project_free)

G_END_DECLS
