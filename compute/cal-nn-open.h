/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Choosing what runs a network, the same way for the CLI and the window,
 * and by the same rule as the metrics (cal_evaluate_open_device): a GPU
 * runs Vulkan; without one the network runs on the CPU executor
 * (oneDNN); lavapipe (Mesa's Vulkan on the CPU) and the CPU reference run
 * only when asked for. */
#pragma once

#include "cal-nn-engine.h"

G_BEGIN_DECLS

/* The names that pick the CPU executors. */
#define CAL_NN_DEVICE_REFERENCE "reference"
#define CAL_NN_DEVICE_CPU       "cpu"

typedef enum {
  CAL_NN_RUNNER_VULKAN,
  CAL_NN_RUNNER_CPU,        /* oneDNN (cpu/cal-nn-cpu.h) */
  CAL_NN_RUNNER_REFERENCE,  /* exact, slow */
} CalNnRunner;

/* The device asked for: device, else CALVARIA_VK_DEVICE where it is set
 * and not empty, else NULL (automatic). */
const char    *cal_nn_device_asked      (const char        *device);

/* An executor for a prepared graph (borrowed: it must outlive the
 * executor), chosen by device:
 *  - "cpu": the CPU executor; "reference": the CPU reference;
 *  - NULL (and CALVARIA_VK_DEVICE unset): a GPU, else the CPU executor
 *    (where there is no Vulkan at all, *notice says so);
 *  - an index or part of a name, or "lavapipe" (calvaria-cli devices):
 *    that Vulkan device, or CAL_VK_ERROR_NO_SUCH_DEVICE.
 * CAL_NN_ENGINE_HALF_STORAGE applies to Vulkan devices; elsewhere *notice
 * says the activations stay 32-bit.  *notice is NULL when nothing needs
 * saying. */
CalNnExecutor *cal_nn_executor_open     (const char        *device,
                                         CalNnGraph        *graph,
                                         CalNnEngineFlags   flags,
                                         char             **notice,
                                         GError           **error);

/* The two halves of cal_nn_executor_open(), for callers that keep the
 * device across runs (CalComputeCache).  cal_nn_open_device: the Vulkan
 * context device asks for, or NULL with *runner saying which CPU executor
 * runs instead (and *no_device, to free, why there is no Vulkan where it
 * was not asked for); NULL with error set when the device asked for
 * cannot be had.  cal_nn_executor_new_on: an executor for runner (on vk
 * for Vulkan), *notice from no_device and flags. */
CalVkContext  *cal_nn_open_device       (const char        *device,
                                         CalNnRunner       *runner,
                                         char             **no_device,
                                         GError           **error);
CalNnExecutor *cal_nn_executor_new_on   (CalVkContext      *vk,
                                         CalNnRunner        runner,
                                         CalNnGraph        *graph,
                                         CalNnEngineFlags   flags,
                                         const char        *no_device,
                                         char             **notice,
                                         GError           **error);

G_END_DECLS
