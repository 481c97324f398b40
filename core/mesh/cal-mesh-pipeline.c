/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-pipeline.h"

#include <string.h>

#include "cal-mask-components.h"
#include "cal-mesh-decimate.h"
#include "cal-mesh-smooth.h"
#include "cal-surface.h"
#include "cal-parallel.h"
#include "cal-task.h"

G_DEFINE_QUARK (cal-mesh-error-quark, cal_mesh_error)

void
cal_mesh_options_init (CalMeshOptions *options)
{
  *options = (CalMeshOptions) {
    .label = 0,
    .space = CAL_SPACE_LPS,
    .decimate_max_error_mm = 0.1,
    .offset_tolerance = CAL_MESH_DEFAULT_OFFSET_TOLERANCE,
  };
}

/* A stage's share of the whole progress bar. */
typedef struct {
  CalProgressFunc func;
  gpointer        data;
  double          from, to;
} Stage;

static void
stage_progress (double   fraction,
                gpointer data)
{
  Stage *s = data;

  if (s->func != NULL)
    s->func (s->from + (s->to - s->from) * fraction, s->data);
}

static CalMask *
largest_component_copy (CalMask *mask,
                        guint8   label)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  gsize n = cal_grid_n_voxels (grid);
  guint8 *labels = g_malloc (n);
  const guint8 *src = cal_mask_get_labels (mask);
  CalMask *copy;

  /* Work on 0/1 so that "any label" has one component structure. */
  for (gsize i = 0; i < n; i++)
    labels[i] = label == 0 ? src[i] != 0 : src[i] == label;
  copy = cal_mask_new_take (grid, labels);
  cal_mask_keep_largest_component (copy, 1);
  return copy;
}

CalMesh *
cal_mesh_build (CalMask               *mask,
                const CalMeshOptions  *options,
                CalMeshReport         *report,
                CalProgressFunc        progress,
                gpointer               progress_data,
                GCancellable          *cancellable,
                GError               **error)
{
  g_autoptr(CalMask) source = NULL;
  g_autoptr(CalMesh) mesh = NULL;
  guint8 label = options->label;
  Stage stage = { progress, progress_data, 0, 0.3 };
  CalMeshReport local;
  double ms[4] = { 0, 0, 0, 0 };
  CalDecimateSummary decimation = { .reached_target = TRUE };
  gint64 start = g_get_monotonic_time ();

  g_return_val_if_fail (CAL_IS_MASK (mask), NULL);
  if (options->keep_largest)
    {
      source = largest_component_copy (mask, label);
      label = 1;
    }
  else
    source = g_object_ref (mask);

  mesh = cal_surface_from_mask (source, label, options->space, stage_progress, &stage,
                                cancellable, error);
  if (mesh == NULL)
    return NULL;
  ms[0] = (g_get_monotonic_time () - start) / 1000.0;
  start = g_get_monotonic_time ();
  stage = (Stage) { progress, progress_data, 0.3, 0.6 };
  if (!cal_mesh_smooth_taubin (mesh, options->smooth_iterations, stage_progress, &stage,
                               cancellable, error))
    return NULL;
  ms[1] = (g_get_monotonic_time () - start) / 1000.0;
  start = g_get_monotonic_time ();
  if (options->decimate_reduction > 0)
    {
      CalMesh *reduced;
      stage = (Stage) { progress, progress_data, 0.6, 0.9 };
      reduced = cal_mesh_decimate (mesh, options->decimate_reduction,
                                   options->decimate_max_error_mm, &decimation, stage_progress, &stage,
                                   cancellable, error);
      if (reduced == NULL)
        return NULL;
      g_object_unref (mesh);
      mesh = reduced;
    }
  ms[2] = (g_get_monotonic_time () - start) / 1000.0;
  start = g_get_monotonic_time ();
  if (report == NULL)
    report = &local;
  cal_mesh_check (mesh, source, label, options->offset_tolerance, report);
  report->decimate_target_reached = decimation.reached_target;
  report->surface_ms = ms[0];
  report->smooth_ms = ms[1];
  report->decimate_ms = ms[2];
  report->check_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (progress != NULL)
    progress (1.0, progress_data);
  return g_steal_pointer (&mesh);
}

static gpointer
build_job (gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  CalTaskJob *job = data;

  return cal_mesh_build (CAL_MASK (job->input), job->options, job->report, job->progress, job->progress_data,
                         cancellable, error);
}

void
cal_mesh_build_async (CalMask               *mask,
                      const CalMeshOptions  *options,
                      CalProgressFunc        progress,
                      gpointer               progress_data,
                      GCancellable          *cancellable,
                      GAsyncReadyCallback    callback,
                      gpointer               user_data)
{
  cal_task_run (NULL, cal_mesh_build_async, build_job,
                cal_task_job_new (mask, options, sizeof *options, sizeof (CalMeshReport), progress, progress_data),
                cal_task_job_free, g_object_unref, cancellable, callback, user_data);
}

CalMesh *
cal_mesh_build_finish (GAsyncResult   *result,
                       CalMeshReport  *report,
                       GError        **error)
{
  CalTaskJob *job;
  CalMesh *mesh = cal_task_finish (result, cal_mesh_build_async, (gpointer *) &job, error);

  if (report != NULL)
    *report = *(CalMeshReport *) job->report;
  return mesh;
}
