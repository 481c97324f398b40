/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-view-state.h"

#include <string.h>

struct _CalViewState
{
  GObject    parent_instance;

  /* owned */
  CalVolume *volume;
  CalMask   *mask;
  CalMask   *region;     /* (nullable) shown tinted in the slice views */
  CalEditTools *tools;
  CalMeasurements *measurements;

  double     cursor[3];
  double     window;
  double     level;
  double     overlay_opacity;
};

G_DEFINE_FINAL_TYPE (CalViewState, cal_view_state, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VOLUME,
  PROP_MASK,
  PROP_WINDOW,
  PROP_LEVEL,
  PROP_OVERLAY_OPACITY,
  PROP_REGION,
  N_PROPS
};

enum {
  CURSOR_CHANGED,
  MASK_EDITED,
  TOOLS_CHANGED,
  MEASUREMENTS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
cal_view_state_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CalViewState *self = CAL_VIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_VOLUME:
      g_value_set_object (value, self->volume);
      break;
    case PROP_MASK:
      g_value_set_object (value, self->mask);
      break;
    case PROP_WINDOW:
      g_value_set_double (value, self->window);
      break;
    case PROP_LEVEL:
      g_value_set_double (value, self->level);
      break;
    case PROP_OVERLAY_OPACITY:
      g_value_set_double (value, self->overlay_opacity);
      break;
    case PROP_REGION:
      g_value_set_object (value, self->region);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_view_state_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CalViewState *self = CAL_VIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_VOLUME:
      cal_view_state_set_volume (self, g_value_get_object (value));
      break;
    case PROP_MASK:
      cal_view_state_set_mask (self, g_value_get_object (value));
      break;
    case PROP_WINDOW:
      cal_view_state_set_window_level (self, g_value_get_double (value), self->level);
      break;
    case PROP_LEVEL:
      cal_view_state_set_window_level (self, self->window, g_value_get_double (value));
      break;
    case PROP_OVERLAY_OPACITY:
      cal_view_state_set_overlay_opacity (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_view_state_dispose (GObject *object)
{
  CalViewState *self = CAL_VIEW_STATE (object);

  if (self->tools != NULL)
    g_signal_handlers_disconnect_by_data (self->tools, self);
  g_clear_object (&self->tools);
  if (self->measurements != NULL)
    g_signal_handlers_disconnect_by_data (self->measurements, self);
  g_clear_object (&self->measurements);
  g_clear_object (&self->volume);
  g_clear_object (&self->mask);
  g_clear_object (&self->region);
  G_OBJECT_CLASS (cal_view_state_parent_class)->dispose (object);
}

static void
cal_view_state_class_init (CalViewStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cal_view_state_get_property;
  object_class->set_property = cal_view_state_set_property;
  object_class->dispose = cal_view_state_dispose;

  properties[PROP_VOLUME] =
    g_param_spec_object ("volume", NULL, NULL, CAL_TYPE_VOLUME,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MASK] =
    g_param_spec_object ("mask", NULL, NULL, CAL_TYPE_MASK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW] =
    g_param_spec_double ("window", NULL, NULL, 1, 100000, 2000,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEVEL] =
    g_param_spec_double ("level", NULL, NULL, -100000, 100000, 400,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY_OPACITY] =
    g_param_spec_double ("overlay-opacity", NULL, NULL, 0, 1, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REGION] =
    g_param_spec_object ("region", NULL, NULL, CAL_TYPE_MASK,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CURSOR_CHANGED] =
    g_signal_new ("cursor-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The mask's voxels changed in place (a CalBox *, the voxels to redraw). */
  signals[MASK_EDITED] =
    g_signal_new ("mask-edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* The tool, or the brush's size or shape, changed. */
  signals[TOOLS_CHANGED] =
    g_signal_new ("tools-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A measurement was made or removed, or the one being drawn moved. */
  signals[MEASUREMENTS_CHANGED] =
    g_signal_new ("measurements-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
measurements_changed_cb (CalViewState *self)
{
  g_signal_emit (self, signals[MEASUREMENTS_CHANGED], 0);
}

static void
tools_mask_edited_cb (CalEditTools *tools,
                      gpointer      box,
                      CalViewState *self)
{
  g_signal_emit (self, signals[MASK_EDITED], 0, box);
}

static void
tools_notify_cb (CalEditTools *tools,
                 GParamSpec   *pspec,
                 CalViewState *self)
{
  g_signal_emit (self, signals[TOOLS_CHANGED], 0);
}

static void
cal_view_state_init (CalViewState *self)
{
  self->window = 2000;
  self->level = 400;
  self->overlay_opacity = 0.5;
  self->tools = cal_edit_tools_new ();
  g_signal_connect (self->tools, "mask-edited", G_CALLBACK (tools_mask_edited_cb), self);
  g_signal_connect (self->tools, "notify", G_CALLBACK (tools_notify_cb), self);
  self->measurements = cal_measurements_new ();
  g_signal_connect_swapped (self->measurements, "changed", G_CALLBACK (measurements_changed_cb), self);
  g_signal_connect_swapped (self->measurements, "draft-changed", G_CALLBACK (measurements_changed_cb), self);
}

CalMeasurements *
cal_view_state_get_measurements (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), NULL);
  return self->measurements;
}

CalEditTools *
cal_view_state_get_tools (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), NULL);
  return self->tools;
}

CalViewState *
cal_view_state_new (void)
{
  return g_object_new (CAL_TYPE_VIEW_STATE, NULL);
}

CalVolume *
cal_view_state_get_volume (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), NULL);
  return self->volume;
}

void
cal_view_state_set_volume (CalViewState *self,
                           CalVolume    *volume)
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));

  if (!g_set_object (&self->volume, volume))
    return;
  cal_view_state_set_mask (self, NULL);
  cal_view_state_set_region (self, NULL);
  cal_measurements_clear (self->measurements);   /* they were of the other scan */
  if (volume)
    {
      const CalGrid *grid = cal_volume_get_grid (volume);
      double centre[3], xyz[3];

      for (int a = 0; a < 3; a++)
        centre[a] = (grid->dims[a] - 1) / 2.0;
      cal_grid_voxel_to_patient (grid, centre, xyz);
      cal_view_state_set_cursor (self, xyz);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
}

CalMask *
cal_view_state_get_mask (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), NULL);
  return self->mask;
}

void
cal_view_state_set_mask (CalViewState *self,
                         CalMask      *mask)
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));
  g_return_if_fail (mask == NULL || self->volume != NULL);
  g_return_if_fail (mask == NULL ||
                    cal_grid_same_geometry (cal_mask_get_grid (mask),
                                            cal_volume_get_grid (self->volume), 1e-3));

  if (g_set_object (&self->mask, mask))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MASK]);
}

void
cal_view_state_get_cursor (CalViewState *self,
                           double        xyz[3])
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));
  for (int a = 0; a < 3; a++)
    xyz[a] = self->cursor[a];
}

void
cal_view_state_set_cursor (CalViewState *self,
                           const double  xyz[3])
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));

  if (memcmp (self->cursor, xyz, sizeof self->cursor) == 0)
    return;
  for (int a = 0; a < 3; a++)
    self->cursor[a] = xyz[a];
  g_signal_emit (self, signals[CURSOR_CHANGED], 0);
}

double
cal_view_state_get_window (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), 0);
  return self->window;
}

double
cal_view_state_get_level (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), 0);
  return self->level;
}

void
cal_view_state_set_window_level (CalViewState *self,
                                 double        window,
                                 double        level)
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));

  window = CLAMP (window, 1, 100000);
  level = CLAMP (level, -100000, 100000);
  g_object_freeze_notify (G_OBJECT (self));
  if (window != self->window)
    {
      self->window = window;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
    }
  if (level != self->level)
    {
      self->level = level;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

double
cal_view_state_get_overlay_opacity (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), 0);
  return self->overlay_opacity;
}

void
cal_view_state_set_overlay_opacity (CalViewState *self,
                                    double        opacity)
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));

  opacity = CLAMP (opacity, 0, 1);
  if (opacity == self->overlay_opacity)
    return;
  self->overlay_opacity = opacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY_OPACITY]);
}

gboolean
cal_view_state_attach (CalViewState             **slot,
                       CalViewState              *state,
                       gpointer                   view,
                       const CalViewStateSignal  *listen,
                       guint                      n_listen)
{
  g_return_val_if_fail (state == NULL || CAL_IS_VIEW_STATE (state), FALSE);

  if (*slot == state)
    return FALSE;
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, view);
  g_set_object (slot, state);
  for (guint i = 0; state != NULL && i < n_listen; i++)
    g_signal_connect_swapped (state, listen[i].signal, listen[i].callback, view);
  return TRUE;
}

CalMask *
cal_view_state_get_region (CalViewState *self)
{
  g_return_val_if_fail (CAL_IS_VIEW_STATE (self), NULL);

  return self->region;
}

void
cal_view_state_set_region (CalViewState *self,
                           CalMask      *region)
{
  g_return_if_fail (CAL_IS_VIEW_STATE (self));

  if (g_set_object (&self->region, region))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION]);
}
