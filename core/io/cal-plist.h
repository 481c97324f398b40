/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A reader for XML property lists (what InVesalius projects are made of).
 * The result is a GVariant tree: dict -> a{sv}, array -> av, string -> s,
 * integer -> x, real -> d, true/false -> b, date -> s, data -> ay.
 */
GVariant *cal_plist_parse          (const char  *text,
                                    gssize       length,
                                    GError     **error);

/* Small helpers for reading what the caller expects to be there. */
gboolean  cal_plist_lookup_int     (GVariant    *dict,
                                    const char  *key,
                                    gint64      *value);
gboolean  cal_plist_lookup_double  (GVariant    *dict,
                                    const char  *key,
                                    double      *value);
gboolean  cal_plist_lookup_numbers (GVariant    *dict,
                                    const char  *key,
                                    double      *values,
                                    gsize        n_values);

G_END_DECLS
