/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-checkpointer.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "cal-atomic-file.h"

#define CHECKPOINT_MAGIC "CALCKPT1"

typedef struct {
  CalEditStep *step;     /* a step to XOR into the shadow, or NULL: a checkpoint */
  guint64      seq;
  guint64      request;
} Item;

struct _CalEditCheckpointer
{
  char        *folder;
  CalMask     *shadow;        /* the worker's alone */
  GAsyncQueue *queue;
  GThread     *thread;

  GMutex       lock;
  GCond        progress;
  guint64      pushed, processed;
  guint64      latest_request;   /* (lock) */
  guint64      done_request;     /* the last request written (lock) */
  guint64      done_seq;
  GError      *error;
};

gboolean
cal_edit_checkpoint_write (const char     *folder,
                           const guint32   dims[3],
                           const guint8   *labels,
                           guint64         seq,
                           GError        **error)
{
  g_autofree char *path = g_build_filename (folder, "checkpoint", NULL);
  g_autoptr(CalAtomicFile) file = cal_atomic_file_new (path, 1, error);
  guint8 header[8 + 8 + 12];
  guint64 seq_le = GUINT64_TO_LE (seq);

  if (file == NULL)
    return FALSE;
  memcpy (header, CHECKPOINT_MAGIC, 8);
  memcpy (header + 8, &seq_le, 8);
  for (int a = 0; a < 3; a++)
    {
      guint32 le = GUINT32_TO_LE (dims[a]);
      memcpy (header + 16 + 4 * a, &le, 4);
    }
  return cal_atomic_file_write (file, header, sizeof header, error)
         && cal_atomic_file_write (file, labels, (gsize) dims[0] * dims[1] * dims[2], error)
         && cal_atomic_file_commit (file, error);
}

/* The checkpoint's labels (NULL and FALSE with no error when there is none). */
gboolean
cal_edit_checkpoint_read (const char     *folder,
                 const guint32   dims[3],
                 guint8        **labels_out,
                 guint64        *seq_out,
                 GError        **error)
{
  g_autofree char *path = g_build_filename (folder, "checkpoint", NULL);
  gsize n = (gsize) dims[0] * dims[1] * dims[2];
  g_autofree guint8 *labels = NULL;
  guint8 header[28], extra;
  gzFile gz;
  gboolean ok;

  *labels_out = NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;
  gz = gzopen (path, "rb");
  if (gz == NULL)
    {
      int saved = errno;
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL,
                   "The editing journal could not open its checkpoint: %s", g_strerror (saved));
      return FALSE;
    }
  labels = g_try_malloc (MAX (n, 1));
  ok = labels != NULL && gzread (gz, header, sizeof header) == (int) sizeof header
       && memcmp (header, CHECKPOINT_MAGIC, 8) == 0;
  for (int a = 0; ok && a < 3; a++)
    {
      guint32 d;
      memcpy (&d, header + 16 + 4 * a, 4);
      ok = GUINT32_FROM_LE (d) == dims[a];
    }
  for (gsize done = 0; ok && done < n; )
    {
      int got = gzread (gz, labels + done, (unsigned) MIN (n - done, 1u << 30));
      ok = got > 0;
      done += ok ? (gsize) got : 0;
    }
  /* Reading past the end checks the gzip trailer's CRC and length. */
  ok = ok && gzread (gz, &extra, 1) == 0 && gzeof (gz);
  gzclose (gz);
  if (!ok)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
                   "The session's checkpoint is damaged or for another grid");
      return FALSE;
    }
  memcpy (seq_out, header + 8, 8);
  *seq_out = GUINT64_FROM_LE (*seq_out);
  *labels_out = g_steal_pointer (&labels);
  return TRUE;
}

static void
write_checkpoint (CalEditCheckpointer *self,
                  const Item          *item)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;
  guint64 latest;

  g_mutex_lock (&self->lock);
  latest = self->latest_request;
  g_mutex_unlock (&self->lock);
  /* A newer request is queued behind this one: it will write a later state. */
  if (item->request < latest)
    return;
  ok = cal_edit_checkpoint_write (self->folder, cal_mask_get_grid (self->shadow)->dims,
                                  cal_mask_get_labels (self->shadow), item->seq, &error);
  g_mutex_lock (&self->lock);
  g_clear_error (&self->error);
  if (ok)
    {
      self->done_request = item->request;
      self->done_seq = item->seq;
    }
  else
    self->error = g_steal_pointer (&error);
  g_mutex_unlock (&self->lock);
}

static gpointer
worker (gpointer data)
{
  CalEditCheckpointer *self = data;

  for (;;)
    {
      Item *item = g_async_queue_pop (self->queue);
      gboolean stop = item->step == NULL && item->request == 0;

      if (item->step != NULL)
        {
          /* The journal checked this step against the mask it came from. */
          cal_edit_step_apply (item->step, self->shadow, NULL);
          cal_edit_step_unref (item->step);
        }
      else if (!stop)
        write_checkpoint (self, item);
      g_free (item);
      g_mutex_lock (&self->lock);
      self->processed++;
      g_cond_broadcast (&self->progress);
      g_mutex_unlock (&self->lock);
      if (stop)
        return NULL;
    }
}

CalEditCheckpointer *
cal_edit_checkpointer_new (const char *folder,
                           CalMask    *mask,
                           gboolean    empty)
{
  CalEditCheckpointer *self = g_new0 (CalEditCheckpointer, 1);

  self->folder = g_strdup (folder);
  /* An empty mask needs no copy: zeroed pages cost nothing until written. */
  self->shadow = empty ? cal_mask_new (cal_mask_get_grid (mask)) : cal_mask_copy (mask);
  self->queue = g_async_queue_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->progress);
  self->thread = g_thread_new ("calvaria-checkpoint", worker, self);
  return self;
}

static void
push (CalEditCheckpointer *self,
      Item                *item)
{
  g_mutex_lock (&self->lock);
  self->pushed++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->queue, item);
}

void
cal_edit_checkpointer_add_step (CalEditCheckpointer *self,
                                CalEditStep         *step)
{
  Item *item = g_new0 (Item, 1);

  item->step = cal_edit_step_ref (step);
  push (self, item);
}

guint64
cal_edit_checkpointer_request (CalEditCheckpointer *self,
                               guint64              seq)
{
  Item *item = g_new0 (Item, 1);
  guint64 request;

  item->seq = seq;
  g_mutex_lock (&self->lock);
  request = item->request = ++self->latest_request;
  g_mutex_unlock (&self->lock);
  push (self, item);   /* the worker owns the item from here */
  return request;
}

gboolean
cal_edit_checkpointer_wait (CalEditCheckpointer  *self,
                            GError              **error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  while (self->processed < self->pushed)
    g_cond_wait (&self->progress, &self->lock);
  ok = self->error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (self->error));
  g_mutex_unlock (&self->lock);
  return ok;
}

GError *
cal_edit_checkpointer_dup_error (CalEditCheckpointer *self)
{
  GError *error;

  g_mutex_lock (&self->lock);
  error = self->error ? g_error_copy (self->error) : NULL;
  g_mutex_unlock (&self->lock);
  return error;
}

guint64
cal_edit_checkpointer_get_seq (CalEditCheckpointer *self)
{
  guint64 seq;

  g_mutex_lock (&self->lock);
  seq = self->done_seq;
  g_mutex_unlock (&self->lock);
  return seq;
}

guint64
cal_edit_checkpointer_get_done (CalEditCheckpointer *self)
{
  guint64 done;

  g_mutex_lock (&self->lock);
  done = self->done_request;
  g_mutex_unlock (&self->lock);
  return done;
}

void
cal_edit_checkpointer_free (CalEditCheckpointer *self)
{
  if (self == NULL)
    return;
  push (self, g_new0 (Item, 1));   /* no step, request 0: stop */
  g_thread_join (self->thread);
  g_async_queue_unref (self->queue);
  g_object_unref (self->shadow);
  g_clear_error (&self->error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->progress);
  g_free (self->folder);
  g_free (self);
}
