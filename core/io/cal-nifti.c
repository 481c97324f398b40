/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nifti.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <nifti/nifti2_io.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cal-nifti-private.h"
#include "cal-vec3.h"

/* Deflate cannot expand data by more than about 1032:1, so a .nii.gz whose
 * header declares more than this many times its own size is lying. */
#define DEFLATE_MAX_RATIO 1032
#define READ_CHUNK        (8u << 20)

/* Voxel axes closer than this cosine to perpendicular count as square
 * (0.06°: float rounding in real files is far below it). */
#define AXIS_COSINE_TOLERANCE 1e-3
/* The qform and sform may differ by this much before the user is told. */
#define QFORM_SFORM_MAX_MM    1.0
#define QFORM_SFORM_MAX_DEG   1.0

/* zlib for .nii.gz, stdio for .nii: zlib's transparent mode is not used
 * because it can return short reads on plain files. */
typedef struct {
  gzFile gz;
  FILE  *file;
} Reader;

static int
reader_read (Reader   *r,
             void     *buffer,
             unsigned  size)
{
  if (r->gz)
    return gzread (r->gz, buffer, size);
  return (int) fread (buffer, 1, size, r->file);
}

static gboolean
reader_seek (Reader *r,
             gint64  offset)
{
  if (r->gz)
    return gzseek (r->gz, (z_off_t) offset, SEEK_SET) == (z_off_t) offset;
  return fseeko (r->file, (off_t) offset, SEEK_SET) == 0;
}

static void
reader_close (Reader *r)
{
  if (r->gz)
    gzclose (r->gz);
  if (r->file)
    fclose (r->file);
}

typedef struct {
  CalNiftiHeader h;
  CalGrid        grid;
  guint64        n_voxels;
  int            voxel_bytes;
  double         slope;      /* 1 when the file has no scaling */
  double         inter;
  double         mm_per_unit;
} NiftiInfo;

/* Every header problem gets the same code and the same opening words. */
#define set_header_error(error, ...)                                                              \
  (g_set_error ((error), CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_INVALID_HEADER, __VA_ARGS__),           \
   g_prefix_error ((error), _("Invalid NIfTI header: ")))

gboolean
cal_nifti_path_is_nifti (const char *path)
{
  return g_str_has_suffix (path, ".nii") || g_str_has_suffix (path, ".nii.gz") ||
         g_str_has_suffix (path, ".NII") || g_str_has_suffix (path, ".NII.GZ");
}

static gboolean
check_dims (NiftiInfo *info,
            GError   **error)
{
  const CalNiftiHeader *h = &info->h;
  guint64 n = 1;

  if (h->dim[0] < 1 || h->dim[0] > 7)
    {
      set_header_error (error, _("dim[0] is %lld; NIfTI allows 1 to 7 dimensions"),
                        (long long) (h->dim[0]));
      return FALSE;
    }
  for (int i = 1; i <= h->dim[0]; i++)
    if (h->dim[i] < 1)
      {
        set_header_error (error, _("dim[%d] is %lld; every used dimension must be at least 1"),
                                 i, (long long) (h->dim[i]));
        return FALSE;
      }
  for (int i = 4; i <= h->dim[0]; i++)
    if (h->dim[i] > 1)
      {
        g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_UNSUPPORTED,
                     _("The image has %lld entries along dimension %d (a time series or vector image); Calvaria "
                       "needs one 3-D volume"),
                     (long long) (h->dim[i]), i);
        return FALSE;
      }
  for (int i = 1; i <= 3; i++)
    {
      guint64 d = i <= h->dim[0] ? (guint64) h->dim[i] : 1;

      if (d > G_MAXUINT32 || !g_uint64_checked_mul (&n, n, d))
        {
          set_header_error (error, _("the dimensions %lld×%lld×%lld overflow"),
                                   (long long) (h->dim[1]), (long long) (h->dim[2]), (long long) (h->dim[3]));
          return FALSE;
        }
      info->grid.dims[i - 1] = (guint32) d;
    }
  info->n_voxels = n;

  if (!cal_nifti_datatype_size (h->datatype, &info->voxel_bytes))
    {
      const char *name = nifti_datatype_to_string (h->datatype);
      g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_UNSUPPORTED,
                   _("Voxel type %s (datatype %d) is not supported; Calvaria reads integer and floating-point "
                     "scalar images"),
                   name ? name : "unknown", h->datatype);
      return FALSE;
    }
  if (h->bitpix != info->voxel_bytes * 8)
    {
      set_header_error (error, _("bitpix is %d but datatype %s has %d bits"),
                        h->bitpix, nifti_datatype_to_string (h->datatype), info->voxel_bytes * 8);
      return FALSE;
    }
  if (!g_uint64_checked_mul (&n, n, (guint64) info->voxel_bytes) || n > G_MAXSIZE / 2)
    {
      set_header_error (error, _("the voxel data would take more than the address space"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_spacing_and_scaling (NiftiInfo     *info,
                           CalLoadReport *report,
                           GError       **error)
{
  const CalNiftiHeader *h = &info->h;

  for (int i = 1; i <= 3; i++)
    if (!(isfinite (h->pixdim[i]) && h->pixdim[i] > 0))
      {
        set_header_error (error, _("pixdim[%d] (the voxel size along axis %d) is %g; it must be a positive "
                                   "number of millimetres"),
                                 i, i, h->pixdim[i]);
        return FALSE;
      }

  switch (XYZT_TO_SPACE (h->xyzt_units))
    {
    case NIFTI_UNITS_METER:  info->mm_per_unit = 1000.0; break;
    case NIFTI_UNITS_MICRON: info->mm_per_unit = 0.001; break;
    case NIFTI_UNITS_MM:     info->mm_per_unit = 1.0; break;
    default:
      info->mm_per_unit = 1.0;
      cal_load_report_warn (report, _("The file does not state its spatial unit; millimetres assumed"));
      break;
    }

  for (int i = 1; i <= 3; i++)
    {
      double mm = h->pixdim[i] * info->mm_per_unit;
      if (!(mm >= CAL_MIN_VOXEL_MM && mm <= CAL_MAX_VOXEL_MM))
        {
          set_header_error (error, _("pixdim[%d] is %g mm; a CT's voxels measure from %g to %g mm, so the "
                                     "header's geometry cannot be trusted"),
                                   i, mm, CAL_MIN_VOXEL_MM, CAL_MAX_VOXEL_MM);
          return FALSE;
        }
    }

  if (!isfinite (h->scl_slope) || !isfinite (h->scl_inter))
    {
      set_header_error (error, _("scl_slope/scl_inter are %g/%g; they must be finite numbers"),
                        h->scl_slope, h->scl_inter);
      return FALSE;
    }
  /* The standard: a slope of 0 means no scaling. */
  info->slope = h->scl_slope == 0.0 ? 1.0 : h->scl_slope;
  info->inter = h->scl_slope == 0.0 ? 0.0 : h->scl_inter;
  return TRUE;
}

/* NIfTI maps voxels to RAS; Calvaria works in LPS: negate x and y. */
static void
ras_to_lps (double m[4][4])
{
  for (int c = 0; c < 4; c++)
    {
      m[0][c] = -m[0][c];
      m[1][c] = -m[1][c];
    }
}

static void
quaternion_matrix (const CalNiftiHeader *h,
                   double                u,
                   double                m[4][4])
{
  double qfac = h->pixdim[0] < 0 ? -1.0 : 1.0;
  nifti_dmat44 q = nifti_quatern_to_dmat44 (h->quatern[0], h->quatern[1], h->quatern[2],
                                            h->qoffset[0], h->qoffset[1], h->qoffset[2],
                                            h->pixdim[1], h->pixdim[2], h->pixdim[3], qfac);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++)
      m[r][c] = q.m[r][c] * u;
}

static void
column (const double m[4][4], int c, double out[3])
{
  for (int r = 0; r < 3; r++)
    out[r] = m[r][c];
}

/* The voxel axes must be perpendicular and of a CT's size: a sheared
 * matrix has no one voxel grid in the patient, and Calvaria's meshes and
 * distances assume one. */
static gboolean
check_axes (const double  m[4][4],
            const char   *name,
            GError      **error)
{
  double a[3][3], n[3];

  for (int c = 0; c < 3; c++)
    {
      column (m, c, a[c]);
      n[c] = cal_vec3_length (a[c]);
      if (!(n[c] >= CAL_MIN_VOXEL_MM && n[c] <= CAL_MAX_VOXEL_MM))
        {
          set_header_error (error, _("the %s gives voxel axis %d a length of %g mm (from %g to %g mm expected)"),
                                   name, c + 1, n[c], CAL_MIN_VOXEL_MM, CAL_MAX_VOXEL_MM);
          return FALSE;
        }
    }
  for (int c = 0; c < 3; c++)
    {
      int d = (c + 1) % 3;
      double cosine = cal_vec3_dot (a[c], a[d]) / (n[c] * n[d]);
      if (fabs (cosine) > AXIS_COSINE_TOLERANCE)
        {
          set_header_error (error, _("the %s is sheared: voxel axes %d and %d meet at %.2f°, not 90°"),
                            name, c + 1, d + 1, acos (CLAMP (cosine, -1, 1)) * 180 / G_PI);
          return FALSE;
        }
    }
  return TRUE;
}

/* Both matrices present: they should describe one placement.  The sform
 * wins (as the standard and every major reader prefer), and the user is
 * told how far apart they are. */
static void
compare_qform_sform (const CalNiftiHeader *h,
                     const double          sform[4][4],
                     double                u,
                     CalLoadReport        *report)
{
  double q[4][4] = { { 0 } }, max_mm = 0, max_deg = 0;

  quaternion_matrix (h, u, q);
  for (int c = 0; c < 3; c++)
    {
      double a[3], b[3], cosine;
      column (q, c, a);
      column (sform, c, b);
      cosine = cal_vec3_dot (a, b) / (cal_vec3_length (a) * cal_vec3_length (b));
      max_deg = MAX (max_deg, acos (CLAMP (cosine, -1, 1)) * 180 / G_PI);
    }
  /* Distance between where the two put the volume's far corner and origin. */
  for (int k = 0; k < 2; k++)
    {
      double dq[3], ds[3];
      for (int r = 0; r < 3; r++)
        {
          dq[r] = q[r][3] + k * (q[r][0] * h->dim[1] + q[r][1] * h->dim[2] + q[r][2] * h->dim[3]);
          ds[r] = sform[r][3] + k * (sform[r][0] * h->dim[1] + sform[r][1] * h->dim[2] +
                                     sform[r][2] * h->dim[3]);
          dq[r] -= ds[r];
        }
      max_mm = MAX (max_mm, cal_vec3_length (dq));
    }
  if (max_mm > QFORM_SFORM_MAX_MM || max_deg > QFORM_SFORM_MAX_DEG)
    cal_load_report_warn (report, _("The qform and the sform disagree by up to %.1f mm and %.1f°; "
                                    "the sform was used (qform origin %.1f, %.1f, %.1f mm; sform origin "
                                    "%.1f, %.1f, %.1f mm, RAS)"), max_mm, max_deg, q[0][3], q[1][3], q[2][3],
                          sform[0][3], sform[1][3], sform[2][3]);
}

static gboolean
compute_affine (NiftiInfo     *info,
                CalLoadFlags   flags,
                CalLoadReport *report,
                GError       **error)
{
  const CalNiftiHeader *h = &info->h;
  double m[4][4] = { { 0 } }, inverse[4][4];
  double u = info->mm_per_unit;

  if (h->sform_code > 0)
    {
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++)
          m[r][c] = h->srow[r][c] * u;
    }
  else if (h->qform_code > 0)
    quaternion_matrix (h, u, m);
  else
    {
      if (!(flags & CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION))
        {
          g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_ORIENTATION_UNKNOWN,
                       _("The file has neither a qform nor an sform, so the patient's left and right cannot be "
                         "told apart. Refusing it for implant work; accept an unknown orientation explicitly to "
                         "load it anyway"));
          return FALSE;
        }
      cal_load_report_warn (report, _("Orientation unknown (no qform or sform): left and right "
                                      "are not known; do not use for implant design without checking"));
      for (int a = 0; a < 3; a++)
        m[a][a] = h->pixdim[a + 1] * u;
      m[3][3] = 1.0;
      memcpy (info->grid.affine, m, sizeof m);
      info->grid.orientation_known = FALSE;
      return TRUE;
    }

  m[3][3] = 1.0;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++)
      if (!isfinite (m[r][c]))
        {
          set_header_error (error, _("the %s matrix holds a non-finite number"),
                            h->sform_code > 0 ? "sform" : "qform");
          return FALSE;
        }
  if (!cal_mat4_invert (m, inverse))
    {
      set_header_error (error, _("the %s matrix is singular (it maps the volume onto a plane)"),
                        h->sform_code > 0 ? "sform" : "qform");
      return FALSE;
    }
  if (!check_axes (m, h->sform_code > 0 ? "sform" : "qform", error))
    return FALSE;
  if (h->sform_code > 0 && h->qform_code > 0)
    compare_qform_sform (h, m, u, report);
  ras_to_lps (m);
  memcpy (info->grid.affine, m, sizeof m);
  info->grid.orientation_known = TRUE;
  return TRUE;
}

static gboolean
read_exact (Reader  *gz,
            guint8  *buffer,
            guint64  size,
            guint64 *n_read)
{
  *n_read = 0;
  while (*n_read < size)
    {
      unsigned chunk = (unsigned) MIN (size - *n_read, (guint64) READ_CHUNK);
      int n = reader_read (gz, buffer + *n_read, chunk);

      if (n <= 0)
        return FALSE;
      *n_read += (guint64) n;
    }
  return TRUE;
}

static gboolean
gz_error (Reader       *reader,
          const char   *path,
          GError      **error)
{
  int errnum = Z_OK;
  const char *message;

  if (reader->gz == NULL)
    return FALSE;
  message = gzerror (reader->gz, &errnum);

  if (errnum == Z_OK || errnum == Z_BUF_ERROR)
    return FALSE;
  g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_TRUNCATED,
               _("The compressed data is corrupt (%s)"), message);
  return TRUE;
}

/* Reads header and voxel bytes with every size checked against what the file
 * can really hold before anything large is allocated. */
static guint8 *
read_nifti_file (const char    *path,
                 NiftiInfo     *info,
                 CalLoadFlags   flags,
                 CalLoadReport *report,
                 GCancellable  *cancellable,
                 GError       **error)
{
  guint8 head[sizeof (nifti_2_header)];
  g_autofree guint8 *data = NULL;
  struct stat st;
  guint64 data_bytes, n_read = 0, file_limit;
  gboolean compressed;
  Reader reader = { NULL, NULL }, *gz = &reader;
  guint8 magic[2] = { 0 };
  FILE *probe;

  probe = fopen (path, "rb");
  if (probe == NULL || fstat (fileno (probe), &st) != 0)
    {
      int saved = errno;
      if (probe)
        fclose (probe);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open the NIfTI file: %s"), g_strerror (saved));
      return NULL;
    }
  compressed = fread (magic, 1, 2, probe) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (compressed)
    {
      fclose (probe);
      reader.gz = gzopen (path, "rb");
      if (reader.gz == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not open the file"));
          return NULL;
        }
      gzbuffer (reader.gz, 1u << 20);
    }
  else
    {
      reader.file = probe;
      rewind (probe);
    }

  {
    int n = reader_read (gz, head, 4);
    gsize header_size;

    if (n == 4)
      {
        gint32 s;
        memcpy (&s, head, 4);
        header_size = (s == 540 || GUINT32_SWAP_LE_BE (s) == 540) ? 540 : 348;
        int rest = reader_read (gz, head + 4, (unsigned) header_size - 4);
        n += MAX (0, rest);   /* MAX evaluates twice: never a call inside */
      }
    /* gz_error() first: a corrupt stream makes gzread() return -1, and
     * that failure must still reach the caller as an error. */
    if (gz_error (gz, path, error))
      goto fail;
    if (n < 0)
      {
        g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_TRUNCATED,
                     _("The file could not be read: %s"), g_strerror (errno));
        goto fail;
      }
    if (!cal_nifti_header_parse (head, (gsize) n, &info->h, error))
      goto fail;
  }

  if (!check_dims (info, error) || !check_spacing_and_scaling (info, report, error) ||
      !compute_affine (info, flags, report, error))
    goto fail;

  data_bytes = info->n_voxels * (guint64) info->voxel_bytes;
  if (info->h.vox_offset < (gint64) cal_nifti_header_size (info->h.version))
    {
      set_header_error (error, _("vox_offset is %g; it must be a byte offset at or after the %zu-byte header"),
                               info->h.vox_offset_raw, cal_nifti_header_size (info->h.version));
      goto fail;
    }

  /* The real size of what the file can hold bounds everything we allocate. */
  file_limit = compressed ? (guint64) st.st_size * DEFLATE_MAX_RATIO : (guint64) st.st_size;
  if ((guint64) info->h.vox_offset > file_limit)
    {
      g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_SIZE_MISMATCH,
                   _("vox_offset %lld lies beyond the end of the file (%llu bytes%s)"),
                   (long long) (info->h.vox_offset), (unsigned long long) (file_limit),
                   compressed ? " at most, uncompressed" : "");
      goto fail;
    }
  if (data_bytes > file_limit - (guint64) info->h.vox_offset)
    {
      g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_SIZE_MISMATCH,
                   _("The header declares %u×%u×%u voxels (%llu bytes) but the file can hold at most %llu bytes "
                     "of voxel data: the file is truncated or its header is wrong"),
                   info->grid.dims[0], info->grid.dims[1], info->grid.dims[2], (unsigned long long) (data_bytes),
                   (unsigned long long) (file_limit - (guint64) info->h.vox_offset));
      goto fail;
    }

  if (!reader_seek (gz, info->h.vox_offset))
    {
      if (!gz_error (gz, path, error))
        g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_TRUNCATED,
                     _("The file ends before the voxel data starts (vox_offset %lld)"),
                     (long long) (info->h.vox_offset));
      goto fail;
    }

  /* The file's bytes and the volume made from them live side by side. */
  {
    g_autofree char *what = g_strdup_printf ("The NIfTI image (%u × %u × %u voxels)",
                                             info->grid.dims[0], info->grid.dims[1],
                                             info->grid.dims[2]);
    if (!cal_load_check_budget (data_bytes + info->n_voxels * sizeof (float), what, error))
      goto fail;
  }
  data = g_try_malloc (MAX (data_bytes, 1));
  if (data == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory for %llu MB of voxel data"),
                   (unsigned long long) (data_bytes >> 20));
      goto fail;
    }
  for (guint64 done = 0; done < data_bytes;)
    {
      guint64 chunk = MIN (data_bytes - done, (guint64) READ_CHUNK * 4);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!read_exact (gz, data + done, chunk, &n_read))
        {
          if (!gz_error (gz, path, error))
            g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_TRUNCATED,
                         _("The file is truncated: it ends after %llu of %llu bytes of voxel data"),
                         (unsigned long long) (done + n_read), (unsigned long long) (data_bytes));
          goto fail;
        }
      done += chunk;
    }

  /* A gzip stream that goes on past the declared data means the header
   * does not describe the file: refuse rather than guess which is right. */
  if (compressed)
    {
      guint8 extra;
      if (reader_read (gz, &extra, 1) == 1)
        {
          g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_SIZE_MISMATCH,
                       _("The file decompresses to more than the %llu bytes its header declares: the header does "
                         "not describe this file"),
                       (unsigned long long) ((guint64) info->h.vox_offset + data_bytes));
          goto fail;
        }
      if (gz_error (gz, path, error))
        goto fail;
    }
  else if ((guint64) st.st_size > (guint64) info->h.vox_offset + data_bytes)
    cal_load_report_warn (report, _("%llu bytes after the voxel data were ignored"),
                          (unsigned long long) ((guint64) st.st_size - (guint64) info->h.vox_offset - data_bytes));

  reader_close (gz);
  return g_steal_pointer (&data);

fail:
  reader_close (gz);
  return NULL;
}

static void
swap_in_place (guint8 *data,
               guint64 n,
               int     size)
{
  for (guint64 i = 0; i < n; i++, data += size)
    for (int a = 0, b = size - 1; a < b; a++, b--)
      {
        guint8 t = data[a];
        data[a] = data[b];
        data[b] = t;
      }
}

static inline double
raw_value (const guint8 *data,
           int           datatype,
           guint64       i)
{
  switch (datatype)
    {
    case DT_UINT8:   return ((const guint8 *) data)[i];
    case DT_INT8:    return ((const gint8 *) data)[i];
    case DT_INT16:   return ((const gint16 *) data)[i];
    case DT_UINT16:  return ((const guint16 *) data)[i];
    case DT_INT32:   return ((const gint32 *) data)[i];
    case DT_UINT32:  return ((const guint32 *) data)[i];
    case DT_INT64:   return (double) ((const gint64 *) data)[i];
    case DT_UINT64:  return (double) ((const guint64 *) data)[i];
    case DT_FLOAT32: return ((const float *) data)[i];
    case DT_FLOAT64: return ((const double *) data)[i];
    default:         g_assert_not_reached ();
    }
}

/* int16 when every scaled value is an integer that fits, float32 otherwise.
 * A value that is not a finite number (NaN or inf in the file, or a scale
 * such as scl_slope 1e38 that overflows float) is refused: no threshold,
 * mesh or metric means anything over it. */
static CalVolume *
volume_from_raw (NiftiInfo *info,
                 guint8    *data,
                 GError   **error)
{
  guint64 n = info->n_voxels;
  gboolean fits_int16 = TRUE;
  g_autoptr(GBytes) bytes = NULL;

  if (info->h.datatype == DT_INT16 && info->slope == 1.0 && info->inter == 0.0)
    {
      bytes = g_bytes_new_take (g_steal_pointer (&data), n * 2);
      return cal_volume_new (&info->grid, CAL_VOXEL_INT16, bytes);
    }

  for (guint64 i = 0; i < n && fits_int16; i++)
    {
      double v = raw_value (data, info->h.datatype, i) * info->slope + info->inter;
      fits_int16 = v == rint (v) && v >= G_MININT16 && v <= G_MAXINT16;
    }

  if (fits_int16)
    {
      gint16 *out = g_malloc (n * sizeof *out);
      for (guint64 i = 0; i < n; i++)
        out[i] = (gint16) (raw_value (data, info->h.datatype, i) * info->slope + info->inter);
      bytes = g_bytes_new_take (out, n * sizeof *out);
      g_free (data);
      return cal_volume_new (&info->grid, CAL_VOXEL_INT16, bytes);
    }
  else
    {
      float *out = g_malloc (n * sizeof *out);
      for (guint64 i = 0; i < n; i++)
        {
          out[i] = (float) (raw_value (data, info->h.datatype, i) * info->slope + info->inter);
          if (!isfinite (out[i]))
            {
              g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_INVALID_VALUES,
                           _("Voxel %llu is %g after scaling (stored %g, scl_slope %g, scl_inter %g): the image "
                             "holds values that are not finite numbers"),
                           (unsigned long long) i, out[i], raw_value (data, info->h.datatype, i), info->slope,
                           info->inter);
              g_free (out);
              g_free (data);
              return NULL;
            }
        }
      bytes = g_bytes_new_take (out, n * sizeof *out);
      g_free (data);
      return cal_volume_new (&info->grid, CAL_VOXEL_FLOAT32, bytes);
    }
}

static void
fill_report (CalLoadReport  *report,
             const NiftiInfo *info)
{
  if (report == NULL)
    return;
  g_free (report->format);
  g_free (report->details);
  report->format = g_strdup_printf ("NIfTI-%d", info->h.version);
  /* TRANSLATORS: the NIfTI data type (e.g. INT16), then sform, qform or "no orientation" */
  report->details = g_strdup_printf (_("%s voxels, %s"), nifti_datatype_to_string (info->h.datatype),
                                     info->h.sform_code > 0 ? "sform"
                                     : info->h.qform_code > 0 ? "qform" : _("no orientation"));
}

static gboolean
read_common (const char     *path,
             NiftiInfo      *info,
             guint8        **data,
             CalLoadFlags    flags,
             CalLoadReport  *report,
             GCancellable   *cancellable,
             GError        **error)
{
  memset (info, 0, sizeof *info);
  *data = read_nifti_file (path, info, flags, report, cancellable, error);
  if (*data == NULL)
    return FALSE;
  if (info->h.swapped)
    swap_in_place (*data, info->n_voxels, info->voxel_bytes);
  fill_report (report, info);
  return TRUE;
}

CalVolume *
cal_nifti_read_volume (const char     *path,
                       CalLoadFlags    flags,
                       CalLoadReport  *report,
                       GCancellable   *cancellable,
                       GError        **error)
{
  NiftiInfo info;
  guint8 *data;

  if (!read_common (path, &info, &data, flags, report, cancellable, error))
    return NULL;
  return volume_from_raw (&info, data, error);
}

CalMask *
cal_nifti_read_mask (const char     *path,
                     CalLoadFlags    flags,
                     CalLoadReport  *report,
                     GCancellable   *cancellable,
                     GError        **error)
{
  NiftiInfo info;
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *labels = NULL;

  if (!read_common (path, &info, &data, flags, report, cancellable, error))
    return NULL;

  labels = g_malloc (MAX (info.n_voxels, 1));
  for (guint64 i = 0; i < info.n_voxels; i++)
    {
      double v = raw_value (data, info.h.datatype, i) * info.slope + info.inter;

      if (!(v == rint (v) && v >= 0 && v <= 255))
        {
          g_set_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_NOT_A_MASK,
                       _("Not a label mask: voxel %llu holds %g, but labels are whole numbers from 0 to 255"),
                       (unsigned long long) (i), v);
          return NULL;
        }
      labels[i] = (guint8) v;
    }
  return cal_mask_new_take (&info.grid, g_steal_pointer (&labels));
}
