/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-json.h"

#include <math.h>

void
cal_json_init (CalJson *json)
{
  json->builder = json_builder_new ();
}

char *
cal_json_finish (CalJson *json)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (json->builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_clear_object (&json->builder);
  return g_strconcat (text, "\n", NULL);
}

static JsonBuilder *
member (CalJson    *json,
        const char *key)
{
  if (key != NULL)
    json_builder_set_member_name (json->builder, key);
  return json->builder;
}

void
cal_json_begin_object (CalJson    *json,
                       const char *key)
{
  json_builder_begin_object (member (json, key));
}

void
cal_json_end_object (CalJson *json)
{
  json_builder_end_object (json->builder);
}

void
cal_json_begin_array (CalJson    *json,
                      const char *key)
{
  json_builder_begin_array (member (json, key));
}

void
cal_json_end_array (CalJson *json)
{
  json_builder_end_array (json->builder);
}

void
cal_json_string (CalJson    *json,
                 const char *key,
                 const char *value)
{
  g_autofree char *valid = NULL;

  if (value == NULL)
    {
      json_builder_add_null_value (member (json, key));
      return;
    }
  /* Text from a file may be in any encoding: JSON is UTF-8. */
  if (!g_utf8_validate (value, -1, NULL))
    value = valid = g_utf8_make_valid (value, -1);
  json_builder_add_string_value (member (json, key), value);
}

void
cal_json_number (CalJson    *json,
                 const char *key,
                 double      value)
{
  if (!isfinite (value))
    json_builder_add_null_value (member (json, key));
  else
    json_builder_add_double_value (member (json, key), value);
}

void
cal_json_int (CalJson    *json,
              const char *key,
              gint64      value)
{
  json_builder_add_int_value (member (json, key), value);
}

void
cal_json_bool (CalJson    *json,
               const char *key,
               gboolean    value)
{
  json_builder_add_boolean_value (member (json, key), value);
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
