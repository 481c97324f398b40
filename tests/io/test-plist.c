/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-plist.h"

static void
test_parse (void)
{
  const char *text =
    "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>"
    "<key>name</key><string>M&#225;scara</string>"
    "<key>shape</key><array><integer>108</integer><integer>256</integer></array>"
    "<key>spacing</key><array><real>0.5</real><integer>2</integer></array>"
    "<key>visible</key><true/>"
    "<key>nested</key><dict><key>x</key><integer>-3</integer></dict>"
    "</dict></plist>";
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = cal_plist_parse (text, -1, &error);
  double numbers[2];
  gint64 value;
  const char *name;

  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (dict, "name", "&s", &name));
  g_assert_cmpstr (name, ==, "Máscara");
  g_assert_true (cal_plist_lookup_numbers (dict, "shape", numbers, 2));
  g_assert_cmpfloat (numbers[1], ==, 256);
  g_assert_true (cal_plist_lookup_numbers (dict, "spacing", numbers, 2));
  g_assert_cmpfloat (numbers[0], ==, 0.5);
  g_assert_false (cal_plist_lookup_numbers (dict, "spacing", numbers, 1));
  g_assert_false (cal_plist_lookup_int (dict, "name", &value));
  {
    g_autoptr(GVariant) nested = g_variant_lookup_value (dict, "nested", G_VARIANT_TYPE ("a{sv}"));
    g_assert_true (cal_plist_lookup_int (nested, "x", &value));
    g_assert_cmpint (value, ==, -3);
  }
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "<plist><dict><key>a</key><integer>12x</integer></dict></plist>",
    "<plist><dict><key>a</key><string>unterminated",
    "",
    "<plist><dict><integer>3</integer></dict></plist>",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) v = cal_plist_parse (bad[i], -1, &error);
      g_assert_null (v);
      g_assert_nonnull (error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plist/parse", test_parse);
  g_test_add_func ("/plist/malformed", test_malformed);
  return g_test_run ();
}
