/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Text from files is shown escaped: control characters and invalid UTF-8
 * become visible codes, readable text (Thai, accents) stays as it is. */
#include "cal-untrusted-text.h"

static void
assert_escapes (const char *in,
                const char *expected)
{
  g_autofree char *out = cal_untrusted_text_escape (in);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_escape (void)
{
  assert_escapes ("HEAD 1.0 H30s", "HEAD 1.0 H30s");
  assert_escapes ("Máscara 1 กระดูก", "Máscara 1 กระดูก");
  assert_escapes ("..\x1b[2J\x1b]0;title\x07", "..\\x1b[2J\\x1b]0;title\\x07");
  assert_escapes ("a\xff\xfe" "b", "a\\xff\\xfeb");
  assert_escapes ("line\nbreak\ttab", "line\\x0abreak\\x09tab");
  assert_escapes ("c1 \xc2\x85 next line", "c1 \\x85 next line");
  assert_escapes ("../../etc/passwd", "../../etc/passwd");   /* shown, never a path */
  assert_escapes (NULL, "");
  assert_escapes ("cut \xe0\xb8", "cut \\xe0\\xb8");
}

static void
assert_hidden (const char *in,
               const char *expected)
{
  g_autofree char *out = cal_text_hide_paths (in, "the file");
  g_assert_cmpstr (out, ==, expected);
}

/* Locations in messages shown in the window: quoted (with spaces) or not,
 * paths, URIs, Windows drives; ordinary slashes stay. */
static void
test_hide_paths (void)
{
  assert_hidden ("Error opening file “/home/u/Smith John/scan.nii”: No such file or directory",
                 "Error opening file the file: No such file or directory");
  assert_hidden ("Can't open '/data/DOE^JANE/IM0001' for reading", "Can't open the file for reading");
  assert_hidden ("no DICOM in /srv/studies/DOE_JANE/series3.", "no DICOM in the file.");
  assert_hidden ("at file:///home/u/DOE_JANE/ct.nii.gz, then", "at the file, then");
  assert_hidden ("drive “C:\\Scans\\DOE\\ct.nii”", "drive the file");
  assert_hidden ("1/2 of 512 slices at 0.5 HU/mm (a / b)", "1/2 of 512 slices at 0.5 HU/mm (a / b)");
  assert_hidden ("กระดูก “/home/ผู้ป่วย/ct.nii” หาย", "กระดูก the file หาย");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/untrusted-text/escape", test_escape);
  g_test_add_func ("/untrusted-text/hide-paths", test_hide_paths);
  return g_test_run ();
}
