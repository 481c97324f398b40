/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside compute/ only: the generated protobuf-c types never reach the
 * public headers. */
#pragma once

#include "onnx.pb-c.h"

#include "cal-onnx.h"

G_BEGIN_DECLS

/* Messages nested deeper than this are refused before decoding: a U-net's
 * ModelProto nests about 6 deep, each subgraph adds 3. */
#define CAL_ONNX_MAX_DEPTH 100

gboolean cal_onnx_check_depth   (const ProtobufCMessageDescriptor *descriptor,
                                 const guint8                     *data,
                                 gsize                             size,
                                 GError                          **error);

gboolean cal_onnx_tensor_values (const Onnx__TensorProto *tensor,
                                 CalNnShape              *shape,
                                 float                  **floats,
                                 gint64                 **ints,
                                 gsize                   *n_ints,
                                 GError                 **error);
/* Makes `name` a constant tensor holding proto's values. */
gboolean cal_onnx_set_constant  (CalNnGraph              *graph,
                                 const char              *name,
                                 const Onnx__TensorProto *proto,
                                 GError                 **error);
/* One NodeProto: a CalNnNode, or a constant for Constant nodes. */
gboolean cal_onnx_convert_node  (CalNnGraph              *graph,
                                 const Onnx__NodeProto   *node,
                                 GError                 **error);

G_END_DECLS
