/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cal-deviation-map.h"

G_BEGIN_DECLS

/*
 * The sidebar's Quality Control group: the reference, the defect edge's
 * band and the tolerance, which colour map the 3D view shows, and what the
 * comparison and the false-defect check found (numbers with units and
 * definitions, a histogram coloured as the map, the point clicked, the
 * pieces found).  The window does the work (its win.compare,
 * win.open-reference, win.reference-from-threshold, win.open-region,
 * win.clear-region and win.check-false-defects actions) and tells the
 * panel what to show.
 */
typedef enum {
  CAL_COLOUR_MAP_BONE,
  CAL_COLOUR_MAP_DEVIATION,
  CAL_COLOUR_MAP_THICKNESS,
  CAL_COLOUR_MAP_REGION,       /* the region of interest, on bone */
} CalColourMap;

#define CAL_TYPE_QUALITY_PANEL (cal_quality_panel_get_type ())
G_DECLARE_FINAL_TYPE (CalQualityPanel, cal_quality_panel, CAL, QUALITY_PANEL, GtkBox)

double       cal_quality_panel_get_band_mm      (CalQualityPanel         *self);
double       cal_quality_panel_get_tolerance_mm (CalQualityPanel         *self);
CalColourMap cal_quality_panel_get_colour_map   (CalQualityPanel         *self);
void         cal_quality_panel_set_colour_map   (CalQualityPanel         *self,
                                                 CalColourMap             map);
void         cal_quality_panel_set_reference    (CalQualityPanel         *self,
                                                 const char              *description);
/* NULL: the defect edge, found at Compare. */
void         cal_quality_panel_set_region       (CalQualityPanel         *self,
                                                 const char              *description);
/* text NULL hides the results and the histogram. */
void         cal_quality_panel_set_results      (CalQualityPanel         *self,
                                                 const char              *text,
                                                 const CalDeviationStats *histogram);
void         cal_quality_panel_set_picked       (CalQualityPanel         *self,
                                                 const char              *text);
/* pieces: CalFalseDefect; NULL hides the list.  A row's activation emits
 * "false-defect-activated" with its centroid (LPS mm). */
void         cal_quality_panel_set_false_defects (CalQualityPanel        *self,
                                                  GArray                 *pieces);
const char  *cal_quality_panel_get_results_text (CalQualityPanel         *self);

G_END_DECLS
