/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nifti-private.h"

#include <glib/gi18n-lib.h>

#include <nifti/nifti2_io.h>
#include <string.h>

#include "cal-nifti.h"

G_DEFINE_QUARK (cal-nifti-error-quark, cal_nifti_error)

gsize
cal_nifti_header_size (int version)
{
  return version == 2 ? sizeof (nifti_2_header) : sizeof (nifti_1_header);
}

/* The voxel types Calvaria reads; everything else is refused by name. */
gboolean
cal_nifti_datatype_size (int  datatype,
                         int *bytes)
{
  switch (datatype)
    {
    case DT_UINT8: case DT_INT8:                   *bytes = 1; return TRUE;
    case DT_INT16: case DT_UINT16:                 *bytes = 2; return TRUE;
    case DT_INT32: case DT_UINT32: case DT_FLOAT32: *bytes = 4; return TRUE;
    case DT_FLOAT64: case DT_INT64: case DT_UINT64: *bytes = 8; return TRUE;
    default:                                        return FALSE;
    }
}

/* NIfTI-1 and -2 name their fields alike but differ in widths and order,
 * so the copy is written once for both struct types. */
#define COPY_HEADER_FIELDS(h, out)                \
  G_STMT_START {                                  \
    for (int i = 0; i < 8; i++)                   \
      {                                           \
        (out)->dim[i] = (h)->dim[i];              \
        (out)->pixdim[i] = (h)->pixdim[i];        \
      }                                           \
    (out)->datatype = (h)->datatype;              \
    (out)->bitpix = (h)->bitpix;                  \
    (out)->scl_slope = (h)->scl_slope;            \
    (out)->scl_inter = (h)->scl_inter;            \
    (out)->qform_code = (h)->qform_code;          \
    (out)->sform_code = (h)->sform_code;          \
    (out)->quatern[0] = (h)->quatern_b;           \
    (out)->quatern[1] = (h)->quatern_c;           \
    (out)->quatern[2] = (h)->quatern_d;           \
    (out)->qoffset[0] = (h)->qoffset_x;           \
    (out)->qoffset[1] = (h)->qoffset_y;           \
    (out)->qoffset[2] = (h)->qoffset_z;           \
    for (int c = 0; c < 4; c++)                   \
      {                                           \
        (out)->srow[0][c] = (h)->srow_x[c];       \
        (out)->srow[1][c] = (h)->srow_y[c];       \
        (out)->srow[2][c] = (h)->srow_z[c];       \
      }                                           \
    (out)->xyzt_units = (h)->xyzt_units;          \
    (out)->intent_code = (h)->intent_code;        \
    memcpy ((out)->magic, (h)->magic, 4);         \
    (out)->magic[4] = '\0';                       \
  } G_STMT_END

static void
from_nifti1 (const nifti_1_header *h,
             CalNiftiHeader       *out)
{
  out->version = 1;
  COPY_HEADER_FIELDS (h, out);
  /* vox_offset is a float in NIfTI-1; a fractional or huge value is caught
   * by the caller's range checks after this conversion. */
  out->vox_offset = (h->vox_offset >= 0 && h->vox_offset < 9.2e18) ? (gint64) h->vox_offset : -1;
  out->vox_offset_raw = h->vox_offset;
}

static void
from_nifti2 (const nifti_2_header *h,
             CalNiftiHeader       *out)
{
  out->version = 2;
  COPY_HEADER_FIELDS (h, out);
  out->vox_offset = h->vox_offset;
  out->vox_offset_raw = (double) h->vox_offset;
}

/* Recognise the header by its size field in either byte order, then check
 * the magic: an ANALYZE 7.5 file or a .hdr/.img pair is refused by name. */
gboolean
cal_nifti_header_parse (const guint8    *bytes,
                        gsize            size,
                        CalNiftiHeader  *header,
                        GError         **error)
{
  gint32 sizeof_hdr;

  memset (header, 0, sizeof *header);
  if (size < 4)
    goto not_nifti;

  memcpy (&sizeof_hdr, bytes, 4);
  if (sizeof_hdr == 348 || GUINT32_SWAP_LE_BE (sizeof_hdr) == 348)
    {
      nifti_1_header h;

      if (size < sizeof h)
        goto truncated;
      memcpy (&h, bytes, sizeof h);
      header->swapped = sizeof_hdr != 348;
      if (header->swapped)
        swap_nifti_header (&h, 1);
      from_nifti1 (&h, header);
      if (memcmp (h.magic, "ni1", 4) == 0)
        goto pair;
      if (memcmp (h.magic, "n+1", 4) != 0)
        {
          g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_NOT_NIFTI,
                       _("Not a NIfTI-1 file: the header has no “n+1” magic (an ANALYZE 7.5 file has no "
                         "orientation; convert it to NIfTI first)"));
          return FALSE;
        }
      return TRUE;
    }
  if (sizeof_hdr == 540 || GUINT32_SWAP_LE_BE (sizeof_hdr) == 540)
    {
      nifti_2_header h;

      if (size < sizeof h)
        goto truncated;
      memcpy (&h, bytes, sizeof h);
      header->swapped = sizeof_hdr != 540;
      if (header->swapped)
        swap_nifti_header (&h, 2);
      from_nifti2 (&h, header);
      if (memcmp (h.magic, "ni2", 4) == 0)
        goto pair;
      if (memcmp (h.magic, "n+2", 4) != 0)
        {
          g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_NOT_NIFTI,
                       _("Not a NIfTI-2 file: the header has no “n+2” magic"));
          return FALSE;
        }
      return TRUE;
    }

not_nifti:
  g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_NOT_NIFTI,
               _("Not a NIfTI file: the first four bytes are not a NIfTI-1 (348) or NIfTI-2 (540) header size"));
  return FALSE;

truncated:
  g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_TRUNCATED,
               _("The file ends inside the NIfTI header (%zu bytes)"), size);
  return FALSE;

pair:
  g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_UNSUPPORTED,
               _("This is the header of a NIfTI .hdr/.img pair; Calvaria reads single-file NIfTI (.nii or "
                 ".nii.gz). Join the pair with “nifti_tool -copy_image” or any NIfTI converter"));
  return FALSE;
}
