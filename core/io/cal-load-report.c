/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-load-report.h"

#include <gio/gio.h>

#include "cal-parallel.h"

#define MAX_DEFAULT_BUDGET (G_GUINT64_CONSTANT (4) << 30)

G_DEFINE_QUARK (cal-load-error-quark, cal_load_error)

G_DEFINE_BOXED_TYPE (CalLoadReport, cal_load_report, cal_load_report_copy, cal_load_report_free)

CalLoadReport *
cal_load_report_new (void)
{
  CalLoadReport *report = g_new0 (CalLoadReport, 1);

  report->warnings = g_ptr_array_new_with_free_func (g_free);
  report->notes = g_ptr_array_new_with_free_func (g_free);
  return report;
}

CalLoadReport *
cal_load_report_copy (const CalLoadReport *report)
{
  CalLoadReport *copy = cal_load_report_new ();

  copy->format = g_strdup (report->format);
  copy->details = g_strdup (report->details);
  copy->gantry_tilt_deg = report->gantry_tilt_deg;
  copy->n_slices_excluded = report->n_slices_excluded;
  for (guint i = 0; i < report->warnings->len; i++)
    g_ptr_array_add (copy->warnings, g_strdup (g_ptr_array_index (report->warnings, i)));
  for (guint i = 0; i < report->notes->len; i++)
    g_ptr_array_add (copy->notes, g_strdup (g_ptr_array_index (report->notes, i)));
  return copy;
}

void
cal_load_report_free (CalLoadReport *report)
{
  if (report == NULL)
    return;
  g_free (report->format);
  g_free (report->details);
  g_ptr_array_unref (report->warnings);
  g_ptr_array_unref (report->notes);
  g_free (report);
}

#define APPEND_FORMATTED(report, list, format)          \
  G_STMT_START {                                        \
    va_list args;                                       \
    if ((report) == NULL)                               \
      return;                                           \
    va_start (args, format);                            \
    g_ptr_array_add ((report)->list, g_strdup_vprintf (format, args)); \
    va_end (args);                                      \
  } G_STMT_END

void
cal_load_report_warn (CalLoadReport *report,
                      const char    *format,
                      ...)
{
  APPEND_FORMATTED (report, warnings, format);
}

void
cal_load_report_note (CalLoadReport *report,
                      const char    *format,
                      ...)
{
  APPEND_FORMATTED (report, notes, format);
}

CalLoadFlags
cal_load_error_accept_flag (const GError *error)
{
  if (g_error_matches (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_MISSING_RESCALE))
    return CAL_LOAD_ACCEPT_MISSING_RESCALE;
  if (g_error_matches (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_DERIVED))
    return CAL_LOAD_ACCEPT_DERIVED;
  if (g_error_matches (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_RESAMPLING))
    return CAL_LOAD_ACCEPT_RESAMPLING;
  if (g_error_matches (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_EXCLUDE_SLICES))
    return CAL_LOAD_EXCLUDE_BAD_SLICES;
  return CAL_LOAD_FLAGS_NONE;
}

CalLoadFlags
cal_load_error_alternative_flag (const GError *error)
{
  if (g_error_matches (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_RESAMPLING))
    return CAL_LOAD_KEEP_LONGEST_RUN;
  return CAL_LOAD_FLAGS_NONE;
}

guint64
cal_load_memory_budget (void)
{
  const char *limit = g_getenv ("CALVARIA_MEMORY_LIMIT_MB");
  guint64 mb;

  if (limit != NULL && g_ascii_string_to_unsigned (limit, 10, 1, G_MAXUINT32, &mb, NULL))
    return mb << 20;
  return MIN (cal_physical_memory_bytes () / 4, MAX_DEFAULT_BUDGET);
}

gboolean
cal_load_check_budget (guint64      bytes,
                       const char  *what,
                       GError     **error)
{
  guint64 budget = cal_load_memory_budget ();

  if (bytes <= budget)
    return TRUE;
  g_set_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_TOO_LARGE,
               "%s would need %" G_GUINT64_FORMAT " MB of memory; the limit for one scan is %"
               G_GUINT64_FORMAT " MB (a quarter of this machine's memory, at most 4096 MB; "
               "CALVARIA_MEMORY_LIMIT_MB sets it). Crop or downsample the scan first",
               what, (bytes + (1 << 20) - 1) >> 20, budget >> 20);
  return FALSE;
}
