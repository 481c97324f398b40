/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-seal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define KEY_BYTES   32
#define NONCE_BYTES 16
#define TAG_BYTES   16
#define BLOCK_BYTES 32   /* one SHA-256 output */

G_DEFINE_QUARK (cal-seal-error-quark, cal_seal_error)

static gboolean
random_bytes (guint8 *out,
              gsize   n)
{
  while (n > 0)
    {
      ssize_t got = getrandom (out, n, 0);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return FALSE;
      out += got;
      n -= (gsize) got;
    }
  return TRUE;
}

/* The key file is created once, exclusively and private; a second process
 * racing to create it reads the winner's. */
static gboolean
load_key (const char  *path,
          guint8       key[KEY_BYTES],
          GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize size = 0;
  int fd;

  g_mkdir_with_parents (dir, 0700);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      gboolean ok = random_bytes (key, KEY_BYTES) && write (fd, key, KEY_BYTES) == KEY_BYTES &&
                    fsync (fd) == 0;
      close (fd);
      if (ok)
        return TRUE;
      g_unlink (path);
    }
  if (!g_file_get_contents (path, &data, &size, NULL) || size != KEY_BYTES)
    {
      g_set_error (error, CAL_SEAL_ERROR, CAL_SEAL_ERROR_KEY,
                   "The private key for Calvaria's recent list cannot be made or read");
      return FALSE;
    }
  memcpy (key, data, KEY_BYTES);
  return TRUE;
}

static void
hmac (const guint8 key[KEY_BYTES],
      const guint8 *a, gsize na,
      const guint8 *b, gsize nb,
      guint8        out[BLOCK_BYTES])
{
  g_autoptr(GHmac) h = g_hmac_new (G_CHECKSUM_SHA256, key, KEY_BYTES);
  gsize n = BLOCK_BYTES;

  g_hmac_update (h, a, (gssize) na);
  g_hmac_update (h, b, (gssize) nb);
  g_hmac_get_digest (h, out, &n);
}

/* XOR with HMAC(key, nonce ‖ block counter): encrypting and decrypting are one. */
static void
apply_keystream (const guint8  key[KEY_BYTES],
                 const guint8  nonce[NONCE_BYTES],
                 guint8       *data,
                 gsize         n)
{
  for (gsize offset = 0; offset < n; offset += BLOCK_BYTES)
    {
      guint8 counter[8], block[BLOCK_BYTES];
      guint64 index = GUINT64_TO_BE (offset / BLOCK_BYTES);

      memcpy (counter, &index, sizeof counter);
      hmac (key, nonce, NONCE_BYTES, counter, sizeof counter, block);
      for (gsize i = 0; i < BLOCK_BYTES && offset + i < n; i++)
        data[offset + i] ^= block[i];
    }
}

static void
tag_of (const guint8 key[KEY_BYTES],
        const guint8 *nonce_and_text,
        gsize         n,
        guint8        tag[TAG_BYTES])
{
  guint8 full[BLOCK_BYTES];

  hmac (key, (const guint8 *) "tag", 3, nonce_and_text, n, full);
  memcpy (tag, full, TAG_BYTES);
}

static char *
to_hex (const guint8 *data,
        gsize         n)
{
  GString *s = g_string_sized_new (n * 2);

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

gboolean
cal_seal_is_sealed (const char *text)
{
  return text != NULL && g_str_has_prefix (text, CAL_SEAL_PREFIX);
}

char *
cal_seal_default_key_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "calvaria", "recent-key", NULL);
}

char *
cal_seal_text (const char  *key_path,
               const char  *text,
               GError     **error)
{
  guint8 key[KEY_BYTES];
  gsize n = strlen (text);
  g_autofree guint8 *buffer = g_malloc (NONCE_BYTES + n + TAG_BYTES);
  g_autofree char *hex = NULL;

  if (!load_key (key_path, key, error))
    return NULL;
  if (!random_bytes (buffer, NONCE_BYTES))
    {
      g_set_error (error, CAL_SEAL_ERROR, CAL_SEAL_ERROR_KEY, "No random numbers to seal with");
      return NULL;
    }
  memcpy (buffer + NONCE_BYTES, text, n);
  apply_keystream (key, buffer, buffer + NONCE_BYTES, n);
  tag_of (key, buffer, NONCE_BYTES + n, buffer + NONCE_BYTES + n);
  hex = to_hex (buffer, NONCE_BYTES + n + TAG_BYTES);
  return g_strconcat (CAL_SEAL_PREFIX, hex, NULL);
}

char *
cal_unseal_text (const char  *key_path,
                 const char  *sealed,
                 GError     **error)
{
  const char *hex = sealed + strlen (CAL_SEAL_PREFIX);
  gsize n_hex = strlen (hex), n;
  g_autofree guint8 *buffer = NULL;
  guint8 key[KEY_BYTES], tag[TAG_BYTES];

  if (!cal_seal_is_sealed (sealed) || n_hex % 2 != 0 || n_hex / 2 < NONCE_BYTES + TAG_BYTES)
    goto invalid;
  n = n_hex / 2;
  buffer = g_malloc (n + 1);
  for (gsize i = 0; i < n; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      if (hi < 0 || lo < 0)
        goto invalid;
      buffer[i] = (guint8) (hi << 4 | lo);
    }
  if (!load_key (key_path, key, error))
    return NULL;
  tag_of (key, buffer, n - TAG_BYTES, tag);
  if (memcmp (tag, buffer + n - TAG_BYTES, TAG_BYTES) != 0)
    goto invalid;
  apply_keystream (key, buffer, buffer + NONCE_BYTES, n - NONCE_BYTES - TAG_BYTES);
  buffer[n - TAG_BYTES] = '\0';
  return g_strdup ((const char *) buffer + NONCE_BYTES);

invalid:
  g_set_error (error, CAL_SEAL_ERROR, CAL_SEAL_ERROR_INVALID,
               "Not a location Calvaria sealed on this account (another key, or damaged)");
  return NULL;
}
