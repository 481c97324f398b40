/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-view.h"

#include <math.h>
#include <string.h>

#include "cal-mesh-renderer.h"
#include "cal-slice-geometry.h"
#include "cal-mesh-pick.h"
#include "cal-view-gestures.h"

struct _CalMeshView
{
  GtkGLArea        parent_instance;

  /* owned */
  CalViewState    *state;
  CalDisplayMesh  *mesh;
  CalMeshRenderer *renderer;       /* exists between realize and unrealize */

  CalCamera        camera;
  gboolean         camera_fitted;
  gboolean         mesh_dirty;     /* uploaded at the next render */
  gboolean         show_planes;
  guint64          n_frames;
  CalCamera        drag_camera;    /* at the start of a drag */
  GArray          *lasso;          /* the scissors' outline being drawn (x, y doubles) */
  double           lasso_start[2];
  gboolean         lasso_keep;     /* Shift held: keep what it encloses */
  gboolean         lasso_front;    /* Ctrl held: cut only what is seen first */
};

G_DEFINE_FINAL_TYPE (CalMeshView, cal_mesh_view, GTK_TYPE_GL_AREA)

enum {
  PROP_0,
  PROP_SHOW_PLANES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SURFACE_PICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The slice views' colours (axial red, coronal green, sagittal yellow). */
static const float plane_rgba[3][4] = {
  { 0.93f, 0.33f, 0.30f, 0.12f },
  { 0.43f, 0.74f, 0.33f, 0.12f },
  { 0.93f, 0.84f, 0.33f, 0.12f },
};

static void
fit_camera_to_scene (CalMeshView *self)
{
  CalVolume *volume = self->state ? cal_view_state_get_volume (self->state) : NULL;
  double min[3], max[3];

  if (self->mesh)
    {
      memcpy (min, self->mesh->min, sizeof min);
      memcpy (max, self->mesh->max, sizeof max);
    }
  else if (volume)
    {
      const CalGrid *grid = cal_volume_get_grid (volume);

      for (int a = 0; a < 3; a++)
        {
          min[a] = INFINITY;
          max[a] = -INFINITY;
        }
      for (int c = 0; c < 8; c++)
        {
          double ijk[3], xyz[3];

          for (int a = 0; a < 3; a++)
            ijk[a] = (c >> a & 1) ? grid->dims[a] - 1 : 0;
          cal_grid_voxel_to_patient (grid, ijk, xyz);
          for (int a = 0; a < 3; a++)
            {
              min[a] = MIN (min[a], xyz[a]);
              max[a] = MAX (max[a], xyz[a]);
            }
        }
    }
  else
    return;
  cal_camera_fit (&self->camera, min, max);
  self->camera_fitted = TRUE;
}

static void
update_planes (CalMeshView *self)
{
  CalVolume *volume = self->state ? cal_view_state_get_volume (self->state) : NULL;
  double cursor[3];

  if (!self->renderer)
    return;
  if (volume)
    cal_view_state_get_cursor (self->state, cursor);
  for (CalSliceOrientation o = CAL_SLICE_AXIAL; o <= CAL_SLICE_SAGITTAL; o++)
    {
      CalSlicePlane plane;
      double corners[4][3], n;

      if (!volume || !self->show_planes)
        {
          cal_mesh_renderer_set_plane (self->renderer, o, FALSE, NULL, NULL);
          continue;
        }
      cal_slice_plane_init (&plane, cal_volume_get_grid (volume), o);
      cal_slice_plane_from_patient (&plane, cursor, NULL, NULL, &n);
      cal_slice_plane_corners (&plane, cal_slice_plane_position (&plane,
                                                                 cal_slice_plane_index (&plane, n)),
                               corners);
      cal_mesh_renderer_set_plane (self->renderer, o, TRUE, corners, plane_rgba[o]);
    }
}

static void
cal_mesh_view_realize (GtkWidget *widget)
{
  CalMeshView *self = CAL_MESH_VIEW (widget);
  g_autoptr (GError) error = NULL;

  GTK_WIDGET_CLASS (cal_mesh_view_parent_class)->realize (widget);
  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL)
    return;
  self->renderer = cal_mesh_renderer_new (&error);
  if (!self->renderer)
    {
      gtk_gl_area_set_error (GTK_GL_AREA (self), error);
      return;
    }
  self->mesh_dirty = TRUE;
}

static void
cal_mesh_view_unrealize (GtkWidget *widget)
{
  CalMeshView *self = CAL_MESH_VIEW (widget);

  gtk_gl_area_make_current (GTK_GL_AREA (self));
  g_clear_pointer (&self->renderer, cal_mesh_renderer_free);
  GTK_WIDGET_CLASS (cal_mesh_view_parent_class)->unrealize (widget);
}

static gboolean
cal_mesh_view_render (GtkGLArea    *area,
                      GdkGLContext *context)
{
  CalMeshView *self = CAL_MESH_VIEW (area);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (area));

  if (!self->renderer)
    return FALSE;
  if (self->mesh_dirty)
    {
      cal_mesh_renderer_set_mesh (self->renderer, self->mesh);
      self->mesh_dirty = FALSE;
    }
  if (!self->camera_fitted)
    fit_camera_to_scene (self);
  update_planes (self);
  cal_mesh_renderer_draw (self->renderer, &self->camera,
                          gtk_widget_get_width (GTK_WIDGET (area)) * scale,
                          gtk_widget_get_height (GTK_WIDGET (area)) * scale);
  self->n_frames++;
  return TRUE;
}

static gboolean
scissors_active (CalMeshView *self)
{
  return self->state != NULL
         && cal_edit_tools_get_tool (cal_view_state_get_tools (self->state)) == CAL_EDIT_TOOL_SCISSORS;
}

static void
orbit_begin_cb (GtkGestureDrag *gesture,
                double          x,
                double          y,
                CalMeshView    *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  self->drag_camera = self->camera;
  g_array_set_size (self->lasso, 0);
  if (scissors_active (self) && gesture != NULL && gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (gesture)) == GDK_BUTTON_PRIMARY)
    {
      const double p[2] = { x, y };
      self->lasso_keep = (mods & GDK_SHIFT_MASK) != 0;
      self->lasso_front = (mods & GDK_CONTROL_MASK) != 0;
      g_array_append_vals (self->lasso, p, 2);
      self->lasso_start[0] = x;
      self->lasso_start[1] = y;
    }
}

/* The outline closes itself; the cut goes through the whole depth. */
static void
orbit_end_cb (GtkGestureDrag *gesture,
              double          dx,
              double          dy,
              CalMeshView    *self)
{
  double clip[4][4], width = gtk_widget_get_width (GTK_WIDGET (self)), height = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->lasso->len < 6)
    {
      g_array_set_size (self->lasso, 0);
      return;
    }
  cal_camera_clip_matrix (&self->camera, width / MAX (height, 1), clip);
  cal_edit_tools_cut (cal_view_state_get_tools (self->state), clip, width, height,
                      (const double *) self->lasso->data, self->lasso->len / 2, self->lasso_keep, self->lasso_front);
  g_array_set_size (self->lasso, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
orbit_update_cb (GtkGestureDrag *gesture,
                 double          dx,
                 double          dy,
                 CalMeshView    *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  double height = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1);

  if (self->lasso->len > 0)
    {
      const double p[2] = { self->lasso_start[0] + dx, self->lasso_start[1] + dy };
      g_array_append_vals (self->lasso, p, 2);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->camera = self->drag_camera;
  if (mods & GDK_SHIFT_MASK)
    cal_camera_pan (&self->camera, dx, dy, height);
  else
    /* A drag across the view's height turns the skull half way round. */
    cal_camera_orbit (&self->camera, -dx / height * G_PI, dy / height * G_PI);
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
pan_update_cb (GtkGestureDrag *gesture,
               double          dx,
               double          dy,
               CalMeshView    *self)
{
  self->camera = self->drag_camera;
  cal_camera_pan (&self->camera, dx, dy, MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1));
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           CalMeshView              *self)
{
  cal_camera_zoom (&self->camera, pow (1.1, -dy));
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  return TRUE;
}

static void
scene_changed_cb (CalMeshView *self)
{
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
volume_changed_cb (CalMeshView *self)
{
  cal_mesh_view_set_display_mesh (self, NULL);
  self->camera_fitted = FALSE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
cal_mesh_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CalMeshView *self = CAL_MESH_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_PLANES:
      g_value_set_boolean (value, self->show_planes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_mesh_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CalMeshView *self = CAL_MESH_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_PLANES:
      cal_mesh_view_set_show_planes (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_mesh_view_dispose (GObject *object)
{
  CalMeshView *self = CAL_MESH_VIEW (object);

  cal_mesh_view_set_state (self, NULL);
  g_clear_pointer (&self->mesh, cal_display_mesh_free);
  g_clear_pointer (&self->lasso, g_array_unref);
  G_OBJECT_CLASS (cal_mesh_view_parent_class)->dispose (object);
}

/* The patient's axes as the camera sees them, in the bottom left corner:
 * a line per axis through one point, its ends lettered (R–L, A–P, I–S),
 * so that the surface's orientation is never a guess.  An axis seen end-on
 * keeps its line short and loses its letters, which would sit on the centre. */
static void
append_orientation_marker (CalMeshView *self,
                           GtkSnapshot *snapshot)
{
  static const char *const ends[3][2] = { { "R", "L" }, { "A", "P" }, { "I", "S" } };
  static const double colors[3][3] = { { 0.95, 0.35, 0.3 }, { 0.35, 0.85, 0.4 }, { 0.4, 0.6, 1.0 } };
  const double length = 22, cx = 40, cy = 40;
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double right[3], up[3], forward[3];
  cairo_t *cr;

  if (self->mesh == NULL || height < 100 || gtk_widget_get_width (GTK_WIDGET (self)) < 100)
    return;   /* nothing to orient yet */
  cal_camera_basis (&self->camera, right, up, forward);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, (float) height - 80, 80, 80));
  cairo_translate (cr, 0, height - 80);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 11);
  cairo_set_line_width (cr, 2);
  for (int a = 0; a < 3; a++)
    {
      /* Unit LPS axis a on the screen: its right and up components, y down. */
      double sx = right[a] * length, sy = -up[a] * length;

      cairo_set_source_rgb (cr, colors[a][0], colors[a][1], colors[a][2]);
      cairo_move_to (cr, cx - sx, cy - sy);
      cairo_line_to (cr, cx + sx, cy + sy);
      cairo_stroke (cr);
      if (hypot (sx, sy) < 6)
        continue;
      for (int end = 0; end < 2; end++)
        {
          double sign = end ? 1.35 : -1.35;
          cairo_text_extents_t extents;

          cairo_text_extents (cr, ends[a][end], &extents);
          cairo_move_to (cr, cx + sign * sx - extents.width / 2 - extents.x_bearing,
                         cy + sign * sy - extents.height / 2 - extents.y_bearing);
          cairo_show_text (cr, ends[a][end]);
        }
    }
  cairo_destroy (cr);
}

/* The GL picture, the orientation marker, then the scissors' outline
 * over them while it is drawn. */
static void
cal_mesh_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  CalMeshView *self = CAL_MESH_VIEW (widget);
  const double *p;
  cairo_t *cr;

  GTK_WIDGET_CLASS (cal_mesh_view_parent_class)->snapshot (widget, snapshot);
  append_orientation_marker (self, snapshot);
  if (self->lasso == NULL || self->lasso->len < 4)
    return;
  p = (const double *) self->lasso->data;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                                 gtk_widget_get_height (widget)));
  cairo_move_to (cr, p[0], p[1]);
  for (guint i = 2; i < self->lasso->len; i += 2)
    cairo_line_to (cr, p[i], p[i + 1]);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, 1.0, 0.45, 0.35, self->lasso_keep ? 0.12 : 0.25);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 1.0, 0.45, 0.35, 0.95);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

/* A click without a drag: the slice views go to the surface point under
 * the pointer, and whoever listens hears which vertex it was. */
static void
click_released_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   CalMeshView     *self)
{
  double point[3];
  guint32 vertex;

  if (n_press != 1 || !cal_mesh_view_pick (self, x, y, point, &vertex))
    return;
  if (self->state)
    cal_view_state_set_cursor (self->state, point);
  g_signal_emit (self, signals[SURFACE_PICKED], 0, point[0], point[1], point[2], vertex);
}

static void
cal_mesh_view_class_init (CalMeshViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS (klass);

  object_class->get_property = cal_mesh_view_get_property;
  object_class->set_property = cal_mesh_view_set_property;
  object_class->dispose = cal_mesh_view_dispose;
  widget_class->realize = cal_mesh_view_realize;
  widget_class->unrealize = cal_mesh_view_unrealize;
  widget_class->snapshot = cal_mesh_view_snapshot;
  area_class->render = cal_mesh_view_render;

  properties[PROP_SHOW_PLANES] =
    g_param_spec_boolean ("show-planes", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* (x, y, z in LPS mm, the display mesh's vertex nearest the point) */
  signals[SURFACE_PICKED] =
    g_signal_new ("surface-picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_UINT);
  gtk_widget_class_set_css_name (widget_class, "calmeshview");
}

static void
cal_mesh_view_init (CalMeshView *self)
{
  GtkEventController *scroll;
  GtkGesture *click;

  self->show_planes = TRUE;
  gtk_gl_area_set_has_depth_buffer (GTK_GL_AREA (self), TRUE);
  gtk_gl_area_set_auto_render (GTK_GL_AREA (self), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 120, 120);

  self->lasso = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (cal_view_add_drag (GTK_WIDGET (self), "orbit-drag", GDK_BUTTON_PRIMARY,
                                       G_CALLBACK (orbit_begin_cb), G_CALLBACK (orbit_update_cb), self),
                    "drag-end", G_CALLBACK (orbit_end_cb), self);
  cal_view_add_drag (GTK_WIDGET (self), "pan-drag", GDK_BUTTON_MIDDLE,
                     G_CALLBACK (orbit_begin_cb), G_CALLBACK (pan_update_cb), self);

  click = gtk_gesture_click_new ();
  gtk_event_controller_set_name (GTK_EVENT_CONTROLLER (click), "pick-click");
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_name (scroll, "zoom-scroll");
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

GtkWidget *
cal_mesh_view_new (CalViewState *state)
{
  CalMeshView *self = g_object_new (CAL_TYPE_MESH_VIEW, NULL);

  cal_mesh_view_set_state (self, state);
  return GTK_WIDGET (self);
}

void
cal_mesh_view_set_state (CalMeshView  *self,
                         CalViewState *state)
{
  const CalViewStateSignal listen[] = {
    { "notify::volume", G_CALLBACK (volume_changed_cb) },
    { "cursor-changed", G_CALLBACK (scene_changed_cb) },
  };

  g_return_if_fail (CAL_IS_MESH_VIEW (self));
  if (cal_view_state_attach (&self->state, state, self, listen, G_N_ELEMENTS (listen)))
    self->camera_fitted = FALSE;
}

void
cal_mesh_view_set_display_mesh (CalMeshView    *self,
                                CalDisplayMesh *mesh)
{
  gboolean first;

  g_return_if_fail (CAL_IS_MESH_VIEW (self));

  first = self->mesh == NULL;
  g_clear_pointer (&self->mesh, cal_display_mesh_free);
  self->mesh = mesh;
  self->mesh_dirty = TRUE;
  if (first && mesh)
    self->camera_fitted = FALSE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

const CalDisplayMesh *
cal_mesh_view_get_display_mesh (CalMeshView *self)
{
  g_return_val_if_fail (CAL_IS_MESH_VIEW (self), NULL);
  return self->mesh;
}

void
cal_mesh_view_reset_camera (CalMeshView *self)
{
  g_return_if_fail (CAL_IS_MESH_VIEW (self));
  self->camera_fitted = FALSE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

CalCamera *
cal_mesh_view_get_camera (CalMeshView *self)
{
  g_return_val_if_fail (CAL_IS_MESH_VIEW (self), NULL);
  return &self->camera;
}

void
cal_mesh_view_set_show_planes (CalMeshView *self,
                               gboolean     show)
{
  g_return_if_fail (CAL_IS_MESH_VIEW (self));

  show = !!show;
  if (self->show_planes == show)
    return;
  self->show_planes = show;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PLANES]);
}

gboolean
cal_mesh_view_get_show_planes (CalMeshView *self)
{
  g_return_val_if_fail (CAL_IS_MESH_VIEW (self), FALSE);
  return self->show_planes;
}

guint64
cal_mesh_view_get_n_frames (CalMeshView *self)
{
  g_return_val_if_fail (CAL_IS_MESH_VIEW (self), 0);
  return self->n_frames;
}

/* Takes the colours (3 per vertex of the mesh shown; NULL: bone). */
void
cal_mesh_view_set_colours (CalMeshView *self,
                           float       *colours)
{
  g_return_if_fail (CAL_IS_MESH_VIEW (self));

  if (self->mesh == NULL)
    {
      g_free (colours);
      return;
    }
  g_free (self->mesh->colours);
  self->mesh->colours = colours;
  self->mesh_dirty = TRUE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

gboolean
cal_mesh_view_pick (CalMeshView *self,
                    double       x,
                    double       y,
                    double       point[3],
                    guint32     *vertex)
{
  double clip[4][4], width = gtk_widget_get_width (GTK_WIDGET (self)), height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (CAL_IS_MESH_VIEW (self), FALSE);

  if (self->mesh == NULL || width < 1 || height < 1)
    return FALSE;
  cal_camera_clip_matrix (&self->camera, width / height, clip);
  return cal_mesh_pick (self->mesh, clip, width, height, x, y, point, vertex);
}
