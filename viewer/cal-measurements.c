/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-measurements.h"

#include <glib/gi18n-lib.h>

struct _CalMeasurements
{
  GObject         parent_instance;

  GArray         *items;        /* CalMeasurement */
  CalMeasurement  draft;
  gboolean        has_draft;
  guint           next_number;
};

G_DEFINE_FINAL_TYPE (CalMeasurements, cal_measurements, G_TYPE_OBJECT)

enum { CHANGED, DRAFT_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cal_measurements_finalize (GObject *object)
{
  CalMeasurements *self = CAL_MEASUREMENTS (object);

  g_array_unref (self->items);
  G_OBJECT_CLASS (cal_measurements_parent_class)->finalize (object);
}

static void
cal_measurements_class_init (CalMeasurementsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cal_measurements_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DRAFT_CHANGED] = g_signal_new ("draft-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cal_measurements_init (CalMeasurements *self)
{
  self->items = g_array_new (FALSE, FALSE, sizeof (CalMeasurement));
  self->next_number = 1;
}

CalMeasurements *
cal_measurements_new (void)
{
  return g_object_new (CAL_TYPE_MEASUREMENTS, NULL);
}

guint
cal_measurements_get_n (CalMeasurements *self)
{
  g_return_val_if_fail (CAL_IS_MEASUREMENTS (self), 0);
  return self->items->len;
}

const CalMeasurement *
cal_measurements_get (CalMeasurements *self,
                      guint            index)
{
  g_return_val_if_fail (CAL_IS_MEASUREMENTS (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return &g_array_index (self->items, CalMeasurement, index);
}

static void
measure (CalMeasurement        *item,
         CalVolume             *ct,
         const CalSlicePlane   *plane,
         const CalMeasureShape *shape)
{
  item->shape = *shape;
  item->has_stats = shape->kind != CAL_MEASURE_RULER && cal_measure_region (ct, plane, shape, &item->stats);
}

guint
cal_measurements_add (CalMeasurements       *self,
                      CalVolume             *ct,
                      const CalSlicePlane   *plane,
                      const CalMeasureShape *shape)
{
  CalMeasurement item = { .number = 0 };

  g_return_val_if_fail (CAL_IS_MEASUREMENTS (self), 0);
  g_return_val_if_fail (CAL_IS_VOLUME (ct), 0);
  measure (&item, ct, plane, shape);
  item.number = self->next_number++;
  g_array_append_val (self->items, item);
  g_signal_emit (self, signals[CHANGED], 0);
  return item.number;
}

guint
cal_measurements_find (CalMeasurements *self,
                       guint            number)
{
  g_return_val_if_fail (CAL_IS_MEASUREMENTS (self), G_MAXUINT);
  for (guint i = 0; i < self->items->len; i++)
    if (g_array_index (self->items, CalMeasurement, i).number == number)
      return i;
  return G_MAXUINT;
}

void
cal_measurements_remove (CalMeasurements *self,
                         guint            index)
{
  g_return_if_fail (CAL_IS_MEASUREMENTS (self));
  g_return_if_fail (index < self->items->len);
  g_array_remove_index (self->items, index);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
cal_measurements_clear (CalMeasurements *self)
{
  g_return_if_fail (CAL_IS_MEASUREMENTS (self));
  if (self->items->len == 0 && !self->has_draft && self->next_number == 1)
    return;
  g_array_set_size (self->items, 0);
  self->next_number = 1;
  self->has_draft = FALSE;
  g_signal_emit (self, signals[DRAFT_CHANGED], 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

const CalMeasurement *
cal_measurements_get_draft (CalMeasurements *self)
{
  g_return_val_if_fail (CAL_IS_MEASUREMENTS (self), NULL);
  return self->has_draft ? &self->draft : NULL;
}

void
cal_measurements_set_draft (CalMeasurements       *self,
                            CalVolume             *ct,
                            const CalSlicePlane   *plane,
                            const CalMeasureShape *shape)
{
  g_return_if_fail (CAL_IS_MEASUREMENTS (self));
  self->has_draft = shape != NULL;
  if (shape != NULL)
    {
      measure (&self->draft, ct, plane, shape);
      self->draft.number = self->next_number;
    }
  g_signal_emit (self, signals[DRAFT_CHANGED], 0);
}

/* What the view prints beside a measurement: its number and value. */
char *
cal_measurement_short_label (const CalMeasurement *m)
{
  if (m->shape.kind == CAL_MEASURE_RULER)
    return g_strdup_printf (_("%u: %.1f mm"), m->number, cal_measure_length_mm (&m->shape));
  if (!m->has_stats)
    return g_strdup_printf (_("%u: no voxel inside"), m->number);
  if (m->stats.n_voxels < 2)
    return g_strdup_printf (_("%u: %.0f HU"), m->number, m->stats.mean_hu);
  return g_strdup_printf (_("%u: %.0f ± %.0f HU"), m->number, m->stats.mean_hu, m->stats.sd_hu);
}
