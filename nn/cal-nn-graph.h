/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalNnGraph: a neural network as Calvaria runs it.  nn/cal-onnx.c
 * fills one from an ONNX file; the passes here fold constants and
 * BatchNormalization into convolutions and fuse activations; shape
 * inference runs per input shape (U-nets take any slice size); the CPU
 * reference (cal-nn-reference.c) and the Vulkan engine execute it.
 * Tensors are float32, dense, row-major (NCHW / NCDHW).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAL_NN_ERROR (cal_nn_error_quark ())
GQuark cal_nn_error_quark (void);

typedef enum {
  CAL_NN_ERROR_INVALID,      /* not a valid model (broken file, dangling tensor, ...) */
  CAL_NN_ERROR_UNSUPPORTED,  /* valid, but uses an operator or attribute Calvaria lacks */
  CAL_NN_ERROR_SHAPE,        /* input shapes the graph cannot take */
  CAL_NN_ERROR_CANCELLED,
} CalNnError;

#define CAL_NN_MAX_RANK    6
/* No tensor may hold more values: 2^34 floats is 64 GiB, past any device. */
#define CAL_NN_MAX_ELEMENTS (G_GINT64_CONSTANT (1) << 34)
#define CAL_NN_MAX_SPATIAL 3

typedef enum {
  CAL_NN_OP_CONV,
  CAL_NN_OP_CONV_TRANSPOSE,
  CAL_NN_OP_BATCH_NORM,       /* inference form; kept only where no convolution precedes */
  CAL_NN_OP_INSTANCE_NORM,
  CAL_NN_OP_RELU,
  CAL_NN_OP_LEAKY_RELU,
  CAL_NN_OP_PRELU,
  CAL_NN_OP_SIGMOID,
  CAL_NN_OP_CLIP,
  CAL_NN_OP_SOFTMAX,
  CAL_NN_OP_MAX_POOL,
  CAL_NN_OP_AVERAGE_POOL,
  CAL_NN_OP_RESIZE,           /* Resize and Upsample */
  CAL_NN_OP_CONCAT,
  CAL_NN_OP_ADD,
  CAL_NN_OP_MUL,
  CAL_NN_OP_IDENTITY,         /* Identity, Dropout (inference); removed by the passes */
  CAL_NN_OP_CONSTANT,         /* folded into a constant tensor by the loader */
  CAL_NN_N_OPS
} CalNnOp;

const char *cal_nn_op_name (CalNnOp op);

/* An activation folded into the node that produces its input. */
typedef enum {
  CAL_NN_ACT_NONE,
  CAL_NN_ACT_RELU,
  CAL_NN_ACT_LEAKY_RELU,  /* alpha */
  CAL_NN_ACT_PRELU,       /* one slope per channel (act_slope tensor) */
  CAL_NN_ACT_SIGMOID,
  CAL_NN_ACT_CLIP,        /* [alpha, beta] */
} CalNnActivation;

typedef enum {
  CAL_NN_PAD_EXPLICIT,
  CAL_NN_PAD_SAME_UPPER,
  CAL_NN_PAD_SAME_LOWER,
  CAL_NN_PAD_VALID,
} CalNnAutoPad;

typedef enum {
  CAL_NN_RESIZE_NEAREST,
  CAL_NN_RESIZE_LINEAR,
} CalNnResizeMode;

typedef enum {
  CAL_NN_COORD_HALF_PIXEL,
  CAL_NN_COORD_PYTORCH_HALF_PIXEL,
  CAL_NN_COORD_ALIGN_CORNERS,
  CAL_NN_COORD_ASYMMETRIC,
  CAL_NN_COORD_TF_HALF_PIXEL_FOR_NN,
} CalNnCoordMode;

typedef enum {
  CAL_NN_NEAREST_ROUND_PREFER_FLOOR,
  CAL_NN_NEAREST_ROUND_PREFER_CEIL,
  CAL_NN_NEAREST_FLOOR,
  CAL_NN_NEAREST_CEIL,
} CalNnNearestMode;

typedef struct {
  guint   rank;
  gint64  d[CAL_NN_MAX_RANK];
} CalNnShape;

gint64   cal_nn_shape_count (const CalNnShape *shape);
char    *cal_nn_shape_to_string (const CalNnShape *shape);
const char *cal_nn_shape_format (const CalNnShape *shape,
                                 char             *buffer,
                                 gsize             size);
gboolean cal_nn_shape_equal (const CalNnShape *a,
                             const CalNnShape *b);

typedef struct {
  char       *name;
  CalNnShape  shape;        /* declared; -1 where the model leaves a dimension open */
  float      *data;         /* (nullable) constant values, cal_nn_shape_count() of them */
  gint64     *ints;         /* (nullable) integer constants (shapes, sizes, axes) */
  gsize       n_ints;
  gboolean    non_float;    /* a graph input of another element type (refused if left unbound) */
} CalNnTensor;

typedef struct {
  CalNnOp     op;
  char       *name;
  guint       n_inputs;
  int        *inputs;       /* tensor indices; -1 for an omitted optional input */
  int         output;

  /* Convolution and pooling, per spatial axis */
  guint       spatial;      /* 1, 2 or 3; filled by shape inference where not given */
  gint64      kernel[CAL_NN_MAX_SPATIAL];
  gint64      stride[CAL_NN_MAX_SPATIAL];
  gint64      dilation[CAL_NN_MAX_SPATIAL];
  gint64      pad_begin[CAL_NN_MAX_SPATIAL];
  gint64      pad_end[CAL_NN_MAX_SPATIAL];
  gint64      output_padding[CAL_NN_MAX_SPATIAL];
  gint64      output_shape[CAL_NN_MAX_SPATIAL]; /* ConvTranspose; 0 = not given */
  gboolean    has_kernel, has_pads, has_output_shape;
  CalNnAutoPad auto_pad;
  gint64      groups;
  gboolean    ceil_mode;
  gboolean    count_include_pad;

  /* Element-wise and normalisation */
  float       alpha, beta;  /* LeakyRelu alpha; Clip [alpha, beta] */
  float       epsilon;
  int         axis;         /* Concat, Softmax (normalised at shape inference) */
  gboolean    coerce_2d;    /* Softmax before opset 13: over all axes from axis on */
  int         broadcast_axis; /* before opset 7: Add/Mul/PRelu's B aligned at this axis of A
                               * (PRelu: per channel); -1: NumPy broadcasting */

  /* Resize */
  CalNnResizeMode   resize_mode;
  CalNnCoordMode    coord_mode;
  CalNnNearestMode  nearest_mode;
  double            scales[CAL_NN_MAX_RANK];   /* from the scales input or the sizes */
  gint64            sizes[CAL_NN_MAX_RANK];    /* 0: from the scales */

  /* Fused activation, applied to this node's output */
  CalNnActivation act;
  float       act_alpha, act_beta;
  int         act_slope;    /* tensor with one slope per channel (or one for all) */

  /* BatchNormalization, kept as a per-channel affine map */
  float      *bn_scale, *bn_shift;
} CalNnNode;

/* The model's preprocessing, from its metadata_props (docs/onnx-models.md). */
typedef struct {
  double   hu_low, hu_high;         /* HU window mapped to [0, 1] */
  double   spacing[3];              /* target spacing in mm (x, y, z); 0 = native */
  double   spacing_range[2];        /* in-plane spacings used as they are (mm); 0, 0: none */
  char     orientation[4];          /* where the training arrays' axes pointed ("LPS"); "" = not said */
  guint    context_slices;          /* input channels: slices centred on the one predicted */
  double   threshold;               /* probability above which a voxel is the label */
  double   threshold_resampled;     /* the same where the CT was resampled for the network; NAN: threshold */
  double   faint_threshold_resampled; /* where resampled, voxels under faint_below_hu need this; NAN: none */
  double   faint_below_hu;
  double   min_hu;                  /* voxels below this are never the label; -INFINITY: no floor */
  guint    size_multiple;           /* input sizes are padded to a multiple of this */
  gboolean output_is_logits;        /* apply sigmoid (1 channel) or softmax (several) */
  guint    foreground_channel;      /* which output channel is written as the probability */
  char   **labels;                  /* label names, background first */
} CalNnPreprocess;

typedef struct {
  GPtrArray  *tensors;      /* (element-type CalNnTensor) */
  GArray     *nodes;        /* (element-type CalNnNode), in execution order */
  GArray     *inputs;       /* (element-type int) runtime inputs */
  GArray     *outputs;      /* (element-type int) */
  GHashTable *metadata;     /* metadata_props: key → value */
  gint64      opset;
  char       *producer;
  CalNnPreprocess preprocess;
} CalNnGraph;

CalNnGraph *cal_nn_graph_new      (void);
void        cal_nn_graph_free     (CalNnGraph *graph);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalNnGraph, cal_nn_graph_free)

/* Tensors: the index of the tensor with this name, added if new. */
int          cal_nn_graph_tensor    (CalNnGraph *graph,
                                     const char *name);
CalNnTensor *cal_nn_graph_get_tensor (CalNnGraph *graph,
                                      int         index);
CalNnNode   *cal_nn_graph_add_node  (CalNnGraph *graph,
                                     CalNnOp     op,
                                     const char *name);
static inline CalNnNode *
cal_nn_graph_node (CalNnGraph *graph, guint i)
{
  return &g_array_index (graph->nodes, CalNnNode, i);
}

/* Turns graph input `index` into a constant with these values (floats or
 * ints): how the ONNX node tests, which feed weights as inputs, become
 * models with initializers.  Before cal_nn_graph_prepare(). */
void     cal_nn_graph_bind_input    (CalNnGraph       *graph,
                                     guint             index,
                                     const CalNnShape *shape,
                                     float            *floats,
                                     gint64           *ints,
                                     gsize             n_ints);

/* Checks the graph, reads the preprocessing keys, and rewrites it for
 * execution: Identity removed, BatchNormalization folded into the
 * convolution before it, activations fused into their producer.  Then a
 * shape inference on the declared input shapes (open dimensions set to
 * probe sizes) proves the graph consistent. */
gboolean cal_nn_graph_prepare       (CalNnGraph  *graph,
                                     GError     **error);

/* Shapes of every tensor for these input shapes (one per graph input). */
gboolean cal_nn_graph_infer_shapes  (CalNnGraph        *graph,
                                     const CalNnShape  *inputs,
                                     CalNnShape        *shapes,
                                     GError           **error);

/* Multiply-adds (counted as 2 FLOP) of one run at these shapes. */
double   cal_nn_graph_flops         (CalNnGraph        *graph,
                                     const CalNnShape  *shapes);

/* Element strides of `in` broadcast to `out` (0 along the axes it
 * repeats), one per axis of out. */
void     cal_nn_broadcast_strides   (const CalNnShape  *in,
                                     const CalNnShape  *out,
                                     gint64            *strides);

/* The shape B of Add, Mul or PRelu takes when broadcast against A (the
 * same as b under NumPy rules; aligned at node->broadcast_axis before
 * opset 7). */
void     cal_nn_binary_operand_shape (const CalNnNode   *node,
                                      const CalNnShape  *a,
                                      const CalNnShape  *b,
                                      CalNnShape        *out);

/* Resize: where output coordinate o of `axis` lands in the input, per the
 * node's coordinate mode, and the input index nearest mode picks there. */
double   cal_nn_resize_source       (const CalNnNode   *node,
                                     guint              axis,
                                     gint64             o,
                                     gint64             in,
                                     gint64             out);
gint64   cal_nn_resize_nearest      (const CalNnNode   *node,
                                     double             source,
                                     gint64             in);

/* How far one output voxel sees into the input, per spatial axis (x
 * last, as in the shape): the halo a tile needs for its core to come out
 * exactly as in one run over the whole input, and the multiple its origin
 * must be at so that every pooling and stride lines up
 * (nn/cal-nn-reach.c). */
typedef struct {
  double  radius[CAL_NN_MAX_SPATIAL];      /* input voxels on either side */
  guint   alignment[CAL_NN_MAX_SPATIAL];   /* the largest stride product */
} CalNnReach;

/* FALSE where an operator sees the whole input (InstanceNormalization, a
 * Softmax or Concat over a spatial axis, a Resize to fixed sizes or with
 * corner-aligned coordinates): tiles then differ near their seams. rank:
 * the input's (4 for NCHW, 5 for NCDHW). */
gboolean cal_nn_graph_reach         (CalNnGraph        *graph,
                                     guint              rank,
                                     CalNnReach        *reach);

G_END_DECLS
