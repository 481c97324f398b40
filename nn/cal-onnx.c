/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ONNX models: the protobuf is decoded by protobuf-c (code generated at
 * build time from the system's onnx.proto), then tensors, inputs and
 * metadata become a CalNnGraph; cal-onnx-nodes.c converts the operators.
 * Everything read from the file is checked: a lying size field or a
 * truncated weight is an error that names the tensor. */
#include "cal-onnx-private.h"

#include <string.h>

#define MAX_ELEMENTS (G_GINT64_CONSTANT (1) << 31)

enum {
  ONNX_FLOAT = 1, ONNX_UINT8 = 2, ONNX_INT8 = 3, ONNX_INT32 = 6, ONNX_INT64 = 7,
  ONNX_FLOAT16 = 10, ONNX_DOUBLE = 11,
};

static const char *
element_type_name (int type)
{
  static const char *const names[] = {
    "undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool",
    "float16", "float64", "uint32", "uint64", "complex64", "complex128", "bfloat16",
  };
  return type >= 0 && type < (int) G_N_ELEMENTS (names) ? names[type] : "unknown";
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h >> 15) << 31, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  union { guint32 u; float f; } v;

  if (exponent == 0)
    return (sign ? -1.0f : 1.0f) * (float) mantissa * (1.0f / (1 << 24));
  if (exponent == 31)
    v.u = sign | 0x7f800000u | (mantissa << 13);
  else
    v.u = sign | ((exponent + 112) << 23) | (mantissa << 13);
  return v.f;
}

/* A tensor the model cannot use, named in the message; FALSE, to return. */
#define tensor_error(error, name, ...)                                                         \
  (g_set_error ((error), CAL_NN_ERROR, CAL_NN_ERROR_INVALID, __VA_ARGS__),                    \
   g_prefix_error ((error), "Tensor “%s”: ", (name) && *(name) ? (name) : "(unnamed)"), FALSE)

static gboolean
read_shape (const Onnx__TensorProto *t,
            CalNnShape              *shape,
            gint64                  *count,
            GError                 **error)
{
  if (t->n_dims > CAL_NN_MAX_RANK)
    return tensor_error (error, t->name, "%zu dimensions; at most %d are supported", t->n_dims, CAL_NN_MAX_RANK);
  shape->rank = (guint) t->n_dims;
  *count = 1;
  for (gsize i = 0; i < t->n_dims; i++)
    {
      if (t->dims[i] < 0 || (t->dims[i] > 0 && *count > MAX_ELEMENTS / t->dims[i]))
        return tensor_error (error, t->name, "dimension %" G_GINT64_FORMAT " is negative or the tensor is "
                             "larger than 2³¹ values", (gint64) t->dims[i]);
      shape->d[i] = t->dims[i];
      *count *= t->dims[i];
    }
  return TRUE;
}

/* The values of a TensorProto, from raw_data or the typed fields, after
 * checking that exactly `count` of them are there. */
gboolean
cal_onnx_tensor_values (const Onnx__TensorProto *t,
                        CalNnShape              *shape,
                        float                  **floats,
                        gint64                 **ints,
                        gsize                   *n_ints,
                        GError                 **error)
{
  gint64 count = 0;
  int type = t->has_data_type ? t->data_type : 0;
  gsize size = type == ONNX_FLOAT || type == ONNX_INT32 ? 4 : type == ONNX_FLOAT16 ? 2 : 8;
  gsize have;

  *floats = NULL;
  *ints = NULL;
  *n_ints = 0;
  if (!read_shape (t, shape, &count, error))
    return FALSE;
  if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Tensor “%s” keeps its values in an external file; export the model with the weights inside "
                   "(models under 2 GB)", t->name);
      return FALSE;
    }
  if (type != ONNX_FLOAT && type != ONNX_DOUBLE && type != ONNX_FLOAT16 && type != ONNX_INT64 && type != ONNX_INT32)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "Tensor “%s” holds %s values; Calvaria computes in float32 (integers only for shapes)",
                   t->name, element_type_name (type));
      return FALSE;
    }
  have = t->has_raw_data ? t->raw_data.len / size
       : type == ONNX_FLOAT ? t->n_float_data : type == ONNX_DOUBLE ? t->n_double_data
       : type == ONNX_INT64 ? t->n_int64_data : t->n_int32_data;
  if ((t->has_raw_data && t->raw_data.len % size != 0) || (gint64) have != count)
    return tensor_error (error, t->name, "holds %zu values where its shape needs %" G_GINT64_FORMAT
                         "; the file is truncated or corrupt", have, count);
  if (type == ONNX_INT64 || type == ONNX_INT32)
    {
      *ints = g_new (gint64, MAX (count, 1));
      *n_ints = count;
      for (gint64 i = 0; i < count; i++)
        {
          if (t->has_raw_data && type == ONNX_INT64)
            memcpy (&(*ints)[i], t->raw_data.data + 8 * i, 8);
          else if (t->has_raw_data)
            {
              gint32 v;
              memcpy (&v, t->raw_data.data + 4 * i, 4);
              (*ints)[i] = v;
            }
          else
            (*ints)[i] = type == ONNX_INT64 ? t->int64_data[i] : t->int32_data[i];
        }
      return TRUE;
    }
  *floats = g_new (float, MAX (count, 1));
  for (gint64 i = 0; i < count; i++)
    {
      if (type == ONNX_FLOAT)
        {
          if (t->has_raw_data)
            memcpy (&(*floats)[i], t->raw_data.data + 4 * i, 4);
          else
            (*floats)[i] = t->float_data[i];
        }
      else if (type == ONNX_DOUBLE)
        {
          double v;
          if (t->has_raw_data)
            memcpy (&v, t->raw_data.data + 8 * i, 8);
          else
            v = t->double_data[i];
          (*floats)[i] = (float) v;
        }
      else
        {
          guint16 h;
          if (t->has_raw_data)
            memcpy (&h, t->raw_data.data + 2 * i, 2);
          else
            h = (guint16) t->int32_data[i];
          (*floats)[i] = half_to_float (h);
        }
    }
  return TRUE;
}

gboolean
cal_onnx_set_constant (CalNnGraph              *graph,
                       const char              *name,
                       const Onnx__TensorProto *proto,
                       GError                 **error)
{
  CalNnTensor *t = cal_nn_graph_get_tensor (graph, cal_nn_graph_tensor (graph, name));

  g_clear_pointer (&t->data, g_free);
  g_clear_pointer (&t->ints, g_free);
  return cal_onnx_tensor_values (proto, &t->shape, &t->data, &t->ints, &t->n_ints, error);
}

/* A graph input's declared type: float32 with any shape (open dimensions
 * read as -1). */
static gboolean
add_input (CalNnGraph                 *graph,
           const Onnx__ValueInfoProto *info,
           GError                    **error)
{
  int index = cal_nn_graph_tensor (graph, info->name);
  CalNnTensor *t = cal_nn_graph_get_tensor (graph, index);
  const Onnx__TypeProto *type = info->type;
  const Onnx__TensorShapeProto *shape;

  if (t->data != NULL || t->ints != NULL)
    return TRUE;   /* an initializer listed as input (older exporters) */
  if (type == NULL || type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || type->tensor_type == NULL)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "The model's input “%s” is not a tensor (sequences, maps and optionals are not supported)",
                   info->name);
      return FALSE;
    }
  /* float64 and float16 models run in float32 (docs/onnx-models.md). */
  t->non_float = type->tensor_type->elem_type != ONNX_FLOAT && type->tensor_type->elem_type != ONNX_DOUBLE &&
                 type->tensor_type->elem_type != ONNX_FLOAT16;
  shape = type->tensor_type->shape;
  t->shape.rank = shape ? (guint) MIN (shape->n_dim, CAL_NN_MAX_RANK) : 0;
  if (shape && shape->n_dim > CAL_NN_MAX_RANK)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED, "The model's input “%s” has %zu dimensions; "
                   "at most %d are supported", info->name, shape->n_dim, CAL_NN_MAX_RANK);
      return FALSE;
    }
  for (guint i = 0; i < t->shape.rank; i++)
    {
      const Onnx__TensorShapeProto__Dimension *d = shape->dim[i];
      t->shape.d[i] = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value > 0
                    ? d->dim_value : -1;
    }
  g_array_append_val (graph->inputs, index);
  return TRUE;
}

static gint64
default_opset (const Onnx__ModelProto *model)
{
  for (gsize i = 0; i < model->n_opset_import; i++)
    {
      const char *domain = model->opset_import[i]->domain;
      if (domain == NULL || *domain == '\0' || strcmp (domain, "ai.onnx") == 0)
        return model->opset_import[i]->version;
    }
  return 0;
}

static CalNnGraph *
convert_model (const Onnx__ModelProto *model,
               GError                **error)
{
  g_autoptr(CalNnGraph) graph = cal_nn_graph_new ();
  const Onnx__GraphProto *g = model->graph;

  if (g == NULL)
    {
      g_set_error_literal (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID, "The ONNX file holds no graph");
      return NULL;
    }
  graph->opset = default_opset (model);
  graph->producer = g_strdup_printf ("%s %s", model->producer_name ? model->producer_name : "",
                                     model->producer_version ? model->producer_version : "");
  if (graph->opset < 6)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_UNSUPPORTED,
                   "The model uses ONNX opset %" G_GINT64_FORMAT "; Calvaria reads opset 6 and later",
                   graph->opset);
      return NULL;
    }
  for (gsize i = 0; i < model->n_metadata_props; i++)
    if (model->metadata_props[i]->key && model->metadata_props[i]->value)
      g_hash_table_replace (graph->metadata, g_strdup (model->metadata_props[i]->key),
                            g_strdup (model->metadata_props[i]->value));
  for (gsize i = 0; i < g->n_initializer; i++)
    if (!cal_onnx_set_constant (graph, g->initializer[i]->name, g->initializer[i], error))
      return NULL;
  for (gsize i = 0; i < g->n_input; i++)
    if (!add_input (graph, g->input[i], error))
      return NULL;
  for (gsize i = 0; i < g->n_node; i++)
    if (!cal_onnx_convert_node (graph, g->node[i], error))
      return NULL;
  for (gsize i = 0; i < g->n_output; i++)
    {
      int index = cal_nn_graph_tensor (graph, g->output[i]->name);
      g_array_append_val (graph->outputs, index);
    }
  return g_steal_pointer (&graph);
}

/* protobuf-c's decoder, behind the depth check that keeps it off a crafted
 * file's recursion. */
static Onnx__ModelProto *
unpack_model (GBytes  *bytes,
              GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  Onnx__ModelProto *model;

  if (!cal_onnx_check_depth (&onnx__model_proto__descriptor, data, size, error))
    return NULL;
  model = onnx__model_proto__unpack (NULL, size, data);
  if (model == NULL)
    g_set_error_literal (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
                         "Not an ONNX model: the file does not decode as an ONNX ModelProto "
                         "(truncated, or another format)");
  return model;
}

CalNnGraph *
cal_onnx_parse (GBytes  *bytes,
                GError **error)
{
  Onnx__ModelProto *model = unpack_model (bytes, error);
  CalNnGraph *graph;

  if (model == NULL)
    return NULL;
  graph = convert_model (model, error);
  onnx__model_proto__free_unpacked (model, NULL);
  return graph;
}

CalNnGraph *
cal_onnx_load (const char  *path,
               GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CalNnGraph) graph = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *base = g_path_get_basename (path);

  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID, "Cannot read the model: %s", local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (file);
  graph = cal_onnx_parse (bytes, &local);
  if (graph == NULL || !cal_nn_graph_prepare (graph, &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "Model “%s”: ", base);
      return NULL;
    }
  return g_steal_pointer (&graph);
}

gboolean
cal_onnx_read_tensor (const char  *path,
                      CalNnShape  *shape,
                      float      **floats,
                      gint64     **ints,
                      gsize       *n_ints,
                      GError     **error)
{
  g_autofree char *data = NULL;
  gsize size;
  Onnx__TensorProto *t;
  gboolean ok;

  if (!g_file_get_contents (path, &data, &size, error))
    return FALSE;
  if (!cal_onnx_check_depth (&onnx__tensor_proto__descriptor, (const guint8 *) data, size, error))
    return FALSE;
  t = onnx__tensor_proto__unpack (NULL, size, (const guint8 *) data);
  if (t == NULL)
    {
      g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID, "%s is not a serialized ONNX TensorProto", path);
      return FALSE;
    }
  ok = cal_onnx_tensor_values (t, shape, floats, ints, n_ints, error);
  onnx__tensor_proto__free_unpacked (t, NULL);
  return ok;
}

GStrv
cal_onnx_list_operators (GBytes  *bytes,
                         GError **error)
{
  Onnx__ModelProto *model = unpack_model (bytes, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (model == NULL)
    return NULL;
  if (model->graph == NULL)
    {
      g_set_error_literal (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID, "Not an ONNX model: it has no graph");
      onnx__model_proto__free_unpacked (model, NULL);
      return NULL;
    }
  for (gsize i = 0; i < model->graph->n_node; i++)
    {
      const char *op = model->graph->node[i]->op_type ? model->graph->node[i]->op_type : "";
      if (g_hash_table_add (seen, g_strdup (op)))
        g_strv_builder_add (builder, op);
    }
  onnx__model_proto__free_unpacked (model, NULL);
  return g_strv_builder_end (builder);
}
