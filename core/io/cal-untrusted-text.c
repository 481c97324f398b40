/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-untrusted-text.h"

char *
cal_untrusted_text_escape (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text ? text : "";

  while (*p)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guint8) *p);
          p++;
          continue;
        }
      if (g_unichar_iscntrl (c))
        g_string_append_printf (out, c < 0x100 ? "\\x%02x" : "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

/* Quoted (GLib quotes paths with “ ” or ' ') locations may hold spaces;
 * unquoted ones end at white space or punctuation.  A location starts with
 * a URI scheme, a drive letter or a slash that follows no word ("1/2",
 * "HU/mm" are not locations). */
#define QUOTED   "[“‘'\"]((?:[a-z]+://|[A-Za-z]:\\\\|/)[^”’'\"]*)[”’'\"]"
#define UNQUOTED "(?:[a-z]+://|(?<![\\w.])/)[^\\s”’'\",;]*[^\\s”’'\",;:.)]"

char *
cal_text_hide_paths (const char *text,
                     const char *instead)
{
  static gsize ready;
  static GRegex *quoted, *unquoted;
  g_autofree char *step = NULL;

  if (g_once_init_enter (&ready))
    {
      quoted = g_regex_new (QUOTED, G_REGEX_OPTIMIZE, 0, NULL);
      unquoted = g_regex_new (UNQUOTED, G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&ready, 1);
    }
  step = g_regex_replace_literal (quoted, text ? text : "", -1, 0, instead, 0, NULL);
  return g_regex_replace_literal (unquoted, step, -1, 0, instead, 0, NULL);
}
