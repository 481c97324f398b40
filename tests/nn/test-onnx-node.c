/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The official ONNX operator tests (Debian's libonnx-testdata): every test
 * whose graph uses only operators Calvaria supports runs on the CPU
 * reference, on the Vulkan engine (lavapipe in CI) and on the CPU
 * executor (oneDNN) and must match the expected outputs with the same
 * tolerances; no convolution may fall to oneDNN's reference code.  The few that use a feature Calvaria refuses (integer
 * tensors, training mode, cubic resizing...) are listed below with the
 * reason; they must be refused with that error, not run wrongly.  The
 * summary line says how many ran, passed and were refused.
 */
#include <math.h>
#include <string.h>

#include "cal-nn-cpu.h"
#include "cal-nn-engine-private.h"
#include "cal-onnx.h"
#include "cal-test-util.h"
#include "cal-test-vk.h"

#ifndef ONNX_TESTDATA
#define ONNX_TESTDATA "/usr/share/libonnx-testdata/data"
#endif

/* Tests of supported operators that use something Calvaria refuses. */
static const struct {
  const char *prefix;
  const char *reason;   /* part of the error message */
} refused[] = {
  { "test_add_uint8", "float32" },
  { "test_mul_uint8", "float32" },
  { "test_clip_default_int8", "float32" },
  { "test_maxpool_2d_uint8", "float32" },
  { "test_batchnorm_epsilon_training_mode", "only the first output" },
  { "test_batchnorm_example_training_mode", "only the first output" },
  { "test_dropout_default_mask", "only the first output" },
  { "test_training_dropout", "training_mode" },
  { "test_maxpool_with_argmax", "only the first output" },
  { "test_resize_downsample_scales_cubic", "cubic" },
  { "test_resize_downsample_sizes_cubic", "cubic" },
  { "test_resize_upsample_scales_cubic", "cubic" },
  { "test_resize_upsample_sizes_cubic", "cubic" },
  { "test_resize_tf_crop_and_resize", "tf_crop_and_resize" },
  { "test_operator_non_float_params", "float32" },
  { "test_identity_sequence", "not a tensor" },
  { "test_identity_opt", "not a tensor" },
};

static const char *const supported_ops[] = {
  "Conv", "ConvTranspose", "BatchNormalization", "InstanceNormalization", "Relu", "LeakyRelu", "PRelu",
  "Sigmoid", "Clip", "Softmax", "MaxPool", "AveragePool", "Resize", "Upsample", "Concat", "Add", "Mul",
  "Identity", "Dropout", "Constant",
};

typedef struct {
  char *name;
  char *dir;
} Case;

static CalVkContext *vk_context;
static guint n_cases, n_passed_reference, n_passed_vulkan, n_passed_cpu, n_refused;
static CalNnCpuCensus cpu_census;   /* summed over the cases */

static const char *
refusal_reason (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    if (g_str_has_prefix (name, refused[i].prefix))
      return refused[i].reason;
  return NULL;
}

static gboolean
uses_only_supported (const char *model_path)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (model_path, FALSE, NULL);
  g_autoptr(GBytes) bytes = file ? g_mapped_file_get_bytes (file) : NULL;
  g_auto(GStrv) ops = bytes ? cal_onnx_list_operators (bytes, NULL) : NULL;

  if (ops == NULL || ops[0] == NULL)
    return FALSE;
  for (guint i = 0; ops[i]; i++)
    if (!g_strv_contains (supported_ops, ops[i]))
      return FALSE;
  return TRUE;
}

typedef struct {
  guint       n;
  CalNnShape  shapes[16];
  float      *floats[16];
  gint64     *ints[16];
  gsize       n_ints[16];
} TensorSet;

static void
tensor_set_clear (TensorSet *set)
{
  for (guint i = 0; i < set->n; i++)
    {
      g_free (set->floats[i]);
      g_free (set->ints[i]);
    }
}

static gboolean
read_set (const char *dir,
          const char *kind,
          TensorSet  *set,
          GError    **error)
{
  memset (set, 0, sizeof *set);
  for (set->n = 0; set->n < G_N_ELEMENTS (set->shapes); set->n++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%s_%u.pb", dir, kind, set->n);
      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        break;
      if (!cal_onnx_read_tensor (file, &set->shapes[set->n], &set->floats[set->n], &set->ints[set->n],
                                 &set->n_ints[set->n], error))
        return FALSE;
    }
  return TRUE;
}

/* The test's graph with every input but the first bound as a constant:
 * node tests feed weights, scales and bounds as inputs, where deployed
 * models hold them as initializers. */
static CalNnGraph *
load_case (const Case *c,
           TensorSet  *inputs,
           GError    **error)
{
  g_autofree char *model = g_build_filename (c->dir, "model.onnx", NULL);
  g_autofree char *data = g_build_filename (c->dir, "test_data_set_0", NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (model, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CalNnGraph) graph = NULL;

  memset (inputs, 0, sizeof *inputs);
  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  if ((graph = cal_onnx_parse (bytes, error)) == NULL || !read_set (data, "input", inputs, error))
    return NULL;
  if (graph->inputs->len != inputs->n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the graph has %u inputs, the data %u",
                   graph->inputs->len, inputs->n);
      return NULL;
    }
  for (guint i = inputs->n; i-- > 1;)
    {
      cal_nn_graph_bind_input (graph, i, &inputs->shapes[i], inputs->floats[i], inputs->ints[i], inputs->n_ints[i]);
      inputs->floats[i] = NULL;
      inputs->ints[i] = NULL;
    }
  if (!cal_nn_graph_prepare (graph, error))
    return NULL;
  return g_steal_pointer (&graph);
}

/* ONNX's own backend tests compare with rtol 1e-3, atol 1e-7; the GPU
 * sums in another order, so atol is 1e-5 here. */
static gboolean
matches (const char       *backend,
         float           **got,
         const CalNnShape *got_shapes,
         const TensorSet  *expected)
{
  for (guint o = 0; o < expected->n; o++)
    {
      gint64 count = cal_nn_shape_count (&expected->shapes[o]);
      g_assert_nonnull (expected->floats[o]);
      if (cal_nn_shape_count (&got_shapes[o]) != count)
        {
          g_test_fail_printf ("%s: output %u has %" G_GINT64_FORMAT " values, expected %" G_GINT64_FORMAT,
                              backend, o, cal_nn_shape_count (&got_shapes[o]), count);
          return FALSE;
        }
      for (gint64 i = 0; i < count; i++)
        {
          double e = expected->floats[o][i], g = got[o][i];
          if (g != e && !(fabs (g - e) <= 1e-5 + 1e-3 * fabs (e)))
            {
              g_test_fail_printf ("%s: output %u value %" G_GINT64_FORMAT " is %.8g, expected %.8g",
                                  backend, o, i, g, e);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static void
free_outputs (float **outputs,
              guint   n)
{
  for (guint i = 0; i < n; i++)
    g_free (outputs[i]);
  g_free (outputs);
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GError) error = NULL;
  TensorSet inputs, expected;
  g_autoptr(CalNnGraph) graph = load_case (c, &inputs, &error);
  g_autofree char *out_dir = g_build_filename (c->dir, "test_data_set_0", NULL);
  const char *reason = refusal_reason (c->name);
  CalNnShape shapes[16];
  float **outputs;

  n_cases++;
  if (reason != NULL)
    {
      if (graph != NULL)
        g_error ("%s is listed as refused (%s) but loaded; update the list", c->name, reason);
      if (strstr (error->message, reason) == NULL)
        g_error ("%s: expected a refusal mentioning “%s”, got: %s", c->name, reason, error->message);
      g_test_message ("refused as expected: %s", error->message);
      n_refused++;
      tensor_set_clear (&inputs);
      return;
    }
  if (graph == NULL)
    {
      g_test_fail_printf ("%s: %s", c->name, error->message);
      tensor_set_clear (&inputs);
      return;
    }
  g_assert_true (read_set (out_dir, "output", &expected, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (expected.n, ==, graph->outputs->len);

  {
    g_autoptr(CalNnExecutor) reference = cal_nn_reference_new (graph);
    outputs = cal_nn_executor_run (reference, (const float **) inputs.floats, inputs.shapes, shapes, NULL, &error);
  }
  g_assert_no_error (error);
  if (matches ("CPU reference", outputs, shapes, &expected))
    n_passed_reference++;
  else
    g_test_message ("the CPU reference failed too");
  free_outputs (outputs, expected.n);

  {
    g_autoptr(CalNnEngine) engine = cal_nn_engine_new (vk_context, graph, &error);
    g_assert_no_error (error);
    outputs = cal_nn_executor_run (cal_nn_engine_as_executor (engine), (const float **) inputs.floats, inputs.shapes,
                                   shapes, NULL, &error);
    g_assert_no_error (error);
    n_passed_vulkan += matches ("Vulkan", outputs, shapes, &expected);
    free_outputs (outputs, expected.n);
  }

  {
    g_autoptr(CalNnExecutor) cpu = cal_nn_cpu_new (graph, &error);
    CalNnCpuCensus census;
    g_assert_no_error (error);
    outputs = cal_nn_executor_run (cpu, (const float **) inputs.floats, inputs.shapes, shapes, NULL, &error);
    g_assert_no_error (error);
    n_passed_cpu += matches ("CPU (oneDNN)", outputs, shapes, &expected);
    free_outputs (outputs, expected.n);
    cal_nn_cpu_get_census (cpu, &census);
    cpu_census.convolutions += census.convolutions;
    cpu_census.reference_convolutions += census.reference_convolutions;
    cpu_census.reference_nodes += census.reference_nodes;
  }
  tensor_set_clear (&inputs);
  tensor_set_clear (&expected);
}

static void
add_cases (const char *suite,
           GPtrArray  *cases)
{
  g_autofree char *root = g_build_filename (g_getenv ("CALVARIA_ONNX_TESTDATA") ? g_getenv ("CALVARIA_ONNX_TESTDATA")
                                                                               : ONNX_TESTDATA, suite, NULL);
  g_autoptr(GDir) dir = g_dir_open (cal_test_require_path (root), 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *model = g_build_filename (root, names->pdata[i], "model.onnx", NULL);
      Case *c;
      g_autofree char *path = NULL;

      if (!uses_only_supported (model))
        continue;
      c = g_new0 (Case, 1);
      c->name = g_strdup (names->pdata[i]);
      c->dir = g_build_filename (root, names->pdata[i], NULL);
      g_ptr_array_add (cases, c);
      path = g_strdup_printf ("/onnx-%s/%s", suite, c->name);
      g_test_add_data_func (path, c, run_case);
    }
}

static void
summary (void)
{
  g_assert_cmpuint (n_cases, >, 100);
  g_assert_cmpuint (n_passed_reference + n_refused, ==, n_cases);
  g_assert_cmpuint (n_passed_vulkan + n_refused, ==, n_cases);
  g_assert_cmpuint (n_passed_cpu + n_refused, ==, n_cases);
  /* Each case's convolutions ran on oneDNN's optimised kernels (the
   * executor refuses reference ones here: CALVARIA_NN_REFUSE_REFERENCE). */
  g_assert_cmpuint (cpu_census.convolutions, >, 30);
  g_assert_cmpuint (cpu_census.reference_convolutions, ==, 0);
  printf ("# ONNX operator tests: %u selected (all whose operators Calvaria supports); "
          "%u passed on the CPU reference, %u on Vulkan (%s), %u on the CPU executor (%u convolutions on oneDNN, "
          "none on its reference code; %u nodes on the CPU reference); %u refused as listed; none skipped\n",
          n_cases, n_passed_reference, n_passed_vulkan, cal_vk_context_get_info (vk_context)->name, n_passed_cpu,
          cpu_census.convolutions, cpu_census.reference_nodes, n_refused);
}

/* The host's binary16 conversions (inputs and outputs of engines with
 * 16-bit activations): ties to even, overflow to infinity, subnormals, and
 * every half back and forth unchanged. */
static void
half_conversion (void)
{
  const struct { float value; guint16 half; } cases[] = {
    { 1.0f, 0x3c00 }, { -2.0f, 0xc000 }, { 0.0f, 0x0000 }, { -0.0f, 0x8000 },
    { 65504.0f, 0x7bff }, { 65520.0f, 0x7c00 }, { 1e6f, 0x7c00 }, { INFINITY, 0x7c00 }, { -INFINITY, 0xfc00 },
    { 0x1p-24f, 0x0001 }, { 0x1p-25f, 0x0000 }, { 0x3p-25f, 0x0002 }, { 0x1p-14f, 0x0400 }, { 1e-9f, 0x0000 },
    { 1.0f + 0x1p-11f, 0x3c00 }, { 1.0f + 0x3p-11f, 0x3c02 }, { 0.1f, 0x2e66 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmphex (cal_nn_float_to_half (cases[i].value), ==, cases[i].half);
  g_assert_cmphex (cal_nn_float_to_half (NAN) & 0x7c00, ==, 0x7c00);
  g_assert_cmphex (cal_nn_float_to_half (NAN) & 0x03ff, !=, 0);
  for (guint h = 0; h < 0x10000; h++)
    if ((h & 0x7c00) != 0x7c00 || (h & 0x03ff) == 0)
      g_assert_cmphex (cal_nn_float_to_half (cal_nn_half_to_float ((guint16) h)), ==, h);
  g_assert_cmpfloat (cal_nn_half_to_float (0x0001), ==, 0x1p-24f);
  g_assert_cmpfloat (cal_nn_half_to_float (0x3555), ==, 0x1.554p-2f);
}

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->name);
  g_free (c->dir);
  g_free (c);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (case_free);
  int status;

  g_setenv ("CALVARIA_NN_REFUSE_REFERENCE", "1", TRUE);
  cal_test_vk_isolate_cache ();
  g_test_init (&argc, &argv, NULL);
  vk_context = cal_test_vk_context_or_skip ();
  add_cases ("node", cases);
  add_cases ("pytorch-operator", cases);
  add_cases ("pytorch-converted", cases);
  g_test_add_func ("/onnx/half-conversion", half_conversion);
  g_test_add_func ("/onnx/summary", summary);
  status = g_test_run ();
  g_object_unref (vk_context);
  return status;
}
