/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sealed texts: they round-trip with the key, hide what they hold, and
 * refuse another key or a damaged text. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cal-seal.h"

static char *
key_path (const char *dir, const char *name)
{
  return g_build_filename (dir, "keys", name, NULL);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-seal-XXXXXX", NULL);
  g_autofree char *key = key_path (dir, "a");
  const char *text = "file:///studies/DOE%5EJOHN%201956/";
  g_autofree char *sealed = cal_seal_text (key, text, NULL);
  g_autofree char *again = cal_seal_text (key, text, NULL);
  g_autofree char *opened = NULL;
  GStatBuf st;

  g_assert_nonnull (sealed);
  g_assert_true (cal_seal_is_sealed (sealed));
  g_assert_null (strstr (sealed, "DOE"));
  g_assert_null (strstr (sealed, "studies"));
  /* A fresh nonce each time: equal texts do not look equal. */
  g_assert_cmpstr (sealed, !=, again);
  opened = cal_unseal_text (key, sealed, NULL);
  g_assert_cmpstr (opened, ==, text);
  /* The key is private to the user. */
  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, 32);
  g_unlink (key);
}

static void
test_refusals (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cal-seal-XXXXXX", NULL);
  g_autofree char *key_a = key_path (dir, "a"), *key_b = key_path (dir, "b");
  g_autofree char *sealed = cal_seal_text (key_a, "file:///x/", NULL);
  g_autofree char *damaged = g_strdup (sealed);
  g_autoptr(GError) error = NULL;
  char *opened;

  opened = cal_unseal_text (key_b, sealed, &error);
  g_assert_null (opened);
  g_assert_error (error, CAL_SEAL_ERROR, CAL_SEAL_ERROR_INVALID);
  g_clear_error (&error);

  damaged[strlen (damaged) - 40] = damaged[strlen (damaged) - 40] == '0' ? '1' : '0';
  opened = cal_unseal_text (key_a, damaged, &error);
  g_assert_null (opened);
  g_assert_error (error, CAL_SEAL_ERROR, CAL_SEAL_ERROR_INVALID);
  g_clear_error (&error);

  opened = cal_unseal_text (key_a, CAL_SEAL_PREFIX "zz", &error);
  g_assert_null (opened);
  g_assert_error (error, CAL_SEAL_ERROR, CAL_SEAL_ERROR_INVALID);
  g_assert_false (cal_seal_is_sealed ("file:///x/"));
  g_unlink (key_a);
  g_unlink (key_b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/seal/round-trip", test_round_trip);
  g_test_add_func ("/seal/refusals", test_refusals);
  return g_test_run ();
}
