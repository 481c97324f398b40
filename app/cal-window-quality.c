/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quality control in the window: a reference (a mask file on the scan's
 * grid, or the threshold's result), Compare (the metrics of `evaluate`,
 * whole and at the defect edge, in a worker with progress and Cancel), the
 * signed-deviation and thickness colour maps on the 3D view with their
 * legend, the value at a clicked point, and the false-defect check. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-colour-scale.h"
#include "cal-defect-rim.h"
#include "cal-edit-session.h"
#include "cal-evaluate.h"
#include "cal-false-defects.h"
#include "cal-loader.h"
#include "cal-mask-components.h"
#include "cal-point-lookup.h"
#include "cal-surface.h"
#include "cal-thickness.h"
#include "cal-threshold.h"

struct _CalWindowQuality {
  CalMask               *reference;
  CalMask               *painted_region; /* a label file's: the region instead of the defect edge */
  CalMask               *region;         /* the last Compare's (the edge found, or the painted one) */
  guint8                *in_region;      /* per vertex of the surface shown at Compare */
  CalDeviationReference *dev;          /* of the reference, from the last Compare */
  float                 *deviation;    /* per vertex of the surface shown at Compare */
  float                 *thickness;
  guint32                n_vertices;
  guint                  generation;   /* of the surface shown; bumped by every new one */
  guint                  values_generation;
  double                 tolerance_mm;
  double                 range_mm;
};

typedef struct {
  CalWindow             *window;       /* a reference */
  CalMask               *test, *reference;
  CalMask               *painted_region;
  char                  *device;       /* Preferences' "compute-device" */
  float                 *positions;    /* the shown surface's vertices, x y z */
  guint32                n;
  guint                  generation;
  double                 band_mm, tolerance_mm, range_mm;
  /* results */
  CalMetrics            *metrics, *metrics_region;
  char                  *notice;
  CalDeviationReference *dev;
  CalDeviationStats      whole, region;
  CalMask               *region_mask;
  guint                  n_openings;
  gboolean               has_region;
  float                 *deviation, *thickness;
  guint8                *in_region;
  gint64                 started;
} CompareJob;

static void
compare_job_free (CompareJob *job)
{
  g_clear_object (&job->window);
  g_clear_object (&job->test);
  g_clear_object (&job->reference);
  g_clear_object (&job->painted_region);
  g_free (job->device);
  g_clear_object (&job->region_mask);
  g_free (job->positions);
  g_free (job->in_region);
  g_clear_pointer (&job->metrics, cal_metrics_free);
  g_clear_pointer (&job->metrics_region, cal_metrics_free);
  g_free (job->notice);
  g_clear_pointer (&job->dev, cal_deviation_reference_free);
  g_free (job->deviation);
  g_free (job->thickness);
  g_free (job);
}

void
cal_window_quality_init (CalWindow *self)
{
  self->quality = g_new0 (CalWindowQuality, 1);
  self->quality->tolerance_mm = 1.0;
  self->quality->range_mm = 5.0;
}

static void
drop_values (CalWindowQuality *q)
{
  g_clear_pointer (&q->deviation, g_free);
  g_clear_pointer (&q->thickness, g_free);
  g_clear_pointer (&q->in_region, g_free);
  q->n_vertices = 0;
}

void
cal_window_quality_free (CalWindow *self)
{
  CalWindowQuality *q = self->quality;

  if (q == NULL)
    return;
  g_clear_object (&q->reference);
  g_clear_object (&q->painted_region);
  g_clear_object (&q->region);
  g_clear_pointer (&q->dev, cal_deviation_reference_free);
  drop_values (q);
  g_clear_pointer (&self->quality, g_free);
}

/* Colours ------------------------------------------------------------- */

/* The region of interest in orange on pale bone: apart for every kind of
 * colour vision (lightness and hue both differ). */
static const float region_rgb[3] = { 235 / 255.0f, 122 / 255.0f, 26 / 255.0f };   /* cal_region_tint */
static const float outside_region_rgb[3] = { 0.80f, 0.79f, 0.76f };

static gboolean
values_current (CalWindowQuality *q, const CalDisplayMesh *mesh)
{
  return q->deviation != NULL && mesh != NULL && q->values_generation == q->generation &&
         q->n_vertices == mesh->n_vertices;
}

static void
apply_colour_map (CalWindow *self)
{
  CalWindowQuality *q = self->quality;
  const CalDisplayMesh *mesh = cal_mesh_view_get_display_mesh (self->mesh_view);
  CalColourMap map = cal_quality_panel_get_colour_map (self->quality_panel);
  CalDeviationScale scale = { q->range_mm, q->tolerance_mm };
  float *rgb;

  /* The slice views tint the region while it is painted or its map is shown. */
  if (cal_window_is_painting_region (self))
    cal_view_state_set_region (self->state, q->painted_region);
  else
    cal_view_state_set_region (self->state, map == CAL_COLOUR_MAP_REGION ? q->region : NULL);
  if (map == CAL_COLOUR_MAP_BONE || !values_current (q, mesh))
    {
      cal_mesh_view_set_colours (self->mesh_view, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->legend_area), FALSE);
      return;
    }
  rgb = g_new (float, 3 * (gsize) mesh->n_vertices);
  for (guint32 i = 0; i < mesh->n_vertices; i++)
    if (map == CAL_COLOUR_MAP_DEVIATION)
      cal_deviation_colour (&scale, q->deviation[i], &rgb[3 * i]);
    else if (map == CAL_COLOUR_MAP_THICKNESS)
      cal_thickness_colour (q->thickness[i], &rgb[3 * i]);
    else
      memcpy (&rgb[3 * i], q->in_region && q->in_region[i] ? region_rgb : outside_region_rgb, sizeof region_rgb);
  cal_mesh_view_set_colours (self->mesh_view, rgb);
  gtk_widget_set_visible (GTK_WIDGET (self->legend_area), TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self->legend_area));
}

/* The legend over the 3D view: the scale's bar, its ticks in mm, and
 * what the colours mean. */
static void
draw_legend (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  CalWindow *self = data;
  CalWindowQuality *q = self->quality;
  CalColourMap map = cal_quality_panel_get_colour_map (self->quality_panel);
  gboolean deviation = map == CAL_COLOUR_MAP_DEVIATION;
  CalDeviationScale scale = { q->range_mm, q->tolerance_mm };
  double lo = deviation ? -q->range_mm - 1 : 0, hi = deviation ? q->range_mm + 1 : CAL_THICKNESS_SCALE_MAX_MM;
  double x0 = 10, w = width - 20, bar_y = 22, bar_h = 10;
  double ticks_dev[] = { -q->range_mm, -q->tolerance_mm, 0, q->tolerance_mm, q->range_mm };
  double ticks_thick[] = { 0, 2, 4, 6, 8, 10 };
  const double *ticks = deviation ? ticks_dev : ticks_thick;
  int n_ticks = deviation ? 5 : 6;
  g_autofree char *title = deviation
    ? g_strdup_printf (_("Signed deviation (mm): blue inside, red outside the reference, grey within ±%.2g"),
                       q->tolerance_mm)
    : g_strdup (_("Bone thickness (mm): violet thin, yellow thick"));

  cairo_set_source_rgba (cr, 0.1, 0.1, 0.12, 0.78);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  if (map == CAL_COLOUR_MAP_REGION)
    {
      cairo_set_source_rgb (cr, region_rgb[0], region_rgb[1], region_rgb[2]);
      cairo_rectangle (cr, x0, bar_y, 24, bar_h);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_set_font_size (cr, 10);
      cairo_move_to (cr, x0, 14);
      cairo_show_text (cr, _("Region of interest: the surface the region's numbers count"));
      return;
    }
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_font_size (cr, 10);
  cairo_move_to (cr, x0, 14);
  cairo_show_text (cr, title);
  for (int i = 0; i < 300; i++)
    {
      float rgb[3];
      double v = lo + (hi - lo) * (i + 0.5) / 300;

      if (deviation)
        cal_deviation_colour (&scale, v, rgb);
      else
        cal_thickness_colour (v, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, x0 + w * i / 300, bar_y, w / 300 + 0.5, bar_h);
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 1);
  for (int t = 0; t < n_ticks; t++)
    {
      double x = x0 + w * (ticks[t] - lo) / (hi - lo);
      g_autofree char *label = g_strdup_printf (deviation ? "%+g" : "%g", ticks[t]);

      cairo_move_to (cr, x, bar_y + bar_h);
      cairo_line_to (cr, x, bar_y + bar_h + 4);
      cairo_stroke (cr);
      cairo_move_to (cr, x - 8, bar_y + bar_h + 15);
      cairo_show_text (cr, label);
    }
}

void
cal_window_quality_surface_changed (CalWindow *self)
{
  CalWindowQuality *q = self->quality;

  q->generation++;
  if (q->deviation != NULL && cal_quality_panel_get_colour_map (self->quality_panel) != CAL_COLOUR_MAP_BONE)
    cal_quality_panel_set_picked (self->quality_panel,
                                  _("The surface changed since the comparison: Compare again for its colours."));
  apply_colour_map (self);
}

/* Compare --------------------------------------------------------------- */

static void
compare_progress (double fraction, gpointer data)
{
  CompareJob *job = data;

  cal_progress_report (0.7 * fraction, &job->window->progress);
}

CalVkContext *
cal_window_metrics_device (const char *device)
{
  CalVkContext *vk = NULL;

  /* The rule of every front end, with the Preferences' device (device:
   * "compute-device", "" automatic); one that cannot be had: the CPU path. */
  if (!cal_evaluate_open_device (device && *device ? device : NULL, &vk, NULL, NULL))
    return NULL;
  return vk;
}

/* Which points' nearest voxel is in the region. */
static guint8 *
region_flags (CalMask *region, const float *points, guint32 n)
{
  guint8 *flags = g_new0 (guint8, MAX (n, 1u));
  CalPointLookup lookup;

  if (cal_point_lookup_init (&lookup, region))
    for (guint32 i = 0; i < n; i++)
      flags[i] = cal_point_lookup_label (&lookup, &points[3 * (gsize) i]) != 0;
  return flags;
}

/* The bar: the voxel metrics to 70 %, the full surface's map to 95 %, the
 * shown surface's deviation and thickness to the end. */
static void
surfaces_progress (double fraction, gpointer data)
{
  CompareJob *job = data;

  cal_progress_report (0.7 + 0.25 * fraction, &job->window->progress);
}

static gboolean
compare_surfaces (CompareJob *job, CalMask *region, GCancellable *cancellable, GError **error)
{
  /* The reference's surface and search from the last Compare, when the
   * reference is the same: the next one after an edit needs only the mask's. */
  g_autoptr(CalSurfaceComparison) comparison =
    cal_surface_comparison_compute_with (g_steal_pointer (&job->dev), job->reference, job->test, region,
                                         job->tolerance_mm, job->range_mm, surfaces_progress, job,
                                         cancellable, error);

  if (comparison == NULL)
    return FALSE;
  job->whole = comparison->stats;
  job->region = comparison->region_stats;
  job->dev = g_steal_pointer (&comparison->reference);
  if (job->positions == NULL)
    return TRUE;
  job->deviation = g_new (float, job->n);
  job->thickness = g_new (float, job->n);
  if (region)
    job->in_region = region_flags (region, job->positions, job->n);
  return cal_deviation_reference_measure (job->dev, job->positions, 3, job->n, job->deviation, cancellable, error) &&
         cal_thickness_measure (job->test, job->positions, 3, job->n, job->thickness, cancellable, error);
}

/* The region of interest: the one the engineer opened, or the band
 * around the rim of each opening the test mask leaves (NULL: none). */
static CalMask *
find_region (CompareJob *job, GCancellable *cancellable)
{
  CalDefectRimOptions options;
  g_autoptr(CalDefectRim) rim = NULL;

  if (job->painted_region)
    return g_object_ref (job->painted_region);
  if (job->band_mm <= 0)
    return NULL;
  cal_defect_rim_options_init (&options);
  options.band_mm = job->band_mm;
  rim = cal_find_defect_rim (job->test, &options, cancellable, NULL);
  if (rim == NULL || rim->n_region_voxels == 0)
    return NULL;
  job->n_openings = rim->openings->len;
  return g_object_ref (rim->region);
}

static void
compare_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  CompareJob *job = data;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(CalVkContext) vk = cal_window_metrics_device (job->device);
  g_autoptr(CalMask) region = find_region (job, cancellable);
  gint64 found = g_get_monotonic_time ();
  GError *error = NULL;

  /* Whole and region from one computation of the distances; a region
   * with no surface of one mask leaves its metrics unknown, said so. */
  job->metrics = cal_evaluate_with_region (vk, job->reference, job->test, region, compare_progress, job,
                                           cancellable, &job->notice, &error);
  if (job->metrics == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->has_region = region != NULL;
  job->metrics_region = g_steal_pointer (&job->metrics->region);
  job->region_mask = region ? g_object_ref (region) : NULL;
  cal_progress_report (0.7, &job->window->progress);
  {
    gint64 measured = g_get_monotonic_time ();
    if (!compare_surfaces (job, region, cancellable, &error))
      {
        g_task_return_error (task, error);
        return;
      }
    /* Where the time goes (G_MESSAGES_DEBUG=Calvaria). */
    g_debug ("Compare: region %.2f s, voxel metrics %.2f s, surfaces %.2f s",
             (found - start) / 1e6, (measured - found) / 1e6, (g_get_monotonic_time () - measured) / 1e6);
  }
  g_task_return_boolean (task, TRUE);
}

static char *
describe_region (CompareJob *job)
{
  const CalMetrics *g = job->metrics_region;
  const CalDeviationStats *r = &job->region;

  if (!job->has_region)
    return g_strdup (job->band_mm > 0 ? _("Defect edge: no opening found in the skull.") : "");
  if (job->painted_region)
    return g_strdup_printf (_("Region of interest (painted or opened as a label): HD %.4f mm, HD95 %.4f mm, ASSD %.4f mm; "
                              "signed deviation %+.4f ± %.4f mm, RMS %.4f mm, %.2f %% within ±%.2f mm."),
                            g ? g->hd : NAN, g ? g->hd95 : NAN, g ? g->assd : NAN,
                            r->mean, r->sd, r->rms, 100 * r->within_tolerance, r->tolerance_mm);
  return g_strdup_printf (_("Defect edge (%.1f mm band, %u openings): HD %.4f mm, HD95 %.4f mm, ASSD %.4f mm; "
                            "signed deviation %+.4f ± %.4f mm, RMS %.4f mm, %.2f %% within ±%.2f mm."),
                          job->band_mm, job->n_openings, g ? g->hd : NAN, g ? g->hd95 : NAN, g ? g->assd : NAN,
                          r->mean, r->sd, r->rms, 100 * r->within_tolerance, r->tolerance_mm);
}

static void
show_results (CalWindow *self, CompareJob *job)
{
  const CalMetrics *m = job->metrics;
  const CalDeviationStats *w = &job->whole;
  g_autofree char *region = describe_region (job);
  g_autofree char *text = g_strdup_printf (
    _("Computed on %s in %.1f s.\n"
      "DSC %.6f (volumetric). Per axial slice: arithmetic mean %.6f, harmonic mean %.6f; the slice means "
      "weigh every slice alike, and a slice where only one mask has bone scores 0, which makes the harmonic "
      "mean 0.\n"
      "Hausdorff %.4f mm, HD95 %.4f mm, ASSD %.4f mm (surface voxels, exact distances).\n"
      "Signed deviation of the surface (+: the mask lies outside the reference): %+.4f ± %.4f mm, "
      "RMS %.4f mm, %.2f %% of the area within ±%.2f mm; from %+.4f to %+.4f mm.\n%s"),
    m->device && g_strcmp0 (m->device, "cpu") != 0 ? m->device : _("the CPU (Calvaria's CPU path)"),
    (g_get_monotonic_time () - job->started) / 1e6,
    m->dsc, m->dsc_slice_mean, m->dsc_slice_harmonic, m->hd, m->hd95, m->assd,
    w->mean, w->sd, w->rms, 100 * w->within_tolerance, w->tolerance_mm, w->min, w->max, region);

  cal_quality_panel_set_results (self->quality_panel, text, w);
}

static void
compare_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  CalWindow *self = CAL_WINDOW (source);
  CompareJob *job = g_task_get_task_data (G_TASK (result));
  CalWindowQuality *q = self->quality;
  g_autoptr(GError) error = NULL;

  cal_window_end_task (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The reference's search, lent and not used: back for clicks. */
      if (q->dev == NULL && job->dev != NULL)
        q->dev = g_steal_pointer (&job->dev);
      cal_window_show_error (self, _("The comparison failed"), error);
      return;
    }
  if (job->notice)
    cal_window_toast (self, job->notice);
  g_clear_pointer (&q->dev, cal_deviation_reference_free);
  q->dev = g_steal_pointer (&job->dev);
  g_clear_object (&q->region);
  q->region = g_steal_pointer (&job->region_mask);
  drop_values (q);
  q->tolerance_mm = job->tolerance_mm;
  q->range_mm = job->range_mm;
  if (job->deviation)
    {
      q->deviation = g_steal_pointer (&job->deviation);
      q->thickness = g_steal_pointer (&job->thickness);
      q->in_region = g_steal_pointer (&job->in_region);
      q->n_vertices = job->n;
      q->values_generation = job->generation;
    }
  show_results (self, job);
  cal_quality_panel_set_picked (self->quality_panel,
                                job->positions ? _("Click the 3D surface to read the deviation there.")
                                               : _("Update 3D to see the deviation as a colour map."));
  if (job->positions && cal_quality_panel_get_colour_map (self->quality_panel) == CAL_COLOUR_MAP_BONE)
    cal_quality_panel_set_colour_map (self->quality_panel, CAL_COLOUR_MAP_DEVIATION);
  apply_colour_map (self);
}

static void
compare_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalMask *mask = cal_view_state_get_mask (self->state);
  const CalDisplayMesh *mesh = cal_mesh_view_get_display_mesh (self->mesh_view);
  g_autoptr(GTask) task = NULL;
  CompareJob *job;

  if (cal_window_is_busy (self) || mask == NULL || self->quality->reference == NULL)
    return;
  job = g_new0 (CompareJob, 1);
  job->window = g_object_ref (self);
  job->test = cal_mask_copy (mask);
  job->reference = g_object_ref (self->quality->reference);
  job->painted_region = self->quality->painted_region ? g_object_ref (self->quality->painted_region) : NULL;
  job->device = g_settings_get_string (self->settings, "compute-device");
  job->band_mm = cal_quality_panel_get_band_mm (self->quality_panel);
  job->tolerance_mm = cal_quality_panel_get_tolerance_mm (self->quality_panel);
  job->range_mm = 5.0;
  job->generation = self->quality->generation;
  job->started = g_get_monotonic_time ();
  /* Lent to the worker (clicks on the surface wait for the new one). */
  if (self->quality->dev && cal_deviation_reference_get_mask (self->quality->dev) == job->reference)
    job->dev = g_steal_pointer (&self->quality->dev);
  if (mesh && mesh->n_vertices > 0)
    {
      job->n = mesh->n_vertices;
      job->positions = g_new (float, 3 * (gsize) job->n);
      for (guint32 i = 0; i < job->n; i++)
        memcpy (&job->positions[3 * i], &mesh->vertices[6 * (gsize) i], 3 * sizeof (float));
    }
  task = g_task_new (self, cal_window_begin_task (self, _("Comparing with the reference…")), compare_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) compare_job_free);
  g_task_run_in_thread (task, compare_in_thread);
}

/* The reference ------------------------------------------------------------ */

static void
set_reference (CalWindow *self, CalMask *reference, const char *how)
{
  CalWindowQuality *q = self->quality;
  guint64 bone = cal_grid_n_voxels (cal_mask_get_grid (reference)) - cal_mask_count (reference, 0);
  g_autofree char *text = NULL;

  /* No file name: a reference's may name the patient. */
  text = g_strdup_printf (_("%s: %.1f mL of bone"), how, (double) bone * cal_mask_voxel_volume (reference) / 1000);
  g_set_object (&q->reference, reference);
  cal_quality_panel_set_reference (self->quality_panel, text);
  cal_window_update_actions (self);
}

gboolean
cal_window_open_reference_from (CalWindow *self, GFile *file, GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(CalMask) mask = NULL;
  CalVolume *volume = cal_view_state_get_volume (self->state);

  if (volume == NULL || path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a scan first, then its reference"));
      return FALSE;
    }
  mask = cal_mask_load (path, 0, CAL_LOAD_FLAGS_NONE, NULL, NULL, error);
  if (mask == NULL || !cal_edit_mask_fits_volume (mask, volume, error))
    return FALSE;
  set_reference (self, mask, _("A mask file on the scan's grid"));
  return TRUE;
}

static void
reference_response_cb (GtkNativeDialog *chooser, int response, CalWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (!cal_window_open_reference_from (self, file, &error))
        cal_window_show_error (self, _("The reference could not be opened"), error);
    }
  g_object_unref (chooser);
}

static void
open_reference_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open Reference Mask"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                               _("_Cancel"));

  g_signal_connect (chooser, "response", G_CALLBACK (reference_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
threshold_reference_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  CalWindow *self = CAL_WINDOW (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) mask = cal_threshold_segment_finish (result, NULL, &error);

  cal_window_end_task (self);
  if (mask == NULL)
    cal_window_show_error (self, _("The reference could not be made"), error);
  else
    {
      g_autofree char *how = g_strdup_printf (_("Threshold %g to %g HU"), gtk_spin_button_get_value (self->min_hu_spin),
                                              gtk_spin_button_get_value (self->max_hu_spin));
      set_reference (self, mask, how);
    }
  g_object_unref (self);
}

static void
reference_from_threshold_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalThresholdOptions options;
  GCancellable *cancellable;

  if (cal_window_is_busy (self) || !cal_view_state_get_volume (self->state))
    return;
  cal_window_threshold_options (self, &options);
  cancellable = cal_window_begin_task (self, _("Making the reference by threshold…"));
  cal_threshold_segment_async (cal_view_state_get_volume (self->state), &options, cal_progress_report,
                               &self->progress, cancellable, threshold_reference_done_cb, g_object_ref (self));
}

/* The region painted or opened (cal-window-region.c) -------------------------- */

void
cal_window_quality_set_painted_region (CalWindow *self, CalMask *region, const char *description)
{
  g_set_object (&self->quality->painted_region, region);
  cal_quality_panel_set_region (self->quality_panel, region ? description : NULL);
  apply_colour_map (self);
}

CalMask *
cal_window_quality_get_painted_region (CalWindow *self)
{
  return self->quality->painted_region;
}

CalMask *
cal_window_quality_get_found_region (CalWindow *self)
{
  return self->quality->region;
}

void
cal_window_quality_show_region (CalWindow *self)
{
  apply_colour_map (self);
}

/* The point clicked ------------------------------------------------------------ */

static void
surface_picked_cb (CalMeshView *view, double x, double y, double z, guint vertex, CalWindow *self)
{
  CalWindowQuality *q = self->quality;
  const CalDisplayMesh *mesh = cal_mesh_view_get_display_mesh (view);
  const double p[3] = { x, y, z };
  g_autofree char *text = NULL, *thick = NULL;
  double d;

  if (q->dev == NULL)
    return;
  d = cal_deviation_reference_measure_point (q->dev, p, NULL);
  if (values_current (q, mesh) && vertex < q->n_vertices && !isnan (q->thickness[vertex]))
    thick = g_strdup_printf (_("; bone %.1f mm thick"), q->thickness[vertex]);
  text = g_strdup_printf (_("At L %.1f, P %.1f, S %.1f mm: %+.2f mm (%s the reference)%s. The slice views are "
                            "there now."),
                          x, y, z, d, d > 0 ? _("outside") : _("inside"), thick ? thick : "");
  cal_quality_panel_set_picked (self->quality_panel, text);
}

/* False defects ------------------------------------------------------------ */

typedef struct {
  CalVolume *ct;
  CalMask   *mask;
} FalseDefectJob;

static void
false_defect_job_free (FalseDefectJob *job)
{
  g_clear_object (&job->ct);
  g_clear_object (&job->mask);
  g_free (job);
}

static void
false_defects_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  FalseDefectJob *job = data;
  GError *error = NULL;
  GArray *pieces = cal_find_false_defects (job->ct, job->mask, NULL, cancellable, &error);

  if (pieces == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pieces, (GDestroyNotify) g_array_unref);
}

static void
false_defects_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  CalWindow *self = CAL_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pieces = g_task_propagate_pointer (G_TASK (result), &error);

  cal_window_end_task (self);
  if (pieces == NULL)
    cal_window_show_error (self, _("The false-defect check failed"), error);
  else
    cal_quality_panel_set_false_defects (self->quality_panel, pieces);
}

static void
check_false_defects_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CalWindow *self = CAL_WINDOW (widget);
  CalMask *mask = cal_view_state_get_mask (self->state);
  g_autoptr(GTask) task = NULL;
  FalseDefectJob *job;

  if (cal_window_is_busy (self) || mask == NULL)
    return;
  job = g_new0 (FalseDefectJob, 1);
  job->ct = g_object_ref (cal_view_state_get_volume (self->state));
  job->mask = cal_mask_copy (mask);
  task = g_task_new (self, cal_window_begin_task (self, _("Looking for bone left out of the mask…")),
                     false_defects_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) false_defect_job_free);
  g_task_run_in_thread (task, false_defects_in_thread);
}

static void
false_defect_activated_cb (CalQualityPanel *panel, double x, double y, double z, CalWindow *self)
{
  const double p[3] = { x, y, z };

  cal_view_state_set_cursor (self->state, p);
}

CalMask *
cal_window_quality_get_reference (CalWindow *self)
{
  return self->quality->reference;
}

const float *
cal_window_quality_get_deviation (CalWindow *self, guint32 *n_vertices)
{
  CalWindowQuality *q = self->quality;

  if (!values_current (q, cal_mesh_view_get_display_mesh (self->mesh_view)))
    return NULL;
  *n_vertices = q->n_vertices;
  return q->deviation;
}

/* Set-up --------------------------------------------------------------- */

void
cal_window_quality_update_actions (CalWindow *self, gboolean busy, gboolean scan, gboolean mask)
{
  gboolean reference = self->quality != NULL && self->quality->reference != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-reference", scan && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reference-from-threshold", scan && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare", mask && reference && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.check-false-defects", mask && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-region", scan && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-region", scan && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.paint-region", scan && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-region", scan && !busy);
}

void
cal_window_quality_setup (CalWindow *self)
{
  gtk_drawing_area_set_draw_func (self->legend_area, draw_legend, self, NULL);
  g_signal_connect_swapped (self->quality_panel, "notify::colour-map", G_CALLBACK (apply_colour_map), self);
  g_signal_connect (self->quality_panel, "false-defect-activated", G_CALLBACK (false_defect_activated_cb), self);
  g_signal_connect (self->mesh_view, "surface-picked", G_CALLBACK (surface_picked_cb), self);
}

void
cal_window_quality_scan_loaded (CalWindow *self)
{
  CalWindowQuality *q = self->quality;

  cal_window_region_scan_loaded (self);
  g_clear_object (&q->reference);
  g_clear_object (&q->painted_region);
  g_clear_object (&q->region);
  g_clear_pointer (&q->dev, cal_deviation_reference_free);
  drop_values (q);
  cal_quality_panel_set_reference (self->quality_panel, NULL);
  cal_quality_panel_set_region (self->quality_panel, NULL);
  cal_quality_panel_set_results (self->quality_panel, NULL, NULL);
  cal_quality_panel_set_picked (self->quality_panel, NULL);
  cal_quality_panel_set_false_defects (self->quality_panel, NULL);
  apply_colour_map (self);
}

void
cal_window_install_quality_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-reference", NULL, open_reference_action);
  gtk_widget_class_install_action (widget_class, "win.reference-from-threshold", NULL,
                                   reference_from_threshold_action);
  gtk_widget_class_install_action (widget_class, "win.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "win.check-false-defects", NULL, check_false_defects_action);
  cal_window_install_region_actions (widget_class);
}
