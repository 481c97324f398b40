/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-hu-presets.h"

static const CalHuPreset hu_presets[] = {
  { "bone",        "Bone",         2000,  400 },
  { "skull",       "Skull base",   4000,  700 },
  { "brain",       "Brain",          80,   40 },
  { "subdural",    "Subdural",      200,   75 },
  { "soft-tissue", "Soft tissue",   400,   40 },
  { "lung",        "Lung",         1500, -600 },
};

const CalHuPreset *
cal_hu_presets (guint *n_presets)
{
  *n_presets = G_N_ELEMENTS (hu_presets);
  return hu_presets;
}

const CalHuPreset *
cal_hu_preset_find (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (hu_presets); i++)
    if (g_strcmp0 (hu_presets[i].id, id) == 0)
      return &hu_presets[i];
  return NULL;
}
