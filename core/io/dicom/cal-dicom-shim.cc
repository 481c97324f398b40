// SPDX-License-Identifier: GPL-3.0-or-later
//
// dcmtk behind a C API.  OFCondition becomes GError here and nowhere else.

#include "cal-dicom-shim.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <cstring>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <mutex>

#include "cal-dicom.h"
#include "cal-dicom-private.h"

// Elements up to this size are read with the header; larger ones (the
// pixel data) stay on disk until asked for, so a scan of a folder reads
// only a few kilobytes per file.
static const Uint32 kLazyElementSize = 4096;

static std::once_flag init_once;

void
cal_dicom_shim_init (void)
{
  std::call_once (init_once, [] {
    // Libraries never print: silence dcmtk's logger entirely.
    OFLog::configure (OFLogger::OFF_LOG_LEVEL);
    DcmRLEDecoderRegistration::registerCodecs ();
    DJDecoderRegistration::registerCodecs ();
    DJLSDecoderRegistration::registerCodecs ();
  });
}

static gboolean
set_condition_error (GError           **error,
                     CalDicomError      code,
                     const char        *what,
                     const OFCondition &cond)
{
  g_set_error (error, CAL_DICOM_ERROR, code, "%s: %s", what, cond.text ());
  return FALSE;
}

// No header attribute Calvaria reads (a UID, a code string, a few numbers)
// is longer.  dcmtk allocates an element's declared length when its value
// is first read, also for a file cut short or lying about it: a longer one
// is treated as absent, never loaded.
static const Uint32 kMaxHeaderValue = 64 * 1024;

static gboolean
value_is_readable (DcmItem *item, const DcmTagKey &key)
{
  DcmElement *element = NULL;

  return item->findAndGetElement (key, element).good () && element != NULL &&
         element->getLengthField () <= kMaxHeaderValue;   // the field as read: nothing loaded
}

static void
copy_string (DcmItem         *item,
             const DcmTagKey &key,
             char            *out,
             size_t           size)
{
  OFString value;

  out[0] = '\0';
  if (value_is_readable (item, key) && item->findAndGetOFStringArray (key, value).good ())
    g_strlcpy (out, value.c_str (), size);
}

static Uint32
get_u16 (DcmItem *item, const DcmTagKey &key, Uint32 fallback)
{
  Uint16 v;
  return value_is_readable (item, key) && item->findAndGetUint16 (key, v).good () ? v : fallback;
}

static int
get_int (DcmItem *item, const DcmTagKey &key, int fallback)
{
  Sint32 v;
  return value_is_readable (item, key) && item->findAndGetSint32 (key, v).good () ? (int) v : fallback;
}

static gboolean
get_doubles (DcmItem *item, const DcmTagKey &key, double *out, unsigned long n)
{
  if (!value_is_readable (item, key))
    return FALSE;
  for (unsigned long i = 0; i < n; i++)
    if (item->findAndGetFloat64 (key, out[i], i).bad ())
      return FALSE;
  return TRUE;
}

static void
fill_header (DcmFileFormat  &file,
             CalDicomHeader *h)
{
  DcmDataset *ds = file.getDataset ();
  DcmXfer xfer (ds->getOriginalXfer ());
  DcmElement *pixels = NULL;
  OFString frames;

  copy_string (ds, DCM_SeriesInstanceUID, h->series_uid, sizeof h->series_uid);
  copy_string (ds, DCM_StudyInstanceUID, h->study_uid, sizeof h->study_uid);
  copy_string (ds, DCM_FrameOfReferenceUID, h->frame_of_reference_uid, sizeof h->frame_of_reference_uid);
  copy_string (ds, DCM_ImageType, h->image_type, sizeof h->image_type);
  copy_string (ds, DCM_AnatomicalOrientationType, h->anatomical_orientation,
               sizeof h->anatomical_orientation);
  copy_string (ds, DCM_SOPClassUID, h->sop_class_uid, sizeof h->sop_class_uid);
  copy_string (ds, DCM_Modality, h->modality, sizeof h->modality);
  copy_string (ds, DCM_SeriesDescription, h->series_description, sizeof h->series_description);
  copy_string (ds, DCM_PhotometricInterpretation, h->photometric, sizeof h->photometric);
  g_strlcpy (h->transfer_syntax, xfer.getXferName (), sizeof h->transfer_syntax);
  copy_string (file.getMetaInfo (), DCM_TransferSyntaxUID, h->transfer_syntax_uid,
               sizeof h->transfer_syntax_uid);

  h->series_number = get_int (ds, DCM_SeriesNumber, 0);
  h->instance_number = get_int (ds, DCM_InstanceNumber, 0);
  h->acquisition_number = get_int (ds, DCM_AcquisitionNumber, 0);
  h->has_position = get_doubles (ds, DCM_ImagePositionPatient, h->position, 3);
  h->has_orientation = get_doubles (ds, DCM_ImageOrientationPatient, h->orientation, 6);
  h->has_pixel_spacing = get_doubles (ds, DCM_PixelSpacing, h->pixel_spacing, 2);
  if (!get_doubles (ds, DCM_SliceThickness, &h->slice_thickness, 1))
    h->slice_thickness = 0;
  h->has_rescale = TRUE;
  if (!get_doubles (ds, DCM_RescaleSlope, &h->rescale_slope, 1))
    h->rescale_slope = 1.0, h->has_rescale = FALSE;
  if (!get_doubles (ds, DCM_RescaleIntercept, &h->rescale_intercept, 1))
    h->rescale_intercept = 0.0, h->has_rescale = FALSE;

  h->rows = get_u16 (ds, DCM_Rows, 0);
  h->columns = get_u16 (ds, DCM_Columns, 0);
  h->bits_allocated = get_u16 (ds, DCM_BitsAllocated, 0);
  h->bits_stored = get_u16 (ds, DCM_BitsStored, h->bits_allocated);
  h->high_bit = get_u16 (ds, DCM_HighBit, h->bits_stored ? h->bits_stored - 1 : 0);
  h->pixel_representation = get_u16 (ds, DCM_PixelRepresentation, 0);
  h->samples_per_pixel = get_u16 (ds, DCM_SamplesPerPixel, 1);
  h->n_frames = 1;
  if (value_is_readable (ds, DCM_NumberOfFrames) && ds->findAndGetOFString (DCM_NumberOfFrames, frames).good ())
    h->n_frames = (guint32) MAX (1L, atol (frames.c_str ()));

  // dcmtk reads a data set whose declared syntax it does not know by
  // guessing its encoding; the declared UID is what says if it is known.
  h->transfer_syntax_known = h->transfer_syntax_uid[0] == '\0' ||
                             DcmXfer (h->transfer_syntax_uid).getXfer () != EXS_Unknown;
  h->encapsulated = xfer.isEncapsulated ();
  h->deflated = xfer.getXfer () == EXS_DeflatedLittleEndianExplicit;
  h->has_pixel_data = ds->findAndGetElement (DCM_PixelData, pixels).good () && pixels != NULL;
  h->pixel_data_length = h->has_pixel_data && !h->encapsulated ? pixels->getLength () : 0;
}

// A file damaged past some top-level element (a value longer than the
// file, as in a slice cut short): what comes before it still tells the
// slice's series, so the slice is kept there, marked, and its series names
// it instead of interpolating over a gap.
static gboolean
read_before_damage (const char      *path,
                    guint32          stop_tag,
                    CalDicomHeader  *header,
                    GError          *damage,
                    GError         **error)
{
  DcmFileFormat file;

  if (stop_tag != 0 &&
      file.loadFileUntilTag (path, EXS_Unknown, EGL_noChange, kLazyElementSize, ERM_autoDetect,
                             DcmTagKey ((Uint16) (stop_tag >> 16), (Uint16) stop_tag)).good ())
    {
      fill_header (file, header);
      if (header->series_uid[0] != '\0')
        {
          header->preamble = cal_dicom_preamble_kind (path);
          header->problem = damage;
          return TRUE;
        }
    }
  g_propagate_error (error, damage);
  return FALSE;
}

gboolean
cal_dicom_shim_read_header (const char      *path,
                            CalDicomHeader  *header,
                            GError         **error)
{
  DcmFileFormat file;
  OFCondition cond;
  GError *damage = NULL;
  guint32 stop_tag = 0;

  cal_dicom_shim_init ();
  std::memset (header, 0, sizeof *header);
  header->path = g_strdup (path);

  {
    GStatBuf st;
    if (g_stat (path, &st) == 0)
      header->file_size = (guint64) st.st_size;
  }

  // dcmtk recurses once per nested sequence with no limit, and allocates
  // whatever length an element declares when it reads a deflated data set
  // whole: measure both first.
  if (!cal_dicom_check_structure (path, &stop_tag, &damage))
    return read_before_damage (path, stop_tag, header, damage, error);
  header->preamble = cal_dicom_preamble_kind (path);
  cond = file.loadFile (path, EXS_Unknown, EGL_noChange, kLazyElementSize, ERM_autoDetect);
  if (cond.bad ())
    {
      // A file with the DICOM preamble that ends early is a truncated DICOM
      // file; anything else is not DICOM at all.
      if (!cal_dicom_has_preamble (path))
        return set_condition_error (error, CAL_DICOM_ERROR_NOT_DICOM,
                                    _("Not a DICOM file (no readable DICOM data set)"), cond);
      // What was read before the end still says which series the slice
      // belongs to: the slice is kept there, marked, so that its series is
      // refused by name rather than silently interpolated over.
      fill_header (file, header);
      if (header->series_uid[0] != '\0')
        {
          set_condition_error (&header->problem, CAL_DICOM_ERROR_TRUNCATED,
                               _("The DICOM file is truncated or damaged (an element runs past "
                                 "the end of the file)"), cond);
          return TRUE;
        }
      if (cond == EC_StreamNotifyClient)
        return set_condition_error (error, CAL_DICOM_ERROR_TRUNCATED,
                                    _("The DICOM file is truncated (it ends inside an element)"), cond);
      return set_condition_error (error, CAL_DICOM_ERROR_NOT_DICOM,
                                  _("Not a DICOM file (no readable DICOM data set)"), cond);
    }
  fill_header (file, header);
  if (header->sop_class_uid[0] == '\0' && !header->has_pixel_data && header->rows == 0)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NOT_DICOM,
                   _("Not a DICOM file: no DICOM data set could be read from it"));
      return FALSE;
    }
  return TRUE;
}

template <typename T>
static void
unpack_values (const T              *raw,
               const CalDicomHeader *h,
               gint32               *values)
{
  const size_t n = (size_t) h->rows * h->columns;
  const guint32 shift = 32 - h->bits_stored;
  const guint32 mask = h->bits_stored >= 32 ? 0xffffffffu : ((1u << h->bits_stored) - 1u);

  if (h->pixel_representation == 1)
    for (size_t i = 0; i < n; i++)
      values[i] = (gint32) ((guint32) (raw[i] & mask) << shift) >> shift;
  else
    for (size_t i = 0; i < n; i++)
      values[i] = (gint32) (raw[i] & mask);
}

gboolean
cal_dicom_shim_read_pixels (const CalDicomHeader *h,
                            gint32               *values,
                            GError              **error)
{
  DcmFileFormat file;
  DcmDataset *ds;
  OFCondition cond;
  const size_t n = (size_t) h->rows * h->columns;
  unsigned long count = 0;

  cal_dicom_shim_init ();
  cond = file.loadFile (h->path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (cond.bad ())
    return set_condition_error (error, CAL_DICOM_ERROR_TRUNCATED,
                                _("The pixel data could not be read"), cond);
  ds = file.getDataset ();

  if (h->encapsulated)
    {
      E_TransferSyntax from = ds->getOriginalXfer ();

      cond = ds->chooseRepresentation (EXS_LittleEndianExplicit, NULL);
      if ((cond.bad () || !ds->canWriteXfer (EXS_LittleEndianExplicit)) &&
          DcmCodecList::canChangeCoding (from, EXS_LittleEndianExplicit))
        {
          // A codec Calvaria has, failing: the stream is damaged.
          g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_CORRUPT_PIXELS,
                       _("The compressed pixel data (%s) is corrupt and could not be decoded: %s"),
                       h->transfer_syntax, cond.bad () ? cond.text () : _("no image came out"));
          return FALSE;
        }
      if (cond.bad () || !ds->canWriteXfer (EXS_LittleEndianExplicit))
        {
          g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX,
                       _("Cannot decode pixel data compressed as “%s”; Calvaria decodes "
                         "uncompressed, RLE, JPEG baseline/extended/lossless and JPEG-LS. "
                         "Decompress the series first (e.g. with gdcmconv --raw)"),
                       h->transfer_syntax);
          return FALSE;
        }
    }

  if (h->bits_allocated == 8)
    {
      const Uint8 *raw = NULL;
      cond = ds->findAndGetUint8Array (DCM_PixelData, raw, &count);
      if (cond.good () && raw != NULL && count >= n)
        {
          unpack_values (raw, h, values);
          return TRUE;
        }
    }
  else
    {
      const Uint16 *raw = NULL;
      cond = ds->findAndGetUint16Array (DCM_PixelData, raw, &count);
      if (cond.good () && raw != NULL && count >= n)
        {
          unpack_values (raw, h, values);
          return TRUE;
        }
    }

  g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
               _("The pixel data is truncated: it holds %llu of the %llu pixels that Rows × "
                 "Columns (%u × %u) require"),
               (unsigned long long) count, (unsigned long long) n, h->rows, h->columns);
  return FALSE;
}

void
cal_dicom_header_clear (CalDicomHeader *header)
{
  g_clear_pointer (&header->path, g_free);
  g_clear_error (&header->problem);
}
