/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place where a VkResult becomes a GError. */
#include "cal-vk-private.h"

G_DEFINE_QUARK (cal-vk-error-quark, cal_vk_error)

static const char *
result_name (VkResult result)
{
  switch (result)
    {
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_FRAGMENTED_POOL: return "VK_ERROR_FRAGMENTED_POOL";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    case VK_ERROR_INVALID_SHADER_NV: return "VK_ERROR_INVALID_SHADER_NV";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    default: return "VkResult";
    }
}

static CalVkError
result_code (VkResult result)
{
  switch (result)
    {
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY;
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTED_POOL: return CAL_VK_ERROR_OUT_OF_HOST_MEMORY;
    case VK_ERROR_DEVICE_LOST: return CAL_VK_ERROR_DEVICE_LOST;
    case VK_TIMEOUT: return CAL_VK_ERROR_TIMEOUT;
    case VK_ERROR_INCOMPATIBLE_DRIVER:
    case VK_ERROR_INITIALIZATION_FAILED: return CAL_VK_ERROR_NO_DEVICE;
    case VK_ERROR_FEATURE_NOT_PRESENT:
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return CAL_VK_ERROR_UNSUPPORTED;
    case VK_ERROR_INVALID_SHADER_NV: return CAL_VK_ERROR_SHADER;
    default: return CAL_VK_ERROR_FAILED;
    }
}

static const char *
advice (CalVkError code)
{
  switch (code)
    {
    case CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY:
      return "the GPU is out of memory; close other GPU programs, or run on another device or the CPU";
    case CAL_VK_ERROR_OUT_OF_HOST_MEMORY:
      return "the computer is out of memory";
    case CAL_VK_ERROR_DEVICE_LOST:
      return "the driver reset the GPU; the result is lost, run again on another device or the CPU";
    case CAL_VK_ERROR_TIMEOUT:
      return "the GPU did not finish in time";
    case CAL_VK_ERROR_NO_DEVICE:
      return "no usable Vulkan driver; install one (mesa-vulkan-drivers brings lavapipe, a Vulkan device on the CPU; without one, evaluate computes on the CPU and the U-net runs on the slower CPU reference)";
    case CAL_VK_ERROR_UNSUPPORTED:
      return "the device lacks a needed feature";
    default:
      return "the Vulkan driver reported an error";
    }
}

gboolean
cal_vk_check (CalVkContext *context,
              VkResult      result,
              const char   *what,
              GError      **error)
{
  CalVkError code;

  if (result >= 0 && result != VK_TIMEOUT)
    return TRUE;
  code = result_code (result);
  /* A lost device is gone; work still running when a wait timed out
   * cannot be stopped.  Either way the context is unusable from here on. */
  if ((code == CAL_VK_ERROR_DEVICE_LOST || code == CAL_VK_ERROR_TIMEOUT) && context != NULL)
    cal_vk_context_mark_lost (context);
  g_set_error (error, CAL_VK_ERROR, code, "%s failed: %s (%s, %d)", what, advice (code),
               result_name (result), (int) result);
  return FALSE;
}
