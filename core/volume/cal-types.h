/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Types every wing shares: how slow work reports its progress. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Progress from a worker thread: fraction in [0, 1]. */
typedef void (*CalProgressFunc) (double   fraction,
                                 gpointer user_data);

G_END_DECLS
