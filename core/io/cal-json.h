/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* JSON documents (the CLI's --json output, the QC report), built with
 * json-glib in the order they are written: each call names its member
 * (key) inside an object, or passes NULL inside an array. */
typedef struct {
  JsonBuilder *builder;   /* owned */
} CalJson;

void  cal_json_init          (CalJson    *json);
/* The document, pretty-printed with a final newline; clears json. */
char *cal_json_finish        (CalJson    *json);
void  cal_json_begin_object  (CalJson    *json,
                              const char *key);
void  cal_json_end_object    (CalJson    *json);
void  cal_json_begin_array   (CalJson    *json,
                              const char *key);
void  cal_json_end_array     (CalJson    *json);
/* NULL is written as null. */
void  cal_json_string        (CalJson    *json,
                              const char *key,
                              const char *value);
/* Non-finite numbers have no JSON spelling: they become null. */
void  cal_json_number        (CalJson    *json,
                              const char *key,
                              double      value);
void  cal_json_int           (CalJson    *json,
                              const char *key,
                              gint64      value);
void  cal_json_bool          (CalJson    *json,
                              const char *key,
                              gboolean    value);
void  cal_json_numbers       (CalJson    *json,
                              const char *key,
                              const double *values,
                              guint       n);

G_END_DECLS
