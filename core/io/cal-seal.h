/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Sealing short texts (a scan's location in the recent list) so that they
 * are not readable where they are stored (settings, backups of them), only
 * by this user on this machine: a random 256-bit key in a 0600 file, a
 * keystream from HMAC-SHA256 in counter mode, and an HMAC tag that tells a
 * foreign or damaged text from a real one.
 */

#define CAL_SEAL_ERROR (cal_seal_error_quark ())
GQuark cal_seal_error_quark (void);

typedef enum {
  CAL_SEAL_ERROR_KEY,       /* the key file cannot be made or read */
  CAL_SEAL_ERROR_INVALID,   /* not a sealed text, or sealed with another key */
} CalSealError;

#define CAL_SEAL_PREFIX "calvaria-sealed:1:"

/* The user's key: $XDG_DATA_HOME/calvaria/recent-key (the window's recent
 * list and every journal's scan location, from the window or the CLI). */
char     *cal_seal_default_key_path (void);

char     *cal_seal_text      (const char  *key_path,
                              const char  *text,
                              GError     **error);
char     *cal_unseal_text    (const char  *key_path,
                              const char  *sealed,
                              GError     **error);
gboolean  cal_seal_is_sealed (const char  *text);

G_END_DECLS
