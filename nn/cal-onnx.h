/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading ONNX files (protobuf-c over the system's onnx.proto) into a
 * CalNnGraph. */
#pragma once

#include <gio/gio.h>

#include "cal-nn-graph.h"

G_BEGIN_DECLS

/* The graph as the file has it, not yet prepared: errors name the node
 * and operator Calvaria cannot run. */
CalNnGraph *cal_onnx_parse      (GBytes      *bytes,
                                 GError     **error);
/* Reads, parses and prepares (cal_nn_graph_prepare()) a model file. */
CalNnGraph *cal_onnx_load       (const char  *path,
                                 GError     **error);

/* The operator types the graph uses, in order of first use (for test
 * selection and for `calvaria-cli model-info`-style reports). */
GStrv       cal_onnx_list_operators (GBytes   *bytes,
                                     GError  **error);

/* One serialized TensorProto (the ONNX test data format): floats for
 * float types, ints for integer types. */
gboolean    cal_onnx_read_tensor (const char  *path,
                                  CalNnShape  *shape,
                                  float      **floats,
                                  gint64     **ints,
                                  gsize       *n_ints,
                                  GError     **error);

G_END_DECLS
