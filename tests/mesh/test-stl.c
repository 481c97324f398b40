/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "cal-stl.h"
#include "cal-surface.h"
#include "cal-test-phantom.h"
#include "cal-test-util.h"

static CalMesh *
sphere_mesh (CalSpace space)
{
  const double spacing[3] = { 0.9, 0.8, 1.3 };
  CalTestPhantom ph;
  g_autoptr(CalMask) mask = cal_test_sphere_mask (&ph, spacing, cal_test_identity, 9);

  return cal_surface_from_mask (mask, 0, space, NULL, NULL, NULL, NULL);
}

/* Same triangles: same count, and triangle t has the same three corner
 * coordinates in the same order (vertex numbering may differ). */
static void
assert_same_triangles (CalMesh *a,
                       CalMesh *b)
{
  const float *va = cal_mesh_get_vertices (a), *vb = cal_mesh_get_vertices (b);
  const guint32 *ta = cal_mesh_get_triangles (a), *tb = cal_mesh_get_triangles (b);

  g_assert_cmpuint (cal_mesh_get_n_triangles (a), ==, cal_mesh_get_n_triangles (b));
  g_assert_cmpuint (cal_mesh_get_n_vertices (a), ==, cal_mesh_get_n_vertices (b));
  for (guint32 t = 0; t < 3 * cal_mesh_get_n_triangles (a); t++)
    g_assert_cmpint (memcmp (va + 3 * (gsize) ta[t], vb + 3 * (gsize) tb[t], 3 * sizeof (float)), ==, 0);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-stl-XXXXXX", NULL);

  for (int space = 0; space < 2; space++)
    for (int format = 0; format < 2; format++)
      {
        g_autofree char *path = g_build_filename (dir, format ? "m.ascii.stl" : "m.stl", NULL);
        g_autoptr(CalMesh) mesh = sphere_mesh (space);
        g_autoptr(CalMesh) back = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *contents = NULL;
        gsize len;
        gboolean known = FALSE;

        g_assert_true (cal_stl_write (mesh, path, format, NULL, &error));
        g_assert_no_error (error);
        back = cal_stl_read (path, &known, &error);
        g_assert_no_error (error);
        g_assert_true (known);
        g_assert_cmpint (cal_mesh_get_space (back), ==, space);
        assert_same_triangles (mesh, back);

        /* The header says what the numbers are, and nothing else. */
        g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
        if (format == CAL_STL_BINARY)
          {
            g_assert_cmpuint (len, ==, 84 + 50 * (gsize) cal_mesh_get_n_triangles (mesh));
            g_assert_true (g_str_has_prefix (contents, "Calvaria binary STL; units mm; space "));
            g_assert_nonnull (g_strstr_len (contents, 80, space ? "RAS" : "LPS"));
          }
        else
          g_assert_true (g_str_has_prefix (contents, space ? "solid calvaria_mm_RAS\n"
                                                           : "solid calvaria_mm_LPS\n"));
        g_unlink (path);
      }
  g_rmdir (dir);
}

static void
write_bytes (const char *path, const void *data, gssize len)
{
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

/* Damaged and foreign files: a clear error, never a crash. */
static void
test_bad_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-stl-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bad.stl", NULL);
  g_autofree char *good = g_build_filename (dir, "good.stl", NULL);
  g_autoptr(CalMesh) mesh = sphere_mesh (CAL_SPACE_LPS);
  g_autofree char *contents = NULL;
  gsize len;
  guint8 header[84] = { 0 };
  g_autoptr(GError) error = NULL;
  guint32 huge = GUINT32_TO_LE (0xffffffffu);
  gboolean known = TRUE;

  g_assert_true (cal_stl_write (mesh, good, CAL_STL_BINARY, NULL, NULL));
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));

  write_bytes (path, contents, (gssize) len - 7);   /* truncated */
  g_assert_null (cal_stl_read (path, NULL, &error));
  g_assert_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_clear_error (&error);

  memcpy (header + 80, &huge, 4);           /* a count that lies */
  write_bytes (path, header, sizeof header);
  g_assert_null (cal_stl_read (path, NULL, &error));
  g_assert_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TRUNCATED);
  g_clear_error (&error);

  write_bytes (path, "abc", 3);
  g_assert_null (cal_stl_read (path, NULL, &error));
  g_assert_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TRUNCATED);
  g_clear_error (&error);

  {
    float nan_value = NAN;
    memcpy (contents + 84 + 12, &nan_value, 4);   /* first vertex's x */
    write_bytes (path, contents, (gssize) len);
    g_assert_null (cal_stl_read (path, NULL, &error));
    g_assert_error (error, CAL_STL_ERROR, CAL_STL_ERROR_INVALID);
    g_clear_error (&error);
  }

  write_bytes (path, "solid x\n facet normal 0 0 1\n outer loop\n vertex 0 0 0\n vertex 1 0 0\n"
                     " vertex 0 one 0\n endloop\n endfacet\nendsolid x\n", -1);
  g_assert_null (cal_stl_read (path, NULL, &error));
  g_assert_error (error, CAL_STL_ERROR, CAL_STL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "line 6"));
  g_clear_error (&error);

  write_bytes (path, "solid x\n facet normal 0 0 1\n outer loop\n vertex 0 0 0\n", -1);
  g_assert_null (cal_stl_read (path, NULL, &error));
  g_assert_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TRUNCATED);
  g_clear_error (&error);

  /* Someone else's ASCII STL: read, space unknown. */
  write_bytes (path, "solid part\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\n"
                     "vertex 0 1 0\nendloop\nendfacet\nendsolid part\n", -1);
  {
    g_autoptr(CalMesh) other = cal_stl_read (path, &known, &error);
    g_assert_no_error (error);
    g_assert_false (known);
    g_assert_cmpuint (cal_mesh_get_n_triangles (other), ==, 1);
  }

  g_assert_null (cal_stl_read ("/nonexistent/x.stl", NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_unlink (path);
  g_unlink (good);
  g_rmdir (dir);
}

/* A full disk (RLIMIT_FSIZE makes writes fail part way, as ENOSPC would):
 * the error comes back and the engineer's existing file is untouched. */
static void
test_full_disk_keeps_existing_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-stl-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "implant.stl", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(CalMesh) mesh = sphere_mesh (CAL_SPACE_LPS);
  g_autoptr(GError) error = NULL;
  struct rlimit old, small;
  gboolean ok;
  GDir *listing;
  int entries = 0;

  g_assert_cmpuint (cal_mesh_get_n_triangles (mesh) * 50, >, 16 * 1024);
  g_assert_true (g_file_set_contents (path, "yesterday's approved implant", -1, NULL));
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small = old;
  small.rlim_cur = 16 * 1024;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  ok = cal_stl_write (mesh, path, CAL_STL_BINARY, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);

  g_assert_false (ok);
  g_assert_nonnull (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "yesterday's approved implant");
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    entries++;
  g_dir_close (listing);
  g_assert_cmpint (entries, ==, 1);   /* no temporary file left */
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stl/round-trip", test_round_trip);
  g_test_add_func ("/stl/bad-files", test_bad_files);
  g_test_add_func ("/stl/full-disk-keeps-existing-file", test_full_disk_keeps_existing_file);
  return g_test_run ();
}
