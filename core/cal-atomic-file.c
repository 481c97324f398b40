/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-atomic-file.h"

#include <errno.h>
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

CalAtomicFile *
cal_atomic_file_new (const char  *path,
                     int          gzip_level,
                     GError     **error)
{
  g_autoptr(CalAtomicFile) file = g_new0 (CalAtomicFile, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  file->fd = -1;
  file->path = g_strdup (path);
  file->temp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  file->fd = g_mkstemp_full (file->temp_path, O_WRONLY | O_CLOEXEC, 0644);
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

gboolean
cal_atomic_file_commit (CalAtomicFile  *file,
                        GError        **error)
{
  int fd;

  g_return_val_if_fail (file->fd >= 0, FALSE);

  if (file->gzip && !deflate_step (file, Z_FINISH, error))
    return FALSE;
  if (fsync (file->fd) != 0)
    return set_errno_error (error, errno, "flush", file->path);

  fd = file->fd;
  file->fd = -1;
  if (close (fd) != 0)
    return set_errno_error (error, errno, "close", file->path);
  if (g_rename (file->temp_path, file->path) != 0)
    return set_errno_error (error, errno, "replace", file->path);

  g_clear_pointer (&file->temp_path, g_free);
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
