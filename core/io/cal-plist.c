/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-plist.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>

/* One open container or scalar element while parsing. */
typedef struct {
  char            *element;    /* owned: element name */
  GVariantBuilder *builder;    /* owned: for dict and array */
  char            *pending_key;/* owned: dict key waiting for its value */
  GString         *text;       /* owned: scalar text */
} Frame;

typedef struct {
  GPtrArray *stack;            /* (element-type Frame) */
  GVariant  *result;           /* owned, floating-free */
} ParseState;

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  g_free (frame->element);
  if (frame->builder)
    g_variant_builder_unref (frame->builder);
  g_free (frame->pending_key);
  if (frame->text)
    g_string_free (frame->text, TRUE);
  g_free (frame);
}

static Frame *
top (ParseState *state)
{
  return state->stack->len ? g_ptr_array_index (state->stack, state->stack->len - 1) : NULL;
}

/* Hands a finished value to the enclosing container (or makes it the root). */
static gboolean
deliver (ParseState  *state,
         GVariant    *value,
         GError     **error)
{
  Frame *parent = top (state);

  g_variant_ref_sink (value);
  if (parent == NULL)
    {
      g_clear_pointer (&state->result, g_variant_unref);
      state->result = value;
      return TRUE;
    }
  if (g_str_equal (parent->element, "dict"))
    {
      if (parent->pending_key == NULL)
        {
          g_variant_unref (value);
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       _("A property list dictionary value has no key"));
          return FALSE;
        }
      g_variant_builder_add (parent->builder, "{sv}", parent->pending_key, value);
      g_clear_pointer (&parent->pending_key, g_free);
    }
  else if (g_str_equal (parent->element, "array"))
    g_variant_builder_add (parent->builder, "v", value);
  g_variant_unref (value);
  return TRUE;
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  ParseState *state = user_data;
  Frame *frame;

  if (g_str_equal (element, "plist"))
    return;
  if (state->stack->len > 64)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   _("The property list is nested too deeply"));
      return;
    }
  frame = g_new0 (Frame, 1);
  frame->element = g_strdup (element);
  if (g_str_equal (element, "dict"))
    frame->builder = g_variant_builder_new (G_VARIANT_TYPE ("a{sv}"));
  else if (g_str_equal (element, "array"))
    frame->builder = g_variant_builder_new (G_VARIANT_TYPE ("av"));
  else
    frame->text = g_string_new (NULL);
  g_ptr_array_add (state->stack, frame);
}

static GVariant *
scalar_value (Frame   *frame,
              GError **error)
{
  const char *e = frame->element, *t = frame->text->str;
  char *end = NULL;

  if (g_str_equal (e, "string") || g_str_equal (e, "date"))
    return g_variant_new_string (t);
  if (g_str_equal (e, "true") || g_str_equal (e, "false"))
    return g_variant_new_boolean (g_str_equal (e, "true"));
  if (g_str_equal (e, "integer"))
    {
      gint64 v = g_ascii_strtoll (g_strstrip (frame->text->str), &end, 10);
      if (end && *end == '\0' && *t != '\0')
        return g_variant_new_int64 (v);
    }
  else if (g_str_equal (e, "real"))
    {
      double v = g_ascii_strtod (g_strstrip (frame->text->str), &end);
      if (end && *end == '\0' && *t != '\0')
        return g_variant_new_double (v);
    }
  else if (g_str_equal (e, "data"))
    {
      gsize len = 0;
      guchar *raw = g_base64_decode (t, &len);
      return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, raw, len, TRUE, g_free, raw);
    }
  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
               _("The property list has an unreadable <%s> value"), e);
  return NULL;
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  ParseState *state = user_data;
  Frame *frame = top (state);
  GVariant *value = NULL;

  if (g_str_equal (element, "plist") || frame == NULL)
    return;

  if (g_str_equal (element, "key"))
    {
      Frame *parent;

      g_ptr_array_steal_index (state->stack, state->stack->len - 1);
      parent = top (state);
      if (parent && g_str_equal (parent->element, "dict"))
        {
          g_free (parent->pending_key);
          parent->pending_key = g_strdup (frame->text->str);
        }
      frame_free (frame);
      return;
    }

  if (frame->builder)
    value = g_variant_builder_end (frame->builder);
  else
    value = scalar_value (frame, error);

  g_ptr_array_steal_index (state->stack, state->stack->len - 1);
  frame_free (frame);
  if (value)
    deliver (state, value, error);
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  Frame *frame = top (user_data);

  if (frame && frame->text)
    g_string_append_len (frame->text, text, (gssize) length);
}

GVariant *
cal_plist_parse (const char  *text,
                 gssize       length,
                 GError     **error)
{
  static const GMarkupParser parser = { start_element_cb, end_element_cb, text_cb, NULL, NULL };
  ParseState state = { g_ptr_array_new_with_free_func (frame_free), NULL };
  GMarkupParseContext *context;
  gboolean ok;

  context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, &state, NULL);
  ok = g_markup_parse_context_parse (context, text, length, error) &&
       g_markup_parse_context_end_parse (context, error);
  g_markup_parse_context_free (context);
  g_ptr_array_unref (state.stack);

  if (!ok)
    {
      g_clear_pointer (&state.result, g_variant_unref);
      return NULL;
    }
  if (state.result == NULL)
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY, _("The property list is empty"));
  return state.result;
}

gboolean
cal_plist_lookup_int (GVariant   *dict,
                      const char *key,
                      gint64     *value)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_INT64);

  if (v == NULL)
    return FALSE;
  *value = g_variant_get_int64 (v);
  return TRUE;
}

static gboolean
number_of (GVariant *v,
           double   *out)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (v);
      return number_of (inner, out);
    }
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    *out = (double) g_variant_get_int64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    *out = g_variant_get_double (v);
  else
    return FALSE;
  return TRUE;
}

gboolean
cal_plist_lookup_double (GVariant   *dict,
                         const char *key,
                         double     *value)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, NULL);

  return v != NULL && number_of (v, value);
}

/* An array of exactly n_values numbers (integers or reals). */
gboolean
cal_plist_lookup_numbers (GVariant   *dict,
                          const char *key,
                          double     *values,
                          gsize       n_values)
{
  g_autoptr(GVariant) array = g_variant_lookup_value (dict, key, G_VARIANT_TYPE ("av"));

  if (array == NULL || g_variant_n_children (array) != n_values)
    return FALSE;
  for (gsize i = 0; i < n_values; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (array, i);
      if (!number_of (child, &values[i]))
        return FALSE;
    }
  return TRUE;
}
