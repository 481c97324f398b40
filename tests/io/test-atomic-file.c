/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cal-atomic-file.h"

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d))
    n++;
  return n;
}

static void
test_replace (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.bin", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (cal_atomic_file_replace (path, "first", 5, &error));
  g_assert_true (cal_atomic_file_replace (path, "second", 6, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpstr (contents, ==, "second");
  g_assert_cmpuint (count_entries (dir), ==, 1);   /* no temp file left */
  g_unlink (path);
  g_rmdir (dir);
}

/* A full disk, made real with RLIMIT_FSIZE: writes fail with EFBIG part way
 * through.  The existing file must survive untouched. */
static void
test_full_disk_keeps_old_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "precious.bin", NULL);
  g_autofree char *contents = NULL;
  g_autofree guint8 *big = g_malloc0 (1 << 20);
  g_autoptr(GError) error = NULL;
  struct rlimit old, small;
  gboolean ok;

  g_assert_true (g_file_set_contents (path, "engineer's work", -1, NULL));
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small = old;
  small.rlim_cur = 64 * 1024;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  ok = cal_atomic_file_replace (path, big, 1 << 20, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);

  g_assert_false (ok);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "existing file was not changed"));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "engineer's work");
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_unwritable_folder (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cal_atomic_file_replace ("/nonexistent-folder/out.nii", "x", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
touch (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, "partial CT voxels", -1, NULL));
}

static gboolean
exists (const char *dir,
        const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* What a killed run left is removed by the next write into its folder:
 * only files named as Calvaria names its temporary files, and only once
 * the process that wrote them is gone. */
static void
test_stale_temp_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.nii", NULL);
  g_autofree char *stale = NULL, *live = NULL, *visible = NULL;
  g_autoptr(GError) error = NULL;
  GPid child;
  GStatBuf st;

  /* A process that has come and gone: its number names a dead writer. */
  g_assert_true (g_spawn_async (NULL, (char *[]) { (char *) "/bin/true", NULL }, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &child, NULL));
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  stale = g_strdup_printf (".out.nii.calvaria-%d-AB12CD", (int) child);
  live = g_strdup_printf (".other.stl.calvaria-%d-EF34GH", (int) getpid ());
  visible = g_strdup_printf ("notes.calvaria-%d-IJ56KL", (int) child);
  touch (dir, stale);
  touch (dir, live);
  touch (dir, visible);
  touch (dir, ".out.nii.Q1W2E3");   /* another program's */

  g_assert_true (cal_atomic_file_replace (path, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_false (exists (dir, stale));
  g_assert_true (exists (dir, live));
  g_assert_true (exists (dir, visible));
  g_assert_true (exists (dir, ".out.nii.Q1W2E3"));
  /* The result follows the umask, not the temporary file's 0600. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0666 & ~umask (022));
  umask (022);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/atomic-file/replace", test_replace);
  g_test_add_func ("/atomic-file/stale-temp-files", test_stale_temp_files);
  g_test_add_func ("/atomic-file/full-disk", test_full_disk_keeps_old_file);
  g_test_add_func ("/atomic-file/unwritable", test_unwritable_folder);
  return g_test_run ();
}
