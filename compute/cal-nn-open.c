/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nn-open.h"

/* Why the reference runs, or NULL when it was asked for and nothing needs
 * saying. */
static char *
reference_notice (const char       *why,
                  CalNnEngineFlags  flags)
{
  if (why == NULL && !(flags & CAL_NN_ENGINE_HALF_STORAGE))
    return NULL;
  return g_strdup_printf ("%s%sThe network runs on the CPU reference: exact, but slow%s.",
                          why ? why : "", why ? ". " : "",
                          (flags & CAL_NN_ENGINE_HALF_STORAGE) ? "; its activations stay 32-bit floats" : "");
}

CalVkContext *
cal_nn_open_device (const char  *device,
                    char       **no_device,
                    GError     **error)
{
  g_autoptr(GError) local = NULL;
  CalVkContext *vk;

  *no_device = NULL;
  if (device != NULL && g_ascii_strcasecmp (device, CAL_NN_DEVICE_REFERENCE) == 0)
    return NULL;
  if (device != NULL && g_ascii_strcasecmp (device, "cpu") == 0)
    {
      g_set_error_literal (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE,
                           "The network has no “cpu” device (that is evaluate's). On the CPU, use "
                           "“reference” (exact, slow) or Mesa's lavapipe, a Vulkan device on the CPU "
                           "(package mesa-vulkan-drivers; its number is in “calvaria-cli devices”)");
      return NULL;
    }
  vk = cal_vk_context_new (device, &local);
  if (vk != NULL)
    return vk;
  /* Nothing to choose from at all is not the user's mistake: the
   * reference still gives the right answer. */
  if (!cal_vk_selector_is_explicit (device) && g_error_matches (local, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE))
    {
      *no_device = g_strdup_printf ("No Vulkan device (%s)", local->message);
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

CalNnExecutor *
cal_nn_executor_new_on (CalVkContext      *vk,
                        CalNnGraph        *graph,
                        CalNnEngineFlags   flags,
                        const char        *no_device,
                        char             **notice,
                        GError           **error)
{
  CalNnEngine *engine;

  if (notice)
    *notice = NULL;
  if (vk == NULL)
    {
      if (notice)
        *notice = reference_notice (no_device, flags);
      return cal_nn_reference_new (graph);
    }
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
  GError *local = NULL;

  g_return_val_if_fail (graph != NULL, NULL);
  if (notice)
    *notice = NULL;
  vk = cal_nn_open_device (device, &no_device, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  return cal_nn_executor_new_on (vk, graph, flags, no_device, notice, error);
}
