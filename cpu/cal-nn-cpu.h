/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CalNnCpu: a prepared CalNnGraph on the CPU through oneDNN, one of the
 * executors (cal-nn-executor.h) and the one that runs the U-net on
 * machines without a GPU.  Each operator family has its own file
 * (cal-nn-cpu-*.c) that turns a node into oneDNN primitives for one set of
 * input shapes; activations keep the layout the convolutions choose
 * (channel blocks of 8 or 16) from one operator to the next, and the CPU
 * reference (cal-nn-reference.c) runs, in plain layout, what oneDNN
 * cannot do exactly as ONNX says.
 */
#pragma once

#include "cal-nn-executor.h"

G_BEGIN_DECLS

/* graph: prepared (cal_nn_graph_prepare()), borrowed: it must outlive the
 * executor.  Fails only where oneDNN cannot make a CPU engine. */
CalNnExecutor *cal_nn_cpu_new (CalNnGraph  *graph,
                               GError     **error);

/* Whether executor is a CalNnCpu. */
gboolean       cal_nn_cpu_is  (CalNnExecutor *executor);

/* How the primitives made so far are implemented, for tests and reports:
 * convolutions (forward and lowered transposed ones) in total, how many of
 * them oneDNN implements by its reference code (about 1000 times slower:
 * a warning in the product, refused where CALVARIA_NN_REFUSE_REFERENCE is
 * set), and nodes the CPU reference ran because oneDNN lacks them. */
typedef struct {
  guint convolutions;
  guint reference_convolutions;
  guint reference_nodes;
  guint plans;            /* input shapes planned for */
} CalNnCpuCensus;

void           cal_nn_cpu_get_census (CalNnExecutor  *executor,
                                      CalNnCpuCensus *census);

/* "oneDNN 2.6.3 (AVX-512 JIT, 2 threads)": what the executor's device
 * string says. */
char          *cal_nn_cpu_describe   (void);

G_END_DECLS
