/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-evaluate.h"

#include "cal-gpu-metrics.h"
#include "cal-parallel.h"

typedef struct {
  CalVkContext    *context;        /* owned, nullable */
  CalMask         *reference;      /* owned */
  CalMask         *test;           /* owned */
  CalMask         *roi;            /* owned, nullable */
  CalProgressFunc  progress;
  gpointer         progress_data;
  char            *notice;         /* owned: set by the worker */
} EvaluateData;

static void
evaluate_data_free (EvaluateData *data)
{
  g_clear_object (&data->context);
  g_clear_object (&data->reference);
  g_clear_object (&data->test);
  g_clear_object (&data->roi);
  g_free (data->notice);
  g_free (data);
}

static gboolean
worth_retrying_on_cpu (const GError *error)
{
  return error->domain == CAL_VK_ERROR;
}

CalMetrics *
cal_evaluate (CalVkContext     *context,
              CalMask          *reference,
              CalMask          *test,
              CalMask          *roi,
              CalProgressFunc   progress,
              gpointer          progress_data,
              GCancellable     *cancellable,
              char            **notice,
              GError          **error)
{
  g_autoptr(GError) gpu_error = NULL;
  CalMetrics *metrics;

  g_return_val_if_fail (context == NULL || CAL_IS_VK_CONTEXT (context), NULL);
  if (notice)
    *notice = NULL;
  if (context == NULL)
    return cal_metrics_compute_cpu (reference, test, roi, CAL_METRICS_EXACT_EDT, cancellable, error);

  metrics = cal_gpu_metrics_compute (context, reference, test, roi, progress, progress_data,
                                     cancellable, &gpu_error);
  if (metrics != NULL)
    return metrics;
  if (!worth_retrying_on_cpu (gpu_error))
    {
      g_propagate_error (error, g_steal_pointer (&gpu_error));
      return NULL;
    }
  if (notice)
    *notice = g_strdup_printf ("The GPU (%s) could not finish: %s. Computed on the CPU instead "
                               "(same definitions and results, slower).",
                               cal_vk_context_get_info (context)->name, gpu_error->message);
  return cal_metrics_compute_cpu (reference, test, roi, CAL_METRICS_EXACT_EDT, cancellable, error);
}

static void
evaluate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  EvaluateData *data = task_data;
  GError *error = NULL;
  CalMetrics *metrics = cal_evaluate (data->context, data->reference, data->test, data->roi,
                                      data->progress, data->progress_data, cancellable,
                                      &data->notice, &error);

  if (metrics == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, metrics, (GDestroyNotify) cal_metrics_free);
}

void
cal_evaluate_async (CalVkContext        *context,
                    CalMask             *reference,
                    CalMask             *test,
                    CalMask             *roi,
                    CalProgressFunc      progress,
                    gpointer             progress_data,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  EvaluateData *data = g_new0 (EvaluateData, 1);

  data->context = context ? g_object_ref (context) : NULL;
  data->reference = g_object_ref (reference);
  data->test = g_object_ref (test);
  data->roi = roi ? g_object_ref (roi) : NULL;
  data->progress = progress;
  data->progress_data = progress_data;
  g_task_set_source_tag (task, cal_evaluate_async);
  g_task_set_task_data (task, data, (GDestroyNotify) evaluate_data_free);
  cal_task_run_in_background (task, evaluate_thread);
}

CalMetrics *
cal_evaluate_finish (GAsyncResult  *result,
                     char         **notice,
                     GError       **error)
{
  GTask *task = G_TASK (result);
  EvaluateData *data = g_task_get_task_data (task);

  g_return_val_if_fail (g_task_get_source_tag (task) == cal_evaluate_async, NULL);
  if (notice)
    *notice = g_steal_pointer (&data->notice);
  return g_task_propagate_pointer (task, error);
}
