/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalComputeCache: what an application keeps between runs of a network.
 * The device is opened once, lazily, on first use (or the CPU executor
 * chosen where there is no GPU, cal-nn-open.h); each model is loaded and its executor
 * built once per set of engine flags.  Opening a Vulkan device and
 * building an engine (shaders, packed weights) take seconds; the second
 * Segment Skull click should not pay them again.
 *
 * Runs are serialised: cal_compute_cache_acquire() hands out an executor
 * and holds the cache until cal_compute_cache_release(), so one network
 * runs at a time.  Safe to use from worker threads.
 */
#pragma once

#include <gio/gio.h>

#include "cal-nn-open.h"

G_BEGIN_DECLS

#define CAL_TYPE_COMPUTE_CACHE (cal_compute_cache_get_type ())
G_DECLARE_FINAL_TYPE (CalComputeCache, cal_compute_cache, CAL, COMPUTE_CACHE, GObject)

CalComputeCache *cal_compute_cache_new              (void);

/* The executor for model (a path) with flags, borrowed until release; on
 * success the cache stays held.  *notice (nullable): why the network runs
 * where it does, as cal_nn_executor_open() says it (free it).  NULL with
 * error set (and the cache released) when the model or the device fails. */
CalNnExecutor   *cal_compute_cache_acquire          (CalComputeCache   *self,
                                                     const char        *model,
                                                     CalNnEngineFlags   flags,
                                                     char             **notice,
                                                     GError           **error);
void             cal_compute_cache_release          (CalComputeCache   *self);

/* The device later acquisitions use, as cal_nn_executor_open() takes it
 * (NULL or "": automatic).  A change drops the executors built so far
 * (waits for a run in progress to be released). */
void             cal_compute_cache_set_device       (CalComputeCache   *self,
                                                     const char        *device);

/* How often the cache opened a device and built an executor. */
guint            cal_compute_cache_get_devices_opened  (CalComputeCache *self);
guint            cal_compute_cache_get_executors_built (CalComputeCache *self);

G_END_DECLS
