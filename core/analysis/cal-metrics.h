/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"

G_BEGIN_DECLS

#define CAL_METRICS_ERROR (cal_metrics_error_quark ())
GQuark cal_metrics_error_quark (void);

typedef enum {
  CAL_METRICS_ERROR_GRID_MISMATCH,   /* masks on different grids */
  CAL_METRICS_ERROR_EMPTY,           /* a mask (or its part in the ROI) is empty */
  CAL_METRICS_ERROR_NOT_BINARY,      /* labels other than 0 and 1 */
} CalMetricsError;

/*
 * The metrics the product commits to (../shared/DESIGN.md), computed on the
 * CPU.  This is the oracle for the GPU kernels and the path when no Vulkan
 * device exists.
 *
 * - dsc: 2|A∩B| / (|A|+|B|) over the volume.
 * - dsc_slice_mean / dsc_slice_harmonic: arithmetic and harmonic means of
 *   per-axial-slice DSC over the slices where A or B has foreground (a
 *   slice where only one has foreground scores 0, which makes the harmonic
 *   mean 0).
 * - Surface voxels: foreground with a background 6-neighbour; outside the
 *   volume counts as background.
 * - Directed distances: from each surface voxel of one mask to the nearest
 *   surface voxel of the other, exact Euclidean in mm with the real spacing.
 * - hd: max of both directed maxima.  hd95: max of the two directed 95th
 *   percentiles (linear interpolation between order statistics, MONAI).
 * - assd: mean of all directed distances of both directions pooled (MONAI's
 *   symmetric average surface distance).
 * - deviation: for each reference (A) surface voxel, the distance to the
 *   test (B) surface, positive where the test lies outside the reference
 *   (the voxel is inside B), negative where inside.
 * With a region of interest, only surface voxels inside it count.
 */
typedef struct _CalMetrics {
  double  dsc;
  double  dsc_slice_mean;
  double  dsc_slice_harmonic;
  double  hd;
  double  hd95;
  double  assd;
  double  deviation_mean;
  double  deviation_sd;
  guint64 n_surface_ref;
  guint64 n_surface_test;
  float  *deviation;       /* (owned, nullable) per reference surface voxel, mm */
  guint32 *deviation_index;/* (owned, nullable) voxel index of each value */
  char    *device;         /* (owned) "cpu" or the Vulkan device's name */
  /* Asked for with a region (the *_with_region functions): the same
   * comparison's surface metrics inside it, from the same distances; its
   * overlap metrics are the volume's.  NULL, with region_problem saying
   * why, when a mask has no surface voxel inside the region. */
  struct _CalMetrics *region;   /* (owned, nullable) */
  char    *region_problem;      /* (owned, nullable) */
} CalMetrics;

/* The smallest box holding every foreground voxel of both masks.  Surfaces
 * and distances computed inside it equal those of the whole volume (no
 * feature and no query lies outside), so both paths crop to it first. */
typedef struct {
  guint32 origin[3];
  guint32 dims[3];
} CalMetricsBox;

typedef enum {
  CAL_METRICS_EXACT_EDT,     /* separable exact distance transform: any size */
  CAL_METRICS_BRUTE_FORCE,   /* every pair of surface voxels: small inputs, the oracle's oracle */
} CalMetricsMethod;

CalMetrics *cal_metrics_compute_cpu (CalMask           *reference,
                                     CalMask           *test,
                                     CalMask           *roi,
                                     CalMetricsMethod   method,
                                     GCancellable      *cancellable,
                                     GError           **error);
/* The metrics of the whole surfaces, and in metrics->region those inside
 * `region` (a mask on the same grid), from one computation. */
CalMetrics *cal_metrics_compute_cpu_with_region (CalMask         *reference,
                                                 CalMask         *test,
                                                 CalMask         *region,
                                                 CalMetricsMethod method,
                                                 GCancellable    *cancellable,
                                                 GError         **error);
/* A region (NULL: none) on the reference's grid, or an error that says not. */
gboolean    cal_metrics_check_region (CalMask          *reference,
                                      CalMask          *region,
                                      GError          **error);
void        cal_metrics_free        (CalMetrics        *metrics);

/* The inputs of both paths after cal_metrics_crop_inputs(): checked
 * (grid, binary, empty) and cropped to their bounding box. */
typedef struct {
  CalMetricsBox box;
  CalGrid       grid;     /* the box's grid: same axes and spacing, origin moved */
  guint8       *a;        /* (owned) reference labels inside the box */
  guint8       *b;        /* (owned) test labels inside the box */
  guint8       *roi;      /* (owned, nullable) region of interest inside the box */
} CalMetricsCrop;

gboolean    cal_metrics_crop_inputs (CalMask          *reference,
                                     CalMask          *test,
                                     CalMask          *roi,
                                     CalMetricsCrop   *crop,
                                     GError          **error);
void        cal_metrics_crop_clear  (CalMetricsCrop   *crop);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CalMetricsCrop, cal_metrics_crop_clear)

/* Exposed for tests and the GPU path: the pieces the metrics are made of. */
/* A voxel index inside the box, as an index into the whole volume. */
guint32     cal_metrics_box_index_to_volume (const CalMetricsBox *box,
                                             const guint32        dims[3],
                                             gsize                idx);
/* Overlap metrics from per-axial-slice counts of A, B and A∩B. */
void        cal_metrics_set_overlap (CalMetrics        *metrics,
                                     const guint64     *slice_a,
                                     const guint64     *slice_b,
                                     const guint64     *slice_ab,
                                     guint32            n_slices);
/* Surface metrics from the directed distances.  d_ab holds, per reference
 * surface voxel (index_ab: its voxel index), the signed deviation; d_ba the
 * distances of the test surface.  Both arrays are reordered. */
/* Before cal_metrics_set_surface_distances() reorders them: the metrics
 * of the surface voxels inside `region` (volume labels; index_ab and
 * index_ba: volume voxel indices), as metrics->region. */
void        cal_metrics_set_region  (CalMetrics        *metrics,
                                     const guint8      *region,
                                     const double      *d_ab,
                                     const guint32     *index_ab,
                                     guint64            n_ab,
                                     const double      *d_ba,
                                     const guint32     *index_ba,
                                     guint64            n_ba);
void        cal_metrics_set_surface_distances (CalMetrics    *metrics,
                                               double        *d_ab,
                                               const guint32 *index_ab,
                                               guint64        n_ab,
                                               double        *d_ba,
                                               guint64        n_ba);
guint8     *cal_metrics_surface     (const guint8      *labels,
                                     const guint32      dims[3]);
void        cal_metrics_squared_edt (const guint8      *features,
                                     const guint32      dims[3],
                                     const double       spacing[3],
                                     double            *out);
double      cal_metrics_percentile  (double            *values,
                                     gsize              n,
                                     double             q);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalMetrics, cal_metrics_free)

G_END_DECLS
