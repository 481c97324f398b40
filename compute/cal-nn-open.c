/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-nn-open.h"

static CalNnExecutor *
open_reference (CalNnGraph        *graph,
                CalNnEngineFlags   flags,
                const char        *why,
                char             **notice)
{
  if (notice && (why || (flags & CAL_NN_ENGINE_HALF_STORAGE)))
    *notice = g_strdup_printf ("%s%sThe network runs on the CPU reference: exact, but slow%s.",
                               why ? why : "", why ? ". " : "",
                               (flags & CAL_NN_ENGINE_HALF_STORAGE) ? "; its activations stay 32-bit floats" : "");
  return cal_nn_reference_new (graph);
}

CalNnExecutor *
cal_nn_executor_open (const char        *device,
                      CalNnGraph        *graph,
                      CalNnEngineFlags   flags,
                      char             **notice,
                      GError           **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(CalVkContext) vk = NULL;
  CalNnEngine *engine;

  g_return_val_if_fail (graph != NULL, NULL);
  if (notice)
    *notice = NULL;
  if (device != NULL && g_ascii_strcasecmp (device, CAL_NN_DEVICE_REFERENCE) == 0)
    return open_reference (graph, flags, NULL, notice);
  if (device != NULL && g_ascii_strcasecmp (device, "cpu") == 0)
    {
      g_set_error_literal (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE,
                           "The network has no “cpu” device (that is evaluate's). On the CPU, use "
                           "“reference” (exact, slow) or Mesa's lavapipe, a Vulkan device on the CPU "
                           "(package mesa-vulkan-drivers; its number is in “calvaria-cli devices”)");
      return NULL;
    }
  vk = cal_vk_context_new (device, &local);
  if (vk == NULL)
    {
      /* Nothing to choose from at all is not the user's mistake: the
       * reference still gives the right answer. */
      if (!cal_vk_selector_is_explicit (device) && g_error_matches (local, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE))
        {
          g_autofree char *why = g_strdup_printf ("No Vulkan device (%s)", local->message);
          return open_reference (graph, flags, why, notice);
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  engine = cal_nn_engine_new_full (vk, graph, flags, error);
  return engine ? cal_nn_engine_as_executor (engine) : NULL;
}
