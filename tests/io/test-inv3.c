/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "cal-inv3.h"
#include "cal-loader.h"

/* The real head CT from Debian's invesalius-examples. */
static void
test_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalInv3Project) project = NULL;
  const CalGrid *grid;
  double spacing[3], lo, hi;
  char code[4];

  if (!g_file_test (SAMPLE_INV3, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: install invesalius-examples (see README)", SAMPLE_INV3);

  project = cal_inv3_project_load (SAMPLE_INV3, TRUE, report, NULL, &error);
  g_assert_no_error (error);
  grid = cal_volume_get_grid (project->volume);
  g_assert_cmpuint (grid->dims[0], ==, 256);
  g_assert_cmpuint (grid->dims[1], ==, 256);
  g_assert_cmpuint (grid->dims[2], ==, 108);
  cal_grid_get_spacing (grid, spacing);
  g_assert_cmpfloat_with_epsilon (spacing[0], 0.957, 0.001);
  g_assert_cmpfloat_with_epsilon (spacing[2], 1.5, 1e-9);
  cal_grid_orientation_code (grid, code);
  g_assert_cmpstr (code, ==, "LAS");
  cal_volume_get_range (project->volume, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -1024);
  g_assert_cmpfloat (hi, ==, 2986);

  g_assert_cmpuint (project->masks->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (project->mask_names, 0), ==, "Máscara 1");
  g_assert_cmpfloat (g_array_index (project->mask_ranges, double, 0), ==, 226);
  /* Mask 0 is InVesalius' bone threshold (226..3071 HU): every labelled
   * voxel must be at least 226 HU in the CT, and most such voxels labelled. */
  {
    CalMask *mask = g_ptr_array_index (project->masks, 0);
    const guint8 *labels = cal_mask_get_labels (mask);
    const gint16 *hu = cal_volume_get_data (project->volume);
    guint64 n = cal_grid_n_voxels (grid), labelled = 0, bright = 0, mismatched = 0;

    for (guint64 i = 0; i < n; i++)
      {
        labelled += labels[i];
        bright += hu[i] >= 226;
        mismatched += labels[i] && hu[i] < 226;
      }
    g_assert_cmpuint (labelled, >, 400000);
    g_assert_cmpuint (mismatched, ==, 0);
    g_assert_cmpuint (labelled, <=, bright);
  }
}

/* Anatomy as the check on the storage convention: the facial skeleton lies
 * in the lower third of the head and in front, so bone there must have a
 * more anterior (smaller LPS y) centroid than bone in the middle third. */
static void
test_face_is_anterior (void)
{
  g_autoptr(CalVolume) volume = cal_volume_load (SAMPLE_INV3, NULL, 0, NULL, NULL, NULL, NULL, NULL);
  const CalGrid *grid = cal_volume_get_grid (volume);
  double sum_y[2] = { 0, 0 }, count[2] = { 0, 0 };
  guint32 third = grid->dims[2] / 3;

  for (guint32 k = 0; k < 2 * third; k++)
    for (guint32 j = 0; j < grid->dims[1]; j++)
      for (guint32 i = 0; i < grid->dims[0]; i++)
        if (cal_volume_get_value (volume, i, j, k) >= 226)
          {
            double ijk[3] = { i, j, k }, xyz[3];
            int part = k < third ? 0 : 1;
            cal_grid_voxel_to_patient (grid, ijk, xyz);
            sum_y[part] += xyz[1];
            count[part] += 1;
          }
  g_assert_cmpfloat (count[0], >, 1000);
  g_assert_cmpfloat (sum_y[0] / count[0], <, sum_y[1] / count[1] - 5.0);
}

static char *
write_gz (const char *name,
          const void *data,
          gsize       size)
{
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  gzFile gz = gzopen (path, "wb");

  gzwrite (gz, data, (unsigned) size);
  gzclose (gz);
  return path;
}

/* A ustar archive holding one member with the given text (its header
 * checksummed, as every tar has it), claiming claimed_size bytes. */
static GByteArray *
tar_with (const char *name,
          const char *text,
          gsize       claimed_size)
{
  GByteArray *tar = g_byte_array_new ();
  guint8 header[512] = { 0 }, zero[1024] = { 0 };
  gsize len = strlen (text), padded = (len + 511) / 512 * 512;
  g_autofree guint8 *body = g_malloc0 (padded + 1);

  guint checksum = 0;

  g_strlcpy ((char *) header, name, 100);
  g_strlcpy ((char *) header + 100, "0000644", 8);
  g_snprintf ((char *) header + 124, 12, "%011lo", (unsigned long) claimed_size);
  header[156] = '0';
  memcpy (header + 257, "ustar\0" "00", 8);
  memset (header + 148, ' ', 8);
  for (guint i = 0; i < 512; i++)
    checksum += header[i];
  g_snprintf ((char *) header + 148, 8, "%06o", checksum);
  memcpy (body, text, len);
  g_byte_array_append (tar, header, 512);
  g_byte_array_append (tar, body, (guint) padded);
  g_byte_array_append (tar, zero, sizeof zero);
  return tar;
}

static void
expect_error (const char *path,
              int         code,
              const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalInv3Project) project = cal_inv3_project_load (path, TRUE, NULL, NULL, &error);

  g_assert_null (project);
  g_assert_error (error, CAL_INV3_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” lacks “%s”", error->message, words);
}

static void
test_bad_projects (void)
{
  const char *plist_no_matrix = "<plist><dict><key>spacing</key><array><real>1</real>"
                                "<real>1</real><real>1</real></array></dict></plist>";
  const char *plist_shape = "<plist><dict><key>matrix</key><dict><key>dtype</key><string>int16"
                            "</string><key>filename</key><string>matrix.dat</string><key>shape"
                            "</key><array><integer>10</integer><integer>10</integer><integer>10"
                            "</integer></array></dict><key>spacing</key><array><real>1</real>"
                            "<real>1</real><real>1</real></array></dict></plist>";
  g_autofree char *plain = g_build_filename (g_get_tmp_dir (), "plain.inv3", NULL);
  g_autofree char *not_tar = write_gz ("nottar.inv3", "hello, this is not a tar archive", 32);
  g_autoptr(GByteArray) t1 = tar_with ("x/main.plist", plist_no_matrix, strlen (plist_no_matrix));
  g_autoptr(GByteArray) t2 = tar_with ("x/main.plist", plist_shape, strlen (plist_shape));
  g_autoptr(GByteArray) t3 = tar_with ("x/main.plist", plist_shape, (gsize) 1 << 33);
  g_autoptr(GByteArray) t4 = tar_with ("x/other.txt", "nothing", 7);
  g_autofree char *no_matrix = write_gz ("nomatrix.inv3", t1->data, t1->len);
  g_autofree char *no_data = write_gz ("nodata.inv3", t2->data, t2->len);
  g_autofree char *lying = write_gz ("lying.inv3", t3->data, t3->len);
  g_autofree char *no_main = write_gz ("nomain.inv3", t4->data, t4->len);

  g_assert_true (g_file_set_contents (plain, "not gzip", -1, NULL));
  expect_error (plain, CAL_INV3_ERROR_NOT_INV3, "not gzip");
  expect_error (not_tar, CAL_INV3_ERROR_NOT_INV3, "InVesalius");
  expect_error (no_matrix, CAL_INV3_ERROR_INVALID, "matrix");
  expect_error (no_data, CAL_INV3_ERROR_INVALID, "matrix.dat");
  expect_error (lying, CAL_INV3_ERROR_NOT_INV3, "more than the file can hold");
  expect_error (no_main, CAL_INV3_ERROR_NOT_INV3, "main.plist");
  for (const char *p, **paths = (const char *[]) { plain, not_tar, no_matrix, no_data, lying, no_main, NULL };
       (p = *paths); paths++)
    g_unlink (p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inv3/sample", test_sample);
  g_test_add_func ("/inv3/face-is-anterior", test_face_is_anterior);
  g_test_add_func ("/inv3/bad-projects", test_bad_projects);
  return g_test_run ();
}
