/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-compute-cache.h"

#include "cal-onnx.h"

typedef struct {
  CalNnGraph    *graph;      /* the executor borrows it */
  CalNnExecutor *executor;
  char          *notice;
} Entry;

struct _CalComputeCache {
  GObject        parent_instance;

  GMutex         lock;         /* held from acquire to release */
  gboolean       device_tried;
  CalVkContext  *vk;           /* NULL after trying: a CPU executor (runner) */
  CalNnRunner    runner;
  char          *device;       /* the one opened (NULL: automatic) */
  GMutex         wanted_lock;
  char          *wanted;       /* asked for by set_device */
  char          *no_device;    /* why there is none, when none */
  GHashTable    *entries;      /* "flags:model" → Entry */
  guint          devices_opened;
  guint          executors_built;
};

G_DEFINE_FINAL_TYPE (CalComputeCache, cal_compute_cache, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  cal_nn_executor_free (entry->executor);
  cal_nn_graph_free (entry->graph);
  g_free (entry->notice);
  g_free (entry);
}

static void
cal_compute_cache_finalize (GObject *object)
{
  CalComputeCache *self = CAL_COMPUTE_CACHE (object);

  g_hash_table_unref (self->entries);   /* executors before the context they use */
  g_clear_object (&self->vk);
  g_free (self->no_device);
  g_free (self->device);
  g_free (self->wanted);
  g_mutex_clear (&self->wanted_lock);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cal_compute_cache_parent_class)->finalize (object);
}

static void
cal_compute_cache_class_init (CalComputeCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_compute_cache_finalize;
}

static void
cal_compute_cache_init (CalComputeCache *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->wanted_lock);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
}

CalComputeCache *
cal_compute_cache_new (void)
{
  return g_object_new (CAL_TYPE_COMPUTE_CACHE, NULL);
}

/* Opens the default device once; a device that fails to open is tried
 * again next time (it may have been busy), no device at all is not. */
/* Another device asked for: drop what was built for the old one. */
static void
follow_wanted_device (CalComputeCache *self)
{
  g_mutex_lock (&self->wanted_lock);
  if (g_strcmp0 (self->wanted, self->device) != 0)
    {
      g_hash_table_remove_all (self->entries);   /* executors before the context they use */
      g_clear_object (&self->vk);
      g_clear_pointer (&self->no_device, g_free);
      g_free (self->device);
      self->device = g_strdup (self->wanted);
      self->device_tried = FALSE;
    }
  g_mutex_unlock (&self->wanted_lock);
}

static gboolean
ensure_device (CalComputeCache  *self,
               GError          **error)
{
  GError *local = NULL;

  if (self->device_tried)
    return TRUE;
  self->vk = cal_nn_open_device (self->device, &self->runner, &self->no_device, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  self->device_tried = TRUE;
  self->devices_opened++;
  return TRUE;
}

static Entry *
build_entry (CalComputeCache   *self,
             const char        *model,
             CalNnEngineFlags   flags,
             GError           **error)
{
  Entry *entry = g_new0 (Entry, 1);

  if ((entry->graph = cal_onnx_load (model, error)) == NULL ||
      (entry->executor = cal_nn_executor_new_on (self->vk, self->runner, entry->graph, flags, self->no_device, &entry->notice,
                                                 error)) == NULL)
    {
      if (entry->graph)
        cal_nn_graph_free (entry->graph);
      g_free (entry);
      return NULL;
    }
  self->executors_built++;
  return entry;
}

CalNnExecutor *
cal_compute_cache_acquire (CalComputeCache   *self,
                           const char        *model,
                           CalNnEngineFlags   flags,
                           char             **notice,
                           GError           **error)
{
  g_autofree char *key = NULL;
  Entry *entry;

  g_return_val_if_fail (CAL_IS_COMPUTE_CACHE (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  g_mutex_lock (&self->lock);
  follow_wanted_device (self);
  key = g_strdup_printf ("%u:%s", (guint) flags, model);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry == NULL && ensure_device (self, error) && (entry = build_entry (self, model, flags, error)) != NULL)
    g_hash_table_insert (self->entries, g_steal_pointer (&key), entry);
  if (entry == NULL)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  if (notice)
    *notice = g_strdup (entry->notice);
  return entry->executor;
}

void
cal_compute_cache_release (CalComputeCache *self)
{
  g_return_if_fail (CAL_IS_COMPUTE_CACHE (self));
  g_mutex_unlock (&self->lock);
}

guint
cal_compute_cache_get_devices_opened (CalComputeCache *self)
{
  return self->devices_opened;
}

guint
cal_compute_cache_get_executors_built (CalComputeCache *self)
{
  return self->executors_built;
}

void
cal_compute_cache_set_device (CalComputeCache *self,
                              const char      *device)
{
  g_return_if_fail (CAL_IS_COMPUTE_CACHE (self));

  /* Never waits for a run: the next acquisition applies it. */
  g_mutex_lock (&self->wanted_lock);
  g_free (self->wanted);
  self->wanted = device != NULL && *device != '\0' ? g_strdup (device) : NULL;
  g_mutex_unlock (&self->wanted_lock);
}
