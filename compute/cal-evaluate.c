/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-evaluate.h"

#include "cal-nn-open.h"

#include "cal-gpu-metrics.h"
#include "cal-parallel.h"
#include "cal-task.h"

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

gboolean
cal_evaluate_open_device (const char    *selector,
                          CalVkContext **context,
                          char         **notice,
                          GError       **error)
{
  const char *asked = cal_nn_device_asked (selector);
  g_autoptr(GError) local = NULL;

  *context = NULL;
  if (notice)
    *notice = NULL;
  /* The network's CPU names: the metrics' CPU path is their exact one. */
  if (asked != NULL && (g_ascii_strcasecmp (asked, CAL_NN_DEVICE_CPU) == 0 ||
                        g_ascii_strcasecmp (asked, CAL_NN_DEVICE_REFERENCE) == 0))
    return TRUE;
  *context = cal_vk_context_new (selector, &local);
  if (*context != NULL)
    {
      if (!cal_vk_selector_is_explicit (selector) && cal_vk_context_get_info (*context)->kind == CAL_VK_DEVICE_CPU)
        g_clear_object (context);   /* no GPU: the CPU path is the faster one */
      return TRUE;
    }
  if (cal_vk_selector_is_explicit (selector))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (notice)
    *notice = g_strdup_printf ("%s. Computing on the CPU (same definitions and results).", local->message);
  return TRUE;
}

/* roi restricts every surface metric; region (not with roi) adds its
 * own metrics as metrics->region. */
static CalMetrics *
evaluate (CalVkContext     *context,
          CalMask          *reference,
          CalMask          *test,
          CalMask          *roi,
          CalMask          *region,
          CalProgressFunc   progress,
          gpointer          progress_data,
          GCancellable     *cancellable,
          char            **notice,
          GError          **error)
{
  g_autoptr(GError) gpu_error = NULL;
  CalMetrics *metrics;

  g_return_val_if_fail (context == NULL || CAL_IS_VK_CONTEXT (context), NULL);
  g_return_val_if_fail (roi == NULL || region == NULL, NULL);
  if (notice)
    *notice = NULL;
  if (context != NULL)
    {
      metrics = region ? cal_gpu_metrics_compute_with_region (context, reference, test, region, progress,
                                                              progress_data, cancellable, &gpu_error)
                       : cal_gpu_metrics_compute (context, reference, test, roi, progress, progress_data,
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
    }
  return region ? cal_metrics_compute_cpu_with_region (reference, test, region, CAL_METRICS_EXACT_EDT,
                                                       cancellable, error)
                : cal_metrics_compute_cpu (reference, test, roi, CAL_METRICS_EXACT_EDT, cancellable, error);
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
  return evaluate (context, reference, test, roi, NULL, progress, progress_data, cancellable, notice, error);
}

CalMetrics *
cal_evaluate_with_region (CalVkContext     *context,
                          CalMask          *reference,
                          CalMask          *test,
                          CalMask          *region,
                          CalProgressFunc   progress,
                          gpointer          progress_data,
                          GCancellable     *cancellable,
                          char            **notice,
                          GError          **error)
{
  return evaluate (context, reference, test, NULL, region, progress, progress_data, cancellable, notice, error);
}

static gpointer
evaluate_job (gpointer       job,
              GCancellable  *cancellable,
              GError       **error)
{
  EvaluateData *data = job;

  return cal_evaluate (data->context, data->reference, data->test, data->roi, data->progress, data->progress_data,
                       cancellable, &data->notice, error);
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
  EvaluateData *data = g_new0 (EvaluateData, 1);

  data->context = context ? g_object_ref (context) : NULL;
  data->reference = g_object_ref (reference);
  data->test = g_object_ref (test);
  data->roi = roi ? g_object_ref (roi) : NULL;
  data->progress = progress;
  data->progress_data = progress_data;
  cal_task_run (NULL, cal_evaluate_async, evaluate_job, data, (GDestroyNotify) evaluate_data_free,
                (GDestroyNotify) cal_metrics_free, cancellable, callback, user_data);
}

CalMetrics *
cal_evaluate_finish (GAsyncResult  *result,
                     char         **notice,
                     GError       **error)
{
  EvaluateData *data;
  CalMetrics *metrics = cal_task_finish (result, cal_evaluate_async, (gpointer *) &data, error);

  if (notice)
    *notice = g_steal_pointer (&data->notice);
  return metrics;
}
