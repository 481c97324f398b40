/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-progress.h"

static gboolean
tick_cb (gpointer data)
{
  CalProgress *self = data;
  gint permille = g_atomic_int_get (&self->permille);

  if (permille > 0)
    gtk_progress_bar_set_fraction (self->bar, permille / 1000.0);
  else
    gtk_progress_bar_pulse (self->bar);
  return G_SOURCE_CONTINUE;
}

void
cal_progress_start (CalProgress    *self,
                    GtkProgressBar *bar)
{
  cal_progress_stop (self);
  self->bar = bar;
  g_atomic_int_set (&self->permille, 0);
  gtk_progress_bar_set_fraction (bar, 0);
  self->timeout_id = g_timeout_add (100, tick_cb, self);
}

void
cal_progress_stop (CalProgress *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->bar = NULL;
}

void
cal_progress_report (double   fraction,
                     gpointer progress)
{
  CalProgress *self = progress;

  g_atomic_int_set (&self->permille, (gint) (CLAMP (fraction, 0, 1) * 1000));
}
