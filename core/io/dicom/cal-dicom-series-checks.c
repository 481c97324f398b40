/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a DICOM series must be before its slices become one volume, beyond
 * geometry (cal-dicom-volume.c): which slices can be used at all, and
 * whether they are one original acquisition in Hounsfield units.  What a
 * person may accept is refused with a CAL_LOAD_ERROR that names the flag.
 */
#include "cal-dicom.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "cal-dicom-private.h"

gboolean
cal_dicom_geometry_is_finite (const CalDicomHeader *h)
{
  for (int c = 0; c < 6; c++)
    if (!isfinite (h->orientation[c]) || (c < 3 && h->has_position && !isfinite (h->position[c])) ||
        (c < 2 && !isfinite (h->pixel_spacing[c])))
      return FALSE;
  return TRUE;
}

static gboolean
is_derived (const CalDicomHeader *h)
{
  g_auto(GStrv) values = g_strsplit (h->image_type, "\\", 3);

  return (values[0] && g_str_equal (g_strstrip (values[0]), "DERIVED")) ||
         (values[0] && values[1] && g_str_equal (g_strstrip (values[1]), "SECONDARY"));
}

/* What makes a series one acquisition whose values are HU: one study and
 * frame of reference, original images, a stated rescale.  The last two can
 * be accepted by the user (warn and confirm); a mix of studies cannot. */
gboolean
cal_dicom_check_acquisition (GPtrArray      *headers,
                   CalLoadFlags    flags,
                   CalLoadReport  *report,
                   GError        **error)
{
  const CalDicomHeader *first = g_ptr_array_index (headers, 0);
  guint n_derived = 0, n_no_rescale = 0, n_executable = 0, n_raw = 0;
  gboolean quadruped = FALSE;

  for (guint s = 0; s < headers->len; s++)
    {
      const CalDicomHeader *h = g_ptr_array_index (headers, s);

      if (strcmp (h->study_uid, first->study_uid) != 0)
        {
          g_set_error_literal (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_GEOMETRY,
                               _("The series mixes studies (StudyInstanceUID differs between slices): it is not "
                                 "one acquisition. Refusing it"));
          return FALSE;
        }
      if (strcmp (h->frame_of_reference_uid, first->frame_of_reference_uid) != 0)
        {
          g_set_error_literal (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_GEOMETRY,
                               _("The series mixes frames of reference (FrameOfReferenceUID differs between "
                                 "slices): its slices' positions are not in one coordinate system. Refusing it"));
          return FALSE;
        }
      n_derived += is_derived (h);
      n_no_rescale += !h->has_rescale && g_str_equal (h->modality, "CT");
      n_executable += h->preamble == CAL_DICOM_PREAMBLE_EXECUTABLE;
      n_raw += h->preamble == CAL_DICOM_PREAMBLE_NONE;
      quadruped |= g_ascii_strcasecmp (h->anatomical_orientation, "QUADRUPED") == 0;
    }

  if (n_derived > 0 && !(flags & CAL_LOAD_ACCEPT_DERIVED))
    {
      g_set_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_DERIVED,
                   _("%u of %u images are DERIVED or SECONDARY (ImageType): a reformat, projection or capture, "
                     "not the original acquisition. Load the original series, or accept derived images "
                     "explicitly (calvaria-cli: --accept-derived)"),
                   n_derived, headers->len);
      return FALSE;
    }
  if (n_no_rescale > 0 && !(flags & CAL_LOAD_ACCEPT_MISSING_RESCALE))
    {
      g_set_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_MISSING_RESCALE,
                   _("%u of %u CT images lack RescaleSlope/RescaleIntercept, so their values are not known to be "
                     "Hounsfield units. Accept slope 1 and intercept 0 explicitly (calvaria-cli: "
                     "--accept-missing-rescale) and check HU thresholds by eye"),
                   n_no_rescale, headers->len);
      return FALSE;
    }
  if (n_derived > 0)
    cal_load_report_warn (report, _("Not the original acquisition: %u DERIVED or SECONDARY images, "
                                    "loaded as accepted"), n_derived);
  if (n_no_rescale > 0)
    cal_load_report_warn (report, _("HU unverified: %u CT images lack RescaleSlope/Intercept; slope 1 "
                                    "and intercept 0 were assumed as accepted"), n_no_rescale);
  if (quadruped)
    cal_load_report_warn (report, _("AnatomicalOrientationType is QUADRUPED: the orientation labels "
                                    "follow the image geometry, which assumes a biped's axes"));
  if (n_executable > 0)
    cal_load_report_warn (report, _("%u files carry an executable (PE or ELF) in their 128-byte DICOM "
                                    "preamble; it is never run, but the files should not be trusted further"),
                          n_executable);
  if (n_raw > 0)
    cal_load_report_note (report, _("%u files have no Part-10 header (preamble and file meta "
                                    "information); read as raw data sets"), n_raw);
  return TRUE;
}

/* A scout image filed in the series it planned: never part of the volume. */
static gboolean
is_localizer (const CalDicomHeader *h)
{
  g_auto(GStrv) values = g_strsplit (h->image_type, "\\", -1);

  for (guint i = 2; values[0] && values[1] && values[i]; i++)
    if (g_ascii_strcasecmp (g_strstrip (values[i]), "LOCALIZER") == 0)
      return TRUE;
  return FALSE;
}

/* The slices that can be used.  One that cannot (truncated or undecodable
 * pixels) refuses the whole series, named by InstanceNumber and position
 * (never by file or folder name, which may carry the patient's name),
 * unless the caller asked to exclude such slices; then the count is
 * reported and the gap is interpolated like a missing slice. */
/* Names the slice that stops the series.  When other slices are fine,
 * leaving it out is the user's decision (a load error that names the
 * flag); when none is, the slice's own error is the series'. */
static GPtrArray *
refuse_for_slice (CalDicomSeries *series,
                  CalDicomHeader *h,
                  GError        **error)
{
  g_autofree char *where = h->has_position
    ? g_strdup_printf (", at %.2f, %.2f, %.2f mm LPS", h->position[0], h->position[1], h->position[2])
    : g_strdup ("");
  gboolean any_usable = FALSE;

  for (guint s = 0; s < series->headers->len && !any_usable; s++)
    any_usable = ((CalDicomHeader *) g_ptr_array_index (series->headers, s))->problem == NULL;
  if (!any_usable)
    {
      g_set_error (error, h->problem->domain, h->problem->code,
                   _("No slice of the series can be used; the one with InstanceNumber %d%s: %s"),
                   h->instance_number, where, h->problem->message);
      return NULL;
    }
  g_set_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_EXCLUDE_SLICES,
               _("The slice with InstanceNumber %d%s (one of %u) cannot be used: %s. The series is refused "
                 "rather than interpolated over that slice; exclude unusable slices explicitly to load the rest "
                 "(calvaria-cli: --exclude-bad-slices)"),
               h->instance_number, where, series->headers->len, h->problem->message);
  return NULL;
}

GPtrArray *
cal_dicom_usable_slices (CalDicomSeries *series,
               CalLoadFlags    flags,
               CalLoadReport  *report,
               GError        **error)
{
  g_autoptr(GPtrArray) usable = g_ptr_array_new ();
  guint excluded = 0, localizers = 0;

  for (guint s = 0; s < series->headers->len; s++)
    {
      CalDicomHeader *h = g_ptr_array_index (series->headers, s);

      if (is_localizer (h))
        {
          localizers++;
          continue;
        }
      if (h->problem == NULL)
        {
          g_ptr_array_add (usable, h);
          continue;
        }
      if (!(flags & CAL_LOAD_EXCLUDE_BAD_SLICES))
        return refuse_for_slice (series, h, error);
      excluded++;
    }
  if (localizers > 0)
    {
      report->n_slices_excluded += localizers;
      cal_load_report_warn (report, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u localizer image (ImageType LOCALIZER) in the series was left out",
                                                 "%u localizer images (ImageType LOCALIZER) in the series were left out",
                                                 localizers), localizers);
    }
  if (excluded > 0)
    {
      report->n_slices_excluded += excluded;
      cal_load_report_warn (report, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u unusable slice was excluded on request; the gap is interpolated",
                                                 "%u unusable slices were excluded on request; the gap is interpolated",
                                                 excluded), excluded);
    }
  if (usable->len == 0)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TOO_FEW_SLICES,
                   _("None of the series' %u slices can be used"), series->headers->len);
      return NULL;
    }
  return g_steal_pointer (&usable);
}
