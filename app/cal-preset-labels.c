/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-preset-labels.h"

#include <glib/gi18n.h>

const char *
cal_threshold_preset_label (const CalThresholdPreset *preset)
{
  /* The names InVesalius uses, translated here rather than in core. */
  static const struct { const char *id; const char *label; } labels[] = {
    { "bone", N_("Bone") },
    { "compact-bone", N_("Compact bone (adult)") },
    { "spongial-bone", N_("Spongy bone (adult)") },
    { "enamel", N_("Enamel (adult)") },
    { "soft-tissue", N_("Soft tissue") },
    { "muscle", N_("Muscle tissue (adult)") },
    { "fat", N_("Fat tissue (adult)") },
    { "skin", N_("Skin tissue (adult)") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].id, preset->id) == 0)
      return _(labels[i].label);
  return preset->name;
}

const char *
cal_window_preset_label (const CalWindowPreset *preset)
{
  static const struct { const char *id; const char *label; } labels[] = {
    { "bone", N_("Bone") },
    { "skull", N_("Skull base") },
    { "brain", N_("Brain") },
    { "subdural", N_("Subdural") },
    { "soft-tissue", N_("Soft tissue") },
    { "lung", N_("Lung") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].id, preset->id) == 0)
      return _(labels[i].label);
  return preset->name;
}
