/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside compute/ only: Vulkan types never reach the public headers. */
#pragma once

#include <volk.h>

#include "cal-vk-context.h"

G_BEGIN_DECLS

/* The one place a VkResult becomes a GError.  Returns FALSE on failure;
 * marks the context lost on VK_ERROR_DEVICE_LOST and VK_TIMEOUT. */
gboolean cal_vk_check (CalVkContext *context,
                       VkResult      result,
                       const char   *what,
                       GError      **error);

/* Instance-wide, shared by every context of the process. */
VkInstance cal_vk_instance_acquire (GError **error);
void       cal_vk_instance_release (void);
/* The physical devices and their descriptions, in the loader's order. */
GPtrArray *cal_vk_enumerate        (VkInstance          instance,
                                    VkPhysicalDevice  **physical,
                                    guint32           **compute_families,
                                    GError            **error);
/* The index of the device to use (see cal_vk_list_devices()), or -1. */
int        cal_vk_choose_device    (GPtrArray          *devices,
                                    const char         *selector,
                                    GError            **error);
void       cal_vk_context_mark_lost (CalVkContext      *self);
/* Accounting for cal_vk_buffer_new(): FALSE if the budget would be exceeded. */
gboolean   cal_vk_context_reserve_memory (CalVkContext *self,
                                          gint64        bytes);

/* The device's function table and handles (libplacebo-style seam: all
 * device calls go through vk). */
typedef struct {
  struct VolkDeviceTable                  vk;
  VkPhysicalDevice                 physical;
  VkDevice                         device;
  VkQueue                          queue;
  guint32                          queue_family;
  VkPhysicalDeviceProperties       properties;
  VkPhysicalDeviceMemoryProperties memory;
  VkPipelineCache                  pipeline_cache;
  VkDeviceSize                     max_allocation;
  gboolean                         unified_memory; /* device-local memory is host-visible */
  gboolean                         push_descriptors; /* VK_KHR_push_descriptor: kernels may read texel buffers */
  gboolean                         storage16;        /* storageBuffer16BitAccess: 16-bit floats in buffers */
} CalVkDevice;

const CalVkDevice *cal_vk_context_get_device (CalVkContext *self);

/* Buffers ------------------------------------------------------------- */
typedef struct {
  VkBuffer       buffer;
  VkDeviceMemory memory;
  VkDeviceSize   size;
  void          *mapped;   /* (nullable) host pointer where memory is host-visible */
  VkDeviceAddress address; /* for shaders (buffer_reference) */
  VkBufferView   views[4]; /* texel views, made on first use (CalVkTexels) */
} CalVkBuffer;

/* How a kernel reads a buffer as a uniform texel buffer: one float or four
 * floats per texel, stored as 32- or 16-bit floats (the kernel sees 32-bit
 * ones either way).  Lavapipe loads texels as vectors, buffer addresses one
 * lane at a time. */
typedef enum {
  CAL_VK_TEXELS_FLOAT,
  CAL_VK_TEXELS_VEC4,
  CAL_VK_TEXELS_HALF,
  CAL_VK_TEXELS_HALF4,
} CalVkTexels;

CalVkBuffer *cal_vk_buffer_new      (CalVkContext *context,
                                     VkDeviceSize  size,
                                     const char   *what,
                                     GError      **error);
void         cal_vk_buffer_free     (CalVkContext *context,
                                     CalVkBuffer  *buffer);
/* The buffer as texels, or VK_NULL_HANDLE with an error where the device
 * cannot (no push descriptors, or more texels than it addresses). */
VkBufferView cal_vk_buffer_texels   (CalVkContext *context,
                                     CalVkBuffer  *buffer,
                                     CalVkTexels   texels,
                                     GError      **error);
gboolean     cal_vk_buffer_upload   (CalVkContext *context,
                                     CalVkBuffer  *buffer,
                                     VkDeviceSize  offset,
                                     gconstpointer data,
                                     gsize         size,
                                     GError      **error);
gboolean     cal_vk_buffer_download (CalVkContext *context,
                                     CalVkBuffer  *buffer,
                                     VkDeviceSize  offset,
                                     gpointer      data,
                                     gsize         size,
                                     GError      **error);
gboolean     cal_vk_buffer_fill     (CalVkContext *context,
                                     CalVkBuffer  *buffer,
                                     guint32       value,
                                     GError      **error);

/* Kernels: one compute shader and its push constants, which carry buffer
 * device addresses.  SPIR-V comes from the embedded GResource. ---------- */
typedef struct {
  char                  name[40];
  guint32               push_size;
  guint32               local_size;
  guint32               n_texels;   /* texel-buffer bindings 0 … n - 1, pushed per dispatch */
  VkShaderModule        module;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout      layout;
  VkPipeline            pipeline;
} CalVkKernel;

CalVkKernel *cal_vk_kernel_new    (CalVkContext  *context,
                                   const char    *name,
                                   guint32        push_size,
                                   GError       **error);
CalVkKernel *cal_vk_kernel_new_sized (CalVkContext  *context,
                                      const char    *name,
                                      guint32        push_size,
                                      guint32        local_size,
                                      GError       **error);
#define CAL_VK_MAX_CONSTANTS 8
#define CAL_VK_MAX_TEXELS    4
/* constants[i] is specialization constant i (32 bits each; constant 0 is
 * the local size); n_texels uniform texel buffers in set 0 (bindings 0 …
 * n_texels - 1), which need the device's push descriptors. */
CalVkKernel *cal_vk_kernel_new_texels (CalVkContext   *context,
                                       const char     *name,
                                       guint32         push_size,
                                       const guint32  *constants,
                                       guint           n_constants,
                                       guint32         n_texels,
                                       GError        **error);
void         cal_vk_kernel_free   (CalVkContext  *context,
                                   CalVkKernel   *kernel);
/* Records one dispatch of n_invocations (1D) into cmd, VkFFT-style: the
 * caller owns the command buffer. */
void         cal_vk_kernel_record (const CalVkDevice *device,
                                   CalVkKernel       *kernel,
                                   VkCommandBuffer    cmd,
                                   gconstpointer      push,
                                   const VkBufferView *views,
                                   guint32            n_invocations);

/* Batches: the context's command buffer, filled with dispatches and
 * submitted when the caller says the batch is long enough.  The queue is
 * held from begin to submit (one owner). -------------------------------- */
gboolean cal_vk_batch_begin    (CalVkContext *context,
                                GError      **error);
void     cal_vk_batch_dispatch (CalVkContext *context,
                                CalVkKernel  *kernel,
                                gconstpointer push,
                                guint32       n_invocations);
/* The same for kernels with texel bindings: views[i] is binding i. */
void     cal_vk_batch_dispatch_texels (CalVkContext       *context,
                                       CalVkKernel        *kernel,
                                       gconstpointer       push,
                                       const VkBufferView *views,
                                       guint32             n_invocations);
/* Records a full barrier so later dispatches see earlier writes. */
void     cal_vk_batch_barrier  (CalVkContext *context);
VkCommandBuffer cal_vk_batch_command_buffer (CalVkContext *context);
gboolean cal_vk_batch_submit   (CalVkContext *context,
                                GError      **error);

G_END_DECLS
