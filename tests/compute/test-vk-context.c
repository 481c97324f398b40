/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Vulkan foundation: device choice, errors, buffers, kernels and the
 * pipeline cache, on lavapipe in CI. */
#include <glib/gstdio.h>
#include <string.h>

#include "cal-test-vk.h"
#include "cal-vk-private.h"

static void
test_list_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  int chosen = -1;

  devices = cal_vk_list_devices (&chosen, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, >=, 1);
  g_assert_cmpint (chosen, >=, 0);
  for (guint i = 0; i < devices->len; i++)
    {
      const CalVkDeviceInfo *info = g_ptr_array_index (devices, i);
      g_assert_cmpuint (info->index, ==, i);
      g_assert_cmpstr (info->name, !=, "");
      g_assert_nonnull (info->driver);
      g_assert_true (info->usable == (info->unusable_reason == NULL));
      /* The automatic choice never prefers a worse kind of device. */
      if (info->usable)
        g_assert_cmpint (((CalVkDeviceInfo *) g_ptr_array_index (devices, chosen))->kind, <=, info->kind);
    }
}

static void
test_selectors (void)
{
  g_autoptr(GPtrArray) devices = cal_vk_list_devices (NULL, NULL);
  const CalVkDeviceInfo *first = g_ptr_array_index (devices, 0);
  g_autofree char *part = g_ascii_strup (first->name, 5);
  g_autoptr(CalVkContext) by_index = NULL, by_name = NULL, from_env = NULL;
  g_autoptr(GError) error = NULL;

  by_index = cal_vk_context_new ("0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cal_vk_context_get_info (by_index)->name, ==, first->name);
  /* A part of the name, in any case. */
  by_name = cal_vk_context_new (part, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cal_vk_context_get_info (by_name)->name, ==, first->name);

  g_assert_null (cal_vk_context_new ("no such device, surely", &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE);
  g_assert_nonnull (strstr (error->message, "calvaria-cli devices"));
  g_clear_error (&error);
  g_assert_null (cal_vk_context_new ("99", &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE);
  g_clear_error (&error);

  g_setenv ("CALVARIA_VK_DEVICE", "not-a-device", TRUE);
  g_assert_null (cal_vk_context_new (NULL, &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE);
  g_clear_error (&error);
  g_setenv ("CALVARIA_VK_DEVICE", "0", TRUE);
  from_env = cal_vk_context_new (NULL, &error);
  g_unsetenv ("CALVARIA_VK_DEVICE");
  g_assert_no_error (error);
  g_assert_cmpstr (cal_vk_context_get_info (from_env)->name, ==, first->name);
}

static void
test_result_to_error (void)
{
  static const struct { VkResult result; int code; const char *name; } cases[] = {
    { VK_ERROR_OUT_OF_DEVICE_MEMORY, CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY, "VK_ERROR_OUT_OF_DEVICE_MEMORY" },
    { VK_ERROR_OUT_OF_HOST_MEMORY, CAL_VK_ERROR_OUT_OF_HOST_MEMORY, "VK_ERROR_OUT_OF_HOST_MEMORY" },
    { VK_ERROR_DEVICE_LOST, CAL_VK_ERROR_DEVICE_LOST, "VK_ERROR_DEVICE_LOST" },
    { VK_TIMEOUT, CAL_VK_ERROR_TIMEOUT, "VK_TIMEOUT" },
    { VK_ERROR_INCOMPATIBLE_DRIVER, CAL_VK_ERROR_NO_DEVICE, "VK_ERROR_INCOMPATIBLE_DRIVER" },
    { VK_ERROR_FEATURE_NOT_PRESENT, CAL_VK_ERROR_UNSUPPORTED, "VK_ERROR_FEATURE_NOT_PRESENT" },
    { VK_ERROR_UNKNOWN, CAL_VK_ERROR_FAILED, "VkResult" },
  };

  g_assert_true (cal_vk_check (NULL, VK_SUCCESS, "Nothing", NULL));
  g_assert_true (cal_vk_check (NULL, VK_INCOMPLETE, "Nothing", NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (cal_vk_check (NULL, cases[i].result, "Doing something", &error));
      g_assert_error (error, CAL_VK_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "Doing something failed: "));
      g_assert_nonnull (strstr (error->message, cases[i].name));
    }
}

static void
test_buffers (void)
{
  g_autoptr(CalVkContext) context = cal_test_vk_context_or_skip ();
  g_autoptr(GError) error = NULL;
  gsize size = (3u << 20) + 12;
  g_autofree guint8 *data = g_malloc (size), *back = g_malloc0 (size);
  guint32 words[4];
  CalVkBuffer *buffer;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_test_rand_int ();
  buffer = cal_vk_buffer_new (context, size, "a test buffer", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buffer->address, !=, 0);
  g_assert_true (cal_vk_buffer_upload (context, buffer, 0, data, size, &error));
  g_assert_true (cal_vk_buffer_download (context, buffer, 0, back, size, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, size, data, size);
  g_assert_true (cal_vk_buffer_fill (context, buffer, 0xdeadbeef, &error));
  g_assert_true (cal_vk_buffer_download (context, buffer, 1024, words, sizeof words, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 4; i++)
    g_assert_cmphex (words[i], ==, 0xdeadbeef);
  cal_vk_buffer_free (context, buffer);

  /* The memory budget turns into the same error as a full GPU. */
  cal_vk_context_set_memory_budget (context, 1 << 20);
  g_assert_null (cal_vk_buffer_new (context, 2 << 20, "a large buffer", &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY);
  g_assert_nonnull (strstr (error->message, "Allocating a large buffer (2.0 MiB)"));
  g_assert_finalize_object (g_steal_pointer (&context));
}

/* Texel views of a buffer (what the convolutions read where the device has
 * push descriptors): made once per format, kept with the buffer. */
static void
test_texel_views (void)
{
  g_autoptr(CalVkContext) context = cal_test_vk_context_or_skip ();
  const CalVkDevice *dev = cal_vk_context_get_device (context);
  g_autoptr(GError) error = NULL;
  guint32 constants[6] = { 64, 3, 3, 1, 1, 4 };   /* local size; window 3 × 3, unit x; vec4 rows */
  CalVkBuffer *buffer;
  CalVkKernel *kernel;
  VkBufferView floats, vec4s;

  /* Lavapipe has the extension; without it the fast path would be lost. */
  if (cal_vk_context_get_info (context)->kind == CAL_VK_DEVICE_CPU)
    g_assert_true (dev->push_descriptors);
  if (!dev->push_descriptors)
    {
      g_test_skip ("this device has no push descriptors");
      return;
    }
  buffer = cal_vk_buffer_new (context, 1000, "a test buffer", &error);
  g_assert_no_error (error);
  floats = cal_vk_buffer_texels (context, buffer, CAL_VK_TEXELS_FLOAT, &error);
  g_assert_no_error (error);
  vec4s = cal_vk_buffer_texels (context, buffer, CAL_VK_TEXELS_VEC4, &error);
  g_assert_no_error (error);
  g_assert_true (floats != VK_NULL_HANDLE && vec4s != VK_NULL_HANDLE && floats != vec4s);
  g_assert_true (cal_vk_buffer_texels (context, buffer, CAL_VK_TEXELS_FLOAT, NULL) == floats);

  kernel = cal_vk_kernel_new_texels (context, "nn-conv-texels", 128, constants, 6, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kernel->n_texels, ==, 3);
  g_assert_true (kernel->set_layout != VK_NULL_HANDLE);
  cal_vk_kernel_free (context, kernel);
  cal_vk_buffer_free (context, buffer);
  g_assert_finalize_object (g_steal_pointer (&context));
}

static void
test_kernels_and_lost_device (void)
{
  g_autoptr(CalVkContext) context = cal_test_vk_context_or_skip ();
  g_autoptr(GError) error = NULL;
  CalVkKernel *kernel;

  g_assert_null (cal_vk_kernel_new (context, "no-such-shader", 16, &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_SHADER);
  g_clear_error (&error);
  kernel = cal_vk_kernel_new (context, "edt-lines", 120, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kernel);
  cal_vk_kernel_free (context, kernel);

  g_assert_true (cal_vk_batch_begin (context, &error));
  g_assert_true (cal_vk_batch_submit (context, &error));
  g_assert_no_error (error);
  cal_vk_check (context, VK_ERROR_DEVICE_LOST, "A test", NULL);
  g_assert_false (cal_vk_batch_begin (context, &error));
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_DEVICE_LOST);
  g_assert_finalize_object (g_steal_pointer (&context));
}

static void
build_a_kernel (void)
{
  g_autoptr(CalVkContext) context = cal_test_vk_context_or_skip ();
  CalVkKernel *kernel = cal_vk_kernel_new (context, "metrics-gather", 120, NULL);

  g_assert_nonnull (kernel);
  cal_vk_kernel_free (context, kernel);
  g_assert_finalize_object (g_steal_pointer (&context));
}

static void
test_pipeline_cache (void)
{
  g_autoptr(CalVkContext) context = cal_test_vk_context_or_skip ();
  g_autofree char *path = cal_vk_context_dup_pipeline_cache_path (context);
  g_autofree char *data = NULL;
  gsize size = 0;
  guint32 vendor;

  g_assert_true (g_str_has_prefix (path, g_get_user_cache_dir ()));
  g_assert_nonnull (strstr (path, "calvaria"));
  g_assert_finalize_object (g_steal_pointer (&context));

  /* Written when a context with new pipelines goes away. */
  g_unlink (path);
  build_a_kernel ();
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  /* Lavapipe keeps only the header; GPU drivers add their binaries. */
  g_assert_cmpuint (size, >=, 16 + VK_UUID_SIZE);
  memcpy (&vendor, data + 8, 4);
  {
    g_autoptr(CalVkContext) probe = cal_test_vk_context_or_skip ();
    const VkPhysicalDeviceProperties *props = &cal_vk_context_get_device (probe)->properties;
    g_assert_cmphex (vendor, ==, props->vendorID);
    g_assert_cmpmem (data + 16, VK_UUID_SIZE, props->pipelineCacheUUID, VK_UUID_SIZE);
  }

  /* A damaged cache is ignored and replaced, never trusted. */
  g_assert_true (g_file_set_contents (path, "garbage that is not a pipeline cache", -1, NULL));
  build_a_kernel ();
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  g_assert_cmpuint (size, >=, 16 + VK_UUID_SIZE);
  g_assert_cmpstr (data, !=, "garbage that is not a pipeline cache");
}

int
main (int argc, char **argv)
{
  cal_test_vk_isolate_cache ();
  g_test_init (&argc, &argv, NULL);
  g_object_unref (cal_test_vk_context_or_skip ());   /* skips the program if no device at all */
  g_test_add_func ("/vk-context/list-devices", test_list_devices);
  g_test_add_func ("/vk-context/selectors", test_selectors);
  g_test_add_func ("/vk-context/result-to-error", test_result_to_error);
  g_test_add_func ("/vk-context/buffers", test_buffers);
  g_test_add_func ("/vk-context/texel-views", test_texel_views);
  g_test_add_func ("/vk-context/kernels-and-lost-device", test_kernels_and_lost_device);
  g_test_add_func ("/vk-context/pipeline-cache", test_pipeline_cache);
  return g_test_run ();
}
