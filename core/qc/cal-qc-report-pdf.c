/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The QC report as a PDF, drawn with cairo: checks first, then every
 * metric with its definition and unit, then the colour maps (five views,
 * legend, histogram) of the signed deviation and of the thickness. */
#include "cal-qc-report.h"

#include <cairo-pdf.h>
#include <math.h>
#include <string.h>

#include "cal-atomic-file.h"
#include "cal-colour-scale.h"
#include "cal-surface-render.h"

#define PAGE_W 595.0     /* A4, points */
#define PAGE_H 842.0
#define MARGIN 42.0
#define VIEW_PX 360      /* each view's picture, pixels */

typedef struct {
  cairo_t *cr;
  double   y;            /* where the next line goes */
} Page;

static void
set_font (cairo_t *cr, double size, gboolean bold)
{
  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static void
next_page (Page *page)
{
  cairo_show_page (page->cr);
  page->y = MARGIN;
}

/* Writes text from x to the right margin, wrapping at spaces. */
static void
text_wrapped (Page *page, double x, double size, gboolean bold, const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) line = g_string_new (NULL);
  double width = PAGE_W - MARGIN - x;

  set_font (page->cr, size, bold);
  for (int i = 0; words[i] != NULL; i++)
    {
      g_autoptr(GString) trial = g_string_new (line->str);
      cairo_text_extents_t ext;

      if (trial->len > 0)
        g_string_append_c (trial, ' ');
      g_string_append (trial, words[i]);
      cairo_text_extents (page->cr, trial->str, &ext);
      if (ext.x_advance > width && line->len > 0)
        {
          cairo_move_to (page->cr, x, page->y);
          cairo_show_text (page->cr, line->str);
          page->y += size * 1.35;
          g_string_assign (line, words[i]);
        }
      else
        g_string_assign (line, trial->str);
    }
  cairo_move_to (page->cr, x, page->y);
  cairo_show_text (page->cr, line->str);
  page->y += size * 1.35;
  if (page->y > PAGE_H - MARGIN)
    next_page (page);
}

static void
heading (Page *page, const char *text)
{
  if (page->y > PAGE_H - MARGIN - 60)
    next_page (page);
  page->y += 8;
  text_wrapped (page, MARGIN, 13, TRUE, text);
  page->y += 2;
}

static void
line_kv (Page *page, const char *key, const char *value)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", key, value ? value : "—");

  text_wrapped (page, MARGIN + 8, 9.5, FALSE, text);
}

static void
scan_and_mask (Page *page, const CalQcReport *r)
{
  g_autofree char *geometry = g_strdup_printf ("%u × %u × %u voxels of %.4f × %.4f × %.4f mm, axes %s",
                                               r->dims[0], r->dims[1], r->dims[2],
                                               r->spacing[0], r->spacing[1], r->spacing[2], r->orientation);
  g_autofree char *threshold = isnan (r->threshold_hu) ? NULL : g_strdup_printf ("%.0f HU", r->threshold_hu);

  heading (page, "Scan (geometry only: no patient identifiers are recorded)");
  line_kv (page, "Grid", geometry);
  heading (page, "How the mask was made");
  line_kv (page, "Method", r->method);
  line_kv (page, "Model", r->model_name);
  line_kv (page, "Model SHA-256", r->model_sha256);
  line_kv (page, "Threshold", threshold);
  line_kv (page, "Device", r->device);
  line_kv (page, "Made", r->made_at);
  line_kv (page, "Editing", r->history);
}

static void
stl_and_checks (Page *page, const CalQcReport *r)
{
  g_autofree char *size = r->stl_name ? g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", r->stl_size) : NULL;
  g_autofree char *tris = r->stl_name ? g_strdup_printf ("%u", r->stl_triangles) : NULL;

  heading (page, "Exported STL");
  line_kv (page, "File", r->stl_name);
  line_kv (page, "Size", size);
  line_kv (page, "Triangles", tris);
  line_kv (page, "SHA-256", r->stl_sha256);
  heading (page, "Checks before printing");
  for (guint i = 0; i < r->checks->len; i++)
    {
      const CalQcCheck *c = &g_array_index (r->checks, CalQcCheck, i);
      g_autofree char *title = g_strdup_printf ("%s — %s", c->passed ? "PASS" : "FAIL", c->name);

      cairo_set_source_rgb (page->cr, c->passed ? 0.1 : 0.7, c->passed ? 0.4 : 0.1, 0.1);
      text_wrapped (page, MARGIN + 8, 10, TRUE, title);
      cairo_set_source_rgb (page->cr, 0, 0, 0);
      text_wrapped (page, MARGIN + 20, 9.5, FALSE, c->result);
      if (c->where)
        text_wrapped (page, MARGIN + 20, 9.5, FALSE, c->where);
    }
  if (r->checks->len == 0)
    line_kv (page, "Checks", "none could be run (no STL, reference or CT given)");
}

static void
metric_row (Page *page, const char *name, const char *whole, const char *region, const char *definition)
{
  g_autofree char *text = g_strdup_printf ("%s: %s%s%s", name, whole, region ? " | region: " : "",
                                           region ? region : "");

  text_wrapped (page, MARGIN + 8, 9.5, TRUE, text);
  text_wrapped (page, MARGIN + 20, 8.5, FALSE, definition);
}

#define FMT(...) g_strdup_printf (__VA_ARGS__)

static void
voxel_metrics (Page *page, const CalMetrics *m, const CalMetrics *g)
{
  /* Overlap is over the whole volume: a region narrows only the surface. */
  g_autofree char *a1 = FMT ("%.6f", m->dsc), *b1 = g ? g_strdup ("the same (volumetric, not narrowed)") : NULL;
  g_autofree char *a2 = FMT ("arithmetic mean %.6f, harmonic mean %.6f", m->dsc_slice_mean, m->dsc_slice_harmonic);
  g_autofree char *b2 = g ? g_strdup ("the same") : NULL;
  g_autofree char *a3 = FMT ("%.4f mm", m->hd), *b3 = g ? FMT ("%.4f mm", g->hd) : NULL;
  g_autofree char *a4 = FMT ("%.4f mm", m->hd95), *b4 = g ? FMT ("%.4f mm", g->hd95) : NULL;
  g_autofree char *a5 = FMT ("%.4f mm", m->assd), *b5 = g ? FMT ("%.4f mm", g->assd) : NULL;
  g_autofree char *a6 = FMT ("%+.4f ± %.4f mm", m->deviation_mean, m->deviation_sd);
  g_autofree char *b6 = g ? FMT ("%+.4f ± %.4f mm", g->deviation_mean, g->deviation_sd) : NULL;
  g_autofree char *a7 = FMT ("%" G_GUINT64_FORMAT " reference, %" G_GUINT64_FORMAT " test", m->n_surface_ref, m->n_surface_test);
  g_autofree char *b7 = g ? FMT ("%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT, g->n_surface_ref, g->n_surface_test) : NULL;
  g_autofree char *dev = FMT ("Computed on: %s", m->device ? m->device : "cpu");

  heading (page, "Overlap and surface distances (voxels)");
  metric_row (page, "DSC (volumetric)", a1, b1, "2|A∩B| / (|A| + |B|) over the volume; A the reference, B the test.");
  metric_row (page, "DSC per axial slice", a2, b2,
              "Means of each slice's DSC over the slices where either mask has bone. They differ from the volumetric "
              "DSC and from each other: small slices weigh as much as large ones, and a slice where only one mask "
              "has bone scores 0, which makes the harmonic mean 0.");
  metric_row (page, "Hausdorff distance (HD)", a3, b3,
              "The larger of the two directed maxima of distances between surface voxels (voxels with a background "
              "6-neighbour), exact Euclidean in mm with the real spacing.");
  metric_row (page, "HD95", a4, b4,
              "The larger of the two directed 95th percentiles (linear interpolation between order statistics).");
  metric_row (page, "ASSD", a5, b5, "The mean of both directions' surface distances, pooled.");
  metric_row (page, "Signed deviation (voxels)", a6, b6,
              "Mean ± SD, per reference surface voxel, of the distance to the test's surface, + where the test lies "
              "outside the reference.");
  metric_row (page, "Surface voxels", a7, b7, dev);
}

static void
surface_metrics (Page *page, const CalQcReport *r)
{
  const CalDeviationStats *s = &r->deviation, *g = r->deviation_region.n_points ? &r->deviation_region : NULL;
  g_autofree char *a1 = FMT ("%+.4f ± %.4f mm", s->mean, s->sd), *b1 = g ? FMT ("%+.4f ± %.4f mm", g->mean, g->sd) : NULL;
  g_autofree char *a2 = FMT ("%.4f mm", s->rms), *b2 = g ? FMT ("%.4f mm", g->rms) : NULL;
  g_autofree char *a3 = FMT ("%.2f %% within ±%.2f mm", 100 * s->within_tolerance, s->tolerance_mm);
  g_autofree char *b3 = g ? FMT ("%.2f %%", 100 * g->within_tolerance) : NULL;
  g_autofree char *a4 = FMT ("%+.4f to %+.4f mm", s->min, s->max), *b4 = g ? FMT ("%+.4f to %+.4f mm", g->min, g->max) : NULL;
  g_autofree char *a5 = FMT ("%u vertices, %.1f mm², reference %u triangles", s->n_points, s->area_mm2, r->reference_triangles);
  g_autofree char *b5 = g ? FMT ("%u vertices, %.1f mm²", g->n_points, g->area_mm2) : NULL;

  heading (page, "Signed deviation map (surface)");
  metric_row (page, "Mean ± SD", a1, b1, CAL_DEVIATION_DEFINITION ".");
  metric_row (page, "RMS", a2, b2, "Root mean square of the signed deviation, area-weighted.");
  metric_row (page, "Within tolerance", a3, b3, "Share of the surface area whose deviation is within the tolerance.");
  metric_row (page, "Range", a4, b4, "Smallest and largest deviation of any vertex.");
  metric_row (page, "Measured", a5, b5, "The test's marching-cubes surface at full resolution.");
}

static void
draw_views (Page *page, const CalQcReport *r, const float *rgb)
{
  const CalColouredSurface surface = {
    r->picture->vertices, 6, r->picture->n_vertices, r->picture->indices, r->picture->n_triangles, rgb,
  };
  const double cell = (PAGE_W - 2 * MARGIN) / 3;

  if (page->y + 2 * cell + 30 > PAGE_H - MARGIN)
    next_page (page);
  for (int v = 0; v < CAL_N_VIEWPOINTS; v++)
    {
      cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, VIEW_PX, VIEW_PX);
      double x = MARGIN + (v % 3) * cell, y = page->y + (v / 3) * (cell + 12);

      cairo_surface_flush (img);
      cal_surface_render (&surface, v, cairo_image_surface_get_data (img), VIEW_PX, VIEW_PX,
                          cairo_image_surface_get_stride (img));
      cairo_surface_mark_dirty (img);
      cairo_save (page->cr);
      cairo_translate (page->cr, x + 2, y);
      cairo_scale (page->cr, (cell - 4) / VIEW_PX, (cell - 4) / VIEW_PX);
      cairo_set_source_surface (page->cr, img, 0, 0);
      cairo_paint (page->cr);
      cairo_restore (page->cr);
      cairo_surface_destroy (img);
      set_font (page->cr, 8, FALSE);
      cairo_move_to (page->cr, x + 4, y + cell + 4);
      cairo_show_text (page->cr, cal_viewpoint_name (v));
    }
  page->y += 2 * (cell + 12) + 8;
}

/* A horizontal colour bar from lo to hi with labelled ticks. */
static void
draw_legend (Page *page, double lo, double hi, const double *ticks, int n_ticks,
             void (*colour) (double, gpointer, float[3]), gpointer data, const char *title)
{
  const double x0 = MARGIN + 20, w = PAGE_W - 2 * MARGIN - 40, h = 14;

  if (page->y + 60 > PAGE_H - MARGIN)
    next_page (page);
  text_wrapped (page, MARGIN, 9, TRUE, title);
  for (int i = 0; i < 400; i++)
    {
      float rgb[3];
      double v = lo + (hi - lo) * (i + 0.5) / 400;

      colour (v, data, rgb);
      cairo_set_source_rgb (page->cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (page->cr, x0 + w * i / 400, page->y, w / 400 + 0.3, h);
      cairo_fill (page->cr);
    }
  cairo_set_source_rgb (page->cr, 0, 0, 0);
  set_font (page->cr, 8, FALSE);
  for (int t = 0; t < n_ticks; t++)
    {
      double x = x0 + w * (ticks[t] - lo) / (hi - lo);
      g_autofree char *label = g_strdup_printf ("%+g", ticks[t]);
      cairo_text_extents_t ext;

      cairo_move_to (page->cr, x, page->y + h);
      cairo_line_to (page->cr, x, page->y + h + 4);
      cairo_set_line_width (page->cr, 0.6);
      cairo_stroke (page->cr);
      cairo_text_extents (page->cr, label, &ext);
      cairo_move_to (page->cr, x - ext.width / 2, page->y + h + 13);
      cairo_show_text (page->cr, label);
    }
  page->y += h + 24;
}

static void
deviation_colour (double v, gpointer data, float rgb[3])
{
  cal_deviation_colour (data, v, rgb);
}

static void
thickness_colour (double v, gpointer data, float rgb[3])
{
  cal_thickness_colour (v, rgb);
}

static void
draw_histogram (Page *page, const CalDeviationStats *st, const CalDeviationScale *scale)
{
  const double x0 = MARGIN + 20, w = PAGE_W - 2 * MARGIN - 40, h = 90;
  double top = 1e-9;

  if (page->y + h + 40 > PAGE_H - MARGIN)
    next_page (page);
  text_wrapped (page, MARGIN, 9, TRUE, "Histogram: share of the surface area per 0.1 mm of deviation");
  for (int b = 0; b < CAL_DEVIATION_BINS; b++)
    top = MAX (top, st->histogram[b]);
  for (int b = 0; b < CAL_DEVIATION_BINS; b++)
    {
      float rgb[3];
      double v = -st->range_mm + (b + 0.5) * 2 * st->range_mm / CAL_DEVIATION_BINS, bh = h * st->histogram[b] / top;

      cal_deviation_colour (scale, v, rgb);
      cairo_set_source_rgb (page->cr, rgb[0] * 0.85, rgb[1] * 0.85, rgb[2] * 0.85);
      cairo_rectangle (page->cr, x0 + w * b / CAL_DEVIATION_BINS, page->y + h - bh, w / CAL_DEVIATION_BINS, bh);
      cairo_fill (page->cr);
    }
  cairo_set_source_rgb (page->cr, 0, 0, 0);
  page->y += h + 4;
  {
    g_autofree char *note = g_strdup_printf ("Tallest bar %.2f %% of the area; beyond −%.0f mm %.2f %%, beyond +%.0f mm %.2f %%.",
                                             100 * top, st->range_mm, 100 * st->below_range, st->range_mm,
                                             100 * st->above_range);
    text_wrapped (page, MARGIN + 20, 8.5, FALSE, note);
  }
}

static void
deviation_page (Page *page, const CalQcReport *r)
{
  CalDeviationScale scale = { r->options.range_mm, r->options.tolerance_mm };
  g_autofree float *rgb = g_new (float, 3 * (gsize) r->picture->n_vertices);
  double ticks[] = { -scale.range_mm, -scale.tolerance_mm, 0, scale.tolerance_mm, scale.range_mm };
  g_autofree char *title = g_strdup_printf ("Signed deviation, mm (%s): grey within ±%.1f mm; beyond ±%.0f mm the "
                                            "darkest blue and red", CAL_DEVIATION_SCALE_NAME, scale.tolerance_mm,
                                            scale.range_mm);

  next_page (page);
  heading (page, "Signed deviation from the reference, on the test's surface");
  for (guint32 i = 0; i < r->picture->n_vertices; i++)
    cal_deviation_colour (&scale, r->deviation_values[i], &rgb[3 * i]);
  draw_views (page, r, rgb);
  draw_legend (page, -scale.range_mm - 1, scale.range_mm + 1, ticks, G_N_ELEMENTS (ticks), deviation_colour, &scale,
               title);
  draw_histogram (page, &r->deviation, &scale);
}

static void
thickness_page (Page *page, const CalQcReport *r)
{
  g_autofree float *rgb = g_new (float, 3 * (gsize) r->picture->n_vertices);
  const double ticks[] = { 0, 2, 4, 6, 8, 10 };
  g_autofree char *all = g_strdup_printf ("Whole surface: 5th percentile %.2f mm, median %.2f mm over %u points "
                                          "(the pictures' surface).",
                                          r->all_thinnest.thinnest_mm, r->all_thinnest.median_mm,
                                          r->all_thinnest.n_points);

  next_page (page);
  heading (page, "Local bone thickness");
  for (guint32 i = 0; i < r->picture->n_vertices; i++)
    cal_thickness_colour (r->thickness_values[i], &rgb[3 * i]);
  draw_views (page, r, rgb);
  draw_legend (page, 0, CAL_THICKNESS_SCALE_MAX_MM, ticks, G_N_ELEMENTS (ticks), thickness_colour, NULL,
               "Thickness, mm (" CAL_THICKNESS_SCALE_NAME "; 10 mm and more the lightest yellow)");
  text_wrapped (page, MARGIN, 8.5, FALSE,
                "Per surface point, the shortest straight crossing of the bone within 20° of its inward normal "
                "(the normal from the mask's smoothed gradient), in mm.");
  text_wrapped (page, MARGIN, 8.5, FALSE, all);
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
cal_qc_report_write_pdf (CalQcReport *r, const char *path, GError **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (append_bytes, bytes, PAGE_W, PAGE_H);
  Page page = { cairo_create (surface), MARGIN };
  g_autofree char *subtitle = g_strdup_printf ("%s, %s", r->software_version, r->date);
  cairo_status_t status;

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "Calvaria QC report");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, r->software_version);
  cairo_set_source_rgb (page.cr, 0, 0, 0);
  page.y += 10;
  text_wrapped (&page, MARGIN, 18, TRUE, "Quality control before printing");
  text_wrapped (&page, MARGIN, 9.5, FALSE, subtitle);
  stl_and_checks (&page, r);
  scan_and_mask (&page, r);
  if (r->region_kind)
    {
      heading (&page, "Region of interest");
      line_kv (&page, "Region", r->region_kind);
    }
  if (r->metrics)
    voxel_metrics (&page, r->metrics, r->metrics_region);
  if (r->has_deviation)
    {
      surface_metrics (&page, r);
      deviation_page (&page, r);
    }
  if (r->thickness_values)
    thickness_page (&page, r);
  cairo_show_page (page.cr);
  cairo_destroy (page.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not draw the report: %s",
                   cairo_status_to_string (status));
      return FALSE;
    }
  return cal_atomic_file_replace (path, bytes->data, bytes->len, error);
}
