/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Between the CPU executor (cal-nn-cpu.c) and its operator files.  A plan
 * is one set of input shapes made into steps, one per node: each step
 * says in which layout it reads each input (the executor reorders where
 * the stored layout differs), owns its primitives and its packed weights,
 * and runs through its operator class. */
#pragma once

#include <oneapi/dnnl/dnnl.h>

#include "cal-nn-cpu.h"

G_BEGIN_DECLS

typedef struct {
  int                 tensor;    /* -1: an omitted optional input */
  gboolean            constant;  /* read from the graph's constant data */
  dnnl_memory_desc_t  md;        /* the layout the step reads */
  dnnl_primitive_t    reorder;   /* stored layout → md; NULL when equal */
} CalNnCpuInput;

typedef struct _CalNnCpuStep CalNnCpuStep;
typedef struct _CalNnCpuPlan CalNnCpuPlan;
typedef struct _CalNnCpu     CalNnCpu;

typedef enum {
  CAL_NN_CPU_PLANNED,
  CAL_NN_CPU_FALLBACK,     /* oneDNN cannot do it exactly: the CPU reference runs it */
  CAL_NN_CPU_FAILED,
} CalNnCpuPlanResult;

/* An operator family: plan (for one set of shapes: primitives, packed
 * weights, the output's layout in plan->mds) and run (inputs in the
 * layouts the step asked for, output in plan->mds[output]). */
typedef struct {
  CalNnCpuPlanResult (*plan) (CalNnCpu *cpu, CalNnCpuPlan *plan, guint node, CalNnCpuStep *step, GError **error);
  gboolean           (*run)  (CalNnCpu *cpu, CalNnCpuStep *step, void **inputs, void *output, GError **error);
} CalNnCpuOpClass;

struct _CalNnCpuStep {
  const CalNnCpuOpClass *klass;
  const CalNnNode       *node;
  CalNnCpuPlan          *plan;          /* the plan the step belongs to */
  guint                  n_inputs;
  CalNnCpuInput         *inputs;
  dnnl_primitive_t       primitive;
  dnnl_memory_t          weights, bias, slopes;  /* packed at plan time; NULL when none */
  dnnl_primitive_t       activation;    /* the fused activation run after, in place, where
                                         * fusing it would make oneDNN use its reference code */
  dnnl_memory_desc_t     scratch_md;    /* an intermediate result (lowered ConvTranspose) */
  gboolean               has_scratch;
  void                  *scratch;       /* during run: scratch_md's memory */
  guint                  taps;          /* lowered ConvTranspose: kernel positions */
  gboolean               separate_activation;
};

struct _CalNnCpuPlan {
  CalNnShape          *inputs;     /* the graph input shapes this plan is for */
  CalNnShape          *shapes;     /* per tensor */
  dnnl_memory_desc_t  *mds;        /* per tensor: the layout it is stored in */
  CalNnCpuStep        *steps;      /* per node */
};

struct _CalNnCpu {
  CalNnExecutor   parent;         /* first: the CPU executor is an executor */
  dnnl_engine_t   engine;
  dnnl_stream_t   stream;
  GPtrArray      *plans;          /* most recently used last */
  GPtrArray      *pool;           /* free activation blocks */
  float         **values;         /* per tensor, for the reference's nodes */
  CalNnCpuCensus  census;
  gboolean        refuse_reference;
  gboolean        profile;        /* CALVARIA_NN_PROFILE: each node's time to stderr */
};

/* oneDNN status → GError (CAL_NN_ERROR_UNSUPPORTED for unimplemented). */
gboolean    cal_nn_cpu_check        (dnnl_status_t      status,
                                     const char        *what,
                                     const CalNnNode   *node,
                                     GError           **error);
/* A plain (row-major) descriptor of this shape. */
void        cal_nn_cpu_plain_md     (const CalNnShape  *shape,
                                     dnnl_memory_desc_t *md);
/* A descriptor with the layout of `like` (plain, channels last, or channel
 * blocks of 8 or 16) and the dims of shape; plain where like's layout is
 * none of those. */
void        cal_nn_cpu_md_like      (const dnnl_memory_desc_t *like,
                                     const CalNnShape  *shape,
                                     dnnl_memory_desc_t *md);
/* The channel block of a layout (1: plain or channels last), and 0 where
 * it is none Calvaria knows. */
guint       cal_nn_cpu_md_block     (const dnnl_memory_desc_t *md);
/* Makes the primitive, and records how oneDNN implements it; a reference
 * convolution is a warning, or an error where refused. */
dnnl_primitive_t cal_nn_cpu_make    (CalNnCpu          *cpu,
                                     const_dnnl_primitive_desc_t pd,
                                     gboolean           convolution,
                                     const CalNnNode   *node,
                                     GError           **error);
/* Says that step reads input k (tensor t) in layout want: a reorder when
 * the stored layout differs.  Constants are stored plain. */
gboolean    cal_nn_cpu_want_input   (CalNnCpu          *cpu,
                                     CalNnCpuPlan      *plan,
                                     CalNnCpuStep      *step,
                                     guint              k,
                                     int                t,
                                     const dnnl_memory_desc_t *want,
                                     GError           **error);
/* The layout tensor t is stored in: plan->mds[t], plain for constants. */
void        cal_nn_cpu_stored_md        (CalNnCpu          *cpu,
                                         CalNnCpuPlan      *plan,
                                         int                t,
                                         dnnl_memory_desc_t *md);
/* Reorders src (laid out as src_md) into dst (dst_md) once. */
gboolean    cal_nn_cpu_reorder          (CalNnCpu                 *cpu,
                                         const dnnl_memory_desc_t *src_md,
                                         const void               *src,
                                         const dnnl_memory_desc_t *dst_md,
                                         void                     *dst,
                                         GError                  **error);
/* Whether tensor t is a constant (weights, or an operand given in the model). */
gboolean    cal_nn_cpu_is_constant  (CalNnCpu          *cpu,
                                     int                t);
/* A memory object over data (NULL: oneDNN allocates and owns it). */
dnnl_memory_t cal_nn_cpu_memory     (CalNnCpu          *cpu,
                                     const dnnl_memory_desc_t *md,
                                     void              *data,
                                     GError           **error);
/* Reorders src (plain, over constant data) into a new memory of layout
 * want, owned by the caller: weights packed once. */
dnnl_memory_t cal_nn_cpu_pack       (CalNnCpu          *cpu,
                                     const dnnl_memory_desc_t *src,
                                     const void        *data,
                                     const dnnl_memory_desc_t *want,
                                     GError           **error);
/* Executes a primitive and waits for it. */
gboolean    cal_nn_cpu_execute      (CalNnCpu          *cpu,
                                     dnnl_primitive_t   primitive,
                                     int                n_args,
                                     const dnnl_exec_arg_t *args,
                                     const CalNnNode   *node,
                                     GError           **error);
/* Runs a primitive reading src and writing dst (one memory each). */
gboolean    cal_nn_cpu_execute_unary (CalNnCpu          *cpu,
                                      CalNnCpuStep      *step,
                                      const dnnl_memory_desc_t *src_md,
                                      void              *src,
                                      const dnnl_memory_desc_t *dst_md,
                                      void              *dst,
                                      GError           **error);
/* Makes step->primitive from an initialised descriptor (status: of
 * initialising it): FALLBACK where oneDNN has no implementation; what:
 * for the error ("set up pooling"). */
CalNnCpuPlanResult cal_nn_cpu_finish_plan (CalNnCpu      *cpu,
                                           CalNnCpuStep  *step,
                                           dnnl_status_t  status,
                                           const void    *desc,
                                           const char    *what,
                                           GError       **error);
/* The same for an operator of one input read in layout src, its output
 * written in layout dst; cal_nn_cpu_run_unary runs it. */
CalNnCpuPlanResult cal_nn_cpu_plan_unary  (CalNnCpu                 *cpu,
                                           CalNnCpuPlan             *plan,
                                           CalNnCpuStep             *step,
                                           dnnl_status_t             status,
                                           const void               *desc,
                                           const dnnl_memory_desc_t *src,
                                           const dnnl_memory_desc_t *dst,
                                           const char               *what,
                                           GError                  **error);
gboolean    cal_nn_cpu_run_unary        (CalNnCpu          *cpu,
                                         CalNnCpuStep      *step,
                                         void             **inputs,
                                         void              *output,
                                         GError           **error);
/* An attribute with the node's fused activation as a post-op (NULL where
 * it has none); *prelu set where a PReLU's slopes must be passed. */
dnnl_primitive_attr_t cal_nn_cpu_activation_attr (CalNnCpu       *cpu,
                                                  const CalNnNode *node,
                                                  gboolean       *prelu,
                                                  GError        **error);
/* oneDNN's element-wise algorithm for an activation (with its alpha and
 * beta); FALSE for PReLU and none. */
gboolean    cal_nn_cpu_eltwise_of       (CalNnActivation    act,
                                         float              act_alpha,
                                         float              act_beta,
                                         dnnl_alg_kind_t   *alg,
                                         float             *alpha,
                                         float             *beta);
/* The PReLU slopes of node as a memory for the post-op, each repeated
 * `repeat` times (lowered ConvTranspose), over channels output channels. */
dnnl_memory_t cal_nn_cpu_slopes     (CalNnCpu          *cpu,
                                     const CalNnNode   *node,
                                     guint              rank,
                                     gint64             channels,
                                     guint              repeat,
                                     GError           **error);

/* Shared by Conv and ConvTranspose (cal-nn-cpu-conv.c). */
/* The spatial geometry oneDNN wants: strides, dilations minus one, and
 * the padding on either side that makes the output the size shape
 * inference gave (ceil mode and SAME included). */
typedef struct {
  dnnl_dims_t strides, dilates, pad_l, pad_r;
} CalNnCpuGeometry;

void        cal_nn_cpu_conv_geometry     (const CalNnNode    *node,
                                          const CalNnShape   *xs,
                                          const CalNnShape   *ys,
                                          gboolean            transposed,
                                          CalNnCpuGeometry   *g);
/* The weights' dims oneDNN wants: (groups,) out / groups, in / groups, kernel. */
void        cal_nn_cpu_conv_weights_dims (const CalNnNode    *node,
                                          gint64              cout,
                                          gint64              cin,
                                          guint               spatial,
                                          dnnl_dims_t         dims,
                                          int                *ndims);
/* The weights and bias (NULL: none) of a Conv or ConvTranspose; FALSE
 * where they are not constants or the input has no 1 to 3 spatial axes
 * (the reference runs it then). */
gboolean    cal_nn_cpu_conv_operands     (CalNnCpu           *cpu,
                                          CalNnCpuPlan       *plan,
                                          const CalNnNode    *node,
                                          const float       **weights,
                                          const float       **bias);
/* A descriptor of this shape in the layout oneDNN chooses. */
void        cal_nn_cpu_any_md            (const CalNnShape   *shape,
                                          dnnl_memory_desc_t *md);
/* What a convolution's plan packs: the weights as the model stores them
 * (user, over weights), the bias (NULL: none), each repeated `repeat`
 * times over `channels` output channels; lowered: the convolution writes
 * step->scratch_md, and the node's output takes that layout. */
typedef struct {
  const dnnl_memory_desc_t *user;
  const float              *weights, *bias;
  gint64                    channels;
  guint                     repeat;
  gboolean                  lowered;
} CalNnCpuConvPacking;

/* Makes the convolution from desc (status: of initialising it) with the
 * node's activation fused (or run after it, where fusing leaves only
 * oneDNN's reference code), packs its operands, and records the output's
 * layout; FALLBACK where oneDNN has no implementation. */
CalNnCpuPlanResult cal_nn_cpu_conv_plan  (CalNnCpu                  *cpu,
                                          CalNnCpuPlan              *plan,
                                          CalNnCpuStep              *step,
                                          dnnl_status_t              status,
                                          const void                *desc,
                                          const CalNnCpuConvPacking *packing,
                                          GError                   **error);
/* Runs the step's convolution from input into output (laid out as dst_md),
 * then its separate activation if it has one. */
gboolean    cal_nn_cpu_conv_execute      (CalNnCpu                 *cpu,
                                          CalNnCpuStep             *step,
                                          void                     *input,
                                          const dnnl_memory_desc_t *dst_md,
                                          void                     *output,
                                          GError                  **error);
gboolean    cal_nn_cpu_conv_run          (CalNnCpu                 *cpu,
                                          CalNnCpuStep             *step,
                                          void                    **inputs,
                                          void                     *output,
                                          GError                  **error);

extern const CalNnCpuOpClass cal_nn_cpu_conv_class;
extern const CalNnCpuOpClass cal_nn_cpu_conv_transpose_class;
extern const CalNnCpuOpClass cal_nn_cpu_pool_class;
extern const CalNnCpuOpClass cal_nn_cpu_eltwise_class;
extern const CalNnCpuOpClass cal_nn_cpu_binary_class;
extern const CalNnCpuOpClass cal_nn_cpu_concat_class;
extern const CalNnCpuOpClass cal_nn_cpu_softmax_class;
extern const CalNnCpuOpClass cal_nn_cpu_resize_class;
extern const CalNnCpuOpClass cal_nn_cpu_reference_class;

G_END_DECLS
