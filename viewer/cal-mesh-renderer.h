/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cal-camera.h"
#include "cal-mesh-display.h"

G_BEGIN_DECLS

/*
 * Draws a display mesh and up to three slice planes with OpenGL (3.3 core
 * or GLES 3.0) through libepoxy.  Nothing here knows GTK: the caller makes
 * a GL context current before every call, creates the renderer once the
 * context exists and frees it while the context is still current.
 */
typedef struct _CalMeshRenderer CalMeshRenderer;

#define CAL_MESH_RENDERER_ERROR (cal_mesh_renderer_error_quark ())
GQuark cal_mesh_renderer_error_quark (void);

typedef enum {
  CAL_MESH_RENDERER_ERROR_SHADER,   /* the driver refused a shader */
} CalMeshRendererError;

CalMeshRenderer *cal_mesh_renderer_new        (GError               **error);
void             cal_mesh_renderer_free       (CalMeshRenderer       *self);
/* Uploads the mesh (NULL clears it); the renderer keeps no pointer. */
void             cal_mesh_renderer_set_mesh   (CalMeshRenderer       *self,
                                               const CalDisplayMesh  *mesh);
/* Plane `index` (0..2) as a quad of four LPS corners and an RGBA colour;
 * `visible` FALSE hides it. */
void             cal_mesh_renderer_set_plane  (CalMeshRenderer       *self,
                                               guint                  index,
                                               gboolean               visible,
                                               const double           corners[4][3],
                                               const float            rgba[4]);
void             cal_mesh_renderer_draw       (CalMeshRenderer       *self,
                                               const CalCamera       *camera,
                                               int                    width,
                                               int                    height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalMeshRenderer, cal_mesh_renderer_free)

G_END_DECLS
