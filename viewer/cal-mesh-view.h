/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cal-camera.h"
#include "cal-mesh-display.h"
#include "cal-view-state.h"

G_BEGIN_DECLS

/*
 * The 3D view: the mask's surface (a display mesh, reduced for very large
 * meshes so orbiting stays fluid), lit from the eye, with the three slice
 * planes through the shared crosshair.
 *
 * Mouse: drag to orbit, Shift+drag or middle-drag to pan, scroll to zoom;
 * a click (no drag) moves the slice views to the surface point under it
 * and emits "surface-picked" (x, y, z in LPS mm, the nearest vertex).
 * With the Scissors tool (the state's CalEditTools) a drag draws an outline
 * instead, and its release cuts through the whole depth: erasing what it
 * encloses, or with Shift held at the start keeping only that, or with
 * Ctrl erasing only what is seen first (the pieces in front).
 */
#define CAL_TYPE_MESH_VIEW (cal_mesh_view_get_type ())
G_DECLARE_FINAL_TYPE (CalMeshView, cal_mesh_view, CAL, MESH_VIEW, GtkGLArea)

GtkWidget            *cal_mesh_view_new              (CalViewState   *state);
void                  cal_mesh_view_set_state        (CalMeshView    *self,
                                                      CalViewState   *state);
/* Takes the mesh; NULL clears the view.  The camera fits the first mesh
 * and keeps its place for later ones of the same scan. */
void                  cal_mesh_view_set_display_mesh (CalMeshView    *self,
                                                      CalDisplayMesh *mesh);
const CalDisplayMesh *cal_mesh_view_get_display_mesh (CalMeshView    *self);
/* Takes per-vertex colours (3 floats per vertex of the mesh shown, 0 … 1)
 * for a colour map; NULL shows bone again.  A new mesh starts as bone. */
void                  cal_mesh_view_set_colours      (CalMeshView    *self,
                                                      float          *colours);
/* The surface point under pixel (x, y), and the vertex nearest it. */
gboolean              cal_mesh_view_pick             (CalMeshView    *self,
                                                      double          x,
                                                      double          y,
                                                      double          point[3],
                                                      guint32        *vertex);
void                  cal_mesh_view_reset_camera     (CalMeshView    *self);
CalCamera            *cal_mesh_view_get_camera       (CalMeshView    *self);
void                  cal_mesh_view_set_show_planes  (CalMeshView    *self,
                                                      gboolean        show);
gboolean              cal_mesh_view_get_show_planes  (CalMeshView    *self);
/* Frames drawn so far, for tests and the frame-rate benchmark. */
guint64               cal_mesh_view_get_n_frames     (CalMeshView    *self);

G_END_DECLS
