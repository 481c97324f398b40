/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The slice view's measurements: a ruler, or a rectangle or ellipse whose
 * HU statistics are shown, drawn with the primary drag; every measurement
 * made on the slice shown is drawn with its number and value. */
#include "cal-slice-view-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Magenta: apart from the planes' red, green and yellow, the mask's tint and the focus ring's blue. */
static const GdkRGBA measure_color = { 1.0, 0.3, 0.85, 1 };

static CalMeasurements *
measurements_of (CalSliceView *self)
{
  return cal_view_state_get_measurements (self->state);
}

static CalMeasureKind
kind_of_tool (CalEditTool tool)
{
  switch (tool)
    {
    case CAL_EDIT_TOOL_RECTANGLE:
      return CAL_MEASURE_RECTANGLE;
    case CAL_EDIT_TOOL_ELLIPSE:
      return CAL_MEASURE_ELLIPSE;
    case CAL_EDIT_TOOL_RULER:
    default:
      return CAL_MEASURE_RULER;
    }
}

gboolean
cal_slice_view_measure_begin (CalSliceView *self,
                              double        x,
                              double        y)
{
  CalVolume *volume = cal_view_state_get_volume (self->state);
  CalEditTool tool = cal_edit_tools_get_tool (cal_view_state_get_tools (self->state));
  CalMeasureShape shape = { .kind = kind_of_tool (tool), .orientation = self->orientation };

  if (!cal_edit_tool_measures (tool) || volume == NULL || !self->has_plane || !self->fitted)
    return FALSE;
  shape.n = cal_slice_plane_position (&self->plane, cal_slice_view_current_index (self));
  cal_slice_viewport_to_plane (&self->viewport, x, y, &shape.u0, &shape.v0);
  shape.u1 = shape.u0;
  shape.v1 = shape.v0;
  self->measuring = TRUE;
  cal_measurements_set_draft (measurements_of (self), volume, &self->plane, &shape);
  return TRUE;
}

void
cal_slice_view_measure_update (CalSliceView *self,
                               double        x,
                               double        y)
{
  const CalMeasurement *draft = cal_measurements_get_draft (measurements_of (self));
  CalMeasureShape shape;

  if (!self->measuring || draft == NULL)
    return;
  shape = draft->shape;
  cal_slice_viewport_to_plane (&self->viewport, x, y, &shape.u1, &shape.v1);
  cal_measurements_set_draft (measurements_of (self), cal_view_state_get_volume (self->state), &self->plane, &shape);
}

void
cal_slice_view_measure_end (CalSliceView *self)
{
  CalMeasurements *measurements = measurements_of (self);
  const CalMeasurement *draft = cal_measurements_get_draft (measurements);
  CalMeasureShape shape;
  double du, dv;

  self->measuring = FALSE;
  if (draft == NULL)
    return;
  shape = draft->shape;
  cal_measurements_set_draft (measurements, NULL, NULL, NULL);
  /* A click, or a shape under three screen pixels, measures nothing. */
  du = fabs (shape.u1 - shape.u0) * self->viewport.zoom;
  dv = fabs (shape.v1 - shape.v0) * self->viewport.zoom;
  if (shape.kind == CAL_MEASURE_RULER ? hypot (du, dv) < 3 : MIN (du, dv) < 3)
    return;
  cal_measurements_add (measurements, cal_view_state_get_volume (self->state), &self->plane, &shape);
}

void
cal_slice_view_measure_cancel (CalSliceView *self)
{
  self->measuring = FALSE;
  cal_measurements_set_draft (measurements_of (self), NULL, NULL, NULL);
}

static void
append_line (GtkSnapshot *snapshot,
             double       x0,
             double       y0,
             double       x1,
             double       y1)
{
  double length = hypot (x1 - x0, y1 - y0);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x0, (float) y0));
  gtk_snapshot_rotate (snapshot, (float) (atan2 (y1 - y0, x1 - x0) * 180 / G_PI));
  gtk_snapshot_append_color (snapshot, &measure_color, &GRAPHENE_RECT_INIT (0, -1, (float) length, 2));
  /* Ticks across each end, so that the ends read exactly. */
  gtk_snapshot_append_color (snapshot, &measure_color, &GRAPHENE_RECT_INIT (-0.5f, -5, 1, 10));
  gtk_snapshot_append_color (snapshot, &measure_color, &GRAPHENE_RECT_INIT ((float) length - 0.5f, -5, 1, 10));
  gtk_snapshot_restore (snapshot);
}

static void
append_outline (GtkSnapshot           *snapshot,
                const CalMeasureShape *shape,
                double                 x0,
                double                 y0,
                double                 x1,
                double                 y1)
{
  const GdkRGBA colors[4] = { measure_color, measure_color, measure_color, measure_color };
  const float widths[4] = { 2, 2, 2, 2 };
  graphene_rect_t box = GRAPHENE_RECT_INIT ((float) MIN (x0, x1), (float) MIN (y0, y1),
                                            (float) fabs (x1 - x0), (float) fabs (y1 - y0));
  GskRoundedRect outline;

  if (shape->kind == CAL_MEASURE_ELLIPSE)
    {
      graphene_size_t corner = GRAPHENE_SIZE_INIT (box.size.width / 2, box.size.height / 2);
      gsk_rounded_rect_init (&outline, &box, &corner, &corner, &corner, &corner);
    }
  else
    gsk_rounded_rect_init_from_rect (&outline, &box, 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static void
append_measurement (CalSliceView         *self,
                    GtkSnapshot          *snapshot,
                    const CalMeasurement *m)
{
  g_autofree char *label = cal_measurement_short_label (m);
  double x0, y0, x1, y1;

  cal_slice_viewport_to_screen (&self->viewport, m->shape.u0, m->shape.v0, &x0, &y0);
  cal_slice_viewport_to_screen (&self->viewport, m->shape.u1, m->shape.v1, &x1, &y1);
  if (m->shape.kind == CAL_MEASURE_RULER)
    {
      append_line (snapshot, x0, y0, x1, y1);
      /* Beyond the end where the drag stopped, away from the line, kept inside the view. */
      cal_slice_view_append_text (self, snapshot, label, CLAMP (x1 + (x1 >= x0 ? 8 : -8), 4,
                                                                gtk_widget_get_width (GTK_WIDGET (self)) - 4),
                                  y1, x1 >= x0 ? 0 : 1, y1 >= y0 ? 0 : 1);
      return;
    }
  append_outline (snapshot, &m->shape, x0, y0, x1, y1);
  cal_slice_view_append_text (self, snapshot, label, MIN (x0, x1), MAX (y0, y1) + 4, 0, 0);
}

/* A measurement shows on the slice it was made on: its own orientation,
 * within half a slice of the position shown. */
static gboolean
on_slice_shown (CalSliceView          *self,
                const CalMeasureShape *shape)
{
  double n = cal_slice_plane_position (&self->plane, cal_slice_view_current_index (self));

  return shape->orientation == self->orientation && fabs (shape->n - n) < 0.5 * self->plane.step_n;
}

void
cal_slice_view_append_measurements (CalSliceView *self,
                                    GtkSnapshot  *snapshot)
{
  CalMeasurements *measurements = measurements_of (self);
  const CalMeasurement *draft = cal_measurements_get_draft (measurements);

  for (guint i = 0; i < cal_measurements_get_n (measurements); i++)
    {
      const CalMeasurement *m = cal_measurements_get (measurements, i);
      if (on_slice_shown (self, &m->shape))
        append_measurement (self, snapshot, m);
    }
  if (draft != NULL && self->measuring)
    append_measurement (self, snapshot, draft);
}
