/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalVkContext: one Vulkan device with its compute queue, a command buffer
 * for batches of dispatches, GPU timestamps and a pipeline cache kept in
 * the user's cache folder.  The queue has one owner at a time (queue_lock).
 */
#include "cal-vk-context.h"

#include <string.h>

#include "cal-atomic-file.h"
#include "cal-vk-private.h"

#define MAX_TIMESTAMPS     512
#define NAME_SIZE          48
#define FENCE_TIMEOUT_NS   (60 * G_GUINT64_CONSTANT (1000000000))

struct _CalVkContext
{
  GObject          parent_instance;

  /* owned */
  CalVkDeviceInfo *info;
  CalVkDevice      dev;
  VkCommandPool    command_pool;
  VkCommandBuffer  cmd;
  VkFence          fence;
  VkQueryPool      timestamps;      /* VK_NULL_HANDLE where the queue has none */
  char            *cache_path;
  gsize            cache_loaded_size;
  char            *dispatch_names;  /* NAME_SIZE bytes per timed dispatch */

  GMutex           queue_lock;      /* held from batch_begin to batch_submit */
  guint            n_queries;
  CalVkProfile     profile;
  guint64          memory_budget;
  double           submission_target_ms;
  guint64          memory_used;     /* guarded by memory_lock */
  GMutex           memory_lock;
  gboolean         lost;            /* atomic */
  gboolean         has_instance;
};

G_DEFINE_FINAL_TYPE (CalVkContext, cal_vk_context, G_TYPE_OBJECT)

/* Pipeline cache ------------------------------------------------------ */

static char *
pipeline_cache_path (const CalVkDevice *dev)
{
  const guint8 *u = dev->properties.pipelineCacheUUID;
  g_autofree char *name = g_strdup_printf (
    "%04x-%04x-%08x-%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x.pipelines",
    dev->properties.vendorID, dev->properties.deviceID, dev->properties.driverVersion,
    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);

  return g_build_filename (g_get_user_cache_dir (), "calvaria", "vulkan", name, NULL);
}

/* Vulkan validates cache data too, but some drivers have crashed on data
 * from another driver: only offer data whose header names this one. */
static gboolean
pipeline_cache_header_matches (const CalVkDevice *dev,
                               const guint8      *data,
                               gsize              size)
{
  guint32 header_size, version, vendor, device;

  if (size < 16 + VK_UUID_SIZE)
    return FALSE;
  memcpy (&header_size, data, 4);
  memcpy (&version, data + 4, 4);
  memcpy (&vendor, data + 8, 4);
  memcpy (&device, data + 12, 4);
  return header_size >= 16 + VK_UUID_SIZE && header_size <= size &&
         version == VK_PIPELINE_CACHE_HEADER_VERSION_ONE &&
         vendor == dev->properties.vendorID && device == dev->properties.deviceID &&
         memcmp (data + 16, dev->properties.pipelineCacheUUID, VK_UUID_SIZE) == 0;
}

static gboolean
create_pipeline_cache (CalVkContext *self,
                       GError      **error)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  VkPipelineCacheCreateInfo info = { .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO };

  self->cache_path = pipeline_cache_path (&self->dev);
  if (g_file_get_contents (self->cache_path, &data, &size, NULL) &&
      pipeline_cache_header_matches (&self->dev, (const guint8 *) data, size))
    {
      info.initialDataSize = size;
      info.pInitialData = data;
      self->cache_loaded_size = size;
    }
  return cal_vk_check (self, self->dev.vk.vkCreatePipelineCache (self->dev.device, &info, NULL,
                                                                  &self->dev.pipeline_cache),
                       "Creating the pipeline cache", error);
}

/* Best effort: a cache that cannot be written only costs start-up time. */
static void
save_pipeline_cache (CalVkContext *self)
{
  const struct VolkDeviceTable *vk = &self->dev.vk;
  g_autofree char *dir = NULL;
  g_autofree void *data = NULL;
  size_t size = 0;

  if (self->dev.pipeline_cache == VK_NULL_HANDLE || self->cache_path == NULL || self->lost ||
      vk->vkGetPipelineCacheData (self->dev.device, self->dev.pipeline_cache, &size, NULL) != VK_SUCCESS ||
      size == 0 || size == self->cache_loaded_size)
    return;
  data = g_malloc (size);
  if (vk->vkGetPipelineCacheData (self->dev.device, self->dev.pipeline_cache, &size, data) != VK_SUCCESS)
    return;
  dir = g_path_get_dirname (self->cache_path);
  if (g_mkdir_with_parents (dir, 0700) == 0)
    cal_atomic_file_replace (self->cache_path, data, size, NULL);
}

/* Device -------------------------------------------------------------- */

static gboolean
has_storage16 (VkPhysicalDevice physical)
{
  VkPhysicalDeviceVulkan11Features v11 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES };
  VkPhysicalDeviceFeatures2 features = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &v11 };

  vkGetPhysicalDeviceFeatures2 (physical, &features);
  return v11.storageBuffer16BitAccess;
}

static gboolean
has_device_extension (VkPhysicalDevice  physical,
                      const char       *name)
{
  guint32 n = 0;
  g_autofree VkExtensionProperties *all = NULL;
  gboolean found = FALSE;

  if (vkEnumerateDeviceExtensionProperties (physical, NULL, &n, NULL) != VK_SUCCESS || n == 0)
    return FALSE;
  all = g_new0 (VkExtensionProperties, n);
  if (vkEnumerateDeviceExtensionProperties (physical, NULL, &n, all) != VK_SUCCESS)
    return FALSE;
  for (guint32 i = 0; i < n && !found; i++)
    found = g_strcmp0 (all[i].extensionName, name) == 0;
  return found;
}

static gboolean
create_device (CalVkContext      *self,
               VkPhysicalDevice   physical,
               guint32            family,
               GError           **error)
{
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue = {
    .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
    .queueFamilyIndex = family,
    .queueCount = 1,
    .pQueuePriorities = &priority,
  };
  VkPhysicalDeviceVulkan11Features v11 = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
  };
  VkPhysicalDeviceVulkan12Features v12 = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
    .pNext = &v11,
    .bufferDeviceAddress = VK_TRUE,
  };
  const char *push_descriptors = VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
  VkDeviceCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
    .pNext = &v12,
    .queueCreateInfoCount = 1,
    .pQueueCreateInfos = &queue,
  };
  VkPhysicalDeviceMaintenance3Properties maintenance3 = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES,
  };
  VkPhysicalDeviceProperties2 properties = {
    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
    .pNext = &maintenance3,
  };
  CalVkDevice *dev = &self->dev;

  dev->physical = physical;
  dev->queue_family = family;
  vkGetPhysicalDeviceProperties2 (physical, &properties);
  dev->properties = properties.properties;
  dev->max_allocation = maintenance3.maxMemoryAllocationSize;
  vkGetPhysicalDeviceMemoryProperties (physical, &dev->memory);
  /* Optional: 16-bit floats in storage buffers, for engines that keep
   * activations in half precision. */
  dev->storage16 = has_storage16 (physical);
  v11.storageBuffer16BitAccess = dev->storage16;
  /* Optional: without it the network kernels load through buffer addresses. */
  dev->push_descriptors = has_device_extension (physical, push_descriptors);
  info.enabledExtensionCount = dev->push_descriptors ? 1 : 0;
  info.ppEnabledExtensionNames = &push_descriptors;
  if (!cal_vk_check (self, vkCreateDevice (physical, &info, NULL, &dev->device),
                     "Opening the Vulkan device", error))
    return FALSE;
  volkLoadDeviceTable (&dev->vk, dev->device);
  dev->vk.vkGetDeviceQueue (dev->device, family, 0, &dev->queue);

  /* Unified memory (integrated GPUs, lavapipe): no staging copies. */
  dev->unified_memory = self->info->kind == CAL_VK_DEVICE_INTEGRATED || self->info->kind == CAL_VK_DEVICE_CPU;
  return TRUE;
}

static gboolean
create_commands (CalVkContext *self,
                 GError      **error)
{
  const struct VolkDeviceTable *vk = &self->dev.vk;
  VkDevice device = self->dev.device;
  VkCommandPoolCreateInfo pool = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
    .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
    .queueFamilyIndex = self->dev.queue_family,
  };
  VkCommandBufferAllocateInfo alloc = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
    .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
    .commandBufferCount = 1,
  };
  VkFenceCreateInfo fence = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
  VkQueueFamilyProperties families[32];
  guint32 n_families = G_N_ELEMENTS (families);

  if (!cal_vk_check (self, vk->vkCreateCommandPool (device, &pool, NULL, &self->command_pool),
                     "Creating a command pool", error))
    return FALSE;
  alloc.commandPool = self->command_pool;
  if (!cal_vk_check (self, vk->vkAllocateCommandBuffers (device, &alloc, &self->cmd),
                     "Allocating a command buffer", error) ||
      !cal_vk_check (self, vk->vkCreateFence (device, &fence, NULL, &self->fence),
                     "Creating a fence", error))
    return FALSE;

  vkGetPhysicalDeviceQueueFamilyProperties (self->dev.physical, &n_families, families);
  if (families[self->dev.queue_family].timestampValidBits > 0 &&
      self->dev.properties.limits.timestampPeriod > 0)
    {
      VkQueryPoolCreateInfo query = {
        .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
        .queryType = VK_QUERY_TYPE_TIMESTAMP,
        .queryCount = MAX_TIMESTAMPS,
      };
      if (vk->vkCreateQueryPool (device, &query, NULL, &self->timestamps) != VK_SUCCESS)
        self->timestamps = VK_NULL_HANDLE;   /* timing is optional */
    }
  self->dispatch_names = g_malloc0 (NAME_SIZE * MAX_TIMESTAMPS / 2);
  return TRUE;
}

static void
cal_vk_context_finalize (GObject *object)
{
  CalVkContext *self = CAL_VK_CONTEXT (object);
  const struct VolkDeviceTable *vk = &self->dev.vk;
  VkDevice device = self->dev.device;

  if (device != VK_NULL_HANDLE)
    {
      vk->vkDeviceWaitIdle (device);
      save_pipeline_cache (self);
      if (self->dev.pipeline_cache)
        vk->vkDestroyPipelineCache (device, self->dev.pipeline_cache, NULL);
      if (self->timestamps)
        vk->vkDestroyQueryPool (device, self->timestamps, NULL);
      if (self->fence)
        vk->vkDestroyFence (device, self->fence, NULL);
      if (self->command_pool)
        vk->vkDestroyCommandPool (device, self->command_pool, NULL);
      vk->vkDestroyDevice (device, NULL);
    }
  if (self->has_instance)
    cal_vk_instance_release ();
  cal_vk_device_info_free (self->info);
  g_free (self->cache_path);
  g_free (self->dispatch_names);
  g_mutex_clear (&self->queue_lock);
  g_mutex_clear (&self->memory_lock);
  G_OBJECT_CLASS (cal_vk_context_parent_class)->finalize (object);
}

static void
cal_vk_context_class_init (CalVkContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_vk_context_finalize;
}

static void
cal_vk_context_init (CalVkContext *self)
{
  g_mutex_init (&self->queue_lock);
  g_mutex_init (&self->memory_lock);
  self->submission_target_ms = 20.0;
}

gboolean
cal_vk_selector_is_explicit (const char *selector)
{
  const char *env = g_getenv ("CALVARIA_VK_DEVICE");

  return selector != NULL || (env != NULL && *env != '\0');
}

/* A named device where none exists at all is a name that matches nothing. */
static void
name_the_missing_device (const char  *selector,
                         GError     **error)
{
  const char *named = selector ? selector : g_getenv ("CALVARIA_VK_DEVICE");
  g_autofree char *reason = NULL;

  if (error == NULL || !g_error_matches (*error, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE) ||
      !cal_vk_selector_is_explicit (selector))
    return;
  reason = g_strdup ((*error)->message);
  g_clear_error (error);
  g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE, "No Vulkan device matches “%s”: %s", named,
               reason);
}

static CalVkContext *
cal_vk_context_open (const char  *selector,
                     GError     **error)
{
  g_autoptr(CalVkContext) self = g_object_new (CAL_TYPE_VK_CONTEXT, NULL);
  g_autoptr(GPtrArray) devices = NULL;
  g_autofree VkPhysicalDevice *physical = NULL;
  g_autofree guint32 *families = NULL;
  VkInstance instance;
  int chosen;

  if ((instance = cal_vk_instance_acquire (error)) == VK_NULL_HANDLE)
    return NULL;
  self->has_instance = TRUE;
  if ((devices = cal_vk_enumerate (instance, &physical, &families, error)) == NULL ||
      (chosen = cal_vk_choose_device (devices, selector, error)) < 0)
    return NULL;
  self->info = g_ptr_array_steal_index (devices, chosen);
  /* steal_index shifted the rest; physical[] and families[] did not move. */
  if (!create_device (self, physical[chosen], families[chosen], error) ||
      !create_commands (self, error) ||
      !create_pipeline_cache (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

CalVkContext *
cal_vk_context_new (const char  *selector,
                    GError     **error)
{
  CalVkContext *context = cal_vk_context_open (selector, error);

  if (context == NULL)
    name_the_missing_device (selector, error);
  return context;
}

const CalVkDeviceInfo *
cal_vk_context_get_info (CalVkContext *self)
{
  g_return_val_if_fail (CAL_IS_VK_CONTEXT (self), NULL);
  return self->info;
}

const CalVkDevice *
cal_vk_context_get_device (CalVkContext *self)
{
  return &self->dev;
}

void
cal_vk_context_set_memory_budget (CalVkContext *self,
                                  guint64       bytes)
{
  g_return_if_fail (CAL_IS_VK_CONTEXT (self));
  self->memory_budget = bytes;
}

gboolean
cal_vk_context_reserve_memory (CalVkContext *self,
                               gint64        bytes)
{
  gboolean ok = TRUE;

  g_mutex_lock (&self->memory_lock);
  if (bytes > 0 && self->memory_budget != 0 && self->memory_used + (guint64) bytes > self->memory_budget)
    ok = FALSE;
  else
    self->memory_used = (guint64) ((gint64) self->memory_used + bytes);
  g_mutex_unlock (&self->memory_lock);
  return ok;
}

void
cal_vk_context_set_submission_target (CalVkContext *self,
                                      double        milliseconds)
{
  g_return_if_fail (CAL_IS_VK_CONTEXT (self));
  g_return_if_fail (milliseconds > 0);
  self->submission_target_ms = milliseconds;
}

double
cal_vk_context_get_submission_target (CalVkContext *self)
{
  g_return_val_if_fail (CAL_IS_VK_CONTEXT (self), 20.0);
  return self->submission_target_ms;
}

void
cal_vk_context_get_profile (CalVkContext *self,
                            CalVkProfile *profile)
{
  g_return_if_fail (CAL_IS_VK_CONTEXT (self));
  *profile = self->profile;
  profile->has_timestamps = self->timestamps != VK_NULL_HANDLE;
}

void
cal_vk_context_reset_profile (CalVkContext *self)
{
  g_return_if_fail (CAL_IS_VK_CONTEXT (self));
  memset (&self->profile, 0, sizeof self->profile);
}

void
cal_vk_context_mark_lost (CalVkContext *self)
{
  g_atomic_int_set (&self->lost, TRUE);
}

gboolean
cal_vk_context_is_lost (CalVkContext *self)
{
  g_return_val_if_fail (CAL_IS_VK_CONTEXT (self), TRUE);
  return g_atomic_int_get (&self->lost);
}

char *
cal_vk_context_dup_pipeline_cache_path (CalVkContext *self)
{
  g_return_val_if_fail (CAL_IS_VK_CONTEXT (self), NULL);
  return g_strdup (self->cache_path);
}

/* Batches ------------------------------------------------------------- */

gboolean
cal_vk_batch_begin (CalVkContext *self,
                    GError      **error)
{
  const struct VolkDeviceTable *vk = &self->dev.vk;
  VkCommandBufferBeginInfo begin = {
    .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
    .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };

  if (cal_vk_context_is_lost (self))
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_DEVICE_LOST,
                   "The Vulkan device “%s” was lost earlier; run on another device or the CPU",
                   self->info->name);
      return FALSE;
    }
  g_mutex_lock (&self->queue_lock);
  if (!cal_vk_check (self, vk->vkResetCommandBuffer (self->cmd, 0), "Resetting a command buffer", error) ||
      !cal_vk_check (self, vk->vkBeginCommandBuffer (self->cmd, &begin), "Recording commands", error))
    {
      g_mutex_unlock (&self->queue_lock);
      return FALSE;
    }
  if (self->timestamps)
    vk->vkCmdResetQueryPool (self->cmd, self->timestamps, 0, MAX_TIMESTAMPS);
  self->n_queries = 0;
  return TRUE;
}

VkCommandBuffer
cal_vk_batch_command_buffer (CalVkContext *self)
{
  return self->cmd;
}

void
cal_vk_batch_dispatch (CalVkContext *self,
                       CalVkKernel  *kernel,
                       gconstpointer push,
                       guint32       n_invocations)
{
  cal_vk_batch_dispatch_texels (self, kernel, push, NULL, n_invocations);
}

void
cal_vk_batch_dispatch_texels (CalVkContext       *self,
                              CalVkKernel        *kernel,
                              gconstpointer       push,
                              const VkBufferView *views,
                              guint32             n_invocations)
{
  const struct VolkDeviceTable *vk = &self->dev.vk;
  gboolean timed = self->timestamps && self->n_queries + 2 <= MAX_TIMESTAMPS;

  if (timed)
    {
      g_strlcpy (self->dispatch_names + NAME_SIZE * (self->n_queries / 2), kernel->name, NAME_SIZE);
      vk->vkCmdWriteTimestamp (self->cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, self->timestamps,
                               self->n_queries);
    }
  cal_vk_kernel_record (&self->dev, kernel, self->cmd, push, views, n_invocations);
  if (timed)
    {
      vk->vkCmdWriteTimestamp (self->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, self->timestamps,
                               self->n_queries + 1);
      self->n_queries += 2;
    }
  self->profile.n_dispatches++;
}

void
cal_vk_batch_barrier (CalVkContext *self)
{
  VkMemoryBarrier barrier = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
    .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                     VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
  };

  self->dev.vk.vkCmdPipelineBarrier (self->cmd,
                                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                                     0, 1, &barrier, 0, NULL, 0, NULL);
}

static void
read_timestamps (CalVkContext *self)
{
  guint64 ticks[MAX_TIMESTAMPS];
  double period_ms = self->dev.properties.limits.timestampPeriod * 1e-6;

  if (self->n_queries == 0 ||
      self->dev.vk.vkGetQueryPoolResults (self->dev.device, self->timestamps, 0, self->n_queries,
                                          sizeof ticks, ticks, sizeof ticks[0],
                                          VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) != VK_SUCCESS)
    return;
  for (guint q = 0; q < self->n_queries; q += 2)
    {
      double ms = (double) (ticks[q + 1] - ticks[q]) * period_ms;
      self->profile.total_ms += ms;
      if (ms > self->profile.max_dispatch_ms)
        {
          self->profile.max_dispatch_ms = ms;
          g_strlcpy (self->profile.max_dispatch_name, self->dispatch_names + NAME_SIZE * (q / 2),
                     sizeof self->profile.max_dispatch_name);
        }
    }
}

gboolean
cal_vk_batch_submit (CalVkContext *self,
                     GError      **error)
{
  const struct VolkDeviceTable *vk = &self->dev.vk;
  VkSubmitInfo submit = {
    .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
    .commandBufferCount = 1,
    .pCommandBuffers = &self->cmd,
  };
  gint64 start;
  gboolean ok;

  ok = cal_vk_check (self, vk->vkEndCommandBuffer (self->cmd), "Recording commands", error) &&
       cal_vk_check (self, vk->vkResetFences (self->dev.device, 1, &self->fence), "Resetting a fence", error);
  start = g_get_monotonic_time ();
  ok = ok && cal_vk_check (self, vk->vkQueueSubmit (self->dev.queue, 1, &submit, self->fence),
                           "Submitting work to the GPU", error);
  if (ok)
    {
      VkResult waited = vk->vkWaitForFences (self->dev.device, 1, &self->fence, VK_TRUE, FENCE_TIMEOUT_NS);
      ok = cal_vk_check (self, waited, "Waiting for the GPU", error);
    }
  if (ok)
    {
      double ms = (double) (g_get_monotonic_time () - start) / 1000.0;
      self->profile.n_submissions++;
      self->profile.max_submission_ms = MAX (self->profile.max_submission_ms, ms);
      if (self->timestamps)
        read_timestamps (self);
    }
  g_mutex_unlock (&self->queue_lock);
  return ok;
}
