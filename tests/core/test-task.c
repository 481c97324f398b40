/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The task helper (core/volume/cal-task.h): the result or the error comes
 * back in the caller's main context, the job outlives the work so the
 * finish function can read it, cancellation stops the work, the worker
 * runs at background priority, and an unclaimed result is freed. */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cal-task.h"

typedef struct {
  int      input;
  int      seen_nice;       /* the worker's priority */
  gboolean fail;
  gboolean wait_for_cancel;
} Job;

static gpointer
square (gpointer       data,
        GCancellable  *cancellable,
        GError       **error)
{
  Job *job = data;

  job->seen_nice = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
  while (job->wait_for_cancel && !g_cancellable_is_cancelled (cancellable))
    g_usleep (1000);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (job->fail)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "refused %d", job->input);
      return NULL;
    }
  return g_strdup_printf ("%d", job->input * job->input);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
run_and_wait (Job          *job,
              GCancellable *cancellable)
{
  GAsyncResult *result = NULL;

  cal_task_run (NULL, run_and_wait, square, job, NULL, g_free, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return result;
}

static void
test_result_and_job (void)
{
  Job job = { .input = 7 };
  g_autoptr(GAsyncResult) result = run_and_wait (&job, NULL);
  g_autoptr(GError) error = NULL;
  Job *seen = NULL;
  g_autofree char *text = cal_task_finish (result, run_and_wait, (gpointer *) &seen, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "49");
  g_assert_true (seen == &job);
  g_assert_cmpint (job.seen_nice, >=, 10);   /* background priority */
}

static void
test_error (void)
{
  Job job = { .input = 3, .fail = TRUE };
  g_autoptr(GAsyncResult) result = run_and_wait (&job, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (cal_task_finish (result, run_and_wait, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "refused 3");
}

static gboolean
cancel_soon (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  Job job = { .input = 5, .wait_for_cancel = TRUE };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_timeout_add (20, cancel_soon, cancellable);
  result = run_and_wait (&job, cancellable);
  g_assert_null (cal_task_finish (result, run_and_wait, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static int job_frees;

static void
count_free (gpointer data)
{
  g_atomic_int_inc (&job_frees);
  g_free (data);
}

/* Nobody claims the result: it and the job are freed with the task (ASan
 * would report the leak otherwise). */
static void
test_unclaimed (void)
{
  Job *job = g_new0 (Job, 1);
  GAsyncResult *result = NULL;

  job->input = 4;
  cal_task_run (NULL, test_unclaimed, square, job, count_free, g_free, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (job_frees, ==, 0);
  g_object_unref (result);
  /* The worker thread may hold the task a moment longer. */
  for (int i = 0; i < 5000 && g_atomic_int_get (&job_frees) == 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpint (g_atomic_int_get (&job_frees), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/task/result-and-job", test_result_and_job);
  g_test_add_func ("/task/error", test_error);
  g_test_add_func ("/task/cancel", test_cancel);
  g_test_add_func ("/task/unclaimed", test_unclaimed);
  return g_test_run ();
}
