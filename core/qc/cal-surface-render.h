/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Pictures of a coloured surface without OpenGL, for reports written from
 * the command line or a worker thread: an orthographic view from one side
 * of the patient, a depth buffer, colours interpolated across each
 * triangle and lit from the viewer.
 */
typedef enum {
  CAL_VIEWPOINT_ANTERIOR,    /* the face: the patient's left on the right */
  CAL_VIEWPOINT_POSTERIOR,
  CAL_VIEWPOINT_LEFT,        /* from the patient's left: the face on the left */
  CAL_VIEWPOINT_RIGHT,
  CAL_VIEWPOINT_SUPERIOR,    /* from above, the face up */
  CAL_N_VIEWPOINTS
} CalViewpoint;

const char *cal_viewpoint_name (CalViewpoint view);

typedef struct {
  const float   *points;       /* x, y, z (LPS mm) at points[i * stride] */
  gsize          stride;
  guint32        n_points;
  const guint32 *triangles;
  guint32        n_triangles;
  const float   *rgb;          /* 3 per point, 0 … 1 */
} CalColouredSurface;

/* Draws into pixels (cairo's CAIRO_FORMAT_RGB24: one guint32 0xRRGGBB per
 * pixel, rows `row_stride` bytes apart), white where there is no surface;
 * the surface's bounds fill the picture, square mm, with a margin. */
void cal_surface_render (const CalColouredSurface *surface,
                         CalViewpoint              view,
                         guint8                   *pixels,
                         int                       width,
                         int                       height,
                         int                       row_stride);

G_END_DECLS
