/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-edit-transaction.h"

G_BEGIN_DECLS

/*
 * Islands: the pieces of a label, 6-connected as everywhere in Calvaria
 * (cal-mask-components.h).  Click a piece to keep only it, or to remove it;
 * or remove every piece under a volume.  Each returns the voxels changed
 * (0 when the clicked voxel is not of the label: nothing to pick).
 */
guint64 cal_edit_islands_keep_at      (CalEditTransaction *tx,
                                       guint8              label,
                                       const guint32       voxel[3]);
guint64 cal_edit_islands_remove_at    (CalEditTransaction *tx,
                                       guint8              label,
                                       const guint32       voxel[3]);
guint64 cal_edit_islands_remove_small (CalEditTransaction *tx,
                                       guint8              label,
                                       double              min_volume_mm3);

G_END_DECLS
