/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cal-brush.h"
#include "cal-edit-session.h"

G_BEGIN_DECLS

/*
 * The editing tools every view of a scan shares (kept by its
 * CalViewState): which tool is active, the brush's size and shape, the
 * editable HU range, and the CalEditSession they change.  Views turn
 * pointer events into voxel coordinates and call the stroke and pick
 * functions here; the session records the steps.
 *
 * "mask-edited" (a CalBox *) follows every change of the mask's voxels
 * (strokes as they are drawn, commits, undo, redo); "edit-failed" (a
 * GError *) reports a step that could not be journalled.
 */
typedef enum {
  CAL_EDIT_TOOL_NAVIGATE,       /* click moves the crosshair */
  CAL_EDIT_TOOL_BRUSH,
  CAL_EDIT_TOOL_ERASER,
  CAL_EDIT_TOOL_KEEP_ISLAND,
  CAL_EDIT_TOOL_REMOVE_ISLAND,
  CAL_EDIT_TOOL_SCISSORS,       /* an outline on the 3D view cuts through the depth */
  CAL_EDIT_TOOL_RULER,          /* measuring tools: they leave the mask alone (cal-measure.h) */
  CAL_EDIT_TOOL_RECTANGLE,
  CAL_EDIT_TOOL_ELLIPSE,
} CalEditTool;

static inline gboolean
cal_edit_tool_measures (CalEditTool tool)
{
  return tool == CAL_EDIT_TOOL_RULER || tool == CAL_EDIT_TOOL_RECTANGLE || tool == CAL_EDIT_TOOL_ELLIPSE;
}

#define CAL_TYPE_EDIT_TOOLS (cal_edit_tools_get_type ())
G_DECLARE_FINAL_TYPE (CalEditTools, cal_edit_tools, CAL, EDIT_TOOLS, GObject)

CalEditTools   *cal_edit_tools_new              (void);

CalEditSession *cal_edit_tools_get_session      (CalEditTools  *self);
void            cal_edit_tools_set_session      (CalEditTools  *self,
                                                 CalEditSession *session);
CalEditTool     cal_edit_tools_get_tool         (CalEditTools  *self);
void            cal_edit_tools_set_tool         (CalEditTools  *self,
                                                 CalEditTool    tool);
double          cal_edit_tools_get_radius       (CalEditTools  *self);
void            cal_edit_tools_set_radius       (CalEditTools  *self,
                                                 double         radius_mm);
/* `[` and `]`: one step down or up a scale of sizes engineers use. */
void            cal_edit_tools_step_radius      (CalEditTools  *self,
                                                 int            steps);
gboolean        cal_edit_tools_get_sphere       (CalEditTools  *self);
void            cal_edit_tools_set_sphere       (CalEditTools  *self,
                                                 gboolean       sphere);
gboolean        cal_edit_tools_get_limit_hu     (CalEditTools  *self);
void            cal_edit_tools_set_limit_hu     (CalEditTools  *self,
                                                 gboolean       limit);
void            cal_edit_tools_set_hu_range     (CalEditTools  *self,
                                                 double         min_hu,
                                                 double         max_hu);
/* The brush the active tool paints with, discs across `axis`. */
void            cal_edit_tools_get_brush        (CalEditTools  *self,
                                                 int            axis,
                                                 CalBrush      *brush);
gboolean        cal_edit_tools_is_painting      (CalEditTools  *self);

/* A stroke: begin at a point (continuous voxel coordinates), extend it
 * as the pointer moves (each segment a capsule, so nothing is skipped),
 * end it to commit one step.  `pressure` (0..1, or < 0 for none) scales
 * the radius from half to all of it.  begin() is FALSE when there is no
 * session or no painting tool. */
gboolean        cal_edit_tools_stroke_begin     (CalEditTools  *self,
                                                 const double   ijk[3],
                                                 int            axis,
                                                 double         pressure);
void            cal_edit_tools_stroke_to        (CalEditTools  *self,
                                                 const double   ijk[3],
                                                 double         pressure);
void            cal_edit_tools_stroke_end       (CalEditTools  *self);
void            cal_edit_tools_stroke_cancel    (CalEditTools  *self);
/* Keep or remove (by the tool) the piece under the voxel, in a worker as
 * the scissors are (below); FALSE when it could not start. */
gboolean        cal_edit_tools_pick_island      (CalEditTools  *self,
                                                 const double   ijk[3]);

/* The scissors' cut (cal-edit-scissors.h) as one step; keep_inside keeps
 * what the outline encloses instead of erasing it, front_only cuts only
 * what is seen first.  It runs in a worker on a copy of the mask (it reads
 * all of it); the step lands when it is done, unless the mask changed
 * meanwhile (then "edit-failed" says so).  FALSE when it could not start. */
gboolean        cal_edit_tools_cut              (CalEditTools  *self,
                                                 const double   clip[4][4],
                                                 double         width,
                                                 double         height,
                                                 const double  *outline,
                                                 guint          n_points,
                                                 gboolean       keep_inside,
                                                 gboolean       front_only);

/* Pieces under mm3 removed, in a worker as the scissors are. */
gboolean        cal_edit_tools_remove_small     (CalEditTools  *self,
                                                 double         mm3);
/* A whole-mask operation (pieces, scissors) is being worked out. */
gboolean        cal_edit_tools_is_working       (CalEditTools  *self);

G_END_DECLS
