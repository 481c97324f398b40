/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A compute kernel: SPIR-V from the embedded resources (compiled by glslc
 * at build time) and its pipeline, built through the context's pipeline
 * cache.  Kernels take everything, buffer addresses included, as push
 * constants; a kernel may also read uniform texel buffers, bound with push
 * descriptors at each dispatch (no descriptor pools to manage). */
#include "cal-vk-private.h"

#include "cal-shaders-resources.h"

#define SPIRV_MAGIC 0x07230203u
#define LOCAL_SIZE  64u   /* local_size_x of every compute shader */

static GBytes *
load_spirv (const char  *name,
            GError     **error)
{
  g_autofree char *path = g_strdup_printf ("/org/calvaria/shaders/%s.spv", name);
  g_autoptr(GBytes) code = g_resource_lookup_data (cal_shaders_get_resource (), path, 0, NULL);
  gsize size = code ? g_bytes_get_size (code) : 0;

  if (code == NULL || size < 20 || size % 4 != 0 ||
      *(const guint32 *) g_bytes_get_data (code, NULL) != SPIRV_MAGIC)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_SHADER,
                   "The built-in compute shader “%s” is missing or not SPIR-V; the build is broken", name);
      return NULL;
    }
  return g_steal_pointer (&code);
}

CalVkKernel *
cal_vk_kernel_new (CalVkContext  *context,
                   const char    *name,
                   guint32        push_size,
                   GError       **error)
{
  return cal_vk_kernel_new_sized (context, name, push_size, LOCAL_SIZE, error);
}

/* Shaders that declare local_size_x_id = 0 take local_size from here;
 * the others must be compiled with local_size_x = local_size. */
CalVkKernel *
cal_vk_kernel_new_sized (CalVkContext  *context,
                         const char    *name,
                         guint32        push_size,
                         guint32        local_size,
                         GError       **error)
{
  return cal_vk_kernel_new_texels (context, name, push_size, &local_size, 1, 0, error);
}

static gboolean
create_layouts (CalVkContext  *context,
                CalVkKernel   *kernel,
                const char    *what,
                GError       **error)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  VkDescriptorSetLayoutBinding bindings[CAL_VK_MAX_TEXELS];
  VkDescriptorSetLayoutCreateInfo set = {
    .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
    .flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR,
    .bindingCount = kernel->n_texels,
    .pBindings = bindings,
  };
  VkPushConstantRange push = { VK_SHADER_STAGE_COMPUTE_BIT, 0, kernel->push_size };
  VkPipelineLayoutCreateInfo layout = {
    .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
    .pushConstantRangeCount = kernel->push_size ? 1 : 0,
    .pPushConstantRanges = &push,
  };

  for (guint32 b = 0; b < kernel->n_texels; b++)
    bindings[b] = (VkDescriptorSetLayoutBinding) { b, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1,
                                                   VK_SHADER_STAGE_COMPUTE_BIT, NULL };
  if (kernel->n_texels > 0)
    {
      if (!cal_vk_check (context, dev->vk.vkCreateDescriptorSetLayout (dev->device, &set, NULL, &kernel->set_layout),
                         what, error))
        return FALSE;
      layout.setLayoutCount = 1;
      layout.pSetLayouts = &kernel->set_layout;
    }
  return cal_vk_check (context, dev->vk.vkCreatePipelineLayout (dev->device, &layout, NULL, &kernel->layout),
                       what, error);
}

CalVkKernel *
cal_vk_kernel_new_texels (CalVkContext   *context,
                          const char     *name,
                          guint32         push_size,
                          const guint32  *constants,
                          guint           n_constants,
                          guint32         n_texels,
                          GError        **error)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  g_autoptr(GBytes) code = NULL;
  g_autofree char *what = g_strdup_printf ("Building the compute pipeline “%s”", name);
  CalVkKernel *kernel;
  VkShaderModuleCreateInfo module = { .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO };
  VkSpecializationMapEntry entries[CAL_VK_MAX_CONSTANTS];
  VkSpecializationInfo specialization = { MIN (n_constants, CAL_VK_MAX_CONSTANTS), entries,
                                          MIN (n_constants, CAL_VK_MAX_CONSTANTS) * sizeof (guint32), constants };
  VkComputePipelineCreateInfo pipeline = {
    .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
    .stage = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
      .stage = VK_SHADER_STAGE_COMPUTE_BIT,
      .pName = "main",
      .pSpecializationInfo = &specialization,
    },
  };

  g_return_val_if_fail (n_constants >= 1 && n_constants <= CAL_VK_MAX_CONSTANTS, NULL);
  g_return_val_if_fail (n_texels <= CAL_VK_MAX_TEXELS && (n_texels == 0 || dev->push_descriptors), NULL);
  for (guint i = 0; i < n_constants; i++)
    entries[i] = (VkSpecializationMapEntry) { i, i * sizeof (guint32), sizeof (guint32) };
  if ((code = load_spirv (name, error)) == NULL)
    return NULL;
  kernel = g_new0 (CalVkKernel, 1);
  g_strlcpy (kernel->name, name, sizeof kernel->name);
  kernel->push_size = push_size;
  kernel->local_size = constants[0];
  kernel->n_texels = n_texels;
  module.codeSize = g_bytes_get_size (code);
  module.pCode = g_bytes_get_data (code, NULL);
  if (!cal_vk_check (context, dev->vk.vkCreateShaderModule (dev->device, &module, NULL, &kernel->module), what, error) ||
      !create_layouts (context, kernel, what, error))
    goto fail;
  pipeline.stage.module = kernel->module;
  pipeline.layout = kernel->layout;
  if (!cal_vk_check (context, dev->vk.vkCreateComputePipelines (dev->device, dev->pipeline_cache, 1, &pipeline,
                                                                 NULL, &kernel->pipeline), what, error))
    goto fail;
  return kernel;

fail:
  cal_vk_kernel_free (context, kernel);
  return NULL;
}

void
cal_vk_kernel_free (CalVkContext *context,
                    CalVkKernel  *kernel)
{
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  const struct VolkDeviceTable *vk = &dev->vk;

  if (kernel == NULL)
    return;
  if (kernel->pipeline)
    vk->vkDestroyPipeline (dev->device, kernel->pipeline, NULL);
  if (kernel->layout)
    vk->vkDestroyPipelineLayout (dev->device, kernel->layout, NULL);
  if (kernel->set_layout)
    vk->vkDestroyDescriptorSetLayout (dev->device, kernel->set_layout, NULL);
  if (kernel->module)
    vk->vkDestroyShaderModule (dev->device, kernel->module, NULL);
  g_free (kernel);
}

/* 1D work over n invocations; past 65535 groups the grid folds into y and
 * shaders rebuild the index (invocation_index() in the shaders). */
void
cal_vk_kernel_record (const CalVkDevice *dev,
                      CalVkKernel       *kernel,
                      VkCommandBuffer    cmd,
                      gconstpointer      push,
                      const VkBufferView *views,
                      guint32            n_invocations)
{
  guint32 groups = (n_invocations + kernel->local_size - 1) / kernel->local_size;
  guint32 gx = MIN (groups, 65535u), gy = (groups + gx - 1) / MAX (gx, 1);

  dev->vk.vkCmdBindPipeline (cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->pipeline);
  if (kernel->push_size)
    dev->vk.vkCmdPushConstants (cmd, kernel->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, kernel->push_size, push);
  if (kernel->n_texels > 0)
    {
      VkWriteDescriptorSet writes[CAL_VK_MAX_TEXELS];
      for (guint32 b = 0; b < kernel->n_texels; b++)
        writes[b] = (VkWriteDescriptorSet) {
          .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
          .dstBinding = b,
          .descriptorCount = 1,
          .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
          .pTexelBufferView = &views[b],
        };
      dev->vk.vkCmdPushDescriptorSetKHR (cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->layout, 0,
                                         kernel->n_texels, writes);
    }
  if (groups > 0)
    dev->vk.vkCmdDispatch (cmd, gx, gy, 1);
}
