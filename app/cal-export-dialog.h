/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cal-mask.h"
#include "cal-mesh-check.h"

G_BEGIN_DECLS

/*
 * Export STL: options (smoothing, decimation, LPS/RAS, binary/ASCII),
 * "Build and Check Surface" shows the mesh checks, and only then can the
 * surface be saved; a surface that failed its checks is saved only through
 * an explicit "Save Anyway".  Both steps run in worker threads with
 * progress and Cancel.  With "Write the QC Report" on (the default), a
 * written STL emits "report-wanted" (its GFile): the window writes the
 * report beside it.
 */
#define CAL_TYPE_EXPORT_DIALOG (cal_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CalExportDialog, cal_export_dialog, CAL, EXPORT_DIALOG, AdwWindow)

CalExportDialog     *cal_export_dialog_new        (GtkWindow       *parent,
                                                   GSettings       *settings,
                                                   CalMask         *mask);
gboolean             cal_export_dialog_is_busy    (CalExportDialog *self);
/* The checks of the last surface built, or NULL before the first. */
const CalMeshReport *cal_export_dialog_get_report (CalExportDialog *self);
/* Writes the checked surface to `file` (what the file chooser's answer
 * does); refused until a surface was built. */
void                 cal_export_dialog_save_to    (CalExportDialog *self,
                                                   GFile           *file);
/* The file last written, or NULL. */
GFile               *cal_export_dialog_get_saved  (CalExportDialog *self);
/* The STL's suggested name: "skull-2026-12-07-0914.stl" (never the scan's). */
char                *cal_export_dialog_default_name (void);

G_END_DECLS
