/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"

G_BEGIN_DECLS

/*
 * Local thickness of the bone at points of its surface, in mm: how far a
 * straight line from the point through the bone runs before it leaves,
 * the shortest of a cone of lines around the inward normal (the normal
 * from the mask's smoothed gradient there; the cone's 24 lines up to 20°
 * off it, so a normal a few degrees off, as voxel steps make it, still
 * finds the perpendicular crossing; lines that only clip a voxel step's
 * corner, under 0.9 of the cone's median, are not crossings).  For a
 * table of thickness T, T to
 * within the march's step.  Lines longer than CAL_THICKNESS_MAX_MM (the
 * skull base, a point looking along the bone) report that cap.
 *
 * The first seed: a well-determined thickness "makes it easier to decide
 * where to put screws".
 */
#define CAL_THICKNESS_MAX_MM 30.0

/* values[i] for points[i * stride] (LPS mm, on the mask's surface); NAN
 * where no bone lies under the point.  FALSE when cancelled. */
gboolean cal_thickness_measure (CalMask       *mask,
                                const float   *points,
                                gsize          stride,
                                guint32        n_points,
                                float         *values,
                                GCancellable  *cancellable,
                                GError       **error);

/* The thinnest bone in a region (e.g. the defect rim), over the points
 * whose nearest voxel is in `region` (NULL: all): the 5th percentile of their
 * thicknesses, and where a point that thin lies.  Not the minimum: at an
 * edge or a corner (a defect's rim is one) a single point's lines run
 * along the bone's border, and its number says little of the bone there.
 * FALSE when no point with a thickness lies in the region. */
typedef struct {
  double  thinnest_mm;      /* 5th percentile */
  double  position[3];      /* LPS mm, of a point that thin */
  double  median_mm;
  guint32 n_points;
} CalThinnest;

gboolean cal_thickness_thinnest (const float   *values,
                                 const float   *points,
                                 gsize          stride,
                                 guint32        n_points,
                                 CalMask       *region,
                                 CalThinnest   *out);

G_END_DECLS
