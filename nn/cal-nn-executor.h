/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalNnExecutor: what runs a prepared CalNnGraph, seen from the code that
 * feeds it a CT (cal-nn-volume.h, cal-segment.h).  An executor infers the
 * shapes, plans the activations' memory, runs one forward pass with
 * cancellation and keeps the last run's statistics.  The Vulkan engine
 * (compute/nn/cal-nn-engine.h) and the CPU reference (cal_nn_reference_new)
 * implement it; each fills in a CalNnExecutorClass and embeds a
 * CalNnExecutor as its first member.
 */
#pragma once

#include <gio/gio.h>

#include "cal-nn-graph.h"

G_BEGIN_DECLS

typedef struct _CalNnExecutor CalNnExecutor;

typedef struct {
  double   flops;          /* multiply-adds × 2 of the convolutions, last run */
  double   seconds;        /* wall time of the last run, transfers included */
  guint    submissions;    /* GPU submissions (0 on the CPU) */
  guint64  peak_bytes;     /* activation memory of the last run */
} CalNnRunStats;

typedef struct {
  float  **(*run)        (CalNnExecutor     *self,
                          const float      **inputs,
                          const CalNnShape  *input_shapes,
                          CalNnShape        *output_shapes,
                          GCancellable      *cancellable,
                          GError           **error);
  guint64  (*plan_bytes) (CalNnExecutor     *self,
                          const CalNnShape  *input_shapes,
                          GError           **error);
  void     (*finalize)   (CalNnExecutor     *self);
  /* How a network that does not fit the memory is reported, in the
   * executor's own terms (so callers can retry elsewhere), and what that
   * memory is called in messages. */
  GQuark   (*out_of_memory_domain) (void);
  gint       out_of_memory_code;
  const char *memory_name;
} CalNnExecutorClass;

struct _CalNnExecutor {
  const CalNnExecutorClass *klass;
  CalNnGraph    *graph;          /* borrowed: it must outlive the executor */
  char          *device;         /* what runs the network, for reports */
  guint64        memory_bytes;   /* the memory activations live in (device or RAM) */
  CalNnRunStats  stats;          /* of the last run */
};

/* For implementations: fills in the common part.  device is copied. */
void        cal_nn_executor_init        (CalNnExecutor            *self,
                                         const CalNnExecutorClass *klass,
                                         CalNnGraph               *graph,
                                         const char               *device,
                                         guint64                   memory_bytes);

/* One forward pass.  inputs: one float array per graph input, row-major
 * in the given shapes.  Returns one array per graph output (g_free each,
 * then the array; or g_strfreev), their shapes in output_shapes. */
float     **cal_nn_executor_run         (CalNnExecutor     *self,
                                         const float      **inputs,
                                         const CalNnShape  *input_shapes,
                                         CalNnShape        *output_shapes,
                                         GCancellable      *cancellable,
                                         GError           **error);
/* Memory a run at these shapes needs for activations (its peak), so
 * callers can choose a batch that fits; 0 with error set on failure. */
guint64     cal_nn_executor_plan_bytes  (CalNnExecutor     *self,
                                         const CalNnShape  *input_shapes,
                                         GError           **error);
void        cal_nn_executor_get_stats   (CalNnExecutor     *self,
                                         CalNnRunStats     *stats);
CalNnGraph *cal_nn_executor_get_graph   (CalNnExecutor     *self);
const char *cal_nn_executor_get_device  (CalNnExecutor     *self);
/* Half the executor's memory: the default for activations, leaving room
 * for the display and other programs. */
guint64     cal_nn_executor_default_budget (CalNnExecutor  *self);
/* Sets error to the executor's out-of-memory error, with message. */
void        cal_nn_executor_set_out_of_memory (CalNnExecutor *self,
                                               GError       **error,
                                               const char    *message);
const char *cal_nn_executor_get_memory_name (CalNnExecutor *self);
void        cal_nn_executor_free        (CalNnExecutor     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalNnExecutor, cal_nn_executor_free)

/* The CPU reference (cal-nn-reference.c) as an executor: every operator
 * written plainly in double precision, convolutions spread over the cores.
 * Exact and slow; for tests, for checking other executors, and for
 * machines without a usable GPU. */
CalNnExecutor *cal_nn_reference_new     (CalNnGraph        *graph);
/* One node on the reference: values[t] holds tensor t (plain layout) for
 * the node's inputs and output, shapes[t] its shape.  How other executors
 * run what they lack. */
void        cal_nn_reference_run_node   (const CalNnGraph  *graph,
                                         const CalNnNode   *node,
                                         const CalNnShape  *shapes,
                                         float            **values);

/* The index of the last node that reads each tensor (graph outputs: G_MAXINT,
 * never read: -1).  Free with g_free. */
int        *cal_nn_graph_last_uses      (CalNnGraph        *graph);
/* Which graph input `tensor` is, or -1: an output may be an input passed
 * straight through. */
int         cal_nn_graph_input_index    (CalNnGraph        *graph,
                                         int                tensor);
/* Bytes of activations a run at `shapes` (from cal_nn_graph_infer_shapes)
 * peaks at, with element_size bytes per value, when each buffer is freed
 * after its last reader and a freed buffer is reused best-fit. */
guint64     cal_nn_graph_plan_bytes     (CalNnGraph        *graph,
                                         const CalNnShape  *shapes,
                                         gsize              element_size);

G_END_DECLS
