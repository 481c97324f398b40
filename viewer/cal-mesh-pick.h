/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-mesh-display.h"

G_BEGIN_DECLS

/* The surface point under pixel (x, y) of a width × height view whose
 * patient-to-clip matrix is `clip` (cal_camera_clip_matrix): the nearest
 * triangle there, the point on it, and the vertex of it nearest that
 * point.  FALSE when the pixel shows no surface.  No GL: the triangles
 * are projected on the CPU (a few milliseconds for the view's budget). */
gboolean cal_mesh_pick (const CalDisplayMesh *mesh,
                        const double          clip[4][4],
                        double                width,
                        double                height,
                        double                x,
                        double                y,
                        double                point[3],
                        guint32              *vertex);

G_END_DECLS
