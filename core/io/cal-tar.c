/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-tar.h"

#include "cal-load-report.h"

#include <string.h>

#define TAR_BLOCK 512

static gboolean
parse_octal (const char *field,
             gsize       width,
             guint64    *value)
{
  guint64 v = 0;
  gsize i = 0;

  while (i < width && (field[i] == ' ' || field[i] == '\0'))
    i++;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; i++)
    {
      if (v > (G_MAXUINT64 >> 3))
        return FALSE;
      v = (v << 3) | (guint64) (field[i] - '0');
    }
  for (; i < width; i++)
    if (field[i] != ' ' && field[i] != '\0')
      return FALSE;
  *value = v;
  return TRUE;
}

static gboolean
read_block (GInputStream  *stream,
            guint8        *block,
            gsize          size,
            GCancellable  *cancellable,
            GError       **error)
{
  gsize n = 0;

  if (!g_input_stream_read_all (stream, block, size, &n, cancellable, error))
    return FALSE;
  if (n != size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                   "The archive is truncated (it ends inside a member)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
skip_bytes (GInputStream  *stream,
            guint64        size,
            GCancellable  *cancellable,
            GError       **error)
{
  guint8 buffer[64 * 1024];

  while (size > 0)
    {
      gsize chunk = (gsize) MIN (size, sizeof buffer);
      if (!read_block (stream, buffer, chunk, cancellable, error))
        return FALSE;
      size -= chunk;
    }
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
  guint8 header[TAR_BLOCK];

  for (;;)
    {
      char name[101];
      g_autofree char *base = NULL;
      guint64 size, padded;
      gsize n = 0;

      if (!g_input_stream_read_all (stream, header, sizeof header, &n, cancellable, error))
        return NULL;
      if (n == 0 || (n == sizeof header && header[0] == '\0'))
        break;   /* end of archive: EOF or the zero block */
      if (n != sizeof header)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "The archive is truncated");
          return NULL;
        }

      memcpy (name, header, 100);
      name[100] = '\0';
      if (!parse_octal ((const char *) header + 124, 12, &size))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The archive has a corrupt member header");
          return NULL;
        }
      padded = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
      base = g_path_get_basename (name);

      /* Type '0' or NUL: a regular file; everything else is skipped. */
      if ((header[156] == '0' || header[156] == '\0') && filter (base, size, user_data))
        {
          g_autofree guint8 *data = NULL;

          if (size > max_member_size)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The archive member “%s” claims %" G_GUINT64_FORMAT " bytes, more than "
                           "the file can hold", base, size);
              return NULL;
            }
          if (!cal_load_check_budget (size, "A member of the archive", error))
            return NULL;
          data = g_malloc (MAX (size, 1));
          if (!read_block (stream, data, (gsize) size, cancellable, error) ||
              !skip_bytes (stream, padded - size, cancellable, error))
            return NULL;
          g_hash_table_replace (members, g_steal_pointer (&base),
                                g_bytes_new_take (g_steal_pointer (&data), (gsize) size));
        }
      else if (!skip_bytes (stream, padded, cancellable, error))
        return NULL;
    }
  return g_steal_pointer (&members);
}
