/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-types.h"

G_BEGIN_DECLS

typedef enum {
  CAL_LOAD_FLAGS_NONE                  = 0,
  /* Load files that do not say how they lie in the patient.  Such a volume
   * must never be used for implant work without a human checking left and
   * right, so loaders refuse it unless the caller says so. */
  CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION  = 1 << 0,
  /* Leave out slices whose pixels cannot be used (truncated, undecodable)
   * instead of refusing their series; the gap is interpolated and reported. */
  CAL_LOAD_EXCLUDE_BAD_SLICES          = 1 << 1,
  /* A CT without RescaleSlope/RescaleIntercept: assume 1 and 0, so that
   * stored values are taken as HU (unverified, and reported so). */
  CAL_LOAD_ACCEPT_MISSING_RESCALE      = 1 << 2,
  /* DERIVED or SECONDARY images (a reformat, MIP or screen capture), not
   * the original acquisition. */
  CAL_LOAD_ACCEPT_DERIVED              = 1 << 3,
  /* Interpolate missing slices, or resample uneven slice spacing onto a
   * regular grid (the report records it). */
  CAL_LOAD_ACCEPT_RESAMPLING           = 1 << 4,
  /* The alternative to interpolating: keep the longest run of slices at
   * the regular spacing and leave out the rest of the scan (reported).
   * CAL_LOAD_ACCEPT_RESAMPLING wins where both are given. */
  CAL_LOAD_KEEP_LONGEST_RUN            = 1 << 5,
} CalLoadFlags;

/* Errors any loader may give, beside its format's own. */
#define CAL_LOAD_ERROR (cal_load_error_quark ())
GQuark cal_load_error_quark (void);

typedef enum {
  /* Usable only once the user accepts what the message says (the "warn and
   * confirm" cases); cal_load_error_accept_flag() names the flag. */
  CAL_LOAD_ERROR_CONFIRM_MISSING_RESCALE,
  CAL_LOAD_ERROR_CONFIRM_DERIVED,
  CAL_LOAD_ERROR_CONFIRM_RESAMPLING,
  CAL_LOAD_ERROR_CONFIRM_EXCLUDE_SLICES,
  /* Loading would need more memory than the budget allows. */
  CAL_LOAD_ERROR_TOO_LARGE,
} CalLoadError;

/* The flag that loads what `error` refused after asking, or 0 when no
 * confirmation can load it. */
CalLoadFlags cal_load_error_accept_flag (const GError *error);
/* A second way out of what `error` refused, one that loads less rather
 * than accepting more (CAL_LOAD_KEEP_LONGEST_RUN for a series that needs
 * interpolating), or 0. */
CalLoadFlags cal_load_error_alternative_flag (const GError *error);

/* Voxel data one scan may take in memory: a quarter of the machine's
 * memory, at most 4 GiB; CALVARIA_MEMORY_LIMIT_MB overrides it.  Loaders
 * refuse larger scans before allocating. */
guint64      cal_load_memory_budget     (void);
gboolean     cal_load_check_budget      (guint64       bytes,
                                         const char   *what,
                                         GError      **error);

/* What a loader wants the user to know about a load that succeeded:
 * partial success is reported, never hidden.  Never holds patient data. */
typedef struct {
  char      *format;            /* "NIfTI-1", "DICOM", "InVesalius 3 project" */
  char      *details;           /* e.g. transfer syntax, datatype */
  GPtrArray *warnings;          /* (element-type utf8) what may change a decision */
  GPtrArray *notes;             /* (element-type utf8) facts that change nothing */
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
void           cal_load_report_note     (CalLoadReport       *report,
                                         const char          *format,
                                         ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalLoadReport, cal_load_report_free)

G_END_DECLS
