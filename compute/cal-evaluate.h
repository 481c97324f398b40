/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-metrics.h"
#include "cal-vk-context.h"

G_BEGIN_DECLS

/*
 * Evaluation as front ends use it: on the given Vulkan context, or on the
 * CPU when context is NULL; when the GPU fails (device lost, out of memory,
 * a device limit), the CPU path runs instead and *notice says why, in words
 * for the user.  Input errors (CAL_METRICS_ERROR) and cancellation are not
 * retried.  metrics->device names what computed the result.
 */
CalMetrics *cal_evaluate        (CalVkContext        *context,
                                 CalMask             *reference,
                                 CalMask             *test,
                                 CalMask             *roi,
                                 CalProgressFunc      progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 char               **notice,
                                 GError             **error);

/* The whole comparison and, when region is not NULL, the same metrics of
 * the surfaces inside it as metrics->region (or metrics->region_problem),
 * from one computation of the distances. */
CalMetrics *cal_evaluate_with_region (CalVkContext     *context,
                                      CalMask          *reference,
                                      CalMask          *test,
                                      CalMask          *region,
                                      CalProgressFunc   progress,
                                      gpointer          progress_data,
                                      GCancellable     *cancellable,
                                      char            **notice,
                                      GError          **error);

/* The same in a worker thread.  progress is called from that thread. */
void        cal_evaluate_async  (CalVkContext        *context,
                                 CalMask             *reference,
                                 CalMask             *test,
                                 CalMask             *roi,
                                 CalProgressFunc      progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
CalMetrics *cal_evaluate_finish (GAsyncResult        *result,
                                 char               **notice,
                                 GError             **error);

G_END_DECLS
