/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside core/ only: pieces of the network graph shared between files. */
#pragma once

#include "cal-nn-graph.h"

G_BEGIN_DECLS

/* Reads the calvaria.* metadata keys into graph->preprocess. */
gboolean cal_nn_preprocess_parse (CalNnGraph  *graph,
                                  GError     **error);
/* Both in-plane spacings (mm) within calvaria.spacing_range_mm's range
 * (FALSE when the model gives none). */
gboolean cal_nn_spacing_in_range (const double  range[2],
                                  const double  spacing[3]);

G_END_DECLS
