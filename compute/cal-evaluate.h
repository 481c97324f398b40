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

/* The device the metrics run on, by one rule for every front end: "cpu"
 * is Calvaria's CPU path (*context NULL); a device named by `selector` or
 * CALVARIA_VK_DEVICE is used or is an error (a name that matches nothing:
 * CAL_VK_ERROR_NO_SUCH_DEVICE); by default a GPU (discrete, then
 * integrated), else the CPU path, which on the same cores is about four
 * times faster than a software Vulkan device (lavapipe runs only when
 * named: --device lavapipe).  *notice (may be NULL) says why the CPU path
 * was taken when the user may not expect it (no Vulkan driver at all). */
gboolean    cal_evaluate_open_device (const char      *selector,
                                      CalVkContext   **context,
                                      char           **notice,
                                      GError         **error);

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
