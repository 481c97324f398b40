/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The slice view's editing: strokes of the brush and eraser, island picks,
 * the brush's outline to scale, and the tool keys. */
#include "cal-slice-view-private.h"

#include <math.h>

/* The grid axis that crosses this view's slices: discs are painted across it. */
static int
disc_axis (CalSliceView *self,
           const CalGrid *grid)
{
  int best = 2;
  double best_dot = -1;

  for (int a = 0; a < 3; a++)
    {
      double unit[3], dot;
      cal_grid_get_direction (grid, a, unit);
      dot = fabs (unit[0] * self->plane.normal[0] + unit[1] * self->plane.normal[1] + unit[2] * self->plane.normal[2]);
      if (dot > best_dot)
        {
          best_dot = dot;
          best = a;
        }
    }
  return best;
}

int
cal_slice_view_get_voxel_axis (CalSliceView *self)
{
  CalVolume *volume = self->state ? cal_view_state_get_volume (self->state) : NULL;

  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), 2);
  return volume && self->has_plane ? disc_axis (self, cal_volume_get_grid (volume)) : 2;
}

gboolean
cal_slice_view_voxel_to_widget (CalSliceView *self,
                                const double  ijk[3],
                                double       *x,
                                double       *y)
{
  CalVolume *volume = self->state ? cal_view_state_get_volume (self->state) : NULL;
  double xyz[3], u, v;

  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), FALSE);
  if (volume == NULL || !self->has_plane || !self->fitted)
    return FALSE;
  cal_grid_voxel_to_patient (cal_volume_get_grid (volume), ijk, xyz);
  cal_slice_plane_from_patient (&self->plane, xyz, &u, &v, NULL);
  cal_slice_viewport_to_screen (&self->viewport, u, v, x, y);
  return TRUE;
}

/* Continuous voxel coordinates under a point of the widget, on the slice shown. */
static gboolean
voxel_at (CalSliceView *self,
          double        x,
          double        y,
          double        ijk[3])
{
  CalVolume *volume = cal_view_state_get_volume (self->state);
  double xyz[3];

  if (volume == NULL || !self->has_plane || !self->fitted)
    return FALSE;
  /* Outside the volume still gives coordinates: a brush at the edge paints what it covers. */
  cal_slice_screen_to_voxel (&self->viewport, &self->plane, cal_volume_get_grid (volume),
                             cal_slice_plane_position (&self->plane, cal_slice_view_current_index (self)),
                             x, y, xyz, ijk);
  return TRUE;
}

static double
pressure_of (GtkGesture *gesture)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));
  double pressure;

  if (event != NULL && gdk_event_get_axis (event, GDK_AXIS_PRESSURE, &pressure))
    return pressure;
  return -1;
}

gboolean
cal_slice_view_tool_begin (CalSliceView *self,
                           GtkGesture   *gesture,
                           double        x,
                           double        y)
{
  CalEditTools *tools = cal_view_state_get_tools (self->state);
  CalEditTool tool = cal_edit_tools_get_tool (tools);
  double ijk[3];

  if (cal_edit_tool_measures (tool))
    return cal_slice_view_measure_begin (self, x, y);
  if (tool == CAL_EDIT_TOOL_NAVIGATE || cal_edit_tools_get_session (tools) == NULL || !voxel_at (self, x, y, ijk))
    return FALSE;
  if (tool == CAL_EDIT_TOOL_KEEP_ISLAND || tool == CAL_EDIT_TOOL_REMOVE_ISLAND)
    {
      cal_edit_tools_pick_island (tools, ijk);
      return TRUE;
    }
  return cal_edit_tools_stroke_begin (tools, ijk, disc_axis (self, cal_volume_get_grid (cal_view_state_get_volume (self->state))),
                                      pressure_of (gesture));
}

void
cal_slice_view_tool_update (CalSliceView *self,
                            GtkGesture   *gesture,
                            double        x,
                            double        y)
{
  CalEditTools *tools = cal_view_state_get_tools (self->state);
  double ijk[3];

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->measuring)
    cal_slice_view_measure_update (self, x, y);
  else if (cal_edit_tools_is_painting (tools) && voxel_at (self, x, y, ijk))
    cal_edit_tools_stroke_to (tools, ijk, pressure_of (gesture));
}

void
cal_slice_view_tool_end (CalSliceView *self,
                         double        x,
                         double        y)
{
  if (self->measuring)
    {
      cal_slice_view_measure_update (self, x, y);
      cal_slice_view_measure_end (self);
      return;
    }
  cal_edit_tools_stroke_end (cal_view_state_get_tools (self->state));
}

/* The brush's footprint on this slice, to scale: a circle of its radius in
 * millimetres (the plane is in millimetres, so anisotropic voxels do not
 * make it an ellipse). */
void
cal_slice_view_append_brush (CalSliceView *self,
                             GtkSnapshot  *snapshot)
{
  CalEditTools *tools = cal_view_state_get_tools (self->state);
  CalEditTool tool = cal_edit_tools_get_tool (tools);
  static const GdkRGBA paint = { 0.35, 0.9, 0.45, 0.95 }, erase = { 1.0, 0.45, 0.35, 0.95 };
  const GdkRGBA *color = tool == CAL_EDIT_TOOL_ERASER ? &erase : &paint;
  const GdkRGBA colors[4] = { *color, *color, *color, *color };
  const float widths[4] = { 1.5f, 1.5f, 1.5f, 1.5f };
  double r;
  GskRoundedRect circle;

  if ((tool != CAL_EDIT_TOOL_BRUSH && tool != CAL_EDIT_TOOL_ERASER) || !self->pointer_inside)
    return;
  r = cal_edit_tools_get_radius (tools) * self->viewport.zoom;
  gsk_rounded_rect_init_from_rect (&circle, &GRAPHENE_RECT_INIT ((float) (self->pointer_x - r), (float) (self->pointer_y - r),
                                                                 (float) (2 * r), (float) (2 * r)), (float) r);
  gtk_snapshot_append_border (snapshot, &circle, widths, colors);
}

gboolean
cal_slice_view_tool_key (CalSliceView *self,
                         guint         keyval)
{
  CalEditTools *tools = cal_view_state_get_tools (self->state);

  switch (keyval)
    {
    case GDK_KEY_bracketleft:
      cal_edit_tools_step_radius (tools, -1);
      return TRUE;
    case GDK_KEY_bracketright:
      cal_edit_tools_step_radius (tools, 1);
      return TRUE;
    case GDK_KEY_b:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_BRUSH);
      return TRUE;
    case GDK_KEY_e:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_ERASER);
      return TRUE;
    case GDK_KEY_k:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_KEEP_ISLAND);
      return TRUE;
    case GDK_KEY_d:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_REMOVE_ISLAND);
      return TRUE;
    case GDK_KEY_n:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_NAVIGATE);
      return TRUE;
    case GDK_KEY_s:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_SCISSORS);
      return TRUE;
    case GDK_KEY_m:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_RULER);
      return TRUE;
    case GDK_KEY_h:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_RECTANGLE);
      return TRUE;
    case GDK_KEY_c:
      cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_ELLIPSE);
      return TRUE;
    case GDK_KEY_Escape:
      if (self->measuring)
        {
          cal_slice_view_measure_cancel (self);
          return TRUE;
        }
      if (!cal_edit_tools_is_painting (tools))
        return FALSE;
      cal_edit_tools_stroke_cancel (tools);
      return TRUE;
    default:
      return FALSE;
    }
}
