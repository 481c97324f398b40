/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nifti.h"

#include <nifti/nifti2_io.h>
#include <string.h>

#include "cal-atomic-file.h"
#include "cal-nifti-private.h"

/* Level 1 compresses CT almost as well as 6 at a fraction of the time. */
#define NIFTI_GZIP_LEVEL 1

/* What both header versions are built from, in RAS as NIfTI wants. */
typedef struct {
  const CalGrid *grid;
  int            datatype;
  int            bitpix;
  int            intent_code;
  double         ras[4][4];
  double         spacing[3];
  double         quatern[3];
  double         qoffset[3];
  double         qfac;
} HeaderFields;

static void
compute_fields (HeaderFields  *f,
                const CalGrid *grid,
                int            datatype,
                int            bitpix,
                int            intent_code)
{
  nifti_dmat44 m;
  double dx, dy, dz;

  memset (f, 0, sizeof *f);
  f->grid = grid;
  f->datatype = datatype;
  f->bitpix = bitpix;
  f->intent_code = intent_code;
  memcpy (f->ras, grid->affine, sizeof f->ras);
  for (int c = 0; c < 4; c++)
    {
      f->ras[0][c] = 0.0 - f->ras[0][c];
      f->ras[1][c] = 0.0 - f->ras[1][c];
    }
  cal_grid_get_spacing (grid, f->spacing);

  memset (&m, 0, sizeof m);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      m.m[r][c] = f->ras[r][c];
  nifti_dmat44_to_quatern (m, &f->quatern[0], &f->quatern[1], &f->quatern[2],
                           &f->qoffset[0], &f->qoffset[1], &f->qoffset[2],
                           &dx, &dy, &dz, &f->qfac);
}

/* Patient data never goes into descrip: it says what made the file. */
#define DESCRIP "Calvaria " PACKAGE_VERSION_STRING

#define FILL_COMMON(h, f)                                                      \
  G_STMT_START {                                                               \
    (h).dim[0] = 3;                                                            \
    for (int a = 0; a < 3; a++)                                                \
      (h).dim[a + 1] = (f)->grid->dims[a];                                     \
    for (int a = 4; a < 8; a++)                                                \
      (h).dim[a] = 1;                                                          \
    (h).datatype = (f)->datatype;                                              \
    (h).bitpix = (f)->bitpix;                                                  \
    (h).pixdim[0] = (f)->qfac;                                                 \
    for (int a = 0; a < 3; a++)                                                \
      (h).pixdim[a + 1] = (f)->spacing[a];                                     \
    (h).scl_slope = 1.0;                                                       \
    (h).scl_inter = 0.0;                                                       \
    (h).xyzt_units = NIFTI_UNITS_MM;                                           \
    (h).intent_code = (f)->intent_code;                                        \
    g_strlcpy ((h).descrip, DESCRIP, sizeof (h).descrip);                      \
    if ((f)->grid->orientation_known)                                          \
      {                                                                        \
        (h).qform_code = NIFTI_XFORM_SCANNER_ANAT;                             \
        (h).sform_code = NIFTI_XFORM_SCANNER_ANAT;                             \
        (h).quatern_b = (f)->quatern[0];                                       \
        (h).quatern_c = (f)->quatern[1];                                       \
        (h).quatern_d = (f)->quatern[2];                                       \
        (h).qoffset_x = (f)->qoffset[0];                                       \
        (h).qoffset_y = (f)->qoffset[1];                                       \
        (h).qoffset_z = (f)->qoffset[2];                                       \
        for (int c = 0; c < 4; c++)                                            \
          {                                                                    \
            (h).srow_x[c] = (f)->ras[0][c];                                    \
            (h).srow_y[c] = (f)->ras[1][c];                                    \
            (h).srow_z[c] = (f)->ras[2][c];                                    \
          }                                                                    \
      }                                                                        \
  } G_STMT_END

static gboolean
write_file (const char          *path,
            const HeaderFields  *f,
            CalNiftiVersion      version,
            gconstpointer        data,
            gsize                size,
            GError             **error)
{
  static const guint8 no_extensions[4] = { 0, 0, 0, 0 };
  g_autoptr(CalAtomicFile) file = NULL;
  gboolean gz = g_str_has_suffix (path, ".gz") || g_str_has_suffix (path, ".GZ");
  gboolean ok;

  for (int a = 0; a < 3; a++)
    if (f->grid->dims[a] > G_MAXINT16)
      version = CAL_NIFTI_2;

  file = cal_atomic_file_new (path, gz ? NIFTI_GZIP_LEVEL : 0, error);
  if (file == NULL)
    return FALSE;

  if (version == CAL_NIFTI_2)
    {
      nifti_2_header h;

      memset (&h, 0, sizeof h);
      h.sizeof_hdr = sizeof h;
      memcpy (h.magic, "n+2\0\r\n\032\n", 8);
      FILL_COMMON (h, f);
      h.vox_offset = sizeof h + sizeof no_extensions;
      ok = cal_atomic_file_write (file, &h, sizeof h, error);
    }
  else
    {
      nifti_1_header h;

      memset (&h, 0, sizeof h);
      h.sizeof_hdr = sizeof h;
      memcpy (h.magic, "n+1", 4);
      FILL_COMMON (h, f);
      h.vox_offset = sizeof h + sizeof no_extensions;
      ok = cal_atomic_file_write (file, &h, sizeof h, error);
    }

  return ok &&
         cal_atomic_file_write (file, no_extensions, sizeof no_extensions, error) &&
         cal_atomic_file_write (file, data, size, error) &&
         cal_atomic_file_commit (file, error);
}

gboolean
cal_nifti_write_volume (CalVolume       *volume,
                        const char      *path,
                        CalNiftiVersion  version,
                        GError         **error)
{
  HeaderFields f;
  gboolean is_int16;
  gsize size;
  gconstpointer data;

  g_return_val_if_fail (CAL_IS_VOLUME (volume), FALSE);

  is_int16 = cal_volume_get_voxel_type (volume) == CAL_VOXEL_INT16;
  compute_fields (&f, cal_volume_get_grid (volume),
                  is_int16 ? DT_INT16 : DT_FLOAT32, is_int16 ? 16 : 32, NIFTI_INTENT_NONE);
  data = g_bytes_get_data (cal_volume_get_bytes (volume), &size);
  return write_file (path, &f, version, data, size, error);
}

gboolean
cal_nifti_write_mask (CalMask         *mask,
                      const char      *path,
                      CalNiftiVersion  version,
                      GError         **error)
{
  HeaderFields f;
  const CalGrid *grid;

  g_return_val_if_fail (CAL_IS_MASK (mask), FALSE);

  grid = cal_mask_get_grid (mask);
  compute_fields (&f, grid, DT_UINT8, 8, NIFTI_INTENT_LABEL);
  return write_file (path, &f, version, cal_mask_get_labels (mask),
                     cal_grid_n_voxels (grid), error);
}
