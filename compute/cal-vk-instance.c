/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The process's Vulkan instance (through volk, so no link-time dependency
 * on the loader) and the description of its physical devices. */
#include "cal-vk-private.h"

#include <string.h>

static GMutex instance_lock;
static VkInstance instance;
static guint instance_users;

VkInstance
cal_vk_instance_acquire (GError **error)
{
  VkInstance result = VK_NULL_HANDLE;

  g_mutex_lock (&instance_lock);
  if (instance == VK_NULL_HANDLE)
    {
      VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "Calvaria",
        .pEngineName = "Calvaria",
        .apiVersion = VK_API_VERSION_1_2,
      };
      VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
      };

      if (volkInitialize () != VK_SUCCESS)
        {
          g_set_error_literal (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE,
                               "No Vulkan loader (libvulkan.so.1) is installed; install "
                               "libvulkan1 and a driver (mesa-vulkan-drivers brings lavapipe, "
                               "a Vulkan device on the CPU)");
          goto out;
        }
      if (volkGetInstanceVersion () < VK_API_VERSION_1_2)
        {
          g_set_error_literal (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE,
                               "The Vulkan loader is older than Vulkan 1.2; update it (package libvulkan1)");
          goto out;
        }
      if (!cal_vk_check (NULL, vkCreateInstance (&info, NULL, &instance), "Creating the Vulkan instance", error))
        {
          instance = VK_NULL_HANDLE;
          goto out;
        }
      volkLoadInstanceOnly (instance);
    }
  instance_users++;
  result = instance;
out:
  g_mutex_unlock (&instance_lock);
  return result;
}

void
cal_vk_instance_release (void)
{
  g_mutex_lock (&instance_lock);
  g_assert (instance_users > 0);
  if (--instance_users == 0)
    {
      vkDestroyInstance (instance, NULL);
      instance = VK_NULL_HANDLE;
    }
  g_mutex_unlock (&instance_lock);
}

static CalVkDeviceKind
kind_from_type (VkPhysicalDeviceType type)
{
  switch (type)
    {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return CAL_VK_DEVICE_DISCRETE;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return CAL_VK_DEVICE_INTEGRATED;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return CAL_VK_DEVICE_VIRTUAL;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return CAL_VK_DEVICE_CPU;
    default: return CAL_VK_DEVICE_OTHER;
    }
}

const char *
cal_vk_device_kind_name (CalVkDeviceKind kind)
{
  static const char *names[] = { "discrete GPU", "integrated GPU", "virtual GPU", "other", "CPU" };
  return names[kind];
}

void
cal_vk_device_info_free (CalVkDeviceInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->driver);
  g_free (info->unusable_reason);
  g_free (info);
}

static void
describe_device (VkPhysicalDevice  device,
                 guint             index,
                 CalVkDeviceInfo  *info,
                 guint32          *compute_family)
{
  VkPhysicalDeviceDriverProperties driver = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES };
  VkPhysicalDeviceProperties2 props = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 };
  VkPhysicalDeviceMemoryProperties memory;
  VkQueueFamilyProperties families[32];
  guint32 n_families = G_N_ELEMENTS (families);

  vkGetPhysicalDeviceProperties (device, &props.properties);
  if (props.properties.apiVersion >= VK_API_VERSION_1_2)
    {
      props.pNext = &driver;
      vkGetPhysicalDeviceProperties2 (device, &props);
    }
  info->index = index;
  info->name = g_strdup (props.properties.deviceName);
  info->kind = kind_from_type (props.properties.deviceType);
  info->api_version = props.properties.apiVersion;
  if (driver.driverName[0])
    info->driver = g_strdup_printf ("%s %s", driver.driverName, driver.driverInfo);
  else
    info->driver = g_strdup_printf ("driver version %u", props.properties.driverVersion);

  vkGetPhysicalDeviceMemoryProperties (device, &memory);
  for (guint32 h = 0; h < memory.memoryHeapCount; h++)
    if (memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      info->device_memory += memory.memoryHeaps[h].size;

  *compute_family = G_MAXUINT32;
  vkGetPhysicalDeviceQueueFamilyProperties (device, &n_families, families);
  for (guint32 f = 0; f < n_families && *compute_family == G_MAXUINT32; f++)
    if (families[f].queueFlags & VK_QUEUE_COMPUTE_BIT)
      *compute_family = f;

  if (props.properties.apiVersion < VK_API_VERSION_1_2)
    info->unusable_reason = g_strdup ("supports only Vulkan 1.0 or 1.1 (1.2 needed)");
  else if (*compute_family == G_MAXUINT32)
    info->unusable_reason = g_strdup ("has no compute queue");
  else
    {
      VkPhysicalDeviceVulkan12Features v12 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES };
      VkPhysicalDeviceFeatures2 features = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &v12 };
      vkGetPhysicalDeviceFeatures2 (device, &features);
      if (!v12.bufferDeviceAddress)
        info->unusable_reason = g_strdup ("lacks buffer device addresses (bufferDeviceAddress)");
    }
  info->usable = info->unusable_reason == NULL;
}

static int
rank (const CalVkDeviceInfo *info)
{
  return info->usable ? (int) info->kind : 100;
}

/* Which device a selector names: an index, or part of the name. */
static int
match_selector (GPtrArray  *devices,
                const char *selector)
{
  char *end = NULL;
  guint64 index = g_ascii_strtoull (selector, &end, 10);
  g_autofree char *wanted = g_utf8_casefold (selector, -1);

  if (end != selector && *end == '\0')
    return index < devices->len ? (int) index : -1;
  /* "lavapipe": Mesa's Vulkan on the CPU, whatever its driver calls it
   * (llvmpipe), or any other software device. */
  if (g_str_equal (wanted, "lavapipe"))
    for (guint i = 0; i < devices->len; i++)
      if (((const CalVkDeviceInfo *) g_ptr_array_index (devices, i))->kind == CAL_VK_DEVICE_CPU)
        return (int) i;
  for (guint i = 0; i < devices->len; i++)
    {
      const CalVkDeviceInfo *info = g_ptr_array_index (devices, i);
      g_autofree char *name = g_utf8_casefold (info->name, -1);
      if (strstr (name, wanted) != NULL)
        return (int) i;
    }
  return -1;
}

/* The index of the device to use, or -1 with an error. */
int
cal_vk_choose_device (GPtrArray   *devices,
                      const char  *selector,
                      GError     **error)
{
  const char *env = g_getenv ("CALVARIA_VK_DEVICE");
  int best = -1;

  if (selector == NULL && env != NULL && *env != '\0')
    selector = env;
  if (selector != NULL)
    {
      int chosen = match_selector (devices, selector);
      if (chosen < 0)
        {
          g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE,
                       "No Vulkan device matches “%s” (%u found; see `calvaria-cli devices`)",
                       selector, devices->len);
          return -1;
        }
      if (!((CalVkDeviceInfo *) g_ptr_array_index (devices, chosen))->usable)
        {
          const CalVkDeviceInfo *info = g_ptr_array_index (devices, chosen);
          g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_UNSUPPORTED,
                       "Vulkan device %d (%s) cannot be used: it %s", chosen, info->name,
                       info->unusable_reason);
          return -1;
        }
      return chosen;
    }
  for (guint i = 0; i < devices->len; i++)
    if (best < 0 || rank (g_ptr_array_index (devices, i)) < rank (g_ptr_array_index (devices, best)))
      best = (int) i;
  if (best < 0 || !((CalVkDeviceInfo *) g_ptr_array_index (devices, best))->usable)
    {
      g_set_error_literal (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE,
                           "No usable Vulkan device (Vulkan 1.2 with a compute queue and buffer device addresses) was found");
      return -1;
    }
  return best;
}

GPtrArray *
cal_vk_enumerate (VkInstance          inst,
                  VkPhysicalDevice  **physical,
                  guint32           **families,
                  GError            **error)
{
  guint32 n = 0;
  GPtrArray *devices;

  if (!cal_vk_check (NULL, vkEnumeratePhysicalDevices (inst, &n, NULL), "Listing Vulkan devices", error))
    return NULL;
  *physical = g_new0 (VkPhysicalDevice, MAX (n, 1));
  *families = g_new0 (guint32, MAX (n, 1));
  if (!cal_vk_check (NULL, vkEnumeratePhysicalDevices (inst, &n, *physical), "Listing Vulkan devices", error))
    {
      g_clear_pointer (physical, g_free);
      g_clear_pointer (families, g_free);
      return NULL;
    }
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) cal_vk_device_info_free);
  for (guint32 i = 0; i < n; i++)
    {
      CalVkDeviceInfo *info = g_new0 (CalVkDeviceInfo, 1);
      describe_device ((*physical)[i], i, info, &(*families)[i]);
      g_ptr_array_add (devices, info);
    }
  return devices;
}

GPtrArray *
cal_vk_list_devices (int     *chosen,
                     GError **error)
{
  VkInstance inst = cal_vk_instance_acquire (error);
  g_autofree VkPhysicalDevice *physical = NULL;
  g_autofree guint32 *families = NULL;
  GPtrArray *devices;

  if (inst == VK_NULL_HANDLE)
    return NULL;
  devices = cal_vk_enumerate (inst, &physical, &families, error);
  cal_vk_instance_release ();
  if (devices != NULL && chosen != NULL)
    *chosen = cal_vk_choose_device (devices, NULL, NULL);
  return devices;
}
