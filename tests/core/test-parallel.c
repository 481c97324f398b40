/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cal_parallel_for (core/volume/cal-parallel.h): every index exactly once,
 * loops that nest, no threads started per call (a persistent pool), and
 * helpers at background priority for background callers. */
#include <dirent.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cal-parallel.h"
#include "cal-task.h"

static void
count_index (guint    index,
             gpointer data)
{
  g_atomic_int_inc (&((gint *) data)[index]);
}

static void
test_every_index_once (void)
{
  g_autofree gint *hits = g_new0 (gint, 10007);

  cal_parallel_for (10007, count_index, hits);
  for (guint i = 0; i < 10007; i++)
    g_assert_cmpint (hits[i], ==, 1);
}

static void
inner_loop (guint    index,
            gpointer data)
{
  gint *total = data;
  g_autofree gint *hits = g_new0 (gint, 100);

  cal_parallel_for (100, count_index, hits);
  for (guint i = 0; i < 100; i++)
    g_atomic_int_add (total, hits[i]);
}

static void
test_nested (void)
{
  gint total = 0;

  cal_parallel_for (16, inner_loop, &total);
  g_assert_cmpint (total, ==, 1600);
}

static guint
count_threads (void)
{
  DIR *dir = opendir ("/proc/self/task");
  guint n = 0;

  g_assert_nonnull (dir);
  while (readdir (dir) != NULL)
    n++;
  closedir (dir);
  return n;
}

static void
test_persistent_pool (void)
{
  g_autofree gint *hits = g_new0 (gint, 64);
  guint before;

  cal_parallel_for (64, count_index, hits);   /* the pool exists from here on */
  before = count_threads ();
  for (int i = 0; i < 50; i++)
    cal_parallel_for (64, count_index, hits);
  g_assert_cmpuint (count_threads (), ==, before);
  g_assert_cmpint (hits[17], ==, 51);
}

static void
record_nice (guint    index,
             gpointer data)
{
  gint nice = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));

  g_usleep (2000);   /* long enough for the helpers to take some indices */
  ((gint *) data)[index] = nice;
}

static gpointer
background_loop (gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  cal_parallel_for (32, record_nice, data);
  return CAL_TASK_DONE;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_background_priority (void)
{
  gint nice[32];
  gint own = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));   /* `nice meson test` raises it */
  GAsyncResult *result = NULL;

  cal_task_run (NULL, test_background_priority, background_loop, nice, NULL, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (cal_task_finish (result, test_background_priority, NULL, NULL));
  g_object_unref (result);
  for (guint i = 0; i < G_N_ELEMENTS (nice); i++)
    g_assert_cmpint (nice[i], >=, CAL_BACKGROUND_NICE);
  /* The main thread's loops stay at its own priority. */
  cal_parallel_for (32, record_nice, nice);
  for (guint i = 0; i < G_N_ELEMENTS (nice); i++)
    g_assert_cmpint (nice[i], ==, own);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/parallel/every-index-once", test_every_index_once);
  g_test_add_func ("/parallel/nested", test_nested);
  g_test_add_func ("/parallel/persistent-pool", test_persistent_pool);
  g_test_add_func ("/parallel/background-priority", test_background_priority);
  return g_test_run ();
}
