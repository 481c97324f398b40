/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NIfTI-1 and -2 headers brought to one shape, in host byte order. */
typedef struct {
  int      version;          /* 1 or 2 */
  gboolean swapped;          /* file is the other endianness */
  gint64   dim[8];
  int      datatype;
  int      bitpix;
  double   pixdim[8];
  gint64   vox_offset;       /* -1 when the file's value is not a usable offset */
  double   vox_offset_raw;   /* as the file states it, for messages */
  double   scl_slope;
  double   scl_inter;
  int      qform_code;
  int      sform_code;
  double   quatern[3];       /* b, c, d */
  double   qoffset[3];
  double   srow[3][4];
  int      xyzt_units;
  int      intent_code;
  char     magic[5];
} CalNiftiHeader;

gboolean cal_nifti_header_parse   (const guint8    *bytes,
                                   gsize            size,
                                   CalNiftiHeader  *header,
                                   GError         **error);
gsize    cal_nifti_header_size    (int              version);
gboolean cal_nifti_datatype_size  (int              datatype,
                                   int             *bytes);

G_END_DECLS
