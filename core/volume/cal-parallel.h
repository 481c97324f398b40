/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The scheduling priority (nice) of slow work behind a user interface:
 * nice 10 gets about a tenth of a core's share when the UI competes. */
#define CAL_BACKGROUND_NICE 10

/* Runs func(index, user_data) for every index in [0, n) on all cores,
 * handing out indices one at a time so uneven work balances itself.
 * Returns when all calls have returned.  The helpers are a persistent
 * pool (no threads started per call); a caller at background priority
 * (cal_task_run) gets helpers at that priority.  Loops may nest. */
typedef void (*CalParallelFunc) (guint    index,
                                 gpointer user_data);

void  cal_parallel_for       (guint            n,
                              CalParallelFunc  func,
                              gpointer         user_data);
guint cal_parallel_n_threads (void);
/* The machine's physical memory (4 GiB where the system will not say). */
guint64 cal_physical_memory_bytes (void);

/* Large, short-lived arrays (tens of MB and up) on huge pages where the
 * kernel allows: a fresh 4 KiB page costs a fault and a clear each.
 * Uninitialised; free with g_free. */
gpointer cal_alloc_large     (gsize            size);

G_END_DECLS
