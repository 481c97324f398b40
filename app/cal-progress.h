/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A worker's progress on a GtkProgressBar.  Workers only store the
 * fraction (atomically, from any thread); the main loop reads it ten times
 * a second, so a fast worker never floods it.  Until the first report the
 * bar pulses.
 */
typedef struct {
  GtkProgressBar *bar;         /* borrowed, while started */
  guint           timeout_id;
  gint            permille;    /* atomic */
} CalProgress;

void cal_progress_start  (CalProgress    *self,
                          GtkProgressBar *bar);
void cal_progress_stop   (CalProgress    *self);
/* A CalProgressFunc: pass the CalProgress as its data. */
void cal_progress_report (double          fraction,
                          gpointer        progress);

G_END_DECLS
