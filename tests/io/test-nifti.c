/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <nifti2_io.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "cal-nifti.h"

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* A valid 4x3x2 int16 NIfTI-1 header with an RAS-identity sform. */
static nifti_1_header
good_header (void)
{
  nifti_1_header h;

  memset (&h, 0, sizeof h);
  h.sizeof_hdr = 348;
  memcpy (h.magic, "n+1", 4);
  h.dim[0] = 3;
  h.dim[1] = 4; h.dim[2] = 3; h.dim[3] = 2;
  h.dim[4] = h.dim[5] = h.dim[6] = h.dim[7] = 1;
  h.datatype = DT_INT16;
  h.bitpix = 16;
  h.pixdim[0] = 1;
  h.pixdim[1] = 0.5f; h.pixdim[2] = 0.75f; h.pixdim[3] = 2.0f;
  h.vox_offset = 352;
  h.xyzt_units = NIFTI_UNITS_MM;
  h.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  h.srow_x[0] = 0.5f; h.srow_y[1] = 0.75f; h.srow_z[2] = 2.0f;
  h.srow_x[3] = 10; h.srow_y[3] = 20; h.srow_z[3] = 30;
  return h;
}

static void
write_raw (const char   *path,
           gconstpointer header,
           gsize         header_size,
           gconstpointer data,
           gsize         data_size,
           gsize         pad_to)
{
  GByteArray *bytes = g_byte_array_new ();
  static const guint8 zeros[4096];

  g_byte_array_append (bytes, header, (guint) header_size);
  if (pad_to > header_size)
    g_byte_array_append (bytes, zeros, (guint) (pad_to - header_size));
  g_byte_array_append (bytes, data, (guint) data_size);
  if (g_str_has_suffix (path, ".gz"))
    {
      gzFile gz = gzopen (path, "wb");
      gzwrite (gz, bytes->data, bytes->len);
      gzclose (gz);
    }
  else
    g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  g_byte_array_unref (bytes);
}

static CalVolume *
read_header_case (nifti_1_header  h,
                  gsize           data_size,
                  const char     *name,
                  CalLoadFlags    flags,
                  GError        **error)
{
  g_autofree char *path = tmp_path (name);
  g_autofree gint16 *data = g_malloc0 (MAX (data_size, 1));

  write_raw (path, &h, sizeof h, data, data_size, 352);
  return cal_nifti_read_volume (path, flags, NULL, NULL, error);
}

static void
test_ras_to_lps (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) v = read_header_case (good_header (), 48, "ras.nii", 0, &error);
  const CalGrid *g;

  g_assert_no_error (error);
  g = cal_volume_get_grid (v);
  /* RAS x = +0.5 i + 10  ->  LPS x = -0.5 i - 10 */
  g_assert_cmpfloat (g->affine[0][0], ==, -0.5);
  g_assert_cmpfloat (g->affine[0][3], ==, -10);
  g_assert_cmpfloat (g->affine[1][1], ==, -0.75);
  g_assert_cmpfloat (g->affine[1][3], ==, -20);
  g_assert_cmpfloat (g->affine[2][2], ==, 2.0);
  g_assert_cmpfloat (g->affine[2][3], ==, 30);
  g_assert_cmpuint (g->dims[0], ==, 4);
}

static void
test_qform_only (void)
{
  nifti_1_header h = good_header ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) v = NULL;
  char code[4];

  h.sform_code = 0;
  h.qform_code = NIFTI_XFORM_SCANNER_ANAT;
  h.quatern_b = 0; h.quatern_c = 0; h.quatern_d = 1;   /* 180° about z: RAS -> LPS axes */
  h.qoffset_x = 1; h.qoffset_y = 2; h.qoffset_z = 3;
  v = read_header_case (h, 48, "qform.nii", 0, &error);
  g_assert_no_error (error);
  cal_grid_orientation_code (cal_volume_get_grid (v), code);
  g_assert_cmpstr (code, ==, "LPS");
  g_assert_cmpfloat_with_epsilon (cal_volume_get_grid (v)->affine[0][3], -1.0, 1e-6);
}

static void
test_scaling (void)
{
  nifti_1_header h = good_header ();
  guint8 raw[24];
  g_autofree char *path = tmp_path ("scaled.nii");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) v = NULL;

  for (int i = 0; i < 24; i++)
    raw[i] = (guint8) (i * 10);
  h.datatype = DT_UINT8;
  h.bitpix = 8;
  h.scl_slope = 2;
  h.scl_inter = -1024;
  write_raw (path, &h, sizeof h, raw, sizeof raw, 352);
  v = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cal_volume_get_voxel_type (v), ==, CAL_VOXEL_INT16);
  g_assert_cmpfloat (cal_volume_get_value (v, 3, 0, 0), ==, 30 * 2 - 1024);
  g_clear_object (&v);

  h.scl_slope = 0.5;   /* odd raw values: halves that int16 cannot hold */
  for (int i = 0; i < 24; i++)
    raw[i] = (guint8) (i * 10 + 1);
  write_raw (path, &h, sizeof h, raw, sizeof raw, 352);
  v = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cal_volume_get_voxel_type (v), ==, CAL_VOXEL_FLOAT32);
  g_assert_cmpfloat (cal_volume_get_value (v, 1, 0, 0), ==, 5.5 - 1024);
}

static void
test_big_endian (void)
{
  nifti_1_header h = good_header ();
  gint16 data[24];
  g_autofree char *path = tmp_path ("be.nii");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) v = NULL;
  gint16 expected = -1234;

  for (int i = 0; i < 24; i++)
    data[i] = (gint16) GUINT16_SWAP_LE_BE ((guint16) (i == 5 ? expected : i));
  /* Swap every header field to big-endian with nifti_clib's own routine. */
  swap_nifti_header (&h, 1);
  write_raw (path, &h, sizeof h, data, sizeof data, 352);
  v = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cal_volume_get_value (v, 1, 1, 0), ==, expected);
  g_assert_cmpfloat (cal_volume_get_value (v, 2, 0, 0), ==, 2);
}

static CalVolume *
make_volume (CalVoxelType type)
{
  const guint32 dims[3] = { 13, 7, 5 };
  const double spacing[3] = { 0.48, 0.52, 1.25 };
  double c = cos (0.2), s = sin (0.2);
  const double direction[3][3] = { { c, 0, s }, { 0, 1, 0 }, { -s, 0, c } };
  const double origin[3] = { -100.5, 42, 7 };
  gsize n = 13 * 7 * 5;
  GBytes *bytes;
  CalGrid grid;
  CalVolume *v;

  cal_grid_init (&grid, dims, spacing, direction, origin);
  if (type == CAL_VOXEL_INT16)
    {
      gint16 *d = g_new (gint16, n);
      for (gsize i = 0; i < n; i++)
        d[i] = (gint16) ((i * 37) % 4000 - 1024);
      bytes = g_bytes_new_take (d, n * sizeof *d);
    }
  else
    {
      float *d = g_new (float, n);
      for (gsize i = 0; i < n; i++)
        d[i] = (float) i * 0.25f - 3.5f;
      bytes = g_bytes_new_take (d, n * sizeof *d);
    }
  v = cal_volume_new (&grid, type, bytes);
  g_bytes_unref (bytes);
  return v;
}

static void
assert_same_grid (const CalGrid *a,
                  const CalGrid *b)
{
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      g_assert_cmpfloat_with_epsilon (a->affine[r][c], b->affine[r][c], 1e-4);
  g_assert_true (cal_grid_same_geometry (a, b, 1e-3));
}

static void
test_round_trip (gconstpointer data)
{
  const char *name = data;
  gboolean is_float = strstr (name, "float") != NULL;
  CalNiftiVersion version = strstr (name, "v2") ? CAL_NIFTI_2 : CAL_NIFTI_1;
  g_autofree char *path = tmp_path (name);
  g_autoptr(CalVolume) v = make_volume (is_float ? CAL_VOXEL_FLOAT32 : CAL_VOXEL_INT16);
  g_autoptr(CalVolume) back = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cal_nifti_write_volume (v, path, version, &error));
  g_assert_no_error (error);
  back = cal_nifti_read_volume (path, 0, report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->format, ==, version == CAL_NIFTI_2 ? "NIfTI-2" : "NIfTI-1");
  assert_same_grid (cal_volume_get_grid (v), cal_volume_get_grid (back));
  g_assert_cmpint (cal_volume_get_voxel_type (back), ==, cal_volume_get_voxel_type (v));
  g_assert_true (g_bytes_equal (cal_volume_get_bytes (v), cal_volume_get_bytes (back)));
}

static void
test_mask_round_trip (void)
{
  g_autoptr(CalVolume) v = make_volume (CAL_VOXEL_INT16);
  g_autoptr(CalMask) mask = cal_mask_new (cal_volume_get_grid (v));
  g_autoptr(CalMask) back = NULL;
  g_autoptr(CalVolume) as_volume = NULL;
  g_autofree char *path = tmp_path ("mask.nii.gz");
  g_autoptr(GError) error = NULL;

  cal_mask_get_labels_mutable (mask)[17] = 1;
  cal_mask_get_labels_mutable (mask)[18] = 2;
  g_assert_true (cal_nifti_write_mask (mask, path, CAL_NIFTI_1, &error));
  back = cal_nifti_read_mask (path, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (cal_mask_get_labels (mask), 13 * 7 * 5, cal_mask_get_labels (back), 13 * 7 * 5);
  assert_same_grid (cal_mask_get_grid (mask), cal_mask_get_grid (back));

  /* A CT is not a mask. */
  as_volume = make_volume (CAL_VOXEL_FLOAT32);
  g_assert_true (cal_nifti_write_volume (as_volume, path, CAL_NIFTI_1, &error));
  g_clear_object (&back);
  back = cal_nifti_read_mask (path, 0, NULL, NULL, &error);
  g_assert_null (back);
  g_assert_error (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_NOT_A_MASK);
}

typedef struct {
  const char *name;
  int         code;
  const char *words;
} BadHeader;

static void
expect (CalVolume   *v,
        GError      *error,
        int          code,
        const char  *words)
{
  g_assert_null (v);
  g_assert_error (error, CAL_NIFTI_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” lacks “%s”", error->message, words);
}

static void
test_bad_dim0 (void)
{
  for (int dim0 = -1; dim0 <= 8; dim0 += 9)
    {
      nifti_1_header h = good_header ();
      g_autoptr(GError) error = NULL;
      CalVolume *v;

      h.dim[0] = (short) (dim0 == 8 ? 8 : 0);
      v = read_header_case (h, 48, "dim0.nii", 0, &error);
      expect (v, error, CAL_NIFTI_ERROR_INVALID_HEADER, "dim[0]");
    }
}

static void
test_dims_exceed_file (void)
{
  nifti_1_header h = good_header ();
  g_autoptr(GError) error = NULL;
  CalVolume *v;

  h.dim[1] = 512; h.dim[2] = 512; h.dim[3] = 300;
  v = read_header_case (h, 100, "exceeds.nii", 0, &error);
  expect (v, error, CAL_NIFTI_ERROR_SIZE_MISMATCH, "truncated or its header is wrong");
}

static void
test_dims_overflow (void)
{
  nifti_2_header h;
  g_autofree char *path = tmp_path ("overflow.nii");
  g_autoptr(GError) error = NULL;
  guint8 data[16] = { 0 };
  CalVolume *v;

  memset (&h, 0, sizeof h);
  h.sizeof_hdr = 540;
  memcpy (h.magic, "n+2\0\r\n\032\n", 8);
  h.dim[0] = 3;
  h.dim[1] = h.dim[2] = h.dim[3] = (gint64) 1 << 40;
  h.datatype = DT_INT16;
  h.bitpix = 16;
  h.pixdim[1] = h.pixdim[2] = h.pixdim[3] = 1;
  h.vox_offset = 544;
  h.sform_code = 1;
  h.srow_x[0] = h.srow_y[1] = h.srow_z[2] = 1;
  write_raw (path, &h, sizeof h, data, sizeof data, 544);
  v = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  expect (v, error, CAL_NIFTI_ERROR_INVALID_HEADER, "overflow");
}

static void
test_vox_offset_beyond_file (void)
{
  nifti_1_header h = good_header ();
  g_autoptr(GError) error = NULL;
  CalVolume *v;

  h.vox_offset = 1e6f;
  v = read_header_case (h, 48, "voxoffset.nii", 0, &error);
  expect (v, error, CAL_NIFTI_ERROR_SIZE_MISMATCH, "vox_offset");
}

static void
test_bad_pixdim (void)
{
  const float values[] = { 0.0f, -1.0f, NAN, INFINITY };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      nifti_1_header h = good_header ();
      g_autoptr(GError) error = NULL;
      CalVolume *v;

      h.pixdim[2] = values[i];
      v = read_header_case (h, 48, "pixdim.nii", 0, &error);
      expect (v, error, CAL_NIFTI_ERROR_INVALID_HEADER, "pixdim[2]");
    }
}

static void
test_no_orientation (void)
{
  nifti_1_header h = good_header ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autofree char *path = tmp_path ("noorient.nii");
  gint16 data[24] = { 0 };
  CalVolume *v;

  h.sform_code = 0;
  h.qform_code = 0;
  v = read_header_case (h, 48, "noorient.nii", 0, &error);
  expect (v, error, CAL_NIFTI_ERROR_ORIENTATION_UNKNOWN, "left and right");

  write_raw (path, &h, sizeof h, data, sizeof data, 352);
  v = cal_nifti_read_volume (path, CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION, report, NULL, NULL);
  g_assert_nonnull (v);
  g_assert_false (cal_volume_get_grid (v)->orientation_known);
  g_assert_cmpuint (report->warnings->len, ==, 1);
  g_object_unref (v);
}

static void
test_gzip_longer_than_declared (void)
{
  nifti_1_header h = good_header ();
  g_autofree char *path = tmp_path ("bomb.nii.gz");
  g_autofree guint8 *data = g_malloc0 (1 << 20);
  g_autoptr(GError) error = NULL;
  CalVolume *v;

  write_raw (path, &h, sizeof h, data, 1 << 20, 352);
  v = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  expect (v, error, CAL_NIFTI_ERROR_SIZE_MISMATCH, "decompresses to more");
}

static void
test_gzip_truncated (void)
{
  g_autoptr(CalVolume) v = make_volume (CAL_VOXEL_FLOAT32);
  g_autofree char *path = tmp_path ("cut.nii.gz");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  CalVolume *back;
  gsize len;

  g_assert_true (cal_nifti_write_volume (v, path, CAL_NIFTI_1, NULL));
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (path, contents, (gssize) (len * 2 / 3), NULL));
  back = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  g_assert_null (back);
  g_assert_true (g_error_matches (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_TRUNCATED) ||
                 g_error_matches (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_SIZE_MISMATCH));
}

static void
test_not_nifti_and_unsupported (void)
{
  g_autofree char *path = tmp_path ("random.nii");
  g_autoptr(GError) error = NULL;
  nifti_1_header h = good_header ();
  CalVolume *v;

  g_assert_true (g_file_set_contents (path, "this is not a NIfTI file at all", -1, NULL));
  v = cal_nifti_read_volume (path, 0, NULL, NULL, &error);
  expect (v, error, CAL_NIFTI_ERROR_NOT_NIFTI, "Not a NIfTI");
  g_clear_error (&error);

  h.dim[0] = 4;
  h.dim[4] = 5;
  v = read_header_case (h, 48 * 5, "fourd.nii", 0, &error);
  expect (v, error, CAL_NIFTI_ERROR_UNSUPPORTED, "3-D volume");
  g_clear_error (&error);

  h = good_header ();
  h.datatype = DT_RGB24;
  h.bitpix = 24;
  v = read_header_case (h, 72, "rgb.nii", 0, &error);
  expect (v, error, CAL_NIFTI_ERROR_UNSUPPORTED, "RGB");
}

static void
test_write_full_disk (void)
{
  g_autoptr(CalVolume) v = make_volume (CAL_VOXEL_FLOAT32);
  g_autofree char *path = tmp_path ("existing.nii");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  struct rlimit old, small;
  gboolean ok;

  g_assert_true (g_file_set_contents (path, "keep me", -1, NULL));
  signal (SIGXFSZ, SIG_IGN);
  getrlimit (RLIMIT_FSIZE, &old);
  small = old;
  small.rlim_cur = 1000;
  setrlimit (RLIMIT_FSIZE, &small);
  ok = cal_nifti_write_volume (v, path, CAL_NIFTI_1, &error);
  setrlimit (RLIMIT_FSIZE, &old);
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("cal-nifti-XXXXXX", NULL);

  g_test_add_func ("/nifti/ras-to-lps", test_ras_to_lps);
  g_test_add_func ("/nifti/qform-only", test_qform_only);
  g_test_add_func ("/nifti/scaling", test_scaling);
  g_test_add_func ("/nifti/big-endian", test_big_endian);
  g_test_add_data_func ("/nifti/round-trip/int16", "int16.nii", test_round_trip);
  g_test_add_data_func ("/nifti/round-trip/int16-gz", "int16.nii.gz", test_round_trip);
  g_test_add_data_func ("/nifti/round-trip/float-gz", "float.nii.gz", test_round_trip);
  g_test_add_data_func ("/nifti/round-trip/v2", "int16-v2.nii", test_round_trip);
  g_test_add_data_func ("/nifti/round-trip/v2-float-gz", "float-v2.nii.gz", test_round_trip);
  g_test_add_func ("/nifti/mask-round-trip", test_mask_round_trip);
  g_test_add_func ("/nifti/bad/dim0", test_bad_dim0);
  g_test_add_func ("/nifti/bad/dims-exceed-file", test_dims_exceed_file);
  g_test_add_func ("/nifti/bad/dims-overflow", test_dims_overflow);
  g_test_add_func ("/nifti/bad/vox-offset", test_vox_offset_beyond_file);
  g_test_add_func ("/nifti/bad/pixdim", test_bad_pixdim);
  g_test_add_func ("/nifti/bad/no-orientation", test_no_orientation);
  g_test_add_func ("/nifti/bad/gzip-longer-than-declared", test_gzip_longer_than_declared);
  g_test_add_func ("/nifti/bad/gzip-truncated", test_gzip_truncated);
  g_test_add_func ("/nifti/bad/not-nifti", test_not_nifti_and_unsupported);
  g_test_add_func ("/nifti/write/full-disk", test_write_full_disk);

  status = g_test_run ();
  {
    g_autoptr(GDir) d = g_dir_open (tmp_dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (tmp_dir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (tmp_dir);
  }
  return status;
}
