/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small streaming JSON writer for reports and --json output.  The caller
 * places commas with cal_json_sep(); values are written as they come. */
typedef struct {
  GString *out;      /* owned */
  gboolean first;    /* no comma before the next member */
} CalJson;

void  cal_json_init          (CalJson    *json);
char *cal_json_finish        (CalJson    *json);
void  cal_json_begin_object  (CalJson    *json,
                              const char *key);
void  cal_json_end_object    (CalJson    *json);
void  cal_json_begin_array   (CalJson    *json,
                              const char *key);
void  cal_json_end_array     (CalJson    *json);
void  cal_json_string        (CalJson    *json,
                              const char *key,
                              const char *value);
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
