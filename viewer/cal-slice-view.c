/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-slice-view-private.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cal-slice-render.h"
#include "cal-view-gestures.h"

G_DEFINE_FINAL_TYPE (CalSliceView, cal_slice_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ORIENTATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Plane colours as 3D Slicer uses them, so engineers recognise them:
 * axial red, coronal green, sagittal yellow. */
static const GdkRGBA plane_colors[3] = {
  { 0.93, 0.33, 0.30, 1 },
  { 0.43, 0.74, 0.33, 1 },
  { 0.93, 0.84, 0.33, 1 },
};

static const char *
orientation_title (CalSliceOrientation orientation)
{
  switch (orientation)
    {
    case CAL_SLICE_AXIAL:
      return _("Axial");
    case CAL_SLICE_CORONAL:
      return _("Coronal");
    case CAL_SLICE_SAGITTAL:
    default:
      return _("Sagittal");
    }
}

static double
cursor_n (CalSliceView *self)
{
  double xyz[3], n;

  cal_view_state_get_cursor (self->state, xyz);
  cal_slice_plane_from_patient (&self->plane, xyz, NULL, NULL, &n);
  return n;
}

guint
cal_slice_view_current_index (CalSliceView *self)
{
  return cal_slice_plane_index (&self->plane, cursor_n (self));
}

#define current_index cal_slice_view_current_index

void
cal_slice_view_invalidate (CalSliceView *self)
{
  self->texture_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_plane (CalSliceView *self)
{
  CalVolume *volume = self->state ? cal_view_state_get_volume (self->state) : NULL;

  self->has_plane = volume != NULL;
  self->fitted = FALSE;
  if (volume)
    cal_slice_plane_init (&self->plane, cal_volume_get_grid (volume), self->orientation);
  g_clear_object (&self->texture);
  cal_slice_view_invalidate (self);
}

static void
render_texture (CalSliceView *self)
{
  g_autoptr (GBytes) bytes = NULL;
  gint64 start = g_get_monotonic_time ();
  gsize stride = self->plane.width * 4u;
  guint8 *rgba = g_malloc (stride * self->plane.height);
  CalSliceStyle style = {
    .window = cal_view_state_get_window (self->state),
    .level = cal_view_state_get_level (self->state),
    .overlay_opacity = cal_view_state_get_overlay_opacity (self->state),
    .region = cal_view_state_get_region (self->state),
  };

  self->texture_index = current_index (self);
  cal_slice_render (&self->plane, self->texture_index, cal_view_state_get_volume (self->state),
                    cal_view_state_get_mask (self->state), &style, rgba, stride);
  bytes = g_bytes_new_take (rgba, stride * self->plane.height);
  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new (self->plane.width, self->plane.height,
                                          GDK_MEMORY_R8G8B8A8, bytes, stride);
  self->texture_dirty = FALSE;
  self->render_usec = g_get_monotonic_time () - start;
}

/* A position as shown to one decimal: never "-0.0". */
static double
shown_mm (double v)
{
  return fabs (v) < 0.05 ? 0.0 : v;
}

static void
update_readout (CalSliceView *self)
{
  CalVolume *volume = self->state ? cal_view_state_get_volume (self->state) : NULL;
  double xyz[3], ijk[3];
  guint32 v[3];

  g_clear_pointer (&self->readout, g_free);
  if (!volume || !self->pointer_inside || !self->fitted ||
      !cal_slice_screen_to_voxel (&self->viewport, &self->plane, cal_volume_get_grid (volume),
                                  cal_slice_plane_position (&self->plane, current_index (self)),
                                  self->pointer_x, self->pointer_y, xyz, ijk))
    {
      self->readout = g_strdup ("");
      return;
    }
  for (int a = 0; a < 3; a++)
    {
      v[a] = (guint32) floor (ijk[a] + 0.5);
      xyz[a] = shown_mm (xyz[a]);
    }
  /* TRANSLATORS: pointer readout: HU value, LPS position in mm; then (after the newline, a second
   * line where the view is narrow) the voxel index counted from 0, as NIfTI and the command line
   * count it (the slice numbers in the views' titles count from 1) */
  self->readout = g_strdup_printf (_("%.0f HU · x %.1f y %.1f z %.1f mm (LPS)\nvoxel %u, %u, %u (from 0)"),
                                   cal_volume_get_value (volume, v[0], v[1], v[2]),
                                   xyz[0], xyz[1], xyz[2], v[0], v[1], v[2]);
}

static void
set_cursor_at (CalSliceView *self,
               double        x,
               double        y)
{
  double u, v, xyz[3];

  if (!self->has_plane || !self->fitted)
    return;
  cal_slice_viewport_to_plane (&self->viewport, x, y, &u, &v);
  u = CLAMP (u, self->plane.u_min, self->plane.u_max);
  v = CLAMP (v, self->plane.v_min, self->plane.v_max);
  cal_slice_plane_to_patient (&self->plane, u, v,
                              cal_slice_plane_position (&self->plane, current_index (self)), xyz);
  cal_view_state_set_cursor (self->state, xyz);
}

/* Drawing ------------------------------------------------------------- */

void
cal_slice_view_append_text (CalSliceView *self,
                            GtkSnapshot  *snapshot,
                            const char   *text,
                            double        x,
                            double        y,
                            double        align_x,
                            double        align_y)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  static const GdkRGBA shadow = { 0, 0, 0, 0.8 }, white = { 1, 1, 1, 0.95 };
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  x -= align_x * w;
  y -= align_y * h;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x + 1, (float) y + 1));
  gtk_snapshot_append_layout (snapshot, layout, &shadow);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-1, -1));
  gtk_snapshot_append_layout (snapshot, layout, &white);
  gtk_snapshot_restore (snapshot);
}

int
cal_slice_view_text_width (CalSliceView *self,
                           const char   *text,
                           int          *line_height)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (line_height)
    *line_height = h / MAX (pango_layout_get_line_count (layout), 1);
  return w;
}

/* The keyboard's view (Tab reached it, or a click chose it): a ring in the
 * accent colour, so that the arrow and Page keys' target is visible. */
static void
append_focus_ring (CalSliceView *self,
                   GtkSnapshot  *snapshot,
                   double        width,
                   double        height)
{
  static const GdkRGBA accent = { 0.21, 0.52, 0.89, 1 };   /* libadwaita's blue */
  GskRoundedRect outline;
  const float border[4] = { 2, 2, 2, 2 };
  const GdkRGBA colors[4] = { accent, accent, accent, accent };

  if (!gtk_widget_has_visible_focus (GTK_WIDGET (self)))
    return;
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, 1, (float) width - 2, (float) height - 2), 0);
  gtk_snapshot_append_border (snapshot, &outline, border, colors);
}

static void
append_crosshair (CalSliceView *self,
                  GtkSnapshot  *snapshot,
                  double        width,
                  double        height)
{
  double xyz[3], u, v, x, y;
  /* The vertical line is the plane whose normal is this view's right. */
  CalSliceOrientation vertical = self->orientation == CAL_SLICE_SAGITTAL ? CAL_SLICE_CORONAL
                                                                         : CAL_SLICE_SAGITTAL;
  CalSliceOrientation horizontal = self->orientation == CAL_SLICE_AXIAL ? CAL_SLICE_CORONAL
                                                                        : CAL_SLICE_AXIAL;
  GdkRGBA vcolor = plane_colors[vertical], hcolor = plane_colors[horizontal];

  cal_view_state_get_cursor (self->state, xyz);
  cal_slice_plane_from_patient (&self->plane, xyz, &u, &v, NULL);
  cal_slice_viewport_to_screen (&self->viewport, u, v, &x, &y);
  vcolor.alpha = hcolor.alpha = 0.7f;
  gtk_snapshot_append_color (snapshot, &vcolor,
                             &GRAPHENE_RECT_INIT ((float) floor (x), 0, 1, (float) height));
  gtk_snapshot_append_color (snapshot, &hcolor,
                             &GRAPHENE_RECT_INIT (0, (float) floor (y), (float) width, 1));
}

static void
append_scale_bar (CalSliceView *self,
                  GtkSnapshot  *snapshot,
                  double        width,
                  double        height)
{
  static const GdkRGBA white = { 1, 1, 1, 0.9 };
  double length_mm = cal_scale_bar_length_mm (self->viewport.zoom, width / 5);
  double length_px = length_mm * self->viewport.zoom;
  double x1 = width - 12, y = height - 10;
  g_autofree char *label = g_strdup_printf (_("%g mm"), length_mm);

  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT ((float) (x1 - length_px), (float) y,
                                                  (float) length_px, 2));
  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT ((float) (x1 - length_px), (float) y - 5, 1, 7));
  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT ((float) x1 - 1, (float) y - 5, 1, 7));
  cal_slice_view_append_text (self, snapshot, label, x1 - length_px / 2, y - 4, 0.5, 1);
}

static void
append_annotations (CalSliceView *self,
                    GtkSnapshot  *snapshot,
                    double        width,
                    double        height)
{
  CalSliceOrientation o = self->orientation;
  g_autofree char *title = NULL, *wl = NULL;
  GdkRGBA band = plane_colors[o];
  int n_lines = 0, line;
  double wl_top;

  title = g_strdup_printf (_("%s · slice %u of %u · %.1f mm"), orientation_title (o),
                           self->texture_index + 1, self->plane.n_slices,
                           shown_mm (cal_slice_plane_position (&self->plane, self->texture_index)));
  wl = g_strdup_printf (_("W %.0f L %.0f HU"), cal_view_state_get_window (self->state),
                        cal_view_state_get_level (self->state));
  gtk_snapshot_append_color (snapshot, &band, &GRAPHENE_RECT_INIT (0, 0, (float) width, 3));
  cal_slice_view_append_text (self, snapshot, title, 8, 6, 0, 0);
  /* Where the title and W/L do not both fit on one line, W/L goes under it. */
  wl_top = cal_slice_view_text_width (self, title, &line) + cal_slice_view_text_width (self, wl, NULL) + 32 > width
           ? 6 + line : 6;
  cal_slice_view_append_text (self, snapshot, wl, width - 8, wl_top, 1, 0);
  cal_slice_view_append_text (self, snapshot, cal_slice_edge_label (o, CAL_SLICE_EDGE_LEFT), 6, height / 2, 0, 0.5);
  cal_slice_view_append_text (self, snapshot, cal_slice_edge_label (o, CAL_SLICE_EDGE_RIGHT), width - 6,
                              height / 2, 1, 0.5);
  cal_slice_view_append_text (self, snapshot, cal_slice_edge_label (o, CAL_SLICE_EDGE_TOP), width / 2, 24, 0.5, 0);
  /* The readout on one line where it fits, else two; the bottom edge's
   * letter and the scale bar stay clear of it. */
  if (self->readout && *self->readout)
    {
      g_autofree char *one_line = g_strdelimit (g_strdup (self->readout), "\n", ' ');
      gboolean fits = cal_slice_view_text_width (self, one_line, NULL) + 16 <= width;
      n_lines = fits ? 1 : 2;
      cal_slice_view_append_text (self, snapshot, fits ? one_line : self->readout, 8, height - 6, 0, 1);
    }
  cal_slice_view_append_text (self, snapshot, cal_slice_edge_label (o, CAL_SLICE_EDGE_BOTTOM), width / 2,
                              height - 10 - MAX (n_lines, 1) * line, 0.5, 1);
  append_scale_bar (self, snapshot, width, height - n_lines * line);
}

static void
cal_slice_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CalSliceView *self = CAL_SLICE_VIEW (widget);
  static const GdkRGBA black = { 0, 0, 0, 1 };
  double width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  double x0, y0, x1, y1;

  gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  if (!self->has_plane || width < 2 || height < 2)
    return;
  if (!self->fitted)
    {
      cal_slice_viewport_fit (&self->viewport, &self->plane, width, height);
      self->fitted = TRUE;
    }
  if (self->texture_dirty || !self->texture || self->texture_index != current_index (self))
    render_texture (self);

  cal_slice_viewport_to_screen (&self->viewport, self->plane.u_min, self->plane.v_min, &x0, &y0);
  cal_slice_viewport_to_screen (&self->viewport,
                                self->plane.u_min + self->plane.width * self->plane.pixel_u,
                                self->plane.v_min + self->plane.height * self->plane.pixel_v,
                                &x1, &y1);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  gtk_snapshot_append_texture (snapshot, self->texture,
                               &GRAPHENE_RECT_INIT ((float) x0, (float) y0,
                                                    (float) (x1 - x0), (float) (y1 - y0)));
  append_crosshair (self, snapshot, width, height);
  cal_slice_view_append_brush (self, snapshot);
  cal_slice_view_append_measurements (self, snapshot);
  append_annotations (self, snapshot, width, height);
  append_focus_ring (self, snapshot, width, height);
  gtk_snapshot_pop (snapshot);
}

static void
cal_slice_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  CalSliceView *self = CAL_SLICE_VIEW (widget);

  if (self->fitted)
    cal_slice_viewport_resize (&self->viewport, width, height);
}

static void
cal_slice_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  *minimum = 120;
  *natural = 320;
}

/* Input ----------------------------------------------------------------- */

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           CalSliceView             *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  int steps;

  if (!self->has_plane)
    return FALSE;
  if (mods & GDK_CONTROL_MASK)
    {
      double x = self->pointer_inside ? self->pointer_x : self->viewport.width / 2;
      double y = self->pointer_inside ? self->pointer_y : self->viewport.height / 2;

      cal_slice_viewport_zoom_at (&self->viewport, x, y, pow (1.15, -dy));
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    }
  /* Touchpads scroll in fractions: step once a whole notch adds up. */
  self->scroll_accumulated += dy;
  steps = (int) trunc (self->scroll_accumulated);
  self->scroll_accumulated -= steps;
  if (steps != 0)
    cal_slice_view_step (self, -steps);
  return TRUE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CalSliceView          *self)
{
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_Page_Up:
      cal_slice_view_step (self, keyval == GDK_KEY_Up ? 1 : 10);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_Page_Down:
      cal_slice_view_step (self, keyval == GDK_KEY_Down ? -1 : -10);
      return TRUE;
    case GDK_KEY_r:
      cal_slice_view_reset_zoom (self);
      return TRUE;
    default:
      return cal_slice_view_tool_key (self, keyval);
    }
}

/* Panning follows the pointer from where the drag started. */
static void
pan_from_drag_start (CalSliceView *self,
                     double        dx,
                     double        dy)
{
  self->viewport.center_u = self->drag_center_u - dx / self->viewport.zoom;
  self->viewport.center_v = self->drag_center_v - dy / self->viewport.zoom;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cursor_drag_begin_cb (GtkGestureDrag *gesture,
                      double          x,
                      double          y,
                      CalSliceView   *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_start_x = x;
  self->drag_start_y = y;
  self->drag_center_u = self->viewport.center_u;
  self->drag_center_v = self->viewport.center_v;
  self->tool_drag = !(mods & GDK_SHIFT_MASK) && cal_slice_view_tool_begin (self, GTK_GESTURE (gesture), x, y);
  if (!(mods & GDK_SHIFT_MASK) && !self->tool_drag)
    set_cursor_at (self, x, y);
}

static void
cursor_drag_update_cb (GtkGestureDrag *gesture,
                       double          dx,
                       double          dy,
                       CalSliceView   *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  double x = self->drag_start_x, y = self->drag_start_y;

  if (self->tool_drag)
    {
      cal_slice_view_tool_update (self, GTK_GESTURE (gesture), x + dx, y + dy);
      return;
    }
  if (mods & GDK_SHIFT_MASK)
    {
      pan_from_drag_start (self, dx, dy);
      return;
    }
  set_cursor_at (self, x + dx, y + dy);
}

static void
cursor_drag_end_cb (GtkGestureDrag *gesture,
                    double          dx,
                    double          dy,
                    CalSliceView   *self)
{
  if (self->tool_drag)
    cal_slice_view_tool_end (self, self->drag_start_x + dx, self->drag_start_y + dy);
  self->tool_drag = FALSE;
}

static void
window_level_begin_cb (GtkGestureDrag *gesture,
                       double          x,
                       double          y,
                       CalSliceView   *self)
{
  self->drag_window = cal_view_state_get_window (self->state);
  self->drag_level = cal_view_state_get_level (self->state);
}

static void
window_level_update_cb (GtkGestureDrag *gesture,
                        double          dx,
                        double          dy,
                        CalSliceView   *self)
{
  /* Sideways widens the window, downward lowers the level (brighter),
   * both in proportion to the window so fine and coarse work alike. */
  double scale = MAX (self->drag_window, 20) / 200;

  cal_view_state_set_window_level (self->state, self->drag_window + dx * scale,
                                   self->drag_level - dy * scale);
}

static void
pan_begin_cb (GtkGestureDrag *gesture,
              double          x,
              double          y,
              CalSliceView   *self)
{
  self->drag_center_u = self->viewport.center_u;
  self->drag_center_v = self->viewport.center_v;
}

static void
pan_update_cb (GtkGestureDrag *gesture,
               double          dx,
               double          dy,
               CalSliceView   *self)
{
  pan_from_drag_start (self, dx, dy);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           CalSliceView             *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          CalSliceView             *self)
{
  self->pointer_inside = FALSE;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
volume_changed_cb (CalSliceView *self)
{
  update_plane (self);
}

static void
style_changed_cb (CalSliceView *self)
{
  cal_slice_view_invalidate (self);
}

static void
cursor_changed_cb (CalSliceView *self)
{
  if (self->has_plane && self->texture_index != current_index (self))
    self->texture_dirty = TRUE;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Object --------------------------------------------------------------- */

static void
cal_slice_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CalSliceView *self = CAL_SLICE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      g_value_set_int (value, self->orientation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_slice_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CalSliceView *self = CAL_SLICE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      self->orientation = g_value_get_int (value);
      update_plane (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_slice_view_dispose (GObject *object)
{
  CalSliceView *self = CAL_SLICE_VIEW (object);

  cal_slice_view_set_state (self, NULL);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->readout, g_free);
  G_OBJECT_CLASS (cal_slice_view_parent_class)->dispose (object);
}

static void
cal_slice_view_class_init (CalSliceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cal_slice_view_get_property;
  object_class->set_property = cal_slice_view_set_property;
  object_class->dispose = cal_slice_view_dispose;
  widget_class->snapshot = cal_slice_view_snapshot;
  widget_class->size_allocate = cal_slice_view_size_allocate;
  widget_class->measure = cal_slice_view_measure;

  properties[PROP_ORIENTATION] =
    g_param_spec_int ("orientation", NULL, NULL, CAL_SLICE_AXIAL, CAL_SLICE_SAGITTAL,
                      CAL_SLICE_AXIAL,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "calsliceview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cal_slice_view_init (CalSliceView *self)
{
  GtkEventController *controller;

  self->readout = g_strdup ("");
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (gtk_widget_queue_draw), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (gtk_widget_queue_draw), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_name (controller, "slice-scroll");
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (controller, "slice-keys");
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  gtk_event_controller_set_name (controller, "slice-motion");
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect (cal_view_add_drag (GTK_WIDGET (self), "cursor-drag", GDK_BUTTON_PRIMARY,
                                       G_CALLBACK (cursor_drag_begin_cb), G_CALLBACK (cursor_drag_update_cb), self),
                    "drag-end", G_CALLBACK (cursor_drag_end_cb), self);
  cal_view_add_drag (GTK_WIDGET (self), "window-level-drag", GDK_BUTTON_SECONDARY,
                     G_CALLBACK (window_level_begin_cb), G_CALLBACK (window_level_update_cb), self);
  cal_view_add_drag (GTK_WIDGET (self), "pan-drag", GDK_BUTTON_MIDDLE,
                     G_CALLBACK (pan_begin_cb), G_CALLBACK (pan_update_cb), self);
}

GtkWidget *
cal_slice_view_new (CalViewState        *state,
                    CalSliceOrientation  orientation)
{
  CalSliceView *self = g_object_new (CAL_TYPE_SLICE_VIEW, "orientation", orientation, NULL);

  cal_slice_view_set_state (self, state);
  return GTK_WIDGET (self);
}

CalViewState *
cal_slice_view_get_state (CalSliceView *self)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), NULL);
  return self->state;
}

void
cal_slice_view_set_state (CalSliceView *self,
                          CalViewState *state)
{
  const CalViewStateSignal listen[] = {
    { "notify::volume", G_CALLBACK (volume_changed_cb) },
    { "notify::mask", G_CALLBACK (style_changed_cb) },
    { "notify::window", G_CALLBACK (style_changed_cb) },
    { "notify::level", G_CALLBACK (style_changed_cb) },
    { "notify::overlay-opacity", G_CALLBACK (style_changed_cb) },
    { "notify::region", G_CALLBACK (style_changed_cb) },
    { "cursor-changed", G_CALLBACK (cursor_changed_cb) },
    { "mask-edited", G_CALLBACK (style_changed_cb) },
    { "tools-changed", G_CALLBACK (gtk_widget_queue_draw) },
    { "measurements-changed", G_CALLBACK (gtk_widget_queue_draw) },
  };

  g_return_if_fail (CAL_IS_SLICE_VIEW (self));
  if (cal_view_state_attach (&self->state, state, self, listen, G_N_ELEMENTS (listen)))
    update_plane (self);
}

CalSliceOrientation
cal_slice_view_get_orientation (CalSliceView *self)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), CAL_SLICE_AXIAL);
  return self->orientation;
}

gboolean
cal_slice_view_get_slice (CalSliceView *self,
                          guint        *index,
                          guint        *n_slices)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), FALSE);

  if (!self->has_plane)
    return FALSE;
  if (index)
    *index = current_index (self);
  if (n_slices)
    *n_slices = self->plane.n_slices;
  return TRUE;
}

void
cal_slice_view_step (CalSliceView *self,
                     int           delta)
{
  double xyz[3], n, target;
  gint64 index;

  g_return_if_fail (CAL_IS_SLICE_VIEW (self));
  if (!self->has_plane)
    return;
  index = CLAMP ((gint64) current_index (self) + delta, 0, (gint64) self->plane.n_slices - 1);
  cal_view_state_get_cursor (self->state, xyz);
  n = cursor_n (self);
  target = cal_slice_plane_position (&self->plane, (guint) index);
  for (int a = 0; a < 3; a++)
    xyz[a] += (target - n) * self->plane.normal[a];
  cal_view_state_set_cursor (self->state, xyz);
}

void
cal_slice_view_reset_zoom (CalSliceView *self)
{
  g_return_if_fail (CAL_IS_SLICE_VIEW (self));
  self->fitted = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const CalSlicePlane *
cal_slice_view_get_plane (CalSliceView *self)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), NULL);
  return self->has_plane ? &self->plane : NULL;
}

const char *
cal_slice_view_get_readout (CalSliceView *self)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), NULL);
  return self->readout;
}

const char *
cal_slice_view_get_title (CalSliceView *self)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), NULL);
  return orientation_title (self->orientation);
}

gint64
cal_slice_view_get_render_usec (CalSliceView *self)
{
  g_return_val_if_fail (CAL_IS_SLICE_VIEW (self), 0);
  return self->render_usec;
}
