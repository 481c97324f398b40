/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalSegmenter: anything that turns a CT into a bone mask in the
 * background: the threshold (cal-threshold-segmenter.h), the U-net
 * (compute/cal-unet-segmenter.h), or a test's stub.  The window's Segment
 * Skull asks one, so GUI tests that check the window rather than the
 * network can hand it a stub and need no Vulkan.
 */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"
#include "cal-types.h"
#include "cal-volume.h"

G_BEGIN_DECLS

typedef enum {
  CAL_SEGMENTER_THRESHOLD,
  CAL_SEGMENTER_NETWORK,
  CAL_SEGMENTER_OTHER,
} CalSegmenterKind;

/* What a segmentation did, for the report.  Its definition of bone:
 * voxels between min_hu and max_hu (-INFINITY/INFINITY: no bound), and for
 * a network also above the probability `threshold` (NAN otherwise). */
typedef struct {
  CalSegmenterKind kind;
  guint64   bone_voxels;
  guint64   removed_voxels;     /* by the clean-up */
  double    bone_mm3;           /* voxel count × voxel volume */
  double    seconds;            /* NAN: not measured */
  double    threshold;
  double    faint_threshold;    /* a network on a resampled CT: voxels under faint_below_hu needed
                                 * this probability instead (0: no such rule) */
  double    faint_below_hu;
  double    min_hu, max_hu;
  char     *device;             /* what computed it; NULL: the CPU */
  char     *notice;             /* why it ran where it did (NULL: as asked) */
  char      stored_orientation[4];  /* a network: the scan's voxel axes ("LAS"); "" otherwise */
  char      network_orientation[4]; /* the axes the network saw them in (the model's, when it says) */
} CalSegmentation;

void cal_segmentation_clear (CalSegmentation *segmentation);

#define CAL_TYPE_SEGMENTER (cal_segmenter_get_type ())
G_DECLARE_INTERFACE (CalSegmenter, cal_segmenter, CAL, SEGMENTER, GObject)

struct _CalSegmenterInterface {
  GTypeInterface parent_iface;

  void     (*segment_async)  (CalSegmenter         *self,
                              CalVolume            *ct,
                              CalProgressFunc       progress,
                              gpointer              progress_data,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data);
  CalMask *(*segment_finish) (CalSegmenter         *self,
                              GAsyncResult         *result,
                              CalSegmentation      *segmentation,
                              GError              **error);
};

/* progress is called from a worker thread. */
void     cal_segmenter_segment_async  (CalSegmenter         *self,
                                       CalVolume            *ct,
                                       CalProgressFunc       progress,
                                       gpointer              progress_data,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
/* segmentation (nullable) is filled in on success; clear it after. */
CalMask *cal_segmenter_segment_finish (CalSegmenter         *self,
                                       GAsyncResult         *result,
                                       CalSegmentation      *segmentation,
                                       GError              **error);

G_END_DECLS
