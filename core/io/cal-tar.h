/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Decides which archive members to keep, by base name. */
typedef gboolean (*CalTarFilter) (const char *basename,
                                  guint64     size,
                                  gpointer    user_data);

/* Reads a tar archive (any dialect, any compression libarchive knows) into
 * basename -> GBytes for the regular-file members the filter keeps.  No member may claim more than max_member_size bytes,
 * so a lying header cannot make us allocate what the file does not hold. */
GHashTable *cal_tar_read_members (GInputStream  *stream,
                                  guint64        max_member_size,
                                  CalTarFilter   filter,
                                  gpointer       user_data,
                                  GCancellable  *cancellable,
                                  GError       **error);

G_END_DECLS
