/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-preset-labels.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

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
cal_hu_preset_label (const CalHuPreset *preset)
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

GListModel *
cal_threshold_preset_model_new (void)
{
  GtkStringList *list = gtk_string_list_new (NULL);
  const CalThresholdPreset *presets;
  guint n;

  presets = cal_threshold_presets (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = g_strdup_printf (_("%s (%.0f to %.0f HU)"),
                                                cal_threshold_preset_label (&presets[i]),
                                                presets[i].min_hu, presets[i].max_hu);
      gtk_string_list_append (list, label);
    }
  return G_LIST_MODEL (list);
}

GListModel *
cal_hu_preset_model_new (void)
{
  GtkStringList *list = gtk_string_list_new (NULL);
  const CalHuPreset *presets;
  guint n;

  presets = cal_hu_presets (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = g_strdup_printf (_("%s (W %.0f, L %.0f HU)"),
                                                cal_hu_preset_label (&presets[i]),
                                                presets[i].width, presets[i].level);
      gtk_string_list_append (list, label);
    }
  return G_LIST_MODEL (list);
}

guint
cal_hu_preset_position (const char *id)
{
  const CalHuPreset *preset = cal_hu_preset_find (id);
  guint n;

  return preset ? (guint) (preset - cal_hu_presets (&n)) : G_MAXUINT;
}
