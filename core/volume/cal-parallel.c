/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-parallel.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One cal_parallel_for() call.  The caller and the pool's helpers take
 * indices from `next`; the caller waits only for helpers that started, so
 * a helper that is still queued when the work is done (the pool busy with
 * an outer loop) finds the job closed and leaves: nested loops cannot
 * deadlock.  Helpers hold a reference, so the job outlives the call. */
typedef struct {
  gint             refs;     /* atomic */
  guint            n;
  gint             next;     /* atomic */
  CalParallelFunc  func;
  gpointer         user_data;
  GMutex           lock;
  GCond            idle;
  guint            active;   /* helpers running indices (lock) */
  gboolean         closed;   /* the caller has returned (lock) */
} ParallelJob;

static void
run_indices (ParallelJob *job)
{
  for (;;)
    {
      gint index = g_atomic_int_add (&job->next, 1);
      if ((guint) index >= job->n)
        break;
      job->func ((guint) index, job->user_data);
    }
}

static void
job_unref (ParallelJob *job)
{
  if (!g_atomic_int_dec_and_test (&job->refs))
    return;
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->idle);
  g_free (job);
}

static void
helper (gpointer data,
        gpointer pool_nice)
{
  ParallelJob *job = data;
  pid_t tid = (pid_t) syscall (SYS_gettid);
  gboolean run;

  /* A background pool's threads run at background priority from their
   * first job on (raising nice is all an unprivileged thread may do). */
  if (getpriority (PRIO_PROCESS, (id_t) tid) < GPOINTER_TO_INT (pool_nice))
    (void) setpriority (PRIO_PROCESS, (id_t) tid, GPOINTER_TO_INT (pool_nice));
  g_mutex_lock (&job->lock);
  run = !job->closed;
  job->active += run;
  g_mutex_unlock (&job->lock);
  if (run)
    {
      run_indices (job);
      g_mutex_lock (&job->lock);
      if (--job->active == 0)
        g_cond_signal (&job->idle);
      g_mutex_unlock (&job->lock);
    }
  job_unref (job);
}

/* Two persistent pools, made on first use: one for work at normal
 * priority (the main thread's repaints), one for background work (the
 * worker threads of cal_task_run), whose threads stay at its priority. */
static GThreadPool *
pool_for_caller (void)
{
  static GThreadPool *pools[2];
  static gsize made;
  pid_t tid = (pid_t) syscall (SYS_gettid);
  gboolean background = getpriority (PRIO_PROCESS, (id_t) tid) >= CAL_BACKGROUND_NICE;

  if (g_once_init_enter (&made))
    {
      gint helpers = (gint) cal_parallel_n_threads () - 1;
      pools[0] = g_thread_pool_new (helper, GINT_TO_POINTER (0), MAX (helpers, 1), TRUE, NULL);
      pools[1] = g_thread_pool_new (helper, GINT_TO_POINTER (CAL_BACKGROUND_NICE), MAX (helpers, 1), TRUE, NULL);
      g_once_init_leave (&made, 1);
    }
  return pools[background];
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
  guint n_threads = MIN (cal_parallel_n_threads (), n);
  ParallelJob *job;
  GThreadPool *pool;

  if (n_threads <= 1)
    {
      for (guint i = 0; i < n; i++)
        func (i, user_data);
      return;
    }
  pool = pool_for_caller ();
  job = g_new0 (ParallelJob, 1);
  *job = (ParallelJob) { .refs = (gint) n_threads, .n = n, .func = func, .user_data = user_data };
  g_mutex_init (&job->lock);
  g_cond_init (&job->idle);
  for (guint t = 1; t < n_threads; t++)
    g_thread_pool_push (pool, job, NULL);
  run_indices (job);
  g_mutex_lock (&job->lock);
  while (job->active > 0)
    g_cond_wait (&job->idle, &job->lock);
  job->closed = TRUE;
  g_mutex_unlock (&job->lock);
  job_unref (job);
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
