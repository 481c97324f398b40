/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-task.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cal-parallel.h"

typedef struct {
  CalTaskFunc     func;
  gpointer        job;
  GDestroyNotify  job_free;
  GDestroyNotify  result_free;
} TaskData;

static void
task_data_free (gpointer data)
{
  TaskData *task_data = data;

  if (task_data->job_free != NULL && task_data->job != NULL)
    task_data->job_free (task_data->job);
  g_free (task_data);
}

static void
background_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  GTaskThreadFunc func = (GTaskThreadFunc) g_object_get_data (G_OBJECT (task), "cal-thread-func");
  pid_t tid = (pid_t) syscall (SYS_gettid);

  /* Per thread on Linux; a pool thread keeps it, which suits a pool that
   * runs only background work.  Failure only costs responsiveness. */
  if (getpriority (PRIO_PROCESS, (id_t) tid) < CAL_BACKGROUND_NICE)
    (void) setpriority (PRIO_PROCESS, (id_t) tid, CAL_BACKGROUND_NICE);
  func (task, source, data, cancellable);
}

void
cal_task_run_in_background (GTask           *task,
                            GTaskThreadFunc  func)
{
  g_return_if_fail (G_IS_TASK (task));
  g_object_set_data (G_OBJECT (task), "cal-thread-func", (gpointer) func);
  g_task_run_in_thread (task, background_thread);
}

static void
run_job (GTask        *task,
         gpointer      source,
         gpointer      data,
         GCancellable *cancellable)
{
  TaskData *task_data = data;
  GError *error = NULL;
  gpointer result = task_data->func (task_data->job, cancellable, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, task_data->result_free);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "The work stopped without saying why (a bug in Calvaria)");
}

void
cal_task_run (gpointer             source_object,
              gpointer             source_tag,
              CalTaskFunc          func,
              gpointer             job,
              GDestroyNotify       job_free,
              GDestroyNotify       result_free,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);
  TaskData *task_data = g_new0 (TaskData, 1);

  *task_data = (TaskData) { func, job, job_free, result_free };
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, task_data_free);
  cal_task_run_in_background (task, run_job);
}

gpointer
cal_task_finish (GAsyncResult  *result,
                 gpointer       source_tag,
                 gpointer      *job,
                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  if (job != NULL)
    *job = ((TaskData *) g_task_get_task_data (G_TASK (result)))->job;
  return g_task_propagate_pointer (G_TASK (result), error);
}

CalTaskJob *
cal_task_job_new (gpointer         input,
                  gconstpointer    options,
                  gsize            options_size,
                  gsize            report_size,
                  CalProgressFunc  progress,
                  gpointer         progress_data)
{
  CalTaskJob *job = g_new0 (CalTaskJob, 1);

  job->input = g_object_ref (input);
  job->options = g_memdup2 (options, options_size);
  job->report = g_malloc0 (MAX (report_size, 1));
  job->progress = progress;
  job->progress_data = progress_data;
  return job;
}

void
cal_task_job_free (gpointer data)
{
  CalTaskJob *job = data;

  g_clear_object (&job->input);
  g_free (job->options);
  g_free (job->report);
  g_free (job);
}
