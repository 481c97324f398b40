/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include "cal-vk-context.h"

G_BEGIN_DECLS

/* A fresh cache folder for the pipeline cache.  Not G_TEST_OPTION_ISOLATE_DIRS:
 * that also hides XDG_DATA_DIRS, where the Vulkan loader finds its drivers.
 * Call before anything asks GLib for the cache folder. */
static inline void
cal_test_vk_isolate_cache (void)
{
  g_autofree char *dir = g_dir_make_tmp ("calvaria-test-cache-XXXXXX", NULL);

  g_assert_nonnull (dir);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
}

/* The Vulkan device for compute tests: lavapipe where nothing else exists.
 * Only where no device exists at all does the program skip (exit 77), and
 * never in CI, whose set-up installs lavapipe: there it fails. */
static inline CalVkContext *
cal_test_vk_context_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  CalVkContext *context = cal_vk_context_new (NULL, &error);

  if (context != NULL)
    return context;
  if (g_error_matches (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_DEVICE) && g_getenv ("CI") == NULL)
    {
      printf ("1..0 # SKIP no Vulkan device: %s\n", error->message);
      exit (77);
    }
  g_error ("No Vulkan device for the compute tests: %s", error->message);
}

G_END_DECLS
