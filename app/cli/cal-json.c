/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-json.h"

#include <math.h>

void
cal_json_init (CalJson *json)
{
  json->out = g_string_new (NULL);
  json->first = TRUE;
}

char *
cal_json_finish (CalJson *json)
{
  g_string_append_c (json->out, '\n');
  return g_string_free (g_steal_pointer (&json->out), FALSE);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text ? text : ""; *p; p++)
    {
      guchar c = (guchar) *p;
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
member (CalJson    *json,
        const char *key)
{
  if (!json->first)
    g_string_append_c (json->out, ',');
  json->first = FALSE;
  if (key != NULL)
    {
      append_escaped (json->out, key);
      g_string_append_c (json->out, ':');
    }
}

void
cal_json_begin_object (CalJson    *json,
                       const char *key)
{
  member (json, key);
  g_string_append_c (json->out, '{');
  json->first = TRUE;
}

void
cal_json_end_object (CalJson *json)
{
  g_string_append_c (json->out, '}');
  json->first = FALSE;
}

void
cal_json_begin_array (CalJson    *json,
                      const char *key)
{
  member (json, key);
  g_string_append_c (json->out, '[');
  json->first = TRUE;
}

void
cal_json_end_array (CalJson *json)
{
  g_string_append_c (json->out, ']');
  json->first = FALSE;
}

void
cal_json_string (CalJson    *json,
                 const char *key,
                 const char *value)
{
  member (json, key);
  if (value == NULL)
    g_string_append (json->out, "null");
  else
    append_escaped (json->out, value);
}

/* Non-finite numbers have no JSON spelling: they become null. */
void
cal_json_number (CalJson    *json,
                 const char *key,
                 double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  member (json, key);
  if (!isfinite (value))
    g_string_append (json->out, "null");
  else
    g_string_append (json->out, g_ascii_formatd (buffer, sizeof buffer, "%.12g", value));
}

void
cal_json_int (CalJson    *json,
              const char *key,
              gint64      value)
{
  member (json, key);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
cal_json_bool (CalJson    *json,
               const char *key,
               gboolean    value)
{
  member (json, key);
  g_string_append (json->out, value ? "true" : "false");
}

void
cal_json_numbers (CalJson      *json,
                  const char   *key,
                  const double *values,
                  guint         n)
{
  cal_json_begin_array (json, key);
  for (guint i = 0; i < n; i++)
    cal_json_number (json, NULL, values[i]);
  cal_json_end_array (json);
}
