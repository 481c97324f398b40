/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-deviation-map.h"
#include "cal-json.h"
#include "cal-mesh-display.h"
#include "cal-metrics.h"
#include "cal-thickness.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * What was checked before printing, written down: a PDF for people and a
 * JSON beside it for machines, both from this one record.  It holds no
 * patient identifier (no name, ID, birth date, institution, accession
 * number, file or folder name of the scan): the scan is described by its
 * geometry, the reference by its SHA-256, and the only file named is the
 * exported STL, by its base name.
 */
#define CAL_QC_PICTURE_TRIANGLES 400000

typedef struct {
  char     *name;        /* "Mesh checks" */
  gboolean  passed;
  char     *result;      /* one line, with units */
  char     *where;       /* (nullable) where to look, LPS mm */
} CalQcCheck;

typedef struct {
  double   tolerance_mm;           /* 1: the colour map's neutral band */
  double   range_mm;               /* 5: the colour map's ends */
  double   band_mm;                /* 10: the defect edge's band */
  gboolean find_defect_edge;       /* TRUE: when no region is given */
  double   min_within_tolerance;   /* 0.9: the share that passes */
  double   min_rim_thickness_mm;   /* 2: the thinnest bone at the edge that passes */
} CalQcOptions;

void cal_qc_options_init (CalQcOptions *options);

typedef struct {
  CalQcOptions options;

  /* The scan, by its geometry only. */
  guint32  dims[3];
  double   spacing[3];
  char     orientation[4];

  /* How the mask was made (all nullable; NAN threshold: none). */
  char    *method;
  char    *model_name;
  char    *model_sha256;
  double   threshold_hu;
  char    *device;
  char    *made_at;
  char    *history;

  /* The comparison with a reference, when there is one: the voxel
   * metrics (set by the caller, who may compute them on a GPU), the
   * signed-deviation map's summary, and both in the region. */
  char             *reference_sha256;
  CalMetrics       *metrics;          /* (nullable, owned) whole */
  CalMetrics       *metrics_region;   /* (nullable, owned) in the region */
  gboolean          has_deviation;
  CalDeviationStats deviation;
  CalDeviationStats deviation_region;
  guint32           reference_triangles;

  /* The region: painted, or the defect edge found. */
  CalMask  *region;          /* (nullable, owned) */
  char     *region_kind;     /* (nullable) "defect edge, 10 mm band" or "painted label" */
  guint     n_openings;
  guint64   region_voxels;

  /* Thickness. */
  gboolean    has_rim_thickness;
  CalThinnest rim_thinnest;
  CalThinnest all_thinnest;

  /* Possible false defects (CalFalseDefect), when a CT was given. */
  GArray   *false_defects;

  GArray   *checks;          /* CalQcCheck */

  /* The exported STL. */
  char     *stl_name;
  guint64   stl_size;
  guint32   stl_triangles;
  char     *stl_sha256;

  /* The surface the pictures show: the test's, reduced to about
   * CAL_QC_PICTURE_TRIANGLES (vertex clustering), with per-vertex values
   * by the same definitions; the thickness and its thinnest spots are
   * measured on it too.  The deviation's numbers come from the full
   * resolution, as evaluate's. */
  CalDisplayMesh *picture;
  float    *deviation_values;   /* (nullable) per picture vertex */
  float    *thickness_values;   /* (nullable) per picture vertex */

  char     *software_version;
  char     *date;               /* ISO 8601, UTC */
} CalQcReport;

CalQcReport *cal_qc_report_new     (const CalQcOptions *options);
void         cal_qc_report_free    (CalQcReport        *report);

/* Measures everything but the voxel metrics: the maps, the region, the
 * thickness, the false defects (with `ct`), the STL (with `stl_path`) and
 * the checks.  reference, region, ct and stl_path may be NULL. */
gboolean     cal_qc_report_measure (CalQcReport        *report,
                                    CalMask            *test,
                                    CalMask            *reference,
                                    CalMask            *region,
                                    CalVolume          *ct,
                                    const char         *stl_path,
                                    GCancellable       *cancellable,
                                    GError            **error);

/* Atomically. */
gboolean     cal_qc_report_write_json (CalQcReport     *report,
                                       const char      *path,
                                       GError         **error);
gboolean     cal_qc_report_write_pdf  (CalQcReport     *report,
                                       const char      *path,
                                       GError         **error);

/* The summary's numbers as members of the JSON object being written, with
 * the keys of `evaluate --json` (mean, sd, rms, min, max, tolerance_mm,
 * within_tolerance, area_mm2, vertices). */
void         cal_deviation_stats_write_json (CalJson                 *json,
                                             const CalDeviationStats *stats);

/* The voxel metrics as members of the JSON object being written, with the
 * keys of `evaluate --json` (dsc, dsc_slice_mean, dsc_slice_harmonic, hd,
 * hd95, assd, deviation_mean, deviation_sd, surface_voxels_reference,
 * surface_voxels_test). */
void         cal_metrics_write_json   (CalJson                 *json,
                                       const CalMetrics        *metrics);

/* SHA-256 of a file's bytes, lower-case hex; NULL with the error set. */
char        *cal_file_sha256          (const char      *path,
                                       guint64         *size,
                                       GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalQcReport, cal_qc_report_free)

G_END_DECLS
