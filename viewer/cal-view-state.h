/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-edit-tools.h"
#include "cal-mask.h"
#include "cal-measurements.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * What the views of one scan share: the volume and mask shown, the
 * crosshair point (LPS mm) that links them, window/level and overlay
 * opacity, the editing tools and the measurements.  Views listen to notify::,
 * "cursor-changed", "mask-edited", "tools-changed" and
 * "measurements-changed"; the window owns one
 * per open scan.  The volume is never changed in place; the mask is, by
 * the editing tools on the main thread, so a worker is handed a copy of it
 * (cal_mask_copy), never the mask itself.
 */
#define CAL_TYPE_VIEW_STATE (cal_view_state_get_type ())
G_DECLARE_FINAL_TYPE (CalViewState, cal_view_state, CAL, VIEW_STATE, GObject)

CalViewState *cal_view_state_new                 (void);
/* The editing tools and the session they change ("mask-edited" and
 * "tools-changed" on the state follow them). */
CalEditTools *cal_view_state_get_tools           (CalViewState *self);
/* The rulers and regions measured on this scan; a new volume clears them. */
CalMeasurements *cal_view_state_get_measurements (CalViewState *self);
CalVolume    *cal_view_state_get_volume          (CalViewState *self);
/* Setting a volume drops the mask and puts the cursor at its centre. */
void          cal_view_state_set_volume          (CalViewState *self,
                                                  CalVolume    *volume);
CalMask      *cal_view_state_get_mask            (CalViewState *self);
void          cal_view_state_set_mask            (CalViewState *self,
                                                  CalMask      *mask);
/* A region of interest the slice views tint (NULL: none); on the volume's grid. */
CalMask      *cal_view_state_get_region          (CalViewState *self);
void          cal_view_state_set_region          (CalViewState *self,
                                                  CalMask      *region);
void          cal_view_state_get_cursor          (CalViewState *self,
                                                  double        xyz[3]);
void          cal_view_state_set_cursor          (CalViewState *self,
                                                  const double  xyz[3]);
double        cal_view_state_get_window          (CalViewState *self);
double        cal_view_state_get_level           (CalViewState *self);
void          cal_view_state_set_window_level    (CalViewState *self,
                                                  double        window,
                                                  double        level);
double        cal_view_state_get_overlay_opacity (CalViewState *self);
void          cal_view_state_set_overlay_opacity (CalViewState *self,
                                                  double        opacity);

/* What a view listens to on its state: a signal name and a callback that
 * receives the view (connected swapped). */
typedef struct {
  const char *signal;
  GCallback   callback;
} CalViewStateSignal;

/* Points *slot (a view's own reference) at state: whatever `view`
 * connected to the old state is disconnected, listen[] is connected on
 * the new one.  Every view shares it, so views are handed their state the
 * same way.  FALSE when *slot already was state. */
gboolean cal_view_state_attach (CalViewState             **slot,
                                CalViewState              *state,
                                gpointer                   view,
                                const CalViewStateSignal  *listen,
                                guint                      n_listen);

G_END_DECLS
