/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cal-mask.h"
#include "cal-mesh-view.h"
#include "cal-slice-view.h"
#include "cal-view-state.h"
#include "calvaria-application.h"

G_BEGIN_DECLS

#define CAL_TYPE_WINDOW (cal_window_get_type ())
G_DECLARE_FINAL_TYPE (CalWindow, cal_window, CAL, WINDOW, AdwApplicationWindow)

CalWindow    *cal_window_new            (CalvariaApplication *app,
                                         GSettings           *settings);
/* Opens a scan: a DICOM folder or file, NIfTI or InVesalius project.  A
 * folder with several series asks which one, unless `series_uid` says. */
void          cal_window_open           (CalWindow           *self,
                                         GFile               *file,
                                         const char          *series_uid);
gboolean      cal_window_has_scan       (CalWindow           *self);
/* TRUE while a load, threshold, meshing or export runs. */
gboolean      cal_window_is_busy        (CalWindow           *self);
CalViewState *cal_window_get_state      (CalWindow           *self);
CalSliceView *cal_window_get_slice_view (CalWindow           *self,
                                         CalSliceOrientation  orientation);
CalMeshView  *cal_window_get_mesh_view  (CalWindow           *self);
/* The message shown in the window's error bar, or NULL. */
const char   *cal_window_get_error      (CalWindow           *self);
/* Most triangles the 3D view draws (the setting, or chosen by the
 * graphics when it is 0). */
guint         cal_window_display_budget (CalWindow           *self);
/* The export dialog, while open. */
GtkWindow    *cal_window_get_export_dialog (CalWindow        *self);

/* After a crash: asks whether to restore edits no running Calvaria holds. */
void          cal_window_offer_restore    (CalWindow           *self);

G_END_DECLS
