/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  CAL_LOAD_FLAGS_NONE                  = 0,
  /* Load files that do not say how they lie in the patient.  Such a volume
   * must never be used for implant work without a human checking left and
   * right, so loaders refuse it unless the caller says so. */
  CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION  = 1 << 0,
} CalLoadFlags;

/* What a loader wants the user to know about a load that succeeded:
 * partial success is reported, never hidden.  Never holds patient data. */
typedef struct {
  char      *format;            /* "NIfTI-1", "DICOM", "InVesalius 3 project" */
  char      *details;           /* e.g. transfer syntax, datatype */
  GPtrArray *warnings;          /* (element-type utf8) */
  double     gantry_tilt_deg;   /* 0 when none was corrected */
  guint      n_slices_excluded;
} CalLoadReport;

#define CAL_TYPE_LOAD_REPORT (cal_load_report_get_type ())
GType          cal_load_report_get_type (void) G_GNUC_CONST;
CalLoadReport *cal_load_report_new      (void);
CalLoadReport *cal_load_report_copy     (const CalLoadReport *report);
void           cal_load_report_free     (CalLoadReport       *report);
void           cal_load_report_warn     (CalLoadReport       *report,
                                         const char          *format,
                                         ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalLoadReport, cal_load_report_free)

/* Progress from a worker thread: fraction in [0, 1]. */
typedef void (*CalProgressFunc) (double   fraction,
                                 gpointer user_data);

G_END_DECLS
