/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "cal-dicom.h"
#include "cal-test-util.h"

#define MARK_LEFT      1000
#define MARK_ANTERIOR  2000
#define MARK_SUPERIOR  3000

static char *
case_path (const char *name)
{
  return g_build_filename (cal_test_require_path (DICOM_CASES_DIR), name, NULL);
}

static char *
pydicom_path (const char *name)
{
  return g_build_filename (cal_test_require_path (PYDICOM_TEST_FILES), name, NULL);
}

static CalVolume *
load_case (const char     *name,
           CalLoadReport  *report,
           GError        **error)
{
  g_autofree char *path = case_path (name);
  return cal_dicom_load (path, NULL, CAL_LOAD_FLAGS_NONE, report, NULL, NULL, NULL, error);
}

static void
assert_markers_in_place (CalVolume *volume)
{
  double left[3], anterior[3], superior[3];

  g_assert_true (cal_test_marker_centroid (volume, MARK_LEFT, left));
  g_assert_true (cal_test_marker_centroid (volume, MARK_ANTERIOR, anterior));
  g_assert_true (cal_test_marker_centroid (volume, MARK_SUPERIOR, superior));
  /* LPS: +x is the patient's left, -y anterior, +z superior. */
  g_assert_cmpfloat (left[0], >, 5.0);
  g_assert_cmpfloat (fabs (left[1]), <, 3.0);
  g_assert_cmpfloat (anterior[1], <, -4.0);
  g_assert_cmpfloat (superior[2], >, 4.0);
}

static void
test_orientation (gconstpointer data)
{
  const char *name = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalVolume) volume = load_case (name, report, &error);
  double spacing[3];

  g_assert_no_error (error);
  g_assert_true (cal_volume_get_grid (volume)->orientation_known);
  g_assert_cmpint (cal_volume_get_voxel_type (volume), ==, CAL_VOXEL_INT16);
  cal_grid_get_spacing (cal_volume_get_grid (volume), spacing);
  g_assert_cmpfloat_with_epsilon (spacing[0], 0.7, 1e-6);
  g_assert_cmpfloat_with_epsilon (spacing[1], 0.8, 1e-6);
  g_assert_cmpfloat_with_epsilon (spacing[2], 1.25, 1e-6);
  g_assert_cmpuint (report->warnings->len, ==, 0);
  assert_markers_in_place (volume);
}

static void
test_feet_first_flips_axes (void)
{
  g_autoptr(CalVolume) hfs = load_case ("hfs", NULL, NULL);
  g_autoptr(CalVolume) ffs = load_case ("ffs", NULL, NULL);
  char code_hfs[4], code_ffs[4];

  cal_grid_orientation_code (cal_volume_get_grid (hfs), code_hfs);
  cal_grid_orientation_code (cal_volume_get_grid (ffs), code_ffs);
  g_assert_cmpstr (code_hfs, ==, "LPS");
  g_assert_cmpstr (code_ffs, ==, "RPI");
}

static void
assert_same_pixels (CalVolume *a,
                    CalVolume *b)
{
  const CalGrid *ga = cal_volume_get_grid (a), *gb = cal_volume_get_grid (b);

  g_assert_cmpuint (cal_grid_n_voxels (ga), ==, cal_grid_n_voxels (gb));
  for (guint32 j = 0; j < ga->dims[1]; j++)
    for (guint32 i = 0; i < ga->dims[0]; i++)
      g_assert_cmpfloat (cal_volume_get_value (a, i, j, 0), ==, cal_volume_get_value (b, i, j, 0));
}

/* Every encoding of the same image must decode to the same numbers. */
static void
test_transfer_syntaxes (void)
{
  static const struct { const char *reference; const char *variant; gboolean ours; } pairs[] = {
    { "CT_small.dcm", "CT_small_rle.dcm", TRUE },
    { "CT_small.dcm", "CT_small_jpeg-lossless.dcm", TRUE },
    { "CT_small.dcm", "CT_small_jpeg-ls.dcm", TRUE },
    { "MR_small.dcm", "MR_small_RLE.dcm", FALSE },
    { "MR_small.dcm", "MR_small_jpeg_ls_lossless.dcm", FALSE },
    { "MR_small.dcm", "MR_small_bigendian.dcm", FALSE },
    { "MR_small.dcm", "MR_small_expb.dcm", FALSE },
    { "MR_small.dcm", "MR_small_implicit.dcm", FALSE },
    { "MR_small.dcm", "MR_small_jpeg-lossless.dcm", TRUE },
    { "MR_small.dcm", "MR_small_rle.dcm", TRUE },
  };
  guint n_checked = 0;

  for (gsize p = 0; p < G_N_ELEMENTS (pairs); p++)
    {
      g_autofree char *ref_path = pydicom_path (pairs[p].reference);
      g_autofree char *var_path = pairs[p].ours ? g_build_filename (DICOM_CASES_DIR, "codecs",
                                                                   pairs[p].variant, NULL)
                                                : pydicom_path (pairs[p].variant);
      g_autoptr(GError) error = NULL;
      g_autoptr(CalVolume) reference = cal_dicom_read_image (ref_path, &error);
      g_autoptr(CalVolume) variant = NULL;
      double lo, hi;

      g_assert_no_error (error);
      variant = cal_dicom_read_image (var_path, &error);
      g_assert_no_error (error);
      cal_volume_get_range (reference, &lo, &hi);
      g_assert_cmpfloat (hi, >, lo);   /* a real image, not a blank one */
      assert_same_pixels (reference, variant);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, ==, G_N_ELEMENTS (pairs));
}

/* Lossy JPEG: what we decode equals what dcmtk's dcmdjpeg wrote out. */
static void
test_lossy_jpeg (void)
{
  static const char *pairs[][2] = {
    { "codecs/baseline8.dcm", "codecs/baseline8_ref.dcm" },
    { NULL, "codecs/JPGExtended_ref.dcm" },
  };

  for (gsize p = 0; p < G_N_ELEMENTS (pairs); p++)
    {
      g_autofree char *compressed = pairs[p][0] ? case_path (pairs[p][0]) : pydicom_path ("JPGExtended.dcm");
      g_autofree char *reference = case_path (pairs[p][1]);
      g_autoptr(GError) error = NULL;
      g_autoptr(CalVolume) a = cal_dicom_read_image (compressed, &error);
      g_autoptr(CalVolume) b = NULL;

      g_assert_no_error (error);
      b = cal_dicom_read_image (reference, &error);
      g_assert_no_error (error);
      assert_same_pixels (a, b);
    }
}

static void
test_jpeg2000_names_syntax (void)
{
  g_autofree char *path = pydicom_path ("MR_small_jp2klossless.dcm");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = cal_dicom_read_image (path, &error);

  g_assert_null (volume);
  g_assert_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX);
  g_assert_nonnull (strstr (error->message, "JPEG 2000"));
}

/* A deflated data set (read whole by dcmtk, walked first by Calvaria)
 * decodes: the walk follows a real one to its end, gzip-style trailer and
 * all, and the pixel-length check knows its pixels are not on disk as is. */
static void
test_deflated (void)
{
  g_autofree char *path = pydicom_path ("image_dfl.dcm");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = cal_dicom_read_image (path, &error);
  double lo, hi;

  g_assert_no_error (error);
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[0], ==, 512);
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[1], ==, 512);
  cal_volume_get_range (volume, &lo, &hi);
  g_assert_cmpfloat (hi, >, lo);
}

typedef struct {
  const char *path;      /* under the cases dir, or pydicom: prefix */
  int         code;      /* in CAL_DICOM_ERROR */
  const char *words;     /* must appear in the message */
} BadCase;

static void
test_bad_input (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *path = g_str_has_prefix (c->path, "pydicom:") ? pydicom_path (c->path + 8)
                                                                  : case_path (c->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      /* A folder of such files: the scan names the first problem. */
      g_autoptr(CalDicomScan) scan = cal_dicom_scan (path, NULL, &error);
      if (scan != NULL)
        volume = cal_dicom_series_load (cal_dicom_scan_pick (scan, NULL, NULL),
                                        CAL_LOAD_FLAGS_NONE, NULL, NULL, NULL, NULL, &error);
    }
  else
    volume = cal_dicom_read_image (path, &error);

  g_assert_null (volume);
  g_assert_nonnull (error);
  if (!g_error_matches (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NO_IMAGES))
    g_assert_error (error, CAL_DICOM_ERROR, c->code);
  if (strstr (error->message, c->words) == NULL)
    g_error ("“%s” lacks “%s”", error->message, c->words);
}

static void
test_series_errors (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = load_case (c->path, NULL, &error);

  g_assert_null (volume);
  g_assert_error (error, CAL_DICOM_ERROR, c->code);
  if (strstr (error->message, c->words) == NULL)
    g_error ("“%s” lacks “%s”", error->message, c->words);
}

static void
test_gantry_tilt (void)
{
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = load_case ("tilt", report, &error);
  const CalGrid *grid;

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (report->gantry_tilt_deg, 15.0, 0.01);
  grid = cal_volume_get_grid (volume);
  /* The grid grew to hold every sheared slice, and stays orthogonal. */
  g_assert_cmpuint (grid->dims[1], >, 20);
  g_assert_false (cal_grid_is_oblique (grid, 0.01));
  assert_markers_in_place (volume);
}

static void
test_missing_and_uneven (gconstpointer data)
{
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = case_path (data);
  g_autoptr(CalVolume) volume = NULL;
  double spacing[3];

  /* Interpolation invents voxels: refused until the caller accepts it. */
  volume = cal_dicom_load (path, NULL, CAL_LOAD_FLAGS_NONE, report, NULL, NULL, NULL, &error);
  g_assert_null (volume);
  g_assert_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_RESAMPLING);
  g_assert_cmpint (cal_load_error_accept_flag (error), ==, CAL_LOAD_ACCEPT_RESAMPLING);
  g_clear_error (&error);
  g_clear_pointer (&report, cal_load_report_free);
  report = cal_load_report_new ();

  volume = cal_dicom_load (path, NULL, CAL_LOAD_ACCEPT_RESAMPLING, report, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->warnings->len, ==, 1);
  cal_grid_get_spacing (cal_volume_get_grid (volume), spacing);
  g_assert_cmpfloat_with_epsilon (spacing[2], 1.25, 1e-6);
  if (g_str_equal (data, "missing-slice"))
    {
      g_assert_nonnull (strstr (g_ptr_array_index (report->warnings, 0), "missing"));
      g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 12);
    }
  else
    g_assert_nonnull (strstr (g_ptr_array_index (report->warnings, 0), "Uneven"));
}

static void
test_duplicate_identical (void)
{
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = load_case ("duplicate-same", report, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 12);
  g_assert_nonnull (strstr (g_ptr_array_index (report->warnings, 0), "duplicate"));
}

static void
test_series_choice (void)
{
  g_autofree char *path = case_path ("two-series");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalDicomScan) scan = cal_dicom_scan (path, NULL, &error);
  CalDicomSeries *second;
  g_autoptr(CalVolume) volume = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (scan->series->len, ==, 2);
  g_assert_cmpuint (((CalDicomSeries *) g_ptr_array_index (scan->series, 0))->headers->len, ==, 12);
  second = cal_dicom_scan_pick (scan, "2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->headers->len, ==, 4);
  g_assert_null (cal_dicom_scan_pick (scan, "1.2.3.4", &error));
  g_assert_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NO_SUCH_SERIES);
  g_clear_error (&error);

  volume = cal_dicom_load (path, NULL, CAL_LOAD_FLAGS_NONE, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 12);
}

static void
progress_cb (double fraction, gpointer data)
{
  double *last = data;
  g_assert_cmpfloat (fraction, >, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = MAX (*last, fraction);
}

static void
test_progress_and_cancel (void)
{
  g_autofree char *path = case_path ("hfs");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CalVolume) volume = NULL;
  double last = 0;

  g_setenv ("CALVARIA_THREADS", "1", TRUE);   /* progress_cb is not thread-safe */
  volume = cal_dicom_load (path, NULL, CAL_LOAD_FLAGS_NONE, NULL, progress_cb, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  g_clear_object (&volume);

  g_cancellable_cancel (cancellable);
  volume = cal_dicom_load (path, NULL, CAL_LOAD_FLAGS_NONE, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (volume);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_unsetenv ("CALVARIA_THREADS");
}

static const BadCase file_cases[] = {
  { "random/noise.dcm", CAL_DICOM_ERROR_NOT_DICOM, "Not a DICOM file" },
  { "pydicom:MR_truncated.dcm", CAL_DICOM_ERROR_TRUNCATED, "truncated" },
  { "rows-zero", CAL_DICOM_ERROR_PIXEL_FORMAT, "Rows × Columns is 0" },
  { "huge-size", CAL_DICOM_ERROR_TRUNCATED, "65535 × 65535" },
  { "bits-stored", CAL_DICOM_ERROR_PIXEL_FORMAT, "BitsStored (17)" },
  { "rgb", CAL_DICOM_ERROR_PIXEL_FORMAT, "colour image" },
};

static const BadCase series_cases[] = {
  { "mixed-orientation", CAL_DICOM_ERROR_GEOMETRY, "orientations" },
  { "duplicate-different", CAL_DICOM_ERROR_CONFLICTING_SLICES, "same position" },
  { "no-position", CAL_DICOM_ERROR_GEOMETRY, "ImagePositionPatient" },
  { "two-slices", CAL_DICOM_ERROR_TOO_FEW_SLICES, "at least 3" },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/dicom/orientation/head-first-supine", "hfs", test_orientation);
  g_test_add_data_func ("/dicom/orientation/feet-first-supine", "ffs", test_orientation);
  g_test_add_data_func ("/dicom/orientation/head-first-prone", "hfp", test_orientation);
  g_test_add_func ("/dicom/orientation/feet-first-axes", test_feet_first_flips_axes);
  g_test_add_func ("/dicom/codecs/lossless-equal", test_transfer_syntaxes);
  g_test_add_func ("/dicom/codecs/lossy-jpeg", test_lossy_jpeg);
  g_test_add_func ("/dicom/codecs/jpeg2000-named", test_jpeg2000_names_syntax);
  g_test_add_func ("/dicom/codecs/deflated", test_deflated);
  for (gsize i = 0; i < G_N_ELEMENTS (file_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/dicom/bad/%s", file_cases[i].path);
      g_test_add_data_func (name, &file_cases[i], test_bad_input);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (series_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/dicom/bad/%s", series_cases[i].path);
      g_test_add_data_func (name, &series_cases[i], test_series_errors);
    }
  g_test_add_func ("/dicom/geometry/gantry-tilt", test_gantry_tilt);
  g_test_add_data_func ("/dicom/geometry/missing-slice", "missing-slice", test_missing_and_uneven);
  g_test_add_data_func ("/dicom/geometry/uneven", "uneven", test_missing_and_uneven);
  g_test_add_func ("/dicom/geometry/duplicate-identical", test_duplicate_identical);
  g_test_add_func ("/dicom/series/choice", test_series_choice);
  g_test_add_func ("/dicom/progress-and-cancel", test_progress_and_cancel);
  return g_test_run ();
}
