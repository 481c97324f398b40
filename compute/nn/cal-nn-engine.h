/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalNnEngine: a prepared CalNnGraph on a Vulkan device.  Weights are
 * packed and uploaded once; each run infers the shapes, takes activation
 * buffers from a pool (reused as soon as their last reader has run),
 * records every operator into the context's command buffer and submits in
 * pieces of about the context's submission target, checking for
 * cancellation in between.
 */
#pragma once

#include <gio/gio.h>

#include "cal-nn-graph.h"
#include "cal-vk-context.h"

G_BEGIN_DECLS

typedef struct _CalNnEngine CalNnEngine;

typedef struct {
  double   flops;          /* multiply-adds × 2 of the convolutions, last run */
  double   seconds;        /* wall time of the last run, upload and download included */
  guint    submissions;
  guint64  peak_bytes;     /* activation memory of the last run */
} CalNnRunStats;

typedef enum {
  CAL_NN_ENGINE_DEFAULT      = 0,
  /* Activations in 16-bit floats (half the memory and bandwidth; all
   * arithmetic stays 32-bit, weights stay 32-bit).  Needs the device's
   * storageBuffer16BitAccess. */
  CAL_NN_ENGINE_HALF_STORAGE = 1 << 0,
} CalNnEngineFlags;

/* graph: prepared (cal_nn_graph_prepare()), borrowed: it must outlive the engine. */
CalNnEngine *cal_nn_engine_new   (CalVkContext      *context,
                                  CalNnGraph        *graph,
                                  GError           **error);
CalNnEngine *cal_nn_engine_new_full (CalVkContext   *context,
                                     CalNnGraph     *graph,
                                     CalNnEngineFlags flags,
                                     GError        **error);
gboolean     cal_nn_engine_get_half_storage (CalNnEngine *engine);
void         cal_nn_engine_free  (CalNnEngine       *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalNnEngine, cal_nn_engine_free)

/* One forward pass.  inputs: one float array per graph input, row-major
 * in the given shapes.  Returns one array per graph output (g_free each,
 * then the array), their shapes in output_shapes. */
float      **cal_nn_engine_run   (CalNnEngine       *engine,
                                  const float      **inputs,
                                  const CalNnShape  *input_shapes,
                                  CalNnShape        *output_shapes,
                                  GCancellable      *cancellable,
                                  GError           **error);

/* Device memory a run at these shapes needs for activations (the pool's
 * peak), so callers can choose a batch that fits the device's budget. */
guint64      cal_nn_engine_plan_bytes (CalNnEngine      *engine,
                                       const CalNnShape *input_shapes,
                                       GError          **error);
void         cal_nn_engine_get_stats  (CalNnEngine      *engine,
                                       CalNnRunStats    *stats);
CalVkContext *cal_nn_engine_get_context (CalNnEngine    *engine);
CalNnGraph   *cal_nn_engine_get_graph   (CalNnEngine    *engine);

/* GFLOP/s of a pure multiply-add shader (16 independent chains per
 * invocation), the roofline the convolutions are measured against;
 * 0 with error set on failure. */
double       cal_nn_fma_peak          (CalVkContext     *context,
                                       guint32           invocations,
                                       guint32           iterations,
                                       GError          **error);

G_END_DECLS
