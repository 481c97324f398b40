/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CAL_VK_ERROR (cal_vk_error_quark ())
GQuark cal_vk_error_quark (void);

typedef enum {
  CAL_VK_ERROR_NO_DEVICE,             /* no Vulkan loader or no usable device */
  CAL_VK_ERROR_NO_SUCH_DEVICE,        /* the chosen index or name matches none */
  CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY,  /* retry on another device or the CPU */
  CAL_VK_ERROR_OUT_OF_HOST_MEMORY,
  CAL_VK_ERROR_DEVICE_LOST,           /* the driver reset the device; retry elsewhere */
  CAL_VK_ERROR_TIMEOUT,               /* work did not finish in time */
  CAL_VK_ERROR_UNSUPPORTED,           /* the device lacks a needed limit or feature */
  CAL_VK_ERROR_SHADER,                /* a built-in shader is missing or invalid */
  CAL_VK_ERROR_FAILED,                /* any other VkResult */
} CalVkError;

typedef enum {
  CAL_VK_DEVICE_DISCRETE,
  CAL_VK_DEVICE_INTEGRATED,
  CAL_VK_DEVICE_VIRTUAL,
  CAL_VK_DEVICE_OTHER,
  CAL_VK_DEVICE_CPU,
} CalVkDeviceKind;

/* What `calvaria-cli devices` lists; the order is the Vulkan loader's. */
typedef struct {
  guint            index;
  char            *name;
  char            *driver;          /* driver name and version text */
  CalVkDeviceKind  kind;
  guint32          api_version;     /* VK_MAKE_API_VERSION */
  guint64          device_memory;   /* bytes in device-local heaps */
  gboolean         usable;          /* Vulkan 1.2, a compute queue, buffer device addresses */
  char            *unusable_reason; /* (nullable) */
} CalVkDeviceInfo;

#define CAL_VK_API_MAJOR(version) (((version) >> 22) & 0x7fu)
#define CAL_VK_API_MINOR(version) (((version) >> 12) & 0x3ffu)

void        cal_vk_device_info_free  (CalVkDeviceInfo *info);
const char *cal_vk_device_kind_name  (CalVkDeviceKind  kind);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalVkDeviceInfo, cal_vk_device_info_free)

/* All devices (element-type CalVkDeviceInfo), and which one a context
 * would pick: CALVARIA_VK_DEVICE if set, else discrete, integrated, then
 * the rest, CPU (lavapipe) last. */
GPtrArray  *cal_vk_list_devices      (int             *chosen,
                                      GError         **error);

/* Per-dispatch timing, read from GPU timestamps where the queue has them. */
typedef struct {
  guint   n_dispatches;
  guint   n_submissions;
  double  total_ms;            /* sum of dispatch times */
  double  max_dispatch_ms;
  char    max_dispatch_name[48];
  double  max_submission_ms;   /* host wall time from submit to fence */
  gboolean has_timestamps;
} CalVkProfile;

#define CAL_TYPE_VK_CONTEXT (cal_vk_context_get_type ())
G_DECLARE_FINAL_TYPE (CalVkContext, cal_vk_context, CAL, VK_CONTEXT, GObject)

/* Whether a device was named (selector, or a non-empty CALVARIA_VK_DEVICE):
 * then failing to open it is the user's to fix (CAL_VK_ERROR_NO_SUCH_DEVICE
 * from cal_vk_context_new, even where no driver exists), never a reason to
 * compute elsewhere. */
gboolean      cal_vk_selector_is_explicit  (const char    *selector);

/* selector: NULL for the automatic choice (which honours CALVARIA_VK_DEVICE),
 * or a device index or a case-insensitive part of its name. */
CalVkContext *cal_vk_context_new           (const char    *selector,
                                            GError       **error);
const CalVkDeviceInfo *cal_vk_context_get_info (CalVkContext *self);
/* Allocations beyond this many bytes fail as out-of-device-memory (0: no
 * limit besides the device's).  Keeps room for other applications, and
 * lets tests exercise the out-of-memory path on any device. */
void          cal_vk_context_set_memory_budget (CalVkContext *self,
                                                guint64       bytes);
/* How long one submission should keep the device busy (default 20 ms):
 * far below driver watchdogs (2 s on Windows, 10 s on Linux), long enough
 * to keep a GPU busy.  Smaller values keep a shared GPU more responsive. */
void          cal_vk_context_set_submission_target (CalVkContext *self,
                                                    double        milliseconds);
double        cal_vk_context_get_submission_target (CalVkContext *self);
/* Timing of everything run since the last reset. */
void          cal_vk_context_get_profile   (CalVkContext  *self,
                                            CalVkProfile  *profile);
void          cal_vk_context_reset_profile (CalVkContext  *self);
/* TRUE once the device was lost: the context is unusable from then on. */
gboolean      cal_vk_context_is_lost       (CalVkContext  *self);
char         *cal_vk_context_dup_pipeline_cache_path (CalVkContext *self);

G_END_DECLS
