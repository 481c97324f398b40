/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Storage buffers: device-local memory, mapped directly where the device
 * shares memory with the host (integrated GPUs, lavapipe), filled and read
 * through a staging buffer elsewhere. */
#include "cal-vk-private.h"

#include <string.h>

#define STAGING_CHUNK (64u << 20)

static int
find_memory_type (const VkPhysicalDeviceMemoryProperties *memory,
                  guint32                                 allowed,
                  VkMemoryPropertyFlags                   wanted)
{
  for (guint32 t = 0; t < memory->memoryTypeCount; t++)
    if ((allowed & (1u << t)) && (memory->memoryTypes[t].propertyFlags & wanted) == wanted)
      return (int) t;
  return -1;
}

static CalVkBuffer *
buffer_new (CalVkContext         *context,
            VkDeviceSize          size,
            gboolean              staging,
            const char           *what,
            GError              **error)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  const struct VolkDeviceTable *vk = &dev->vk;
  g_autofree char *action = g_strdup_printf ("Allocating %s (%.1f MiB)", what, size / 1048576.0);
  VkBufferCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
    .size = MAX (size, 4),
    .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
             (staging ? 0 : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT |
                            VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT),
    .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
  };
  VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  VkMemoryRequirements needs;
  VkMemoryAllocateFlagsInfo flags = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
    .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
  };
  VkMemoryAllocateInfo alloc = {
    .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
    .pNext = staging ? NULL : &flags,
  };
  g_autofree CalVkBuffer *buffer = g_new0 (CalVkBuffer, 1);
  int type = -1;

  if (size > dev->max_allocation)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_UNSUPPORTED,
                   "%s: %.0f MiB is more than this device allocates at once (%.0f MiB); "
                   "crop the volume or use another device", action, size / 1048576.0,
                   dev->max_allocation / 1048576.0);
      return NULL;
    }
  if (!cal_vk_context_reserve_memory (context, (gint64) info.size))
    {
      cal_vk_check (context, VK_ERROR_OUT_OF_DEVICE_MEMORY, action, error);
      return NULL;
    }
  buffer->size = size;
  if (!cal_vk_check (context, vk->vkCreateBuffer (dev->device, &info, NULL, &buffer->buffer), action, error))
    goto fail;
  vk->vkGetBufferMemoryRequirements (dev->device, buffer->buffer, &needs);
  if (staging)
    type = find_memory_type (&dev->memory, needs.memoryTypeBits, host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
  else if (dev->unified_memory)
    type = find_memory_type (&dev->memory, needs.memoryTypeBits, host | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  if (type < 0)
    type = find_memory_type (&dev->memory, needs.memoryTypeBits,
                             staging ? host : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  if (type < 0)
    type = find_memory_type (&dev->memory, needs.memoryTypeBits, 0);
  alloc.allocationSize = needs.size;
  alloc.memoryTypeIndex = (guint32) type;
  if (!cal_vk_check (context, vk->vkAllocateMemory (dev->device, &alloc, NULL, &buffer->memory), action, error) ||
      !cal_vk_check (context, vk->vkBindBufferMemory (dev->device, buffer->buffer, buffer->memory, 0), action, error))
    goto fail;
  if ((dev->memory.memoryTypes[type].propertyFlags & host) == host &&
      !cal_vk_check (context, vk->vkMapMemory (dev->device, buffer->memory, 0, VK_WHOLE_SIZE, 0, &buffer->mapped),
                     action, error))
    goto fail;
  if (!staging)
    {
      VkBufferDeviceAddressInfo address = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
        .buffer = buffer->buffer,
      };
      buffer->address = vk->vkGetBufferDeviceAddress (dev->device, &address);
    }
  return g_steal_pointer (&buffer);

fail:
  cal_vk_buffer_free (context, g_steal_pointer (&buffer));
  return NULL;
}

CalVkBuffer *
cal_vk_buffer_new (CalVkContext *context,
                   VkDeviceSize  size,
                   const char   *what,
                   GError      **error)
{
  return buffer_new (context, size, FALSE, what, error);
}

void
cal_vk_buffer_free (CalVkContext *context,
                    CalVkBuffer  *buffer)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);

  if (buffer == NULL)
    return;
  for (guint v = 0; v < G_N_ELEMENTS (buffer->views); v++)
    if (buffer->views[v])
      dev->vk.vkDestroyBufferView (dev->device, buffer->views[v], NULL);
  if (buffer->buffer)
    dev->vk.vkDestroyBuffer (dev->device, buffer->buffer, NULL);
  if (buffer->memory)
    dev->vk.vkFreeMemory (dev->device, buffer->memory, NULL);
  cal_vk_context_reserve_memory (context, -(gint64) MAX (buffer->size, 4));
  g_free (buffer);
}

VkBufferView
cal_vk_buffer_texels (CalVkContext *context,
                      CalVkBuffer  *buffer,
                      CalVkTexels   texels,
                      GError      **error)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  static const VkFormat formats[] = { VK_FORMAT_R32_SFLOAT, VK_FORMAT_R32G32B32A32_SFLOAT, VK_FORMAT_R16_SFLOAT,
                                      VK_FORMAT_R16G16B16A16_SFLOAT };
  static const VkDeviceSize sizes[] = { 4, 16, 2, 8 };
  VkDeviceSize texel_size = sizes[texels];
  VkBufferViewCreateInfo info = {
    .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
    .buffer = buffer->buffer,
    .format = formats[texels],
    .range = MAX (buffer->size, texel_size) / texel_size * texel_size,
  };
  VkFormatProperties format;

  if (buffer->views[texels])
    return buffer->views[texels];
  vkGetPhysicalDeviceFormatProperties (dev->physical, info.format, &format);
  if (!dev->push_descriptors || info.range == 0 ||
      !(format.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT) ||
      info.range / texel_size > dev->properties.limits.maxTexelBufferElements)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_UNSUPPORTED,
                   "This device cannot read a %.1f MiB buffer as texels", buffer->size / 1048576.0);
      return VK_NULL_HANDLE;
    }
  if (!cal_vk_check (context, dev->vk.vkCreateBufferView (dev->device, &info, NULL, &buffer->views[texels]),
                     "Creating a texel view of a buffer", error))
    return VK_NULL_HANDLE;
  return buffer->views[texels];
}

/* Copies between a buffer and host memory through a staging buffer, one
 * chunk per submission. */
static gboolean
staged_copy (CalVkContext *context,
             CalVkBuffer  *buffer,
             VkDeviceSize  offset,
             guint8       *host,
             gsize         size,
             gboolean      upload,
             GError      **error)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  CalVkBuffer *staging = buffer_new (context, MIN (size, STAGING_CHUNK), TRUE, "a staging buffer", error);
  gboolean ok = staging != NULL;

  for (gsize done = 0; ok && done < size; done += STAGING_CHUNK)
    {
      gsize n = MIN (STAGING_CHUNK, size - done);
      VkBufferCopy region = {
        .srcOffset = upload ? 0 : offset + done,
        .dstOffset = upload ? offset + done : 0,
        .size = n,
      };
      if (upload)
        memcpy (staging->mapped, host + done, n);
      if (!(ok = cal_vk_batch_begin (context, error)))
        break;
      dev->vk.vkCmdCopyBuffer (cal_vk_batch_command_buffer (context),
                               upload ? staging->buffer : buffer->buffer,
                               upload ? buffer->buffer : staging->buffer, 1, &region);
      ok = cal_vk_batch_submit (context, error);
      if (ok && !upload)
        memcpy (host + done, staging->mapped, n);
    }
  cal_vk_buffer_free (context, staging);
  return ok;
}

gboolean
cal_vk_buffer_upload (CalVkContext *context,
                      CalVkBuffer  *buffer,
                      VkDeviceSize  offset,
                      gconstpointer data,
                      gsize         size,
                      GError      **error)
{
  g_return_val_if_fail (offset + size <= buffer->size, FALSE);
  if (size == 0)
    return TRUE;
  if (buffer->mapped)
    {
      memcpy ((guint8 *) buffer->mapped + offset, data, size);
      return TRUE;
    }
  return staged_copy (context, buffer, offset, (guint8 *) data, size, TRUE, error);
}

gboolean
cal_vk_buffer_download (CalVkContext *context,
                        CalVkBuffer  *buffer,
                        VkDeviceSize  offset,
                        gpointer      data,
                        gsize         size,
                        GError      **error)
{
  g_return_val_if_fail (offset + size <= buffer->size, FALSE);
  if (size == 0)
    return TRUE;
  if (buffer->mapped)
    {
      memcpy (data, (const guint8 *) buffer->mapped + offset, size);
      return TRUE;
    }
  return staged_copy (context, buffer, offset, data, size, FALSE, error);
}

gboolean
cal_vk_buffer_fill (CalVkContext *context,
                    CalVkBuffer  *buffer,
                    guint32       value,
                    GError      **error)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);

  if (!cal_vk_batch_begin (context, error))
    return FALSE;
  dev->vk.vkCmdFillBuffer (cal_vk_batch_command_buffer (context), buffer->buffer, 0, VK_WHOLE_SIZE, value);
  return cal_vk_batch_submit (context, error);
}
