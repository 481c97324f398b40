/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The network graph and the rewrites that prepare it for execution. */
#include "cal-nn-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (cal-nn-error-quark, cal_nn_error)

static const char *const op_names[CAL_NN_N_OPS] = {
  [CAL_NN_OP_CONV] = "Conv",
  [CAL_NN_OP_CONV_TRANSPOSE] = "ConvTranspose",
  [CAL_NN_OP_BATCH_NORM] = "BatchNormalization",
  [CAL_NN_OP_INSTANCE_NORM] = "InstanceNormalization",
  [CAL_NN_OP_RELU] = "Relu",
  [CAL_NN_OP_LEAKY_RELU] = "LeakyRelu",
  [CAL_NN_OP_PRELU] = "PRelu",
  [CAL_NN_OP_SIGMOID] = "Sigmoid",
  [CAL_NN_OP_CLIP] = "Clip",
  [CAL_NN_OP_SOFTMAX] = "Softmax",
  [CAL_NN_OP_MAX_POOL] = "MaxPool",
  [CAL_NN_OP_AVERAGE_POOL] = "AveragePool",
  [CAL_NN_OP_RESIZE] = "Resize",
  [CAL_NN_OP_CONCAT] = "Concat",
  [CAL_NN_OP_ADD] = "Add",
  [CAL_NN_OP_MUL] = "Mul",
  [CAL_NN_OP_IDENTITY] = "Identity",
  [CAL_NN_OP_CONSTANT] = "Constant",
};

const char *
cal_nn_op_name (CalNnOp op)
{
  return op < CAL_NN_N_OPS ? op_names[op] : "?";
}

/* Saturates at G_MAXINT64: a crafted shape (1×1e9×1e6×1e6) must not
 * overflow; shape inference refuses anything above CAL_NN_MAX_ELEMENTS. */
gint64
cal_nn_shape_count (const CalNnShape *shape)
{
  guint64 n = 1;

  for (guint i = 0; i < shape->rank; i++)
    if (!g_uint64_checked_mul (&n, n, (guint64) MAX (shape->d[i], 0)) || n > G_MAXINT64)
      return G_MAXINT64;
  return (gint64) n;
}

char *
cal_nn_shape_to_string (const CalNnShape *shape)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < shape->rank; i++)
    {
      if (shape->d[i] < 0)
        g_string_append_printf (s, "%s?", i ? "×" : "");
      else
        g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "×" : "", shape->d[i]);
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

const char *
cal_nn_shape_format (const CalNnShape *shape,
                     char             *buffer,
                     gsize             size)
{
  g_autofree char *text = cal_nn_shape_to_string (shape);

  g_strlcpy (buffer, text, size);
  return buffer;
}

gboolean
cal_nn_shape_equal (const CalNnShape *a,
                    const CalNnShape *b)
{
  if (a->rank != b->rank)
    return FALSE;
  for (guint i = 0; i < a->rank; i++)
    if (a->d[i] != b->d[i])
      return FALSE;
  return TRUE;
}

static void
tensor_free (gpointer data)
{
  CalNnTensor *t = data;

  g_free (t->name);
  g_free (t->data);
  g_free (t->ints);
  g_free (t);
}

static void
node_clear (gpointer data)
{
  CalNnNode *n = data;

  g_free (n->name);
  g_free (n->inputs);
  g_free (n->bn_scale);
  g_free (n->bn_shift);
}

CalNnGraph *
cal_nn_graph_new (void)
{
  CalNnGraph *graph = g_new0 (CalNnGraph, 1);

  graph->tensors = g_ptr_array_new_with_free_func (tensor_free);
  graph->nodes = g_array_new (FALSE, TRUE, sizeof (CalNnNode));
  g_array_set_clear_func (graph->nodes, node_clear);
  graph->inputs = g_array_new (FALSE, FALSE, sizeof (int));
  graph->outputs = g_array_new (FALSE, FALSE, sizeof (int));
  graph->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return graph;
}

void
cal_nn_graph_free (CalNnGraph *graph)
{
  if (graph == NULL)
    return;
  g_ptr_array_unref (graph->tensors);
  g_array_unref (graph->nodes);
  g_array_unref (graph->inputs);
  g_array_unref (graph->outputs);
  g_hash_table_unref (graph->metadata);
  g_strfreev (graph->preprocess.labels);
  g_free (graph->producer);
  g_free (graph);
}

int
cal_nn_graph_tensor (CalNnGraph *graph,
                     const char *name)
{
  CalNnTensor *t;

  /* Models hold a few hundred tensors at most: a scan is cheap enough. */
  for (guint i = 0; i < graph->tensors->len; i++)
    if (g_strcmp0 (((CalNnTensor *) graph->tensors->pdata[i])->name, name) == 0)
      return (int) i;
  t = g_new0 (CalNnTensor, 1);
  t->name = g_strdup (name);
  g_ptr_array_add (graph->tensors, t);
  return (int) graph->tensors->len - 1;
}

CalNnTensor *
cal_nn_graph_get_tensor (CalNnGraph *graph,
                         int         index)
{
  g_return_val_if_fail (index >= 0 && (guint) index < graph->tensors->len, NULL);
  return graph->tensors->pdata[index];
}

CalNnNode *
cal_nn_graph_add_node (CalNnGraph *graph,
                       CalNnOp     op,
                       const char *name)
{
  CalNnNode node = {
    .op = op,
    .name = g_strdup (name),
    .output = -1,
    .groups = 1,
    .act_slope = -1,
    .broadcast_axis = -1,
    .epsilon = 1e-5f,
    .alpha = 0.01f,
  };

  for (guint i = 0; i < CAL_NN_MAX_SPATIAL; i++)
    node.stride[i] = node.dilation[i] = 1;
  g_array_append_val (graph->nodes, node);
  return cal_nn_graph_node (graph, graph->nodes->len - 1);
}

/* Rewrites ------------------------------------------------------------ */

static guint
count_uses (CalNnGraph *graph,
            int         tensor)
{
  guint uses = 0;

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      for (guint k = 0; k < n->n_inputs; k++)
        uses += n->inputs[k] == tensor;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    uses += g_array_index (graph->outputs, int, i) == tensor;
  return uses;
}

static void
replace_uses (CalNnGraph *graph,
              int         from,
              int         to)
{
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] == from)
          n->inputs[k] = to;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    if (g_array_index (graph->outputs, int, i) == from)
      g_array_index (graph->outputs, int, i) = to;
}

static int
producer_of (CalNnGraph *graph,
             int         tensor)
{
  for (guint i = 0; i < graph->nodes->len; i++)
    if (cal_nn_graph_node (graph, i)->output == tensor)
      return (int) i;
  return -1;
}

static gboolean
is_graph_output (CalNnGraph *graph,
                 int         tensor)
{
  for (guint i = 0; i < graph->outputs->len; i++)
    if (g_array_index (graph->outputs, int, i) == tensor)
      return TRUE;
  return FALSE;
}

static const float *
constant_data (CalNnGraph *graph,
               int         tensor)
{
  return tensor >= 0 ? cal_nn_graph_get_tensor (graph, tensor)->data : NULL;
}

/* The per-channel scale and shift of an inference BatchNormalization,
 * or FALSE where its parameters are not constants. */
static gboolean
batch_norm_affine (CalNnGraph *graph,
                   CalNnNode  *bn,
                   gint64     *n_channels,
                   float     **scale,
                   float     **shift)
{
  const float *gamma = constant_data (graph, bn->inputs[1]), *beta = constant_data (graph, bn->inputs[2]);
  const float *mean = constant_data (graph, bn->inputs[3]), *var = constant_data (graph, bn->inputs[4]);
  gint64 c = cal_nn_shape_count (&cal_nn_graph_get_tensor (graph, bn->inputs[1])->shape);

  if (!gamma || !beta || !mean || !var)
    return FALSE;
  *n_channels = c;
  *scale = g_new (float, c);
  *shift = g_new (float, c);
  for (gint64 i = 0; i < c; i++)
    {
      double s = gamma[i] / sqrt ((double) var[i] + bn->epsilon);
      (*scale)[i] = (float) s;
      (*shift)[i] = (float) (beta[i] - mean[i] * s);
    }
  return TRUE;
}

/* A private copy of a constant, so folding never changes a tensor that
 * another node also reads. */
static int
copy_constant (CalNnGraph *graph,
               int         tensor,
               gint64      n_values,
               const char *suffix)
{
  CalNnTensor *src = tensor >= 0 ? cal_nn_graph_get_tensor (graph, tensor) : NULL;
  /* The tensor count makes the name unique: two convolutions without a
   * bias must not share the one that folding creates. */
  g_autofree char *name = g_strdup_printf ("%s/%s#%u", src ? src->name : "", suffix, graph->tensors->len);
  int copy = cal_nn_graph_tensor (graph, name);
  CalNnTensor *dst = cal_nn_graph_get_tensor (graph, copy);

  src = tensor >= 0 ? cal_nn_graph_get_tensor (graph, tensor) : NULL;   /* the array may have moved */
  dst->shape = src ? src->shape : (CalNnShape) { 1, { n_values } };
  g_free (dst->data);
  dst->data = src && src->data ? g_memdup2 (src->data, n_values * sizeof (float)) : g_new0 (float, n_values);
  return copy;
}

/* Conv (W: M × C/g × k…) scales output channel m; ConvTranspose
 * (W: C × M/g × k…) scales dimension 1 within each group. */
static gboolean
fold_batch_norm (CalNnGraph *graph,
                 CalNnNode  *conv,
                 CalNnNode  *bn)
{
  CalNnTensor *w;
  gint64 c, per, inner, out_channels, group_out;
  g_autofree float *scale = NULL, *shift = NULL;
  float *bias;

  if (!batch_norm_affine (graph, bn, &c, &scale, &shift) || constant_data (graph, conv->inputs[1]) == NULL)
    return FALSE;
  w = cal_nn_graph_get_tensor (graph, conv->inputs[1]);
  if (w->shape.rank < 3)
    return FALSE;
  inner = cal_nn_shape_count (&w->shape) / (w->shape.d[0] * w->shape.d[1]);
  group_out = conv->op == CAL_NN_OP_CONV ? w->shape.d[0] : w->shape.d[1];
  out_channels = conv->op == CAL_NN_OP_CONV ? w->shape.d[0] : w->shape.d[1] * conv->groups;
  if (out_channels != c)
    return FALSE;
  conv->inputs[1] = copy_constant (graph, conv->inputs[1], cal_nn_shape_count (&w->shape), "bn-folded");
  w = cal_nn_graph_get_tensor (graph, conv->inputs[1]);
  per = w->shape.d[1] * inner;
  for (gint64 a = 0; a < w->shape.d[0]; a++)
    for (gint64 b = 0; b < w->shape.d[1]; b++)
      {
        gint64 m = conv->op == CAL_NN_OP_CONV ? a : (a / (w->shape.d[0] / conv->groups)) * group_out + b;
        float *v = w->data + a * per + b * inner;
        for (gint64 k = 0; k < inner; k++)
          v[k] *= scale[m];
      }
  if (conv->n_inputs < 3)
    {
      conv->inputs = g_renew (int, conv->inputs, 3);
      conv->inputs[2] = -1;
      conv->n_inputs = 3;
    }
  conv->inputs[2] = copy_constant (graph, conv->inputs[2], c, "bn-folded-bias");
  bias = cal_nn_graph_get_tensor (graph, conv->inputs[2])->data;
  cal_nn_graph_get_tensor (graph, conv->inputs[2])->shape = (CalNnShape) { 1, { c } };
  for (gint64 m = 0; m < c; m++)
    bias[m] = bias[m] * scale[m] + shift[m];
  return TRUE;
}

static gboolean
can_take_activation (CalNnOp op)
{
  return op == CAL_NN_OP_CONV || op == CAL_NN_OP_CONV_TRANSPOSE ||
         op == CAL_NN_OP_BATCH_NORM || op == CAL_NN_OP_INSTANCE_NORM;
}

/* PRelu fuses only with a constant slope that is one value, or one per
 * channel laid out so that it broadcasts over the channel axis. */
/* PRelu fuses only with a constant slope that is one value, or one per
 * channel: [C] before opset 7, else [C, 1, …] one rank below the input
 * (known here from a convolution's weights). */
static gboolean
prelu_is_per_channel (CalNnGraph *graph,
                      CalNnNode  *producer,
                      CalNnNode  *prelu)
{
  CalNnTensor *slope = cal_nn_graph_get_tensor (graph, prelu->inputs[1]);
  gint64 n = cal_nn_shape_count (&slope->shape);
  guint x_rank = 0;

  if (slope->data == NULL)
    return FALSE;
  if (n == 1)
    return TRUE;
  if (prelu->broadcast_axis == 1)
    return slope->shape.rank == 1;
  if (producer->op == CAL_NN_OP_CONV || producer->op == CAL_NN_OP_CONV_TRANSPOSE)
    x_rank = cal_nn_graph_get_tensor (graph, producer->inputs[1])->shape.rank;
  for (guint i = 1; i < slope->shape.rank; i++)
    if (slope->shape.d[i] != 1)
      return FALSE;
  return x_rank > 0 && slope->shape.rank + 1 == x_rank;
}

static gboolean
fuse_activation (CalNnGraph *graph,
                 CalNnNode  *producer,
                 CalNnNode  *act)
{
  if (producer->act != CAL_NN_ACT_NONE || !can_take_activation (producer->op))
    return FALSE;
  switch (act->op)
    {
    case CAL_NN_OP_RELU:       producer->act = CAL_NN_ACT_RELU; break;
    case CAL_NN_OP_SIGMOID:    producer->act = CAL_NN_ACT_SIGMOID; break;
    case CAL_NN_OP_LEAKY_RELU: producer->act = CAL_NN_ACT_LEAKY_RELU; producer->act_alpha = act->alpha; break;
    case CAL_NN_OP_CLIP:
      producer->act = CAL_NN_ACT_CLIP;
      producer->act_alpha = act->alpha;
      producer->act_beta = act->beta;
      break;
    case CAL_NN_OP_PRELU:
      if (!prelu_is_per_channel (graph, producer, act))
        return FALSE;
      producer->act = CAL_NN_ACT_PRELU;
      producer->act_slope = act->inputs[1];
      break;
    default:
      return FALSE;
    }
  return TRUE;
}

static void
remove_node (CalNnGraph *graph,
             guint       index)
{
  g_array_remove_index (graph->nodes, index);
}

/* Each rewrite removes the node it absorbs; rescanning from the start
 * keeps the code simple and models are small. */
static gboolean
rewrite_once (CalNnGraph *graph)
{
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      int from = n->n_inputs > 0 ? n->inputs[0] : -1;
      int p = from >= 0 ? producer_of (graph, from) : -1;
      gboolean private_input = p >= 0 && count_uses (graph, from) == 1 && !is_graph_output (graph, from);
      CalNnNode *prod = p >= 0 ? cal_nn_graph_node (graph, p) : NULL;

      if (n->op == CAL_NN_OP_IDENTITY && from >= 0)
        {
          int out = n->output;
          if (is_graph_output (graph, out) && private_input)
            prod->output = out;   /* keep the graph output's name */
          else
            replace_uses (graph, out, from);
          remove_node (graph, i);
          return TRUE;
        }
      if (!private_input)
        continue;
      if (n->op == CAL_NN_OP_BATCH_NORM && prod->act == CAL_NN_ACT_NONE &&
          (prod->op == CAL_NN_OP_CONV || prod->op == CAL_NN_OP_CONV_TRANSPOSE) &&
          fold_batch_norm (graph, prod, n))
        {
          prod->output = n->output;
          remove_node (graph, i);
          return TRUE;
        }
      if (fuse_activation (graph, prod, n))
        {
          prod->output = n->output;
          remove_node (graph, i);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
prepare_batch_norms (CalNnGraph  *graph,
                     GError     **error)
{
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      gint64 c;

      if (n->op != CAL_NN_OP_BATCH_NORM || n->bn_scale != NULL)
        continue;
      if (!batch_norm_affine (graph, n, &c, &n->bn_scale, &n->bn_shift))
        {
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                       "Node “%s” (BatchNormalization): scale, bias, mean and variance must be constants "
                       "(export the model in inference mode)", n->name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Every input must exist before its node runs (ONNX graphs are sorted). */
static gboolean
check_order (CalNnGraph  *graph,
             GError     **error)
{
  g_autofree gboolean *ready = g_new0 (gboolean, graph->tensors->len);

  for (guint i = 0; i < graph->tensors->len; i++)
    ready[i] = ((CalNnTensor *) graph->tensors->pdata[i])->data != NULL ||
               ((CalNnTensor *) graph->tensors->pdata[i])->ints != NULL;
  for (guint i = 0; i < graph->inputs->len; i++)
    ready[g_array_index (graph->inputs, int, i)] = TRUE;
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && !ready[n->inputs[k]])
          {
            g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
                         "Node “%s” (%s) reads “%s”, which no earlier node produces and is no input "
                         "or initializer", n->name, cal_nn_op_name (n->op),
                         cal_nn_graph_get_tensor (graph, n->inputs[k])->name);
            return FALSE;
          }
      if (n->output < 0 || ready[n->output])
        {
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
                       "Node “%s” (%s) writes a tensor that already has a value", n->name,
                       cal_nn_op_name (n->op));
          return FALSE;
        }
      ready[n->output] = TRUE;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    if (!ready[g_array_index (graph->outputs, int, i)])
      {
        g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID, "Graph output “%s” is never computed",
                     cal_nn_graph_get_tensor (graph, g_array_index (graph->outputs, int, i))->name);
        return FALSE;
      }
  return TRUE;
}

void
cal_nn_graph_bind_input (CalNnGraph       *graph,
                         guint             index,
                         const CalNnShape *shape,
                         float            *floats,
                         gint64           *ints,
                         gsize             n_ints)
{
  CalNnTensor *t = cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, index));

  t->shape = *shape;
  g_free (t->data);
  g_free (t->ints);
  t->data = floats;
  t->ints = ints;
  t->n_ints = n_ints;
  t->non_float = FALSE;
  g_array_remove_index (graph->inputs, index);
}

static gboolean
input_is_constant (CalNnGraph *graph,
                   int         tensor)
{
  CalNnTensor *t = tensor >= 0 ? cal_nn_graph_get_tensor (graph, tensor) : NULL;

  return t == NULL || t->data != NULL || t->ints != NULL;
}

/* An omitted input, or an empty tensor, which ONNX also reads as omitted. */
static gboolean
input_is_absent (CalNnGraph *graph,
                 int         tensor)
{
  CalNnTensor *t = tensor >= 0 ? cal_nn_graph_get_tensor (graph, tensor) : NULL;

  return t == NULL || (t->shape.rank == 1 && t->shape.d[0] == 0);
}

static gboolean
resolve_resize (CalNnGraph  *graph,
                CalNnNode   *n,
                GError     **error)
{
  int scales = n->n_inputs > 2 ? n->inputs[2] : -1, sizes = n->n_inputs > 3 ? n->inputs[3] : -1;
  CalNnTensor *t;

  if (n->n_inputs <= 1)
    return TRUE;   /* Upsample-7: scales came as an attribute */
  if (!input_is_constant (graph, scales) || !input_is_constant (graph, sizes))
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Node “%s” (Resize): scales or sizes computed while the network runs are not supported; "
                   "export with constant scale factors", n->name);
      return FALSE;
    }
  if (!input_is_absent (graph, sizes))
    {
      t = cal_nn_graph_get_tensor (graph, sizes);
      for (gsize i = 0; i < MIN (t->n_ints, CAL_NN_MAX_RANK); i++)
        n->sizes[i] = t->ints[i];
    }
  else if (!input_is_absent (graph, scales))
    {
      t = cal_nn_graph_get_tensor (graph, scales);
      if (t->data == NULL)
        goto bad;
      for (gint64 i = 0; i < MIN (cal_nn_shape_count (&t->shape), CAL_NN_MAX_RANK); i++)
        n->scales[i] = t->data[i];
    }
  else
    goto bad;
  n->n_inputs = 1;
  return TRUE;

bad:
  g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
               "Node “%s” (Resize) has neither float scales nor integer sizes", n->name);
  return FALSE;
}

static gboolean
resolve_clip (CalNnGraph  *graph,
              CalNnNode   *n,
              GError     **error)
{
  for (guint k = 1; k < MIN (n->n_inputs, 3); k++)
    {
      CalNnTensor *t = n->inputs[k] >= 0 ? cal_nn_graph_get_tensor (graph, n->inputs[k]) : NULL;
      if (t == NULL)
        continue;
      if (t->data == NULL || cal_nn_shape_count (&t->shape) != 1)
        {
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                       "Node “%s” (Clip): bounds must be constant float scalars", n->name);
          return FALSE;
        }
      if (k == 1)
        n->alpha = t->data[0];
      else
        n->beta = t->data[0];
    }
  n->n_inputs = 1;
  return TRUE;
}

/* Arguments that ONNX passes as inputs but that shape the operator
 * (scales, sizes, clip bounds) must be constants; read them now. */
static gboolean
resolve_constant_arguments (CalNnGraph  *graph,
                            GError     **error)
{
  for (guint i = 0; i < graph->inputs->len; i++)
    {
      CalNnTensor *t = cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, i));
      if (t->non_float)
        {
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                       "The model's input “%s” is not float32; Calvaria computes in float32 only", t->name);
          return FALSE;
        }
    }
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      if ((n->op == CAL_NN_OP_RESIZE && !resolve_resize (graph, n, error)) ||
          (n->op == CAL_NN_OP_CLIP && !resolve_clip (graph, n, error)))
        return FALSE;
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && cal_nn_graph_get_tensor (graph, n->inputs[k])->ints != NULL &&
            cal_nn_graph_get_tensor (graph, n->inputs[k])->data == NULL)
          {
            g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                         "Node “%s” (%s) reads the integer tensor “%s” as data; Calvaria computes in float32 only",
                         n->name, cal_nn_op_name (n->op), cal_nn_graph_get_tensor (graph, n->inputs[k])->name);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
cal_nn_graph_prepare (CalNnGraph  *graph,
                      GError     **error)
{
  g_autofree CalNnShape *shapes = NULL;
  g_autofree CalNnShape *probe = NULL;

  if (graph->outputs->len == 0)
    {
      g_set_error_literal (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID, "The model's graph has no outputs");
      return FALSE;
    }
  if (!check_order (graph, error) || !resolve_constant_arguments (graph, error))
    return FALSE;
  while (rewrite_once (graph))
    ;
  if (!prepare_batch_norms (graph, error) || !cal_nn_preprocess_parse (graph, error))
    return FALSE;

  /* Open dimensions get a probe size (batch 1; the model's size multiple,
   * at least 64, elsewhere) to prove the graph consistent now rather than
   * on the first scan. */
  probe = g_new0 (CalNnShape, MAX (graph->inputs->len, 1));
  for (guint i = 0; i < graph->inputs->len; i++)
    {
      probe[i] = cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, i))->shape;
      for (guint k = 0; k < probe[i].rank; k++)
        if (probe[i].d[k] < 0)
          probe[i].d[k] = k == 0 ? 1 : MAX (64, (gint64) graph->preprocess.size_multiple);
    }
  shapes = g_new0 (CalNnShape, graph->tensors->len);
  return cal_nn_graph_infer_shapes (graph, probe, shapes, error);
}
