/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display ranges of CT grey values (window width and level, in HU) as CT
 * reading rooms name them.  "Window" here is the radiologists' word for a
 * range of HU, never a GtkWindow. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *id;
  const char *name;     /* English; the app translates it */
  double      width;    /* HU shown from black to white */
  double      level;    /* HU at mid grey */
} CalHuPreset;

const CalHuPreset *cal_hu_presets     (guint      *n_presets);
/* NULL when no preset has that id. */
const CalHuPreset *cal_hu_preset_find (const char *id);

G_END_DECLS
