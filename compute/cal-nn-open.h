/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Choosing what runs a network, the same way for the CLI and the window. */
#pragma once

#include "cal-nn-engine.h"

G_BEGIN_DECLS

/* The name that picks the CPU reference executor. */
#define CAL_NN_DEVICE_REFERENCE "reference"

/* An executor for a prepared graph (borrowed: it must outlive the
 * executor), chosen by device:
 *  - "reference": the CPU reference (exact, slow);
 *  - NULL: CALVARIA_VK_DEVICE, else the default Vulkan device; where there
 *    is no Vulkan loader or device at all, the CPU reference, and *notice
 *    says so (it is NULL otherwise);
 *  - an index or part of a name (calvaria-cli devices): that Vulkan device,
 *    or CAL_VK_ERROR_NO_SUCH_DEVICE.
 * "cpu" is refused with CAL_VK_ERROR_NO_SUCH_DEVICE and the choices that
 * exist.  CAL_NN_ENGINE_HALF_STORAGE applies to Vulkan devices only. */
CalNnExecutor *cal_nn_executor_open (const char        *device,
                                     CalNnGraph        *graph,
                                     CalNnEngineFlags   flags,
                                     char             **notice,
                                     GError           **error);

/* The two halves of cal_nn_executor_open(), for callers that keep the
 * device across runs (CalComputeCache).  cal_nn_open_device: the Vulkan
 * context the name asks for, or NULL: with error set when it cannot be
 * had; without, for the CPU reference, *no_device then saying why where
 * it was not asked for (free it).  cal_nn_executor_new_on: an executor on
 * vk (NULL: the reference, with *notice from no_device and flags). */
CalVkContext  *cal_nn_open_device     (const char        *device,
                                       char             **no_device,
                                       GError           **error);
CalNnExecutor *cal_nn_executor_new_on (CalVkContext      *vk,
                                       CalNnGraph        *graph,
                                       CalNnEngineFlags   flags,
                                       const char        *no_device,
                                       char             **notice,
                                       GError           **error);

G_END_DECLS
