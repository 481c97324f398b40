/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Slow work off the main thread, one way for everyone: every _async and
 * _finish pair in Calvaria (loading, thresholding, meshing, exporting,
 * segmenting, evaluating) and the window's own jobs are a CalTaskFunc on
 * a job struct.  The work runs in a worker thread at background
 * priority, is cancelled through its GCancellable, reports progress
 * through whatever CalProgressFunc the job carries, and leaves in the job
 * what the finish function hands back beside the result (reports,
 * notices).
 */
#pragma once

#include <gio/gio.h>

#include "cal-types.h"

G_BEGIN_DECLS

/* The work: returns the result, or NULL with error set. */
typedef gpointer (*CalTaskFunc) (gpointer       job,
                                 GCancellable  *cancellable,
                                 GError       **error);

/* The result of work that returns nothing but success. */
#define CAL_TASK_DONE GINT_TO_POINTER (1)

/* Runs func (job, ...) in a worker thread at background priority, then
 * callback in the caller's main context.  job is freed with job_free once
 * the task is finalised; an unclaimed result with result_free.
 * source_object and source_tag are GTask's. */
void     cal_task_run    (gpointer             source_object,
                          gpointer             source_tag,
                          CalTaskFunc          func,
                          gpointer             job,
                          GDestroyNotify       job_free,
                          GDestroyNotify       result_free,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data);

/* The result (transfer full), or NULL with error set.  job (nullable):
 * set to the job, which lives as long as `result`. */
gpointer cal_task_finish (GAsyncResult        *result,
                          gpointer             source_tag,
                          gpointer            *job,
                          GError             **error);

/* The job most operations need: one input object, their options copied
 * by value, a report the work fills in, and a progress callback. */
typedef struct {
  GObject         *input;          /* owned */
  gpointer         options;        /* owned copy */
  gpointer         report;         /* owned, zeroed: the work fills it in */
  CalProgressFunc  progress;
  gpointer         progress_data;
} CalTaskJob;

CalTaskJob *cal_task_job_new  (gpointer         input,
                               gconstpointer    options,
                               gsize            options_size,
                               gsize            report_size,
                               CalProgressFunc  progress,
                               gpointer         progress_data);
void        cal_task_job_free (gpointer         job);

/* g_task_run_in_thread() for slow work behind a user interface: the
 * thread (and the workers cal_parallel_for starts from it, which inherit
 * it) runs at a lower scheduling priority, so the main loop and the
 * compositor stay responsive however many cores the work takes. */
void     cal_task_run_in_background (GTask           *task,
                                     GTaskThreadFunc  func);

G_END_DECLS
