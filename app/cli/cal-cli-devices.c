/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli devices: the Vulkan devices Calvaria can compute on, the
 * CPU, and which of them runs by default. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-json.h"
#include "cal-nn-cpu.h"
#include "cal-vk-context.h"

/* Whether the default Vulkan device is a GPU: the device rule runs the
 * U-net and the metrics on the CPU otherwise. */
static gboolean
default_is_gpu (GPtrArray *devices,
                int        chosen)
{
  return devices != NULL && chosen >= 0 &&
         ((const CalVkDeviceInfo *) g_ptr_array_index (devices, chosen))->kind != CAL_VK_DEVICE_CPU;
}

/* devices NULL: there are none (no loader or no driver), and it says so. */
static void
print_json (GPtrArray *devices,
            int        chosen)
{
  g_autofree char *text = NULL;
  CalJson json;

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_json_begin_array (&json, "devices");
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      const CalVkDeviceInfo *d = g_ptr_array_index (devices, i);
      g_autofree char *api = g_strdup_printf ("%u.%u", CAL_VK_API_MAJOR (d->api_version), CAL_VK_API_MINOR (d->api_version));
      cal_json_begin_object (&json, NULL);
      cal_json_int (&json, "index", d->index);
      cal_json_string (&json, "name", d->name);
      cal_json_string (&json, "kind", cal_vk_device_kind_name (d->kind));
      cal_json_string (&json, "driver", d->driver);
      cal_json_string (&json, "vulkan", api);
      cal_json_int (&json, "device_memory_bytes", (gint64) d->device_memory);
      cal_json_bool (&json, "usable", d->usable);
      if (d->unusable_reason)
        cal_json_string (&json, "unusable_reason", d->unusable_reason);
      cal_json_bool (&json, "default", (int) i == chosen);
      cal_json_end_object (&json);
    }
  cal_json_end_array (&json);
  if (devices == NULL)
    cal_json_string (&json, "error", "no Vulkan loader or driver");
  {
    g_autofree char *cpu = cal_nn_cpu_describe ();
    cal_json_string (&json, "cpu", cpu);
  }
  /* "gpu": the default Vulkan device; "cpu": the CPU executor and the CPU path. */
  cal_json_string (&json, "default_runs_on", default_is_gpu (devices, chosen) ? "gpu" : "cpu");
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  fputs (text, stdout);
}

static void
print_text (GPtrArray *devices,
            int        chosen)
{
  g_autofree char *cpu = cal_nn_cpu_describe ();
  gboolean gpu = default_is_gpu (devices, chosen);

  for (guint i = 0; i < devices->len; i++)
    {
      const CalVkDeviceInfo *d = g_ptr_array_index (devices, i);
      printf ("%c %u  %s\n", gpu && (int) i == chosen ? '*' : ' ', d->index, d->name);
      printf ("     %s, Vulkan %u.%u, %s, %.1f GiB device memory\n", cal_vk_device_kind_name (d->kind),
              CAL_VK_API_MAJOR (d->api_version), CAL_VK_API_MINOR (d->api_version), d->driver,
              d->device_memory / 1073741824.0);
      if (!d->usable)
        printf ("     not usable: it %s\n", d->unusable_reason);
    }
  printf ("%c cpu  %s\n", gpu ? ' ' : '*', cpu);
  printf ("\n* the default: a GPU (discrete, then integrated) runs the U-net and the metrics;\n"
          "  without one the U-net runs on the CPU executor (oneDNN) and the metrics on Calvaria's\n"
          "  CPU path, both faster than a software Vulkan device.  Choose another with --device\n"
          "  INDEX, NAME, lavapipe (the software one), cpu or reference (the U-net's exact, slow\n"
          "  CPU reference), or CALVARIA_VK_DEVICE, or Preferences in the window.\n");
}

int
cal_cli_devices (int    argc,
                 char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— list the Vulkan devices Calvaria can compute on");
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  int chosen = -1;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cal_cli_parse (context, &argc, &argv, 0, "devices [--json]"))
    return CAL_EXIT_USAGE;
  devices = cal_vk_list_devices (&chosen, &error);
  if (devices == NULL)
    {
      /* No loader or no driver is an answer, not a failure. */
      if (json)
        print_json (NULL, -1);
      else
        {
          g_autofree char *cpu = cal_nn_cpu_describe ();
          printf ("No Vulkan devices: %s\nThe U-net runs on the CPU executor (%s) and the metrics on "
                  "Calvaria's CPU path.\n", error->message, cpu);
        }
      return CAL_EXIT_OK;
    }
  if (json)
    print_json (devices, chosen);
  else
    print_text (devices, chosen);
  return CAL_EXIT_OK;
}
