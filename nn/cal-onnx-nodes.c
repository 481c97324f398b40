/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ONNX operators to CalNnNodes.  Each supported operator lists the
 * attributes it understands; anything else (an unknown operator, an
 * attribute Calvaria would have to ignore, a value it cannot honour) is an
 * error that names the node, the operator and the attribute. */
#include "cal-onnx-private.h"

#include <float.h>
#include <string.h>

typedef struct {
  const char *op_type;
  CalNnOp     op;
  guint       min_inputs, max_inputs;
  const char *attributes[12];
} OpSpec;

static const OpSpec specs[] = {
  { "Conv", CAL_NN_OP_CONV, 2, 3,
    { "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides" } },
  { "ConvTranspose", CAL_NN_OP_CONV_TRANSPOSE, 2, 3,
    { "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", "output_padding", "output_shape" } },
  { "BatchNormalization", CAL_NN_OP_BATCH_NORM, 5, 5, { "epsilon", "momentum", "training_mode", "spatial", "is_test" } },
  { "InstanceNormalization", CAL_NN_OP_INSTANCE_NORM, 3, 3, { "epsilon" } },
  { "Relu", CAL_NN_OP_RELU, 1, 1, { NULL } },
  { "LeakyRelu", CAL_NN_OP_LEAKY_RELU, 1, 1, { "alpha" } },
  { "PRelu", CAL_NN_OP_PRELU, 2, 2, { NULL } },
  { "Sigmoid", CAL_NN_OP_SIGMOID, 1, 1, { NULL } },
  { "Clip", CAL_NN_OP_CLIP, 1, 3, { "min", "max" } },
  { "Softmax", CAL_NN_OP_SOFTMAX, 1, 1, { "axis" } },
  { "MaxPool", CAL_NN_OP_MAX_POOL, 1, 1,
    { "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides" } },
  { "AveragePool", CAL_NN_OP_AVERAGE_POOL, 1, 1,
    { "auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides" } },
  { "Resize", CAL_NN_OP_RESIZE, 1, 4,
    { "mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside",
      "extrapolation_value" } },
  { "Upsample", CAL_NN_OP_RESIZE, 1, 2, { "mode", "scales" } },
  { "Concat", CAL_NN_OP_CONCAT, 1, 64, { "axis" } },
  { "Add", CAL_NN_OP_ADD, 2, 2, { "broadcast", "axis" } },
  { "Mul", CAL_NN_OP_MUL, 2, 2, { "broadcast", "axis" } },
  { "Identity", CAL_NN_OP_IDENTITY, 1, 1, { NULL } },
  { "Dropout", CAL_NN_OP_IDENTITY, 1, 3, { "ratio", "seed", "is_test" } },
};

static const char supported_list[] =
  "Conv, ConvTranspose, BatchNormalization, InstanceNormalization, Relu, LeakyRelu, PRelu, Sigmoid, "
  "Clip, Softmax, MaxPool, AveragePool, Resize, Upsample, Concat, Add, Mul, Identity, Dropout, Constant";

typedef struct {
  const Onnx__NodeProto *proto;
  const char            *name;
  gint64                 opset;
  GError               **error;
} Ctx;

/* A node Calvaria cannot run, named with its operator; FALSE, to return. */
#define node_error(ctx, code, ...)                                                             \
  (g_set_error ((ctx)->error, CAL_NN_ERROR, (code), __VA_ARGS__),                             \
   g_prefix_error ((ctx)->error, "Node “%s” (%s): ", (ctx)->name, (ctx)->proto->op_type), FALSE)

static const Onnx__AttributeProto *
find (Ctx        *ctx,
      const char *name)
{
  for (gsize i = 0; i < ctx->proto->n_attribute; i++)
    if (g_strcmp0 (ctx->proto->attribute[i]->name, name) == 0)
      return ctx->proto->attribute[i];
  return NULL;
}

static gint64
get_int (Ctx *ctx, const char *name, gint64 fallback)
{
  const Onnx__AttributeProto *a = find (ctx, name);
  return a && a->has_i ? a->i : fallback;
}

static float
get_float (Ctx *ctx, const char *name, float fallback)
{
  const Onnx__AttributeProto *a = find (ctx, name);
  return a && a->has_f ? a->f : fallback;
}

static char *
get_string (Ctx *ctx, const char *name, const char *fallback)
{
  const Onnx__AttributeProto *a = find (ctx, name);
  return a && a->has_s ? g_strndup ((const char *) a->s.data, a->s.len) : g_strdup (fallback);
}

/* A per-spatial-axis list; FALSE with an error when it is too long. */
static gboolean
get_axes (Ctx        *ctx,
          const char *name,
          gint64     *values,
          gsize       max,
          gsize      *n,
          gboolean   *present)
{
  const Onnx__AttributeProto *a = find (ctx, name);

  if (present)
    *present = a != NULL;
  if (a == NULL)
    return TRUE;
  if (a->n_ints > max)
    return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "“%s” has %zu values; at most %zu spatial axes are supported",
                       name, a->n_ints, max / (max > 3 ? 2 : 1));
  for (gsize i = 0; i < a->n_ints; i++)
    values[i] = a->ints[i];
  if (n)
    *n = a->n_ints;
  return TRUE;
}

static gboolean
read_auto_pad (Ctx       *ctx,
               CalNnNode *node)
{
  g_autofree char *mode = get_string (ctx, "auto_pad", "NOTSET");

  if (strcmp (mode, "NOTSET") == 0)
    node->auto_pad = CAL_NN_PAD_EXPLICIT;
  else if (strcmp (mode, "SAME_UPPER") == 0)
    node->auto_pad = CAL_NN_PAD_SAME_UPPER;
  else if (strcmp (mode, "SAME_LOWER") == 0)
    node->auto_pad = CAL_NN_PAD_SAME_LOWER;
  else if (strcmp (mode, "VALID") == 0)
    node->auto_pad = CAL_NN_PAD_VALID;
  else
    return node_error (ctx, CAL_NN_ERROR_INVALID, "auto_pad “%s” is not an ONNX padding mode", mode);
  return TRUE;
}

/* Kernel, strides, dilations and pads of Conv, ConvTranspose and pooling. */
static gboolean
read_window (Ctx       *ctx,
             CalNnNode *node)
{
  gint64 pads[2 * CAL_NN_MAX_SPATIAL] = { 0 };
  gsize n_pads = 0, n_kernel = 0;

  if (!read_auto_pad (ctx, node) ||
      !get_axes (ctx, "kernel_shape", node->kernel, CAL_NN_MAX_SPATIAL, &n_kernel, &node->has_kernel) ||
      !get_axes (ctx, "strides", node->stride, CAL_NN_MAX_SPATIAL, NULL, NULL) ||
      !get_axes (ctx, "dilations", node->dilation, CAL_NN_MAX_SPATIAL, NULL, NULL) ||
      !get_axes (ctx, "pads", pads, 2 * CAL_NN_MAX_SPATIAL, &n_pads, &node->has_pads) ||
      !get_axes (ctx, "output_padding", node->output_padding, CAL_NN_MAX_SPATIAL, NULL, NULL) ||
      !get_axes (ctx, "output_shape", node->output_shape, CAL_NN_MAX_SPATIAL, NULL, &node->has_output_shape))
    return FALSE;
  if (n_pads % 2 != 0)
    return node_error (ctx, CAL_NN_ERROR_INVALID, "“pads” needs a begin and an end per axis");
  for (gsize i = 0; i < n_pads / 2; i++)
    {
      node->pad_begin[i] = pads[i];
      node->pad_end[i] = pads[n_pads / 2 + i];
    }
  for (guint i = 0; i < CAL_NN_MAX_SPATIAL; i++)
    if (node->stride[i] < 1 || node->dilation[i] < 1 || node->pad_begin[i] < 0 || node->pad_end[i] < 0 ||
        (node->has_kernel && i < n_kernel && node->kernel[i] < 1))
      return node_error (ctx, CAL_NN_ERROR_INVALID, "strides, dilations and kernel sizes must be positive, "
                         "pads not negative");
  node->groups = get_int (ctx, "group", 1);
  node->ceil_mode = get_int (ctx, "ceil_mode", 0) != 0;
  node->count_include_pad = get_int (ctx, "count_include_pad", 0) != 0;
  if (get_int (ctx, "storage_order", 0) != 0)
    return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "storage_order 1 (column-major indices) is not supported");
  if (node->op == CAL_NN_OP_MAX_POOL || node->op == CAL_NN_OP_AVERAGE_POOL)
    {
      if (!node->has_kernel)
        return node_error (ctx, CAL_NN_ERROR_INVALID, "kernel_shape is required");
      node->spatial = (guint) n_kernel;
    }
  return TRUE;
}

static gboolean
read_resize (Ctx       *ctx,
             CalNnNode *node)
{
  g_autofree char *mode = get_string (ctx, "mode", "nearest");
  /* Resize-10 and Upsample map as x / scale (asymmetric); Upsample's
   * nearest takes the floor. */
  gboolean legacy = strcmp (ctx->proto->op_type, "Upsample") == 0 || ctx->opset < 11;
  g_autofree char *coord = get_string (ctx, "coordinate_transformation_mode", legacy ? "asymmetric" : "half_pixel");
  g_autofree char *nearest = get_string (ctx, "nearest_mode",
                                         strcmp (ctx->proto->op_type, "Upsample") == 0 ? "floor" : "round_prefer_floor");
  static const char *const coords[] = { "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                        "tf_half_pixel_for_nn" };
  static const char *const nearests[] = { "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" };
  const Onnx__AttributeProto *scales = find (ctx, "scales");
  guint i;

  if (strcmp (mode, "nearest") == 0)
    node->resize_mode = CAL_NN_RESIZE_NEAREST;
  else if (strcmp (mode, "linear") == 0 || strcmp (mode, "bilinear") == 0)
    node->resize_mode = CAL_NN_RESIZE_LINEAR;
  else
    return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "mode “%s” is not supported (nearest and linear are)", mode);
  for (i = 0; i < G_N_ELEMENTS (coords) && strcmp (coord, coords[i]) != 0; i++)
    ;
  if (i == G_N_ELEMENTS (coords))
    return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "coordinate_transformation_mode “%s” is not supported", coord);
  node->coord_mode = (CalNnCoordMode) i;
  for (i = 0; i < G_N_ELEMENTS (nearests) && strcmp (nearest, nearests[i]) != 0; i++)
    ;
  if (i == G_N_ELEMENTS (nearests))
    return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "nearest_mode “%s” is not supported", nearest);
  node->nearest_mode = (CalNnNearestMode) i;
  if (get_int (ctx, "exclude_outside", 0) != 0)
    return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "exclude_outside is only meaningful for cubic, which is not supported");
  for (i = 0; i < CAL_NN_MAX_RANK; i++)
    node->scales[i] = 1;
  if (scales != NULL)
    for (i = 0; i < MIN (scales->n_floats, CAL_NN_MAX_RANK); i++)
      node->scales[i] = scales->floats[i];
  return TRUE;
}

static gboolean
read_attributes (Ctx       *ctx,
                 CalNnNode *node)
{
  switch (node->op)
    {
    case CAL_NN_OP_CONV:
    case CAL_NN_OP_CONV_TRANSPOSE:
    case CAL_NN_OP_MAX_POOL:
    case CAL_NN_OP_AVERAGE_POOL:
      return read_window (ctx, node);
    case CAL_NN_OP_BATCH_NORM:
      if (get_int (ctx, "training_mode", 0) != 0)
        return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "training_mode is set; export the model for inference");
      if (get_int (ctx, "spatial", 1) != 1)
        return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "spatial = 0 (per-position statistics) is not supported");
      node->epsilon = get_float (ctx, "epsilon", 1e-5f);
      return TRUE;
    case CAL_NN_OP_INSTANCE_NORM:
      node->epsilon = get_float (ctx, "epsilon", 1e-5f);
      return TRUE;
    case CAL_NN_OP_LEAKY_RELU:
      node->alpha = get_float (ctx, "alpha", 0.01f);
      return TRUE;
    case CAL_NN_OP_CLIP:
      node->alpha = get_float (ctx, "min", -FLT_MAX);
      node->beta = get_float (ctx, "max", FLT_MAX);
      return TRUE;
    case CAL_NN_OP_SOFTMAX:
      node->coerce_2d = ctx->opset < 13;
      node->axis = (int) get_int (ctx, "axis", ctx->opset < 13 ? 1 : -1);
      return TRUE;
    case CAL_NN_OP_CONCAT:
      if (find (ctx, "axis") == NULL)
        return node_error (ctx, CAL_NN_ERROR_INVALID, "the axis attribute is required");
      node->axis = (int) get_int (ctx, "axis", 0);
      return TRUE;
    case CAL_NN_OP_RESIZE:
      return read_resize (ctx, node);
    case CAL_NN_OP_ADD:
    case CAL_NN_OP_MUL:
      /* Before opset 7: broadcast = 1 aligns B at `axis` of A. */
      if (get_int (ctx, "broadcast", 0) != 0 && find (ctx, "axis") != NULL)
        node->broadcast_axis = (int) get_int (ctx, "axis", 0);
      return TRUE;
    case CAL_NN_OP_PRELU:
      if (ctx->opset < 7)
        node->broadcast_axis = 1;   /* PRelu-6: one slope per channel */
      return TRUE;
    default:
      return TRUE;
    }
}

/* Constant: a tensor, or one of the scalar / list shorthands. */
static gboolean
convert_constant (CalNnGraph *graph,
                  Ctx        *ctx)
{
  const char *out = ctx->proto->output[0];
  CalNnTensor *t = cal_nn_graph_get_tensor (graph, cal_nn_graph_tensor (graph, out));
  const Onnx__AttributeProto *a;

  if ((a = find (ctx, "value")) && a->t)
    return cal_onnx_set_constant (graph, out, a->t, ctx->error);
  g_clear_pointer (&t->data, g_free);
  g_clear_pointer (&t->ints, g_free);
  if ((a = find (ctx, "value_float")) || (a = find (ctx, "value_floats")))
    {
      gsize n = a->has_f ? 1 : a->n_floats;
      t->shape = a->has_f ? (CalNnShape) { 0 } : (CalNnShape) { 1, { (gint64) n } };
      t->data = g_new (float, MAX (n, 1));
      memcpy (t->data, a->has_f ? &a->f : a->floats, n * sizeof (float));
      return TRUE;
    }
  if ((a = find (ctx, "value_int")) || (a = find (ctx, "value_ints")))
    {
      gsize n = a->has_i ? 1 : a->n_ints;
      t->shape = a->has_i ? (CalNnShape) { 0 } : (CalNnShape) { 1, { (gint64) n } };
      t->ints = g_new (gint64, MAX (n, 1));
      t->n_ints = n;
      memcpy (t->ints, a->has_i ? &a->i : a->ints, n * sizeof (gint64));
      return TRUE;
    }
  return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "only tensor, float and int constants are supported");
}

static const OpSpec *
find_spec (const char *op_type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    if (strcmp (specs[i].op_type, op_type) == 0)
      return &specs[i];
  return NULL;
}

static gboolean
check_attributes (Ctx          *ctx,
                  const OpSpec *spec)
{
  for (gsize i = 0; i < ctx->proto->n_attribute; i++)
    {
      const char *name = ctx->proto->attribute[i]->name;
      gboolean known = FALSE;
      for (gsize k = 0; k < G_N_ELEMENTS (spec->attributes) && spec->attributes[k]; k++)
        known |= g_strcmp0 (spec->attributes[k], name) == 0;
      if (!known)
        return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "the attribute “%s” is not supported", name);
    }
  return TRUE;
}

/* Outputs past the first (MaxPool's indices, BatchNormalization's
 * running statistics, Dropout's mask) are not computed. */
static gboolean
check_outputs (Ctx *ctx)
{
  if (ctx->proto->n_output < 1 || ctx->proto->output[0][0] == '\0')
    return node_error (ctx, CAL_NN_ERROR_INVALID, "the node has no output");
  for (gsize i = 1; i < ctx->proto->n_output; i++)
    if (ctx->proto->output[i][0] != '\0')
      return node_error (ctx, CAL_NN_ERROR_UNSUPPORTED, "output %zu (“%s”) is not supported; only the first output "
                         "is computed", i + 1, ctx->proto->output[i]);
  return TRUE;
}

/* ONNX marks an absent optional input with an empty name.  Only these may
 * be absent: Resize's roi, scales and sizes, Clip's bounds, a
 * convolution's bias. */
static gboolean
input_is_optional (CalNnOp op,
                   guint   slot)
{
  return ((op == CAL_NN_OP_RESIZE || op == CAL_NN_OP_CLIP) && slot >= 1) ||
         ((op == CAL_NN_OP_CONV || op == CAL_NN_OP_CONV_TRANSPOSE) && slot == 2);
}

gboolean
cal_onnx_convert_node (CalNnGraph            *graph,
                       const Onnx__NodeProto *proto,
                       GError               **error)
{
  g_autofree char *name = proto->name && *proto->name ? g_strdup (proto->name)
                        : g_strdup_printf ("%s → %s", proto->op_type ? proto->op_type : "?",
                                           proto->n_output ? proto->output[0] : "?");
  Ctx ctx = { proto, name, graph->opset, error };
  const OpSpec *spec;
  CalNnNode *node;

  if (proto->op_type == NULL)
    return node_error (&ctx, CAL_NN_ERROR_INVALID, "the node has no operator");
  if (proto->domain && *proto->domain && strcmp (proto->domain, "ai.onnx") != 0)
    return node_error (&ctx, CAL_NN_ERROR_UNSUPPORTED, "operators of the domain “%s” are not supported", proto->domain);
  if (strcmp (proto->op_type, "Dropout") == 0 && proto->n_input > 2 && proto->input[2][0] != '\0')
    return node_error (&ctx, CAL_NN_ERROR_UNSUPPORTED, "a training_mode input is not supported (inference only)");
  if (!check_outputs (&ctx))
    return FALSE;
  if (strcmp (proto->op_type, "Constant") == 0)
    return convert_constant (graph, &ctx);
  spec = find_spec (proto->op_type);
  if (spec == NULL)
    return node_error (&ctx, CAL_NN_ERROR_UNSUPPORTED, "the operator “%s” is not supported; Calvaria runs %s",
                       proto->op_type, supported_list);
  if (proto->n_input < spec->min_inputs || proto->n_input > spec->max_inputs)
    return node_error (&ctx, CAL_NN_ERROR_INVALID, "takes %u to %u inputs, the node has %zu", spec->min_inputs,
                       spec->max_inputs, proto->n_input);
  if (!check_attributes (&ctx, spec))
    return FALSE;
  node = cal_nn_graph_add_node (graph, spec->op, name);
  /* Resize inputs are normalised to X, roi, scales, sizes. */
  node->n_inputs = spec->op == CAL_NN_OP_RESIZE ? 4 : spec->op == CAL_NN_OP_IDENTITY ? 1 : (guint) proto->n_input;
  node->inputs = g_new (int, node->n_inputs);
  for (guint i = 0; i < node->n_inputs; i++)
    node->inputs[i] = -1;
  for (guint i = 0; i < MIN (node->n_inputs, proto->n_input); i++)
    {
      guint slot = i;
      if (spec->op == CAL_NN_OP_RESIZE && i == 1 && proto->n_input == 2)
        slot = 2;   /* Resize-10 and Upsample-9: X, scales */
      node->inputs[slot] = proto->input[i][0] ? cal_nn_graph_tensor (graph, proto->input[i]) : -1;
    }
  if (spec->op == CAL_NN_OP_RESIZE && find (&ctx, "scales") != NULL)
    node->n_inputs = 1;   /* Upsample-7: the scales are an attribute */
  node->output = cal_nn_graph_tensor (graph, proto->output[0]);
  for (guint i = 0; i < node->n_inputs; i++)
    if (node->inputs[i] < 0 && !input_is_optional (spec->op, i))
      return node_error (&ctx, CAL_NN_ERROR_INVALID, "input %u is missing (an empty name)", i + 1);
  return read_attributes (&ctx, node);
}
