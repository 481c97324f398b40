/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nn-open.h"

#include "cal-nn-cpu.h"

const char *
cal_nn_device_asked (const char *device)
{
  const char *env = g_getenv ("CALVARIA_VK_DEVICE");

  if (device != NULL)
    return device;
  return env != NULL && *env != '\0' ? env : NULL;
}

/* Why the network runs on the CPU, or NULL when it was asked for and
 * nothing needs saying. */
static char *
cpu_notice (CalNnRunner       runner,
            const char       *why,
            CalNnEngineFlags  flags)
{
  gboolean half = (flags & CAL_NN_ENGINE_HALF_STORAGE) != 0;

  if (why == NULL && !half)
    return NULL;
  return g_strdup_printf ("%s%s%s%s", why ? why : "", why ? ". " : "",
                          runner == CAL_NN_RUNNER_REFERENCE ? "The network runs on the CPU reference: exact, but slow."
                                                            : "The network runs on the CPU (oneDNN).",
                          !half ? ""
                          : runner == CAL_NN_RUNNER_REFERENCE ? " Its activations stay 32-bit floats."
                          : " 16-bit activations are for GPUs (this CPU has no 16-bit float arithmetic): "
                            "they stay 32-bit floats.");
}

CalVkContext *
cal_nn_open_device (const char   *device,
                    CalNnRunner  *runner,
                    char        **no_device,
                    GError      **error)
{
  const char *asked = cal_nn_device_asked (device);
  g_autoptr(GError) local = NULL;
  CalVkContext *vk;

  *no_device = NULL;
  *runner = CAL_NN_RUNNER_VULKAN;
  if (asked != NULL && g_ascii_strcasecmp (asked, CAL_NN_DEVICE_REFERENCE) == 0)
    {
      *runner = CAL_NN_RUNNER_REFERENCE;
      return NULL;
    }
  if (asked != NULL && g_ascii_strcasecmp (asked, CAL_NN_DEVICE_CPU) == 0)
    {
      *runner = CAL_NN_RUNNER_CPU;
      return NULL;
    }
  vk = cal_vk_context_new (asked, &local);
  if (vk != NULL)
    {
      /* Not asked for: lavapipe runs the shaders several times slower
       * than oneDNN runs the network on the same cores. */
      if (asked == NULL && cal_vk_context_get_info (vk)->kind == CAL_VK_DEVICE_CPU)
        {
          g_object_unref (vk);
          *runner = CAL_NN_RUNNER_CPU;
          return NULL;
        }
      return vk;
    }
  /* Nothing to choose from at all is not the user's mistake: the CPU
   * still gives the answer. */
  if (asked == NULL && g_error_matches (local, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE))
    {
      *runner = CAL_NN_RUNNER_CPU;
      *no_device = g_strdup_printf ("No Vulkan device (%s)", local->message);
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

CalNnExecutor *
cal_nn_executor_new_on (CalVkContext      *vk,
                        CalNnRunner        runner,
                        CalNnGraph        *graph,
                        CalNnEngineFlags   flags,
                        const char        *no_device,
                        char             **notice,
                        GError           **error)
{
  CalNnEngine *engine;

  if (notice)
    *notice = NULL;
  if (runner == CAL_NN_RUNNER_REFERENCE || runner == CAL_NN_RUNNER_CPU)
    {
      CalNnExecutor *executor = runner == CAL_NN_RUNNER_CPU ? cal_nn_cpu_new (graph, error)
                                                            : cal_nn_reference_new (graph);
      if (executor != NULL && notice)
        *notice = cpu_notice (runner, no_device, flags);
      return executor;
    }
  g_return_val_if_fail (vk != NULL, NULL);
  engine = cal_nn_engine_new_full (vk, graph, flags, error);
  return engine ? cal_nn_engine_as_executor (engine) : NULL;
}

CalNnExecutor *
cal_nn_executor_open (const char        *device,
                      CalNnGraph        *graph,
                      CalNnEngineFlags   flags,
                      char             **notice,
                      GError           **error)
{
  g_autoptr(CalVkContext) vk = NULL;
  g_autofree char *no_device = NULL;
  CalNnRunner runner;
  GError *local = NULL;

  g_return_val_if_fail (graph != NULL, NULL);
  if (notice)
    *notice = NULL;
  vk = cal_nn_open_device (device, &runner, &no_device, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  return cal_nn_executor_new_on (vk, runner, graph, flags, no_device, notice, error);
}
