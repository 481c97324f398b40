/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-atomic-file.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define OUT_BUFFER_SIZE (1u << 20)

struct _CalAtomicFile
{
  char     *path;         /* owned: the destination */
  char     *temp_path;    /* owned: where bytes go until commit */
  int       fd;
  gboolean  gzip;
  z_stream  zs;
  guint8   *zbuf;         /* owned: deflate output, OUT_BUFFER_SIZE */
};

static gboolean
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *what,
                 const char *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Could not %s “%s”: %s%s", what, display, g_strerror (saved_errno),
               saved_errno == ENOSPC || saved_errno == EFBIG || saved_errno == EDQUOT
                 ? " (free some disk space and try again; the existing file was not changed)"
                 : "");
  return FALSE;
}

/* Temporary files are named ".TARGET" TEMP_MARK "PID-XXXXXX": hidden,
 * recognisably Calvaria's, and traceable to the process writing them. */
#define TEMP_MARK ".calvaria-"

/* The writer of a temporary file is gone when its process no longer
 * exists; a live process of that number (ours, or a reused one) keeps it. */
static gboolean
temp_file_is_stale (const char *dir,
                    const char *name)
{
  const char *mark = strstr (name, TEMP_MARK);
  g_autofree char *path = NULL;
  guint64 pid;
  char *end = NULL;
  GStatBuf st;

  if (name[0] != '.' || mark == NULL)
    return FALSE;
  pid = g_ascii_strtoull (mark + strlen (TEMP_MARK), &end, 10);
  if (end == NULL || *end != '-' || strlen (end) != 7 || pid == 0 || pid > G_MAXINT32)
    return FALSE;
  if ((pid_t) pid == getpid () || kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
    return FALSE;
  path = g_build_filename (dir, name, NULL);
  return g_lstat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == getuid ();
}

/* What a killed run left in this folder (its partial output, possibly a
 * CT's voxels) is removed by the next run that writes there. */
static void
remove_stale_temp_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (temp_file_is_stale (dir, name))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
}

/* Permissions a new file gets from the user's umask (as an editor's
 * would); read from /proc, since umask() cannot be read without setting it
 * under other threads' feet. */
static mode_t
default_file_mode (void)
{
  g_autofree char *status = NULL;
  const char *line;
  guint64 mask = 022;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr (status, "\nUmask:")) != NULL)
    mask = g_ascii_strtoull (line + 7, NULL, 8);
  return 0666 & ~(mode_t) mask;
}

CalAtomicFile *
cal_atomic_file_new (const char  *path,
                     int          gzip_level,
                     GError     **error)
{
  g_autoptr(CalAtomicFile) file = g_new0 (CalAtomicFile, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  remove_stale_temp_files (dir);
  file->fd = -1;
  file->path = g_strdup (path);
  file->temp_path = g_strdup_printf ("%s/.%s" TEMP_MARK "%d-XXXXXX", dir, base, (int) getpid ());
  /* 0600 while partial: it may hold patient data, and nobody else needs it. */
  file->fd = g_mkstemp_full (file->temp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (file->fd < 0)
    {
      int saved = errno;
      g_clear_pointer (&file->temp_path, g_free);
      set_errno_error (error, saved, "create a file next to", path);
      return NULL;
    }

  if (gzip_level > 0)
    {
      file->gzip = TRUE;
      file->zbuf = g_malloc (OUT_BUFFER_SIZE);
      /* windowBits 15 + 16: a gzip wrapper, readable by every NIfTI tool. */
      if (deflateInit2 (&file->zs, gzip_level, Z_DEFLATED, 15 + 16, 8,
                        Z_DEFAULT_STRATEGY) != Z_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Could not start gzip compression");
          file->gzip = FALSE;
          return NULL;
        }
    }
  return g_steal_pointer (&file);
}

static gboolean
write_all (CalAtomicFile  *file,
           const guint8   *data,
           gsize           size,
           GError        **error)
{
  while (size > 0)
    {
      gssize n = write (file->fd, data, MIN (size, (gsize) G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_errno_error (error, errno, "write", file->path);
      if (n == 0)
        return set_errno_error (error, ENOSPC, "write", file->path);
      data += n;
      size -= (gsize) n;
    }
  return TRUE;
}

static gboolean
deflate_step (CalAtomicFile  *file,
              int             flush,
              GError        **error)
{
  int status;

  do
    {
      file->zs.next_out = file->zbuf;
      file->zs.avail_out = OUT_BUFFER_SIZE;
      status = deflate (&file->zs, flush);
      if (status == Z_STREAM_ERROR)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gzip compression failed");
          return FALSE;
        }
      if (!write_all (file, file->zbuf, OUT_BUFFER_SIZE - file->zs.avail_out, error))
        return FALSE;
    }
  while (file->zs.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  return TRUE;
}

gboolean
cal_atomic_file_write (CalAtomicFile  *file,
                       gconstpointer   data,
                       gsize           size,
                       GError        **error)
{
  const guint8 *p = data;

  if (!file->gzip)
    return write_all (file, p, size, error);

  while (size > 0)
    {
      uInt chunk = (uInt) MIN (size, (gsize) G_MAXUINT32 / 2);

      file->zs.next_in = (Bytef *) p;
      file->zs.avail_in = chunk;
      if (!deflate_step (file, Z_NO_FLUSH, error))
        return FALSE;
      p += chunk;
      size -= chunk;
    }
  return TRUE;
}

gboolean
cal_atomic_file_reserve (CalAtomicFile  *file,
                         guint64         size,
                         GError        **error)
{
  int res;

  g_return_val_if_fail (file->fd >= 0 && !file->gzip, FALSE);
  res = posix_fallocate (file->fd, 0, (off_t) size);
  /* File systems without it simply allocate as the bytes come. */
  if (res == 0 || res == EOPNOTSUPP || res == EINVAL)
    return TRUE;
  return set_errno_error (error, res, "reserve space for", file->path);
}

static void
fsync_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* Best effort: the rename is what must be atomic; this makes it durable. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* A replaced file keeps its permissions; a new one follows the umask. */
static mode_t
target_mode (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    return st.st_mode & 07777;
  return default_file_mode ();
}

gboolean
cal_atomic_file_commit (CalAtomicFile  *file,
                        GError        **error)
{
  mode_t mode;
  int fd;

  g_return_val_if_fail (file->fd >= 0, FALSE);

  if (file->gzip && !deflate_step (file, Z_FINISH, error))
    return FALSE;
  if (fsync (file->fd) != 0)
    return set_errno_error (error, errno, "flush", file->path);

  /* The file gets its final permissions only once it is the target: a
   * temporary file is 0600 from creation to rename, whatever happens. */
  mode = target_mode (file->path);
  if (g_rename (file->temp_path, file->path) != 0)
    return set_errno_error (error, errno, "replace", file->path);
  g_clear_pointer (&file->temp_path, g_free);
  fchmod (file->fd, mode);   /* best effort: the data is safe either way */

  fd = file->fd;
  file->fd = -1;
  if (close (fd) != 0)
    return set_errno_error (error, errno, "close", file->path);
  fsync_directory (file->path);
  return TRUE;
}

void
cal_atomic_file_free (CalAtomicFile *file)
{
  if (file == NULL)
    return;
  if (file->gzip)
    deflateEnd (&file->zs);
  if (file->fd >= 0)
    close (file->fd);
  if (file->temp_path != NULL)
    g_unlink (file->temp_path);
  g_free (file->zbuf);
  g_free (file->temp_path);
  g_free (file->path);
  g_free (file);
}

gboolean
cal_atomic_file_replace (const char     *path,
                         gconstpointer   data,
                         gsize           size,
                         GError        **error)
{
  g_autoptr(CalAtomicFile) file = cal_atomic_file_new (path, 0, error);

  return file != NULL &&
         cal_atomic_file_write (file, data, size, error) &&
         cal_atomic_file_commit (file, error);
}
