/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Writes that never leave a half-written file behind: data goes to a
 * temporary file beside the destination, which is fsync'ed and renamed over
 * it only when everything was written.  On any error the destination is
 * untouched and the temporary file is removed.
 */
typedef struct _CalAtomicFile CalAtomicFile;

CalAtomicFile *cal_atomic_file_new      (const char     *path,
                                         int             gzip_level,
                                         GError        **error);
gboolean       cal_atomic_file_write    (CalAtomicFile  *file,
                                         gconstpointer   data,
                                         gsize           size,
                                         GError        **error);
/* Reserves `size` bytes on disk up front for an uncompressed file of known
 * size: a full disk shows at once, and the writes allocate nothing. */
gboolean       cal_atomic_file_reserve  (CalAtomicFile  *file,
                                         guint64         size,
                                         GError        **error);
gboolean       cal_atomic_file_commit   (CalAtomicFile  *file,
                                         GError        **error);
void           cal_atomic_file_free     (CalAtomicFile  *file);

gboolean       cal_atomic_file_replace  (const char     *path,
                                         gconstpointer   data,
                                         gsize           size,
                                         GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalAtomicFile, cal_atomic_file_free)

G_END_DECLS
