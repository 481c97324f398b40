/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 3D view's surface: built in blocks by Update 3D, then kept up to date
 * after every edit by re-meshing only the blocks the edit touched, in a
 * worker (cal-block-surface.h).  The export still meshes the whole mask
 * with all its checks. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-block-surface.h"
#include "cal-edit-session.h"

typedef struct {
  CalWindow       *window;      /* a reference */
  CalBlockSurface *surface;     /* a reference */
  CalMask         *mask;        /* Update 3D: a copy to build from */
  CalBlockRegion  *region;
  guint32          budget;
  guint64          full_triangles;
  gint64           started;
} SurfaceJob;

static void
surface_job_free (SurfaceJob *job)
{
  g_clear_pointer (&job->region, cal_block_region_free);
  g_clear_object (&job->mask);
  g_clear_pointer (&job->surface, cal_block_surface_unref);
  g_clear_object (&job->window);
  g_free (job);
}

/* What the 3D view says over itself: nothing while the surface shown is
 * the mask's; otherwise why there is none or why it is not the mask's,
 * with Update 3D where that helps; and, over a reduced surface, that it
 * is reduced. */
void
cal_window_surface_show_status (CalWindow *self)
{
  const char *title = NULL, *body = NULL;
  gboolean button = FALSE, has_mask;
  guint factor = self->surface ? cal_block_surface_get_factor (self->surface) : 1;

  if (self->surface_status_box == NULL || self->state == NULL)
    return;   /* the window is being disposed */
  /* Cheap enough for every brush stroke: the mask holds something once a
   * step is applied (a threshold, the U-net, a stroke, an opened mask). */
  has_mask = self->edit != NULL && cal_view_state_get_mask (self->state) != NULL &&
             cal_edit_history_get_position (cal_edit_session_get_history (self->edit)) > 0;
  if (self->surface_busy && self->surface == NULL)
    title = _("Building the 3D surface…");
  else if (self->surface != NULL)
    title = NULL;   /* it follows every edit */
  else if (!has_mask)
    title = _("No surface yet"),
    body = _("Threshold or segment the skull, or paint it: its surface shows here.");
  else
    title = _("The 3D view is out of date"),
    body = _("The mask has changed since the 3D surface was built, or none was built."), button = TRUE;
  gtk_widget_set_visible (self->surface_status_box, title != NULL);
  gtk_label_set_text (self->surface_status_title, title ? title : "");
  gtk_label_set_text (self->surface_status_body, body ? body : "");
  gtk_widget_set_visible (GTK_WIDGET (self->surface_status_body), body != NULL);
  gtk_widget_set_visible (self->surface_status_button, button);
  gtk_widget_set_visible (GTK_WIDGET (self->surface_reduced_label), self->surface != NULL && factor > 1);
  if (self->surface != NULL && factor > 1)
    {
      /* Translators: over the 3D view: the surface shown is a preview on a coarser grid */
      g_autofree char *text = g_strdup_printf (_("Preview: %u× coarser than the scan · export is full resolution"),
                                               factor);
      gtk_label_set_text (self->surface_reduced_label, text);
    }
}

static void
show_surface (CalWindow *self)
{
  CalBlockSurface *s = self->surface;
  CalDisplayMesh *display = cal_block_surface_to_display (s);
  g_autofree char *text = NULL;

  display->source_triangles = (guint32) MIN (self->surface_full_triangles, G_MAXUINT32);
  if (cal_block_surface_get_factor (s) > 1)
    text = g_strdup_printf (_("Surface: %u triangles, on a grid %u times coarser than the scan (about %llu "
                              "at full resolution); it follows every edit. Export uses the full resolution."),
                            display->n_triangles, cal_block_surface_get_factor (s),
                            (unsigned long long) self->surface_full_triangles);
  else
    text = g_strdup_printf (_("Surface: %u triangles; it follows every edit."), display->n_triangles);
  cal_mesh_view_set_display_mesh (self->mesh_view, display);
  gtk_label_set_text (self->mesh_label, text);
  cal_window_surface_show_status (self);
  cal_window_quality_surface_changed (self);
}

static void
mesh_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  SurfaceJob *job = data;

  if (job->mask != NULL)
    {
      guint factor = cal_block_surface_choose_factor (job->mask, job->budget, &job->full_triangles);
      job->surface = cal_block_surface_new (cal_mask_get_grid (job->mask), factor);
      job->region = cal_block_region_new (job->surface, job->mask, NULL);
    }
  cal_block_region_mesh (job->surface, job->region);
  g_task_return_boolean (task, TRUE);
}

static void start_update (CalWindow *self);

/* A worker's blocks into the view; then the edits made while it worked. */
static void
take_blocks (CalWindow  *self,
             SurfaceJob *job)
{
  cal_block_surface_apply (self->surface, job->region);
  show_surface (self);
  if (!cal_box_is_empty (&self->surface_dirty))
    start_update (self);
}

static void
update_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  CalWindow *self = CAL_WINDOW (source);
  SurfaceJob *job = g_task_get_task_data (G_TASK (result));

  self->surface_busy = FALSE;
  /* A new surface or a new scan since: this result is for nothing. */
  if (job->surface == self->surface)
    {
      self->surface_update_ms = (g_get_monotonic_time () - job->started) / 1000.0;
      take_blocks (self, job);
    }
  else if (self->surface != NULL && !cal_box_is_empty (&self->surface_dirty))
    start_update (self);
}

static void
start_update (CalWindow *self)
{
  g_autoptr (GTask) task = NULL;
  SurfaceJob *job;
  CalMask *mask = cal_view_state_get_mask (self->state);

  if (self->surface_busy || self->surface == NULL || mask == NULL)
    return;
  job = g_new0 (SurfaceJob, 1);
  job->window = g_object_ref (self);
  job->surface = cal_block_surface_ref (self->surface);
  job->started = g_get_monotonic_time ();
  /* A small copy: the voxels of the blocks under the change. */
  job->region = cal_block_region_new (self->surface, mask, &self->surface_dirty);
  self->surface_dirty = (CalBox) { { 0 } };
  self->surface_busy = TRUE;
  task = g_task_new (self, NULL, update_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) surface_job_free);
  g_task_run_in_thread (task, mesh_in_thread);
}

/* Every change of the mask's voxels: its blocks are re-meshed. */
void
cal_window_surface_mask_changed (CalWindow    *self,
                                 const CalBox *box)
{
  /* While Update 3D builds, the changes wait for its surface. */
  if (self->surface == NULL && !self->surface_busy)
    return;
  cal_box_union (&self->surface_dirty, box);
  start_update (self);
}

void
cal_window_surface_clear (CalWindow *self)
{
  g_clear_pointer (&self->surface, cal_block_surface_unref);
  self->surface_dirty = (CalBox) { { 0 } };
  cal_window_surface_show_status (self);
}

static void
build_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  CalWindow *self = CAL_WINDOW (source);
  SurfaceJob *job = g_task_get_task_data (G_TASK (result));
  gboolean cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));

  cal_window_end_task (self);
  self->surface_busy = FALSE;
  if (cancelled)
    {
      cal_window_toast (self, _("Cancelled"));
      cal_window_surface_show_status (self);
      return;
    }
  /* The edits made while it was built are kept: clearing the old surface
   * must not drop them. */
  g_clear_pointer (&self->surface, cal_block_surface_unref);
  self->surface = cal_block_surface_ref (job->surface);
  self->surface_full_triangles = job->full_triangles;
  take_blocks (self, job);
}

/* Update 3D: the whole surface, in blocks, at the finest grid the display
 * budget allows. */
void
cal_window_surface_build (CalWindow *self)
{
  CalMask *mask = cal_view_state_get_mask (self->state);
  g_autoptr (GTask) task = NULL;
  SurfaceJob *job;
  GCancellable *cancellable;

  if (cal_window_is_busy (self) || mask == NULL || self->surface_busy)
    return;
  cancellable = cal_window_begin_task (self, _("Building the 3D surface…"));
  job = g_new0 (SurfaceJob, 1);
  job->window = g_object_ref (self);
  job->mask = cal_mask_copy (mask);   /* the window's mask is edited in place */
  job->budget = cal_window_display_budget (self);
  job->started = g_get_monotonic_time ();
  self->surface_busy = TRUE;
  self->surface_dirty = (CalBox) { { 0 } };
  cal_window_surface_show_status (self);
  task = g_task_new (self, cancellable, build_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) surface_job_free);
  g_task_run_in_thread (task, mesh_in_thread);
}
