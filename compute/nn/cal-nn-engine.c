/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The network engine: operator dispatch, the activation pool, submission
 * sizing and the run itself.  Operators live in cal-nn-*.c beside it. */
#include "cal-nn-engine-private.h"

#include <string.h>

/* Until the first submission has been timed: lavapipe on two cores does
 * about 10⁷ FLOP per millisecond. */
#define INITIAL_COST_PER_MS 1e7

/* Workgroup size: a few subgroups on GPUs; 64 lanes on CPU devices
 * (lavapipe runs one workgroup per thread, 8 or 16 lanes at a time). */
static guint32
choose_local_size (const CalVkDevice *dev,
                   CalVkDeviceKind    kind)
{
  guint32 wanted = kind == CAL_VK_DEVICE_CPU ? 64 : 128;
  guint32 limit = MIN (dev->properties.limits.maxComputeWorkGroupInvocations,
                       dev->properties.limits.maxComputeWorkGroupSize[0]);

  while (wanted > limit && wanted > 1)
    wanted /= 2;
  return wanted;
}

CalVkKernel *
cal_nn_kernel (CalNnEngine  *e,
               const char   *shader,
               guint32       push_size,
               GError      **error)
{
  return cal_nn_kernel_texels (e, shader, push_size, NULL, 0, 0, error);
}

/* A pipeline per shader and set of specialization constants (1 and up;
 * constant 0 is the local size, chosen from the device's limits), built
 * once per engine: kernels specialised on their window unroll its loops,
 * which matters most on lavapipe, where every loop iteration pays for the
 * masks of its invocations. */
CalVkKernel *
cal_nn_kernel_texels (CalNnEngine    *e,
                      const char     *shader,
                      guint32         push_size,
                      const guint32  *constants,
                      guint           n_constants,
                      guint32         n_texels,
                      GError        **error)
{
  g_autoptr(GString) key = g_string_new (shader);
  g_autofree char *variant = e->half ? g_strconcat (shader, "-half", NULL) : g_strdup (shader);
  guint32 all[CAL_VK_MAX_CONSTANTS] = { e->local_size };
  CalVkKernel *kernel;

  g_return_val_if_fail (n_constants < CAL_VK_MAX_CONSTANTS, NULL);
  for (guint i = 0; i < n_constants; i++)
    {
      g_string_append_printf (key, ":%u", constants[i]);
      all[i + 1] = constants[i];
    }
  if ((kernel = g_hash_table_lookup (e->kernels, key->str)) != NULL)
    return kernel;
  if (push_size > e->dev->properties.limits.maxPushConstantsSize)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_UNSUPPORTED,
                   "The device takes %u bytes of push constants; the kernel “%s” needs %u",
                   e->dev->properties.limits.maxPushConstantsSize, shader, push_size);
      return NULL;
    }
  kernel = cal_vk_kernel_new_texels (e->context, variant, push_size, all, n_constants + 1, n_texels, error);
  if (kernel != NULL)
    g_hash_table_insert (e->kernels, g_string_free (g_steal_pointer (&key), FALSE), kernel);
  return kernel;
}

CalVkBuffer *
cal_nn_upload (CalNnEngine  *e,
               gconstpointer data,
               gsize         size,
               const char   *what,
               GError      **error)
{
  CalVkBuffer *buffer = cal_vk_buffer_new (e->context, MAX (size, 16), what, error);

  if (buffer != NULL && !cal_vk_buffer_upload (e->context, buffer, 0, data, size, error))
    {
      cal_vk_buffer_free (e->context, buffer);
      return NULL;
    }
  return buffer;
}

VkDeviceAddress
cal_nn_address (CalNnEngine *e,
                int          tensor)
{
  return e->buffers[tensor] ? e->buffers[tensor]->address : 0;
}

gboolean
cal_nn_texel_views (CalNnEngine  *e,
                    int           tensor,
                    CalVkBuffer  *weights,
                    VkBufferView  views[3])
{
  if (!e->texels || e->buffers[tensor] == NULL || weights == NULL)
    return FALSE;
  views[0] = cal_vk_buffer_texels (e->context, e->buffers[tensor], e->half ? CAL_VK_TEXELS_HALF : CAL_VK_TEXELS_FLOAT,
                                   NULL);
  views[1] = cal_vk_buffer_texels (e->context, weights, CAL_VK_TEXELS_VEC4, NULL);
  views[2] = cal_vk_buffer_texels (e->context, e->buffers[tensor], e->half ? CAL_VK_TEXELS_HALF4 : CAL_VK_TEXELS_VEC4,
                                   NULL);
  return views[0] != VK_NULL_HANDLE && views[1] != VK_NULL_HANDLE && views[2] != VK_NULL_HANDLE;
}

static gboolean
prepare_node (CalNnEngine *e,
              guint        i,
              GError     **error)
{
  CalNnNode *node = cal_nn_graph_node (e->graph, i);

  if (node->act == CAL_NN_ACT_PRELU && cal_nn_constant (e, node->act_slope, error) == 0)
    return FALSE;
  return cal_nn_op_class (node->op)->prepare (e, i, error);
}

static float  **engine_run        (CalNnExecutor *self, const float **inputs, const CalNnShape *input_shapes,
                                   CalNnShape *output_shapes, GCancellable *cancellable, GError **error);
static guint64  engine_plan_bytes (CalNnExecutor *self, const CalNnShape *input_shapes, GError **error);
static void     engine_finalize   (CalNnExecutor *self);

static const CalNnExecutorClass engine_class = {
  .run = engine_run,
  .plan_bytes = engine_plan_bytes,
  .finalize = engine_finalize,
  .out_of_memory_domain = cal_vk_error_quark,
  .out_of_memory_code = CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY,
  .memory_name = "device memory",
};

CalNnEngine *
cal_nn_engine_new (CalVkContext  *context,
                   CalNnGraph    *graph,
                   GError       **error)
{
  return cal_nn_engine_new_full (context, graph, CAL_NN_ENGINE_DEFAULT, error);
}

CalNnEngine *
cal_nn_engine_new_full (CalVkContext     *context,
                        CalNnGraph       *graph,
                        CalNnEngineFlags  flags,
                        GError          **error)
{
  g_autofree char *device = NULL;
  CalNnEngine *e;

  if ((flags & CAL_NN_ENGINE_HALF_STORAGE) && !cal_vk_context_get_device (context)->storage16)
    {
      g_set_error (error, CAL_VK_ERROR, CAL_VK_ERROR_UNSUPPORTED,
                   "%s cannot keep 16-bit floats in buffers (storageBuffer16BitAccess); run without fp16 storage",
                   cal_vk_context_get_info (context)->name);
      return NULL;
    }
  e = g_new0 (CalNnEngine, 1);
  e->half = (flags & CAL_NN_ENGINE_HALF_STORAGE) != 0;
  device = g_strdup_printf ("%s%s", cal_vk_context_get_info (context)->name, e->half ? " (16-bit activations)" : "");
  cal_nn_executor_init (&e->parent, &engine_class, graph, device, cal_vk_context_get_info (context)->device_memory);
  e->act_size = e->half ? sizeof (guint16) : sizeof (float);
  e->act_constants = g_new0 (CalVkBuffer *, graph->tensors->len);

  e->context = g_object_ref (context);
  e->dev = cal_vk_context_get_device (context);
  e->graph = graph;
  e->local_size = choose_local_size (e->dev, cal_vk_context_get_info (context)->kind);
  e->kernels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  e->prepared = g_new0 (CalNnPrepared, graph->nodes->len);
  e->constants = g_new0 (CalVkBuffer *, graph->tensors->len);
  e->pool = g_ptr_array_new ();
  e->cost_per_ms = INITIAL_COST_PER_MS;
  e->profile = g_getenv ("CALVARIA_NN_PROFILE") != NULL;
  /* CALVARIA_NN_TEXELS=0 forces the buffer-address kernels (tests run both). */
  e->texels = e->dev->push_descriptors && g_strcmp0 (g_getenv ("CALVARIA_NN_TEXELS"), "0") != 0;
  for (guint i = 0; i < graph->nodes->len; i++)
    if (!prepare_node (e, i, error))
      {
        cal_nn_engine_free (e);
        return NULL;
      }
  return e;
}

static void
free_buffer (CalNnEngine *e,
             CalVkBuffer *buffer)
{
  if (buffer != NULL)
    cal_vk_buffer_free (e->context, buffer);
}

void
cal_nn_engine_free (CalNnEngine *e)
{
  if (e != NULL)
    cal_nn_executor_free (&e->parent);
}

static void
engine_finalize (CalNnExecutor *self)
{
  CalNnEngine *e = (CalNnEngine *) self;
  GHashTableIter iter;
  gpointer kernel;

  for (guint i = 0; i < e->graph->nodes->len; i++)
    {
      free_buffer (e, e->prepared[i].weights);
      free_buffer (e, e->prepared[i].bias);
      free_buffer (e, e->prepared[i].table);
    }
  for (guint i = 0; i < e->graph->tensors->len; i++)
    {
      free_buffer (e, e->constants[i]);
      free_buffer (e, e->act_constants[i]);
    }
  for (guint i = 0; i < e->pool->len; i++)
    free_buffer (e, e->pool->pdata[i]);
  g_hash_table_iter_init (&iter, e->kernels);
  while (g_hash_table_iter_next (&iter, NULL, &kernel))
    cal_vk_kernel_free (e->context, kernel);
  g_hash_table_unref (e->kernels);
  g_ptr_array_unref (e->pool);
  g_free (e->prepared);
  g_free (e->constants);
  g_free (e->act_constants);
  g_object_unref (e->context);
  g_free (e);
}

gboolean
cal_nn_engine_get_half_storage (CalNnEngine *e)
{
  return e->half;
}

CalVkContext *
cal_nn_engine_get_context (CalNnEngine *e)
{
  return e->context;
}

CalNnExecutor *
cal_nn_engine_as_executor (CalNnEngine *e)
{
  return &e->parent;
}

/* Submission ----------------------------------------------------------- */

static gboolean
submit_and_continue (CalNnEngine *e,
                     gboolean     continue_recording)
{
  gint64 start = g_get_monotonic_time ();
  double ms;

  e->recording = FALSE;
  if (!cal_vk_batch_submit (e->context, &e->run_error))
    return FALSE;
  e->parent.stats.submissions++;
  ms = (g_get_monotonic_time () - start) / 1000.0;
  if (ms > 1.0 && e->pending_cost > 0)
    e->cost_per_ms = 0.5 * e->cost_per_ms + 0.5 * e->pending_cost / ms;
  e->pending_cost = 0;
  if (g_cancellable_set_error_if_cancelled (e->cancellable, &e->run_error))
    return FALSE;
  if (continue_recording)
    e->recording = cal_vk_batch_begin (e->context, &e->run_error);
  return !continue_recording || e->recording;
}

void
cal_nn_dispatch (CalNnEngine *e,
                 CalVkKernel *kernel,
                 gpointer     push,
                 guint32      count,
                 double       cost,
                 gboolean     items_are_groups)
{
  cal_nn_dispatch_texels (e, kernel, push, NULL, count, cost, items_are_groups);
}

void
cal_nn_dispatch_texels (CalNnEngine        *e,
                        CalVkKernel        *kernel,
                        gpointer            push,
                        const VkBufferView *views,
                        guint32             count,
                        double              cost,
                        gboolean            items_are_groups)
{
  double budget = e->cost_per_ms * cal_vk_context_get_submission_target (e->context);
  guint32 chunk = (guint32) CLAMP (budget / MAX (cost, 1.0), e->local_size, G_MAXUINT32 / 2);
  guint32 *header = push;

  if (items_are_groups)
    chunk = MIN (chunk, 65535u);
  chunk = MIN (chunk, 65535u * 1024u);
  header[1] = count;
  for (guint32 first = 0; first < count && e->run_error == NULL; first += chunk)
    {
      guint32 n = MIN (chunk, count - first);
      header[0] = first;
      if (e->pending_cost > 0 && e->pending_cost + n * cost > budget && !submit_and_continue (e, TRUE))
        return;
      cal_vk_batch_dispatch_texels (e->context, kernel, push, views, items_are_groups ? n * kernel->local_size : n);
      e->pending_cost += n * cost;
    }
}

/* The activation pool --------------------------------------------------- */

static CalVkBuffer *
pool_take (CalNnEngine *e,
           gsize        bytes)
{
  int best = -1;
  CalVkBuffer *buffer;

  for (guint i = 0; i < e->pool->len; i++)
    {
      CalVkBuffer *b = e->pool->pdata[i];
      if (b->size >= bytes && (best < 0 || b->size < ((CalVkBuffer *) e->pool->pdata[best])->size))
        best = (int) i;
    }
  if (best >= 0)
    return g_ptr_array_steal_index_fast (e->pool, (guint) best);
  buffer = cal_vk_buffer_new (e->context, MAX (bytes, 16), "network activations", NULL);
  if (buffer == NULL && e->pool->len > 0)
    {
      /* Free buffers of the wrong size and try again before giving up. */
      for (guint i = 0; i < e->pool->len; i++)
        cal_vk_buffer_free (e->context, e->pool->pdata[i]);
      g_ptr_array_set_size (e->pool, 0);
    }
  if (buffer == NULL)
    buffer = cal_vk_buffer_new (e->context, MAX (bytes, 16), "network activations", &e->run_error);
  return buffer;
}

static guint64
engine_plan_bytes (CalNnExecutor     *self,
                   const CalNnShape  *input_shapes,
                   GError           **error)
{
  CalNnEngine *e = (CalNnEngine *) self;
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, e->graph->tensors->len);

  if (!cal_nn_graph_infer_shapes (e->graph, input_shapes, shapes, error))
    return 0;
  /* The same best-fit reuse as pool_take(), on sizes only. */
  return cal_nn_graph_plan_bytes (e->graph, shapes, e->act_size);
}

/* The one table from operators to their classes; every operator the
 * loader keeps that has no family of its own is elementwise. */
static const CalNnOpClass *const op_classes[CAL_NN_N_OPS] = {
  [CAL_NN_OP_CONV]           = &cal_nn_conv_class,
  [CAL_NN_OP_CONV_TRANSPOSE] = &cal_nn_conv_transpose_class,
  [CAL_NN_OP_BATCH_NORM]     = &cal_nn_batch_norm_class,
  [CAL_NN_OP_INSTANCE_NORM]  = &cal_nn_instance_norm_class,
  [CAL_NN_OP_SOFTMAX]        = &cal_nn_softmax_class,
  [CAL_NN_OP_MAX_POOL]       = &cal_nn_pool_class,
  [CAL_NN_OP_AVERAGE_POOL]   = &cal_nn_pool_class,
  [CAL_NN_OP_RESIZE]         = &cal_nn_resize_class,
  [CAL_NN_OP_CONCAT]         = &cal_nn_concat_class,
};

const CalNnOpClass *
cal_nn_op_class (CalNnOp op)
{
  return (guint) op < CAL_NN_N_OPS && op_classes[op] != NULL ? op_classes[op] : &cal_nn_elementwise_class;
}

static gboolean
setup_node (CalNnEngine *e,
            guint        i,
            GError     **error)
{
  const CalNnOpClass *klass = cal_nn_op_class (cal_nn_graph_node (e->graph, i)->op);

  return klass->setup == NULL || klass->setup (e, i, error);
}

static void
record_node (CalNnEngine *e,
             guint        i)
{
  cal_nn_op_class (cal_nn_graph_node (e->graph, i)->op)->record (e, i);
}

/* With CALVARIA_NN_PROFILE set, each node runs in a submission of its own
 * and its time goes to stderr: slow for the network as a whole, but it
 * shows where the time goes (tools/bench/unet). */
static void
profile_node (CalNnEngine *e,
              CalNnNode   *n,
              gint64       start)
{
  const CalNnShape *s = &e->shapes[n->output];

  if (submit_and_continue (e, TRUE))
    g_printerr ("profile %-22s %-14s out %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                " %8.3f ms\n", n->name ? n->name : "", cal_nn_op_name (n->op), s->d[1], s->d[s->rank - 2], s->d[s->rank - 1],
                (g_get_monotonic_time () - start) / 1000.0);
}

/* Records every node; activation buffers go back to the pool once their
 * last reader is recorded (the barrier after each node orders the reuse). */
static void
record_all (CalNnEngine  *e,
            CalVkBuffer **held,
            const int    *last)
{
  CalNnGraph *graph = e->graph;

  for (guint i = 0; i < graph->nodes->len && e->run_error == NULL; i++)
    {
      CalNnNode *n = cal_nn_graph_node (graph, i);
      gsize bytes = cal_nn_shape_count (&e->shapes[n->output]) * e->act_size;
      gint64 start = g_get_monotonic_time ();

      held[n->output] = pool_take (e, bytes);
      if (held[n->output] == NULL)
        return;
      e->buffers[n->output] = held[n->output];
      record_node (e, i);
      cal_vk_batch_barrier (e->context);
      if (e->profile)
        profile_node (e, n, start);
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && last[n->inputs[k]] == (int) i && held[n->inputs[k]] != NULL)
          {
            g_ptr_array_add (e->pool, held[n->inputs[k]]);
            held[n->inputs[k]] = NULL;
          }
    }
}

static gboolean
upload_inputs (CalNnEngine   *e,
               const float  **inputs,
               CalVkBuffer  **held)
{
  for (guint i = 0; i < e->graph->inputs->len; i++)
    {
      int t = g_array_index (e->graph->inputs, int, i);
      gsize n = cal_nn_shape_count (&e->shapes[t]);
      g_autofree guint16 *halves = e->half ? cal_nn_floats_to_halves (inputs[i], n) : NULL;
      held[t] = pool_take (e, n * e->act_size);
      if (held[t] == NULL || !cal_vk_buffer_upload (e->context, held[t], 0, halves ? (gconstpointer) halves : inputs[i],
                                                    n * e->act_size, &e->run_error))
        return FALSE;
      e->buffers[t] = held[t];
    }
  for (guint t = 0; t < e->graph->tensors->len; t++)
    if (e->act_constants[t] != NULL || e->constants[t] != NULL)
      e->buffers[t] = e->act_constants[t] ? e->act_constants[t] : e->constants[t];
  return TRUE;
}

static void
download_output (CalNnEngine *e,
                 CalVkBuffer *buffer,
                 float       *out,
                 gsize        n)
{
  g_autofree guint16 *halves = NULL;

  if (!e->half)
    {
      cal_vk_buffer_download (e->context, buffer, 0, out, n * sizeof (float), &e->run_error);
      return;
    }
  halves = g_new (guint16, MAX (n, 1));
  if (cal_vk_buffer_download (e->context, buffer, 0, halves, n * sizeof (guint16), &e->run_error))
    cal_nn_halves_to_floats (halves, out, n);
}

/* Graph outputs come from their buffers, or straight from the host where
 * the graph passes an input or a constant through. */
static float **
collect_outputs (CalNnEngine   *e,
                 const float  **inputs,
                 CalVkBuffer  **held,
                 CalNnShape    *output_shapes)
{
  CalNnGraph *graph = e->graph;
  float **outputs = g_new0 (float *, graph->outputs->len + 1);

  for (guint i = 0; i < graph->outputs->len; i++)
    {
      int t = g_array_index (graph->outputs, int, i);
      gsize bytes = cal_nn_shape_count (&e->shapes[t]) * sizeof (float);
      const float *host = cal_nn_graph_get_tensor (graph, t)->data;
      int k = cal_nn_graph_input_index (graph, t);

      output_shapes[i] = e->shapes[t];
      outputs[i] = g_malloc (MAX (bytes, 4));
      if (host == NULL && k >= 0)
        host = inputs[k];
      if (host != NULL)
        memcpy (outputs[i], host, bytes);
      else if (e->run_error == NULL)
        download_output (e, held[t], outputs[i], bytes / sizeof (float));
    }
  if (e->run_error != NULL)
    {
      g_strfreev ((char **) outputs);
      return NULL;
    }
  return outputs;
}

static float **
engine_run (CalNnExecutor     *self,
            const float      **inputs,
            const CalNnShape  *input_shapes,
            CalNnShape        *output_shapes,
            GCancellable      *cancellable,
            GError           **error)
{
  CalNnEngine *e = (CalNnEngine *) self;
  CalNnGraph *graph = e->graph;
  g_autofree CalNnShape *shapes = g_new0 (CalNnShape, graph->tensors->len);
  g_autofree CalVkBuffer **buffers = g_new0 (CalVkBuffer *, graph->tensors->len);
  g_autofree CalVkBuffer **held = g_new0 (CalVkBuffer *, graph->tensors->len);
  g_autofree int *last = cal_nn_graph_last_uses (graph);
  gint64 start = g_get_monotonic_time ();
  float **outputs = NULL;

  if (!cal_nn_graph_infer_shapes (graph, input_shapes, shapes, error))
    return NULL;
  e->shapes = shapes;
  e->buffers = buffers;
  e->cancellable = cancellable;
  e->pending_cost = 0;
  e->parent.stats = (CalNnRunStats) { .flops = cal_nn_graph_flops (graph, shapes) };
  g_clear_error (&e->run_error);
  if (upload_inputs (e, inputs, held))
    {
      for (guint i = 0; i < graph->nodes->len && e->run_error == NULL; i++)
        setup_node (e, i, &e->run_error);
    }
  if (e->run_error == NULL && (e->recording = cal_vk_batch_begin (e->context, &e->run_error)))
    {
      record_all (e, held, last);
      /* Even after an error an open batch is submitted: it holds the queue. */
      if (e->run_error == NULL)
        submit_and_continue (e, FALSE);
      else if (e->recording)
        {
          e->recording = FALSE;
          cal_vk_batch_submit (e->context, NULL);
        }
    }
  if (e->run_error == NULL)
    outputs = collect_outputs (e, inputs, held, output_shapes);
  for (guint t = 0; t < graph->tensors->len; t++)
    if (held[t] != NULL)
      g_ptr_array_add (e->pool, held[t]);
  for (guint i = 0; i < e->pool->len; i++)
    e->parent.stats.peak_bytes += ((CalVkBuffer *) e->pool->pdata[i])->size;
  e->parent.stats.seconds = (g_get_monotonic_time () - start) / 1e6;
  e->shapes = NULL;
  e->buffers = NULL;
  e->cancellable = NULL;
  if (e->run_error != NULL)
    g_propagate_error (error, g_steal_pointer (&e->run_error));
  return outputs;
}
