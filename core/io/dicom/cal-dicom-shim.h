/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The C face of the only C++ in Calvaria: a thin layer over dcmtk that
 * reads one file's header fields and decodes its pixels.  Everything about
 * series, geometry and policy lives in C (cal-dicom.c). */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CAL_DICOM_PREAMBLE_NONE,        /* a raw data set, no Part-10 header */
  CAL_DICOM_PREAMBLE_PLAIN,       /* zeros, or a TIFF-style header */
  CAL_DICOM_PREAMBLE_EXECUTABLE,  /* a PE or ELF signature: a polyglot file */
} CalDicomPreamble;

typedef struct {
  char     *path;                 /* owned */
  char      series_uid[68];
  char      study_uid[68];
  char      frame_of_reference_uid[68];
  char      image_type[68];       /* e.g. ORIGINAL\\PRIMARY\\AXIAL */
  char      anatomical_orientation[20]; /* BIPED, QUADRUPED or empty */
  char      sop_class_uid[68];
  char      modality[20];
  char      series_description[68];
  char      transfer_syntax[96];  /* human-readable name */
  char      transfer_syntax_uid[68]; /* as the file meta states it; empty without one */
  int       series_number;
  int       instance_number;
  int       acquisition_number;
  gboolean  has_position;
  gboolean  has_orientation;
  gboolean  has_pixel_spacing;
  double    position[3];          /* ImagePositionPatient, mm */
  double    orientation[6];       /* ImageOrientationPatient: row then column cosines */
  double    pixel_spacing[2];     /* between rows, between columns, mm */
  double    slice_thickness;
  gboolean  has_rescale;          /* RescaleSlope and RescaleIntercept both present */
  double    rescale_slope;        /* 1 when absent */
  double    rescale_intercept;    /* 0 when absent */
  guint32   rows;
  guint32   columns;
  guint32   bits_allocated;
  guint32   bits_stored;
  guint32   high_bit;
  guint32   pixel_representation; /* 1: two's complement */
  guint32   samples_per_pixel;
  guint32   n_frames;
  char      photometric[20];
  gboolean  has_pixel_data;
  gboolean  transfer_syntax_known; /* dcmtk knows the UID (whether or not it can decode it) */
  gboolean  encapsulated;
  gboolean  deflated;             /* the data set is deflate-compressed (read whole) */
  guint64   pixel_data_length;    /* bytes; 0 when encapsulated */
  guint64   file_size;
  CalDicomPreamble preamble;
  GError   *problem;              /* owned: why this slice of a series cannot be used, or NULL */
} CalDicomHeader;

void     cal_dicom_shim_init        (void);
gboolean cal_dicom_shim_read_header (const char      *path,
                                     CalDicomHeader  *header,
                                     GError         **error);
/* Decodes the single frame into stored values (masked to BitsStored and
 * sign-extended), rows*columns of them. */
gboolean cal_dicom_shim_read_pixels (const CalDicomHeader *header,
                                     gint32               *values,
                                     GError              **error);
void     cal_dicom_header_clear     (CalDicomHeader  *header);

G_END_DECLS
