/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"
#include "cal-metrics.h"
#include "cal-vk-context.h"

G_BEGIN_DECLS

/*
 * The metrics of cal_metrics_compute_cpu() (same definitions, same
 * results: DSC exactly, distances within 1e-4 mm) as Vulkan compute
 * kernels: surface voxels, an exact anisotropic distance transform (one
 * pass per axis) and a gather of the distances at the other surface.
 * Work is cut into submissions of about the context's submission target,
 * sized by the throughput measured as it runs, so no driver watchdog fires.  Errors: CAL_METRICS_ERROR for the inputs,
 * CAL_VK_ERROR from the device (the caller may retry elsewhere),
 * G_IO_ERROR_CANCELLED.
 */
CalMetrics *cal_gpu_metrics_compute (CalVkContext     *context,
                                     CalMask          *reference,
                                     CalMask          *test,
                                     CalMask          *roi,
                                     CalProgressFunc   progress,
                                     gpointer          progress_data,
                                     GCancellable     *cancellable,
                                     GError          **error);
/* The whole comparison, and inside `region` as metrics->region (see
 * cal_metrics_compute_cpu_with_region()), from one run of the kernels. */
CalMetrics *cal_gpu_metrics_compute_with_region (CalVkContext     *context,
                                                 CalMask          *reference,
                                                 CalMask          *test,
                                                 CalMask          *region,
                                                 CalProgressFunc   progress,
                                                 gpointer          progress_data,
                                                 GCancellable     *cancellable,
                                                 GError          **error);

G_END_DECLS
