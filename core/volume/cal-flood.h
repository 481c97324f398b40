/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-box.h"

G_BEGIN_DECLS

/*
 * A flood fill through face neighbours (6-connected, as every piece in
 * Calvaria is) over a grid's voxels, with an explicit queue, so a
 * skull-sized piece needs no deep stack, and one bit per voxel for "reached",
 * kept across runs.  The caller says where the flood may go and what to do
 * with each voxel it reaches: islands, the scissors' front and the
 * false-defect check are all this.
 */
typedef struct _CalFlood CalFlood;

/* May the flood go from `from` into its face neighbour `to` (not yet reached)? */
typedef gboolean (*CalFloodStepFunc)  (gsize          from,
                                       gsize          to,
                                       gpointer       data);
/* Called once for every voxel a run reaches, seeds included. */
typedef void     (*CalFloodVisitFunc) (gsize          v,
                                       const guint32  ijk[3],
                                       gpointer       data);

CalFlood *cal_flood_new     (const guint32      dims[3]);
void      cal_flood_free    (CalFlood          *flood);
gboolean  cal_flood_reached (const CalFlood    *flood,
                             gsize              v);
/* A voxel to start the next run from; one already reached is passed over. */
void      cal_flood_seed    (CalFlood          *flood,
                             gsize              v);
/* Floods from the seeds; returns the voxels reached by this run. */
guint64   cal_flood_run     (CalFlood          *flood,
                             CalFloodStepFunc   step,
                             CalFloodVisitFunc  visit,
                             gpointer           data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalFlood, cal_flood_free)

G_END_DECLS
