/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalNnEngine: a prepared CalNnGraph on a Vulkan device, one of the
 * executors (cal-nn-executor.h): run it through cal_nn_engine_as_executor().  Weights are
 * packed and uploaded once; each run infers the shapes, takes activation
 * buffers from a pool (reused as soon as their last reader has run),
 * records every operator into the context's command buffer and submits in
 * pieces of about the context's submission target, checking for
 * cancellation in between.
 */
#pragma once

#include <gio/gio.h>

#include "cal-nn-executor.h"
#include "cal-vk-context.h"

G_BEGIN_DECLS

typedef struct _CalNnEngine CalNnEngine;

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

/* The engine as an executor: borrowed, the same object (freeing either
 * frees both). */
CalNnExecutor *cal_nn_engine_as_executor (CalNnEngine   *engine);
CalVkContext *cal_nn_engine_get_context (CalNnEngine    *engine);

/* GFLOP/s of a pure multiply-add shader (16 independent chains per
 * invocation), the roofline the convolutions are measured against;
 * 0 with error set on failure. */
double       cal_nn_fma_peak          (CalVkContext     *context,
                                       guint32           invocations,
                                       guint32           iterations,
                                       GError          **error);

G_END_DECLS
