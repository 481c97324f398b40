/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Between the engine and its operator files (one per operator family,
 * each with its own shaders): the seam is prepare (pack weights once),
 * setup (per run, before recording: tables, scratch) and record. */
#pragma once

#include "cal-nn-engine.h"
#include "cal-vk-private.h"

G_BEGIN_DECLS

/* What an operator keeps between runs. */
typedef struct {
  CalVkBuffer *weights;
  CalVkBuffer *bias;
  CalVkBuffer *table;     /* per-run: resize taps, instance-norm (a, b) pairs */
  CalNnShape   table_shape;  /* the input shape the table was built for */
} CalNnPrepared;

struct _CalNnEngine {
  CalNnExecutor        parent;      /* first: the engine is an executor */
  CalVkContext        *context;
  const CalVkDevice   *dev;
  CalNnGraph          *graph;
  guint32              local_size;
  GHashTable          *kernels;     /* shader name → CalVkKernel */
  CalNnPrepared       *prepared;    /* per node */
  CalVkBuffer        **constants;   /* per tensor, uploaded on first use */
  GPtrArray           *pool;        /* free activation buffers */
  /* the run in progress */
  CalNnShape          *shapes;
  CalVkBuffer        **buffers;     /* per tensor, borrowed */
  gboolean             recording;   /* a batch is open (it holds the queue) */
  gboolean             profile;     /* CALVARIA_NN_PROFILE: time each node alone */
  gboolean             texels;      /* convolutions read texels (push descriptors) */
  gboolean             half;        /* activations stored as 16-bit floats */
  gsize                act_size;    /* bytes per activation element: 4, or 2 when half */
  CalVkBuffer        **act_constants; /* per tensor: constants read as activations, when half */
  double               pending_cost;
  double               cost_per_ms; /* measured: how much work fills a millisecond */
  GCancellable        *cancellable;
  GError              *run_error;
};

CalVkKernel    *cal_nn_kernel        (CalNnEngine   *engine,
                                      const char    *shader,
                                      guint32        push_size,
                                      GError       **error);
/* The same with specialization constants 1 … n_constants (cached per
 * shader and constants) and n_texels texel-buffer bindings
 * (cal_nn_dispatch_texels). */
CalVkKernel    *cal_nn_kernel_texels (CalNnEngine    *engine,
                                      const char     *shader,
                                      guint32         push_size,
                                      const guint32  *constants,
                                      guint           n_constants,
                                      guint32         n_texels,
                                      GError        **error);
CalVkBuffer    *cal_nn_upload        (CalNnEngine   *engine,
                                      gconstpointer  data,
                                      gsize          size,
                                      const char    *what,
                                      GError       **error);
/* The device address of a constant tensor, uploaded on first use. */
VkDeviceAddress cal_nn_constant      (CalNnEngine   *engine,
                                      int            tensor,
                                      GError       **error);
/* The same for a constant read where an activation could be (Add, Mul,
 * Concat operands): in the activations' storage format. */
VkDeviceAddress cal_nn_constant_activation (CalNnEngine *engine,
                                            int          tensor,
                                            GError     **error);
/* IEEE binary16 conversions (cal-nn-half.c). */
guint16         cal_nn_float_to_half (float          value);
float           cal_nn_half_to_float (guint16        half);
guint16        *cal_nn_floats_to_halves (const float *values,
                                         gsize        n);
void            cal_nn_halves_to_floats (const guint16 *halves,
                                         float         *values,
                                         gsize          n);
/* Records count items (push begins with `first, count`), split so that
 * no submission holds much more than the submission target; cost: work
 * units per item (FLOP for convolutions).  items_are_groups: one
 * workgroup per item instead of one invocation. */
void            cal_nn_dispatch      (CalNnEngine   *engine,
                                      CalVkKernel   *kernel,
                                      gpointer       push,
                                      guint32        count,
                                      double         cost,
                                      gboolean       items_are_groups);
/* The same, binding views[i] to the kernel's texel binding i. */
void            cal_nn_dispatch_texels (CalNnEngine        *engine,
                                        CalVkKernel        *kernel,
                                        gpointer            push,
                                        const VkBufferView *views,
                                        guint32             count,
                                        double              cost,
                                        gboolean            items_are_groups);
/* A tensor's device address in the run in progress (0: none). */
VkDeviceAddress cal_nn_address       (CalNnEngine        *engine,
                                      int                 tensor);
/* The views a convolution's texel kernel binds: the tensor as floats, the
 * weights as vec4, the tensor as vec4.  FALSE where the engine does not
 * use texels or the device cannot view these buffers: the kernels then
 * load through buffer addresses. */
gboolean        cal_nn_texel_views   (CalNnEngine        *engine,
                                      int                 tensor,
                                      CalVkBuffer        *weights,
                                      VkBufferView        views[3]);
/* The fused activation's push fields. */
void            cal_nn_activation_fields (CalNnEngine     *engine,
                                          const CalNnNode *node,
                                          guint32         *act,
                                          float           *a,
                                          float           *b,
                                          VkDeviceAddress *slope,
                                          guint32         *slope_count);
/* Spatial axes padded to three (z, y, x), leading ones of size 1. */
/* The head every windowed kernel's push block starts with (Conv and both
 * ConvTranspose kernels; the shaders declare the same fields in order):
 * tensors, sizes (z, y, x), channels per group, channel blocks of 4, and
 * kernel and stride as cal_nn_pack3() bytes. */
typedef struct {
  guint32 first, count;
  VkDeviceAddress x, w, b, y, slope;
  guint32 in_d, in_h, in_w, out_d, out_h, out_w;
  guint32 cin_g, cout_g, blocks, groups;
  guint32 kernel, stride;
} CalNnWindowPush;

void            cal_nn_window_push_init (CalNnEngine     *engine,
                                         guint            index,
                                         CalNnWindowPush *push);
void            cal_nn_spatial3      (const CalNnShape *shape,
                                      guint32           out[3]);
guint32         cal_nn_pack3         (const gint64     *values,
                                      guint             spatial);
/* Per-axis pads (pad_begin or pad_end) as x, y, z for the shaders. */
void            cal_nn_pads3         (const CalNnNode  *node,
                                      const gint64     *pads,
                                      gint32            out[3]);
/* Taps of the node's window: the product of its kernel sizes. */
double          cal_nn_window_taps   (const CalNnNode  *node);
/* The shaders take kernel, stride and dilation as bytes (cal_nn_pack3). */
gboolean        cal_nn_check_window  (const CalNnNode  *node,
                                      GError          **error);
/* The weights of a Conv or ConvTranspose, and its bias (NULL if none);
 * NULL with an error unless both are constants. */
CalNnTensor    *cal_nn_constant_weights (CalNnEngine     *engine,
                                         const CalNnNode *node,
                                         const float    **bias,
                                         GError         **error);

/* An operator class: prepare (at engine creation: pack weights, build
 * kernels), setup (per run, before recording: tables, scratch; NULL when
 * none) and record (its dispatches).  One per operator family, each in
 * its own file with its shaders; cal_nn_op_class() finds them. */
typedef struct {
  gboolean (*prepare) (CalNnEngine *e, guint node, GError **error);
  gboolean (*setup)   (CalNnEngine *e, guint node, GError **error);
  void     (*record)  (CalNnEngine *e, guint node);
} CalNnOpClass;

extern const CalNnOpClass cal_nn_conv_class;
extern const CalNnOpClass cal_nn_conv_transpose_class;
extern const CalNnOpClass cal_nn_batch_norm_class;
extern const CalNnOpClass cal_nn_instance_norm_class;
extern const CalNnOpClass cal_nn_elementwise_class;
extern const CalNnOpClass cal_nn_softmax_class;
extern const CalNnOpClass cal_nn_pool_class;
extern const CalNnOpClass cal_nn_resize_class;
extern const CalNnOpClass cal_nn_concat_class;

const CalNnOpClass *cal_nn_op_class (CalNnOp op);

/* The operator classes' members. */
gboolean cal_nn_conv_prepare           (CalNnEngine *e, guint node, GError **error);
void     cal_nn_conv_record            (CalNnEngine *e, guint node);
gboolean cal_nn_conv_transpose_prepare (CalNnEngine *e, guint node, GError **error);
void     cal_nn_conv_transpose_record  (CalNnEngine *e, guint node);
gboolean cal_nn_norm_prepare           (CalNnEngine *e, guint node, GError **error);
gboolean cal_nn_norm_setup             (CalNnEngine *e, guint node, GError **error);
void     cal_nn_norm_record            (CalNnEngine *e, guint node);
gboolean cal_nn_elementwise_prepare    (CalNnEngine *e, guint node, GError **error);
void     cal_nn_elementwise_record     (CalNnEngine *e, guint node);
gboolean cal_nn_softmax_prepare        (CalNnEngine *e, guint node, GError **error);
void     cal_nn_softmax_record         (CalNnEngine *e, guint node);
gboolean cal_nn_pool_prepare           (CalNnEngine *e, guint node, GError **error);
void     cal_nn_pool_record            (CalNnEngine *e, guint node);
gboolean cal_nn_resize_prepare         (CalNnEngine *e, guint node, GError **error);
gboolean cal_nn_resize_setup           (CalNnEngine *e, guint node, GError **error);
void     cal_nn_resize_record          (CalNnEngine *e, guint node);
gboolean cal_nn_concat_prepare         (CalNnEngine *e, guint node, GError **error);
void     cal_nn_concat_record          (CalNnEngine *e, guint node);

G_END_DECLS
