/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-load-report.h"

G_DEFINE_BOXED_TYPE (CalLoadReport, cal_load_report, cal_load_report_copy, cal_load_report_free)

CalLoadReport *
cal_load_report_new (void)
{
  CalLoadReport *report = g_new0 (CalLoadReport, 1);

  report->warnings = g_ptr_array_new_with_free_func (g_free);
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
  g_free (report);
}

void
cal_load_report_warn (CalLoadReport *report,
                      const char    *format,
                      ...)
{
  va_list args;

  if (report == NULL)
    return;
  va_start (args, format);
  g_ptr_array_add (report->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}
