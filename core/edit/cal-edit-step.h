/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-box.h"
#include "cal-mask.h"

G_BEGIN_DECLS

/*
 * One editing step (a brush stroke, a fill, a whole-mask operation) as the
 * voxels it changed and nothing else: the XOR of the labels before and after,
 * inside the step's tight bounding box, as run lengths (zero runs and literal
 * runs) compressed with deflate.  XOR-ing it into the mask again undoes the
 * step, and once more redoes it, so undo, redo and the journal's replay are
 * one operation.  A step never holds a copy of the volume: 1000 strokes of
 * 5 mm take a few MiB (tools/bench/edit).
 */

#define CAL_EDIT_ERROR (cal_edit_error_quark ())
GQuark cal_edit_error_quark (void);

typedef enum {
  CAL_EDIT_ERROR_CORRUPT,       /* a journal record or checkpoint is damaged */
  CAL_EDIT_ERROR_GRID_MISMATCH, /* a mask or record is for another grid */
  CAL_EDIT_ERROR_NOTHING,       /* the operation would change nothing */
  CAL_EDIT_ERROR_INVALID,       /* an argument out of its range */
  CAL_EDIT_ERROR_JOURNAL,       /* the journal cannot be written or read */
} CalEditError;

typedef enum {
  CAL_EDIT_KIND_STROKE,     /* brush, eraser */
  CAL_EDIT_KIND_REGION,     /* islands, fill between slices, scissors */
  CAL_EDIT_KIND_WHOLE_MASK, /* threshold, U-net, keep largest, opening a mask */
} CalEditKind;

typedef struct _CalEditStep CalEditStep;

#define CAL_TYPE_EDIT_STEP (cal_edit_step_get_type ())
GType        cal_edit_step_get_type      (void) G_GNUC_CONST;

CalEditStep *cal_edit_step_ref           (CalEditStep   *step);
void         cal_edit_step_unref         (CalEditStep   *step);

const char  *cal_edit_step_get_name      (CalEditStep   *step);
CalEditKind  cal_edit_step_get_kind      (CalEditStep   *step);
const CalBox *cal_edit_step_get_box      (CalEditStep   *step);
guint64      cal_edit_step_get_n_added   (CalEditStep   *step);  /* background → label */
guint64      cal_edit_step_get_n_removed (CalEditStep   *step);  /* label → background */
guint64      cal_edit_step_get_n_changed (CalEditStep   *step);  /* every voxel that differs */
/* Bytes the step keeps in memory (its compressed runs and its name). */
gsize        cal_edit_step_get_size      (CalEditStep   *step);

/* XORs the step into the labels (n = dims): undo and redo alike.  FALSE
 * (and the mask untouched) when the runs do not fit the box, which only a
 * damaged journal record can cause. */
gboolean     cal_edit_step_apply         (CalEditStep   *step,
                                          CalMask       *mask,
                                          GError       **error);

/* Whether two steps change the same voxels the same way (their boxes,
 * counts and runs agree): replay checks a record against the history. */
gboolean     cal_edit_step_same_change   (CalEditStep   *a,
                                          CalEditStep   *b);

/* The journal's form: a self-describing byte string, and its reader, which
 * checks every length against the grid it will be applied to. */
GBytes      *cal_edit_step_serialize     (CalEditStep   *step);
CalEditStep *cal_edit_step_deserialize   (GBytes        *bytes,
                                          const guint32  dims[3],
                                          GError       **error);

/* The step that turns `before` into `after` (same grid); NULL when they are
 * equal.  Reads only: a worker computes a whole-mask step from a copy. */
CalEditStep *cal_edit_step_new_between   (CalMask       *before,
                                          CalMask       *after,
                                          const char    *name,
                                          CalEditKind    kind);

/* Encoding, for CalEditTransaction: `xor_row` fills one row of the XOR
 * (x from box->lo[0] to box->hi[0]) for row (y, z). */
typedef void (*CalEditXorRowFunc) (guint32   y,
                                   guint32   z,
                                   guint8   *xor_out,
                                   gpointer  user_data);
CalEditStep *cal_edit_step_encode        (const char        *name,
                                          CalEditKind        kind,
                                          const CalBox      *box,
                                          guint64            n_added,
                                          guint64            n_removed,
                                          CalEditXorRowFunc  xor_row,
                                          gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalEditStep, cal_edit_step_unref)

G_END_DECLS
