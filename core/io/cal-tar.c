/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Archive members through libarchive: every tar dialect (ustar prefixes,
 * GNU long names, pax headers) and compression filter it knows, read from
 * a GInputStream so the caller keeps its cancellation and size checks. */
#include "cal-tar.h"

#include <glib/gi18n-lib.h>

#include <archive.h>
#include <archive_entry.h>

#include "cal-load-report.h"

#define READ_CHUNK (64 * 1024)

typedef struct {
  GInputStream *stream;
  GCancellable *cancellable;
  GError       *error;        /* the stream's own, kept over libarchive's */
  guint8        buffer[READ_CHUNK];
} Source;

static la_ssize_t
read_source (struct archive *archive,
             void           *data,
             const void    **block)
{
  Source *source = data;
  gssize n = g_input_stream_read (source->stream, source->buffer, sizeof source->buffer, source->cancellable,
                                  source->error ? NULL : &source->error);

  *block = source->buffer;
  if (n < 0)
    {
      archive_set_error (archive, EIO, "reading failed");
      return ARCHIVE_FATAL;
    }
  return n;
}

/* libarchive's reason, or the stream's where reading itself failed
 * (cancellation stays a cancellation). */
static void
archive_failed (struct archive  *archive,
                Source          *source,
                const char      *doing,
                GError         **error)
{
  const char *why = archive_error_string (archive);

  if (source->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&source->error));
      return;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The archive is damaged (%s: %s)"), doing,
               why ? why : "no reason given");
}

static gboolean
keep_member (struct archive        *archive,
             struct archive_entry  *entry,
             Source                *source,
             GHashTable            *members,
             guint64                max_member_size,
             GError               **error)
{
  g_autofree char *base = g_path_get_basename (archive_entry_pathname (entry));
  guint64 size = (guint64) MAX (archive_entry_size (entry), 0);
  g_autofree guint8 *data = NULL;
  la_ssize_t n;

  if (size > max_member_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The archive member “%s” claims %llu bytes, more than the file can hold"),
                   base, (unsigned long long) (size));
      return FALSE;
    }
  if (!cal_load_check_budget (size, "A member of the archive", error))
    return FALSE;
  data = g_malloc (MAX (size, 1));
  n = archive_read_data (archive, data, (size_t) size);
  if (n < 0 || (guint64) n != size)
    {
      if (n < 0)
        archive_failed (archive, source, base, error);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                     _("The archive is truncated (it ends inside “%s”)"), base);
      return FALSE;
    }
  g_hash_table_replace (members, g_steal_pointer (&base), g_bytes_new_take (g_steal_pointer (&data), (gsize) size));
  return TRUE;
}

GHashTable *
cal_tar_read_members (GInputStream  *stream,
                      guint64        max_member_size,
                      CalTarFilter   filter,
                      gpointer       user_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GHashTable) members =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_autofree Source *source = g_new0 (Source, 1);
  struct archive *archive = archive_read_new ();
  struct archive_entry *entry;
  gboolean ok = TRUE;
  int status;

  source->stream = stream;
  source->cancellable = cancellable;
  archive_read_support_format_tar (archive);
  archive_read_support_format_gnutar (archive);
  archive_read_support_filter_all (archive);
  if (archive_read_open (archive, source, NULL, read_source, NULL) != ARCHIVE_OK)
    {
      archive_failed (archive, source, "opening", error);
      ok = FALSE;
    }
  while (ok && (status = archive_read_next_header (archive, &entry)) != ARCHIVE_EOF)
    {
      g_autofree char *base = NULL;

      if (status < ARCHIVE_WARN)
        {
          archive_failed (archive, source, "a member header", error);
          ok = FALSE;
          break;
        }
      base = g_path_get_basename (archive_entry_pathname (entry) ? archive_entry_pathname (entry) : "");
      /* Regular files only: links, folders and devices are skipped. */
      if (archive_entry_filetype (entry) == AE_IFREG &&
          filter (base, (guint64) MAX (archive_entry_size (entry), 0), user_data))
        ok = keep_member (archive, entry, source, members, max_member_size, error);
    }
  archive_read_free (archive);
  g_clear_error (&source->error);
  return ok ? g_steal_pointer (&members) : NULL;
}
