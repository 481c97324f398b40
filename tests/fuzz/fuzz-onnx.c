/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An ONNX model: the nesting check, protobuf-c's decoder, conversion to
 * Calvaria's graph, its preparation (folding, metadata), and shape
 * inference for the input a CT patch would give it. */
#include "cal-fuzz.h"

#include "cal-nn-graph.h"
#include "cal-onnx.h"

static void
infer_for_patch (CalNnGraph *graph)
{
  g_autofree CalNnShape *inputs = g_new0 (CalNnShape, MAX (graph->inputs->len, 1));
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, MAX (graph->tensors->len, 1));

  /* Free axes become a 2-slice batch of 32-voxel patches. */
  for (guint i = 0; i < graph->inputs->len; i++)
    {
      const CalNnShape *declared =
        &cal_nn_graph_get_tensor (graph, g_array_index (graph->inputs, int, i))->shape;
      inputs[i] = *declared;
      for (guint a = 0; a < declared->rank; a++)
        if (declared->d[a] < 0)
          inputs[i].d[a] = a == 0 ? 2 : 32;
    }
  cal_nn_graph_infer_shapes (graph, inputs, shapes, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalNnGraph) graph = cal_onnx_parse (bytes, &error);

  if (graph != NULL && cal_nn_graph_prepare (graph, NULL))
    infer_for_patch (graph);
  return 0;
}
