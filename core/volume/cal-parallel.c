/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-parallel.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
  guint            n;
  gint             next;     /* atomic */
  CalParallelFunc  func;
  gpointer         user_data;
} ParallelJob;

static gpointer
worker (gpointer data)
{
  ParallelJob *job = data;

  for (;;)
    {
      gint index = g_atomic_int_add (&job->next, 1);
      if ((guint) index >= job->n)
        break;
      job->func ((guint) index, job->user_data);
    }
  return NULL;
}

/* CALVARIA_THREADS caps the worker count (benchmarks, debugging). */
guint
cal_parallel_n_threads (void)
{
  const char *env = g_getenv ("CALVARIA_THREADS");
  guint n = g_get_num_processors ();

  if (env != NULL && atoi (env) > 0)
    n = (guint) atoi (env);
  return CLAMP (n, 1, 256);
}

guint64
cal_physical_memory_bytes (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page_size = sysconf (_SC_PAGE_SIZE);

  return pages > 0 && page_size > 0 ? (guint64) pages * (guint64) page_size : (guint64) 4 << 30;
}

void
cal_parallel_for (guint            n,
                  CalParallelFunc  func,
                  gpointer         user_data)
{
  ParallelJob job = { n, 0, func, user_data };
  guint n_threads = MIN (cal_parallel_n_threads (), n);
  GThread *threads[256];

  if (n_threads <= 1)
    {
      worker (&job);
      return;
    }
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("cal-worker", worker, &job);
  worker (&job);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}

gpointer
cal_alloc_large (gsize size)
{
  const gsize huge = 2 << 20;
  void *p = NULL;

  if (size < huge || posix_memalign (&p, huge, size) != 0)
    return g_malloc (MAX (size, 1));
  madvise (p, size, MADV_HUGEPAGE);
  return p;
}
