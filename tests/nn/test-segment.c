/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-call segmentation (compute/cal-segment.h) with the shipped skull
 * model on a held-out phantom: bone where the labels say, defects open, the
 * head rest (here as bright as bone) left out; the model's density floor;
 * the async form's progress and cancellation; refused settings. */
#include <math.h>
#include <string.h>

#include "cal-mask-components.h"
#include "cal-nn-engine.h"
#include "cal-onnx.h"
#include "cal-phantom.h"
#include "cal-segment.h"
#include "cal-test-util.h"
#include "cal-test-vk.h"

/* Held out from training (tools/train uses 1001–1040): two burr holes,
 * two bevelled flaps, a 807 HU head rest, 3 mm slices (few slices: fast). */
#define TEST_SEED 9018

typedef struct {
  CalNnGraph   *graph;       /* the engine borrows it */
  CalVkContext *vk;
  CalNnEngine  *engine;
  CalNnExecutor *executor;    /* the engine, as what runs the network */
  CalVolume    *ct;
  CalMask      *labels;
} Fixture;

static Fixture fixture;

static void
setup_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model = cal_segment_default_model (&error);
  CalNnGraph *graph;
  CalPhantomParams params;
  char *bytes;
  gsize size;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (model, &bytes, &size, NULL));
  g_assert_cmpuint (size, <=, 10 * 1000 * 1000);   /* what ships stays small */
  g_free (bytes);
  graph = fixture.graph = cal_onnx_load (model, &error);
  g_assert_no_error (error);
  /* It says how to make it again. */
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (graph->metadata, "calvaria.training"),
                                   "tools/train/train_skull.py "));
  g_assert_cmpuint (graph->preprocess.context_slices, ==, 3);
  g_assert_true (graph->preprocess.output_is_logits);
  fixture.vk = cal_test_vk_context_or_skip ();
  fixture.engine = cal_nn_engine_new (fixture.vk, graph, &error);
  g_assert_no_error (error);
  fixture.executor = cal_nn_engine_as_executor (fixture.engine);
  cal_phantom_params_from_seed (&params, TEST_SEED);
  g_assert_cmpfloat (params.slice_mm, ==, 3.0);
  g_assert_cmpfloat (params.headrest_hu, >, 500);
  g_assert_true (cal_phantom_generate (&params, &fixture.ct, &fixture.labels, NULL, &error));
  g_assert_no_error (error);
}

typedef struct {
  double   last;
  guint    calls;
  gboolean monotonic;
  GCancellable *cancel_at_first;
} ProgressLog;

static void
record_progress (double   fraction,
                 gpointer user_data)
{
  ProgressLog *log = user_data;

  log->monotonic &= fraction >= log->last && fraction <= 1.0;
  log->last = fraction;
  log->calls++;
  if (log->cancel_at_first)
    g_cancellable_cancel (log->cancel_at_first);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static CalMask *
segment_async (ProgressLog      *log,
               GCancellable     *cancellable,
               CalSegmentReport *report,
               GError          **error)
{
  GAsyncResult *result = NULL;
  CalMask *mask;

  cal_segment_async (NULL, NULL, fixture.ct, NULL, record_progress, log, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  mask = cal_segment_finish (result, report, error);
  g_object_unref (result);
  return mask;
}

/* The reference, as for real scans: the skull's largest connected piece
 * (the jaw and spine stop short of it; thin bone may break off too). */
static CalMask *
skull_reference (void)
{
  const CalGrid *grid = cal_mask_get_grid (fixture.labels);
  const guint8 *l = cal_mask_get_labels (fixture.labels);
  guint64 n = cal_grid_n_voxels (grid);
  guint8 *skull = g_malloc (n);
  CalMask *reference;

  for (guint64 v = 0; v < n; v++)
    skull[v] = l[v] == CAL_PHANTOM_SKULL;
  reference = cal_mask_new_take (grid, skull);
  cal_mask_keep_largest_component (reference, 1);
  return reference;
}

/* Voxels of `label` in the phantom that the mask calls bone, and how many there are. */
static guint64
bone_within (CalMask *mask,
             guint8   label,
             guint64 *n_label)
{
  const guint8 *m = cal_mask_get_labels (mask), *l = cal_mask_get_labels (fixture.labels);
  guint64 n = cal_grid_n_voxels (cal_mask_get_grid (mask)), hits = 0;

  *n_label = 0;
  for (guint64 v = 0; v < n; v++)
    if (l[v] == label)
      (*n_label)++, hits += m[v] != 0;
  return hits;
}

/* The largest share of any one defect's volume that the mask calls bone. */
static double
worst_defect_share (CalMask *mask,
                    guint   *n_defects)
{
  guint64 n = cal_grid_n_voxels (cal_mask_get_grid (mask));
  g_autofree guint32 *piece = g_new (guint32, n);
  g_autoptr(CalComponents) defects = cal_mask_components (fixture.labels, CAL_PHANTOM_DEFECT, piece);
  g_autofree guint64 *hits = g_new0 (guint64, defects->n_components);
  const guint8 *m = cal_mask_get_labels (mask);
  double worst = 0;

  for (guint64 v = 0; v < n; v++)
    if (piece[v] != G_MAXUINT32 && m[v])
      hits[piece[v]]++;
  *n_defects = 0;
  for (guint32 c = 0; c < defects->n_components; c++)
    if (defects->sizes[c] >= 20)   /* a few voxels cut off at a slice are no defect */
      worst = MAX (worst, (double) hits[c] / defects->sizes[c]), (*n_defects)++;
  return worst;
}

static void
test_phantom_with_defects (void)
{
  ProgressLog log = { 0, 0, TRUE, NULL };
  CalSegmentReport report = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) mask = segment_async (&log, NULL, &report, &error);
  g_autoptr(CalMask) reference = skull_reference ();
  const guint8 *m, *r = cal_mask_get_labels (reference);
  guint64 n_skull, n_defect, n_support, skull_hits, defect_hits, support_hits, n_bone;
  guint n_defects;
  double dsc, worst;

  g_assert_no_error (error);
  m = cal_mask_get_labels (mask);
  g_assert_true (log.monotonic);
  g_assert_cmpuint (log.calls, >=, 2);
  g_assert_cmpfloat (log.last, ==, 1.0);
  n_bone = cal_mask_count (mask, 1);
  g_assert_cmpuint (report.bone_voxels, ==, n_bone);
  g_assert_nonnull (report.device);
  g_assert_cmpfloat (report.threshold, ==, fixture.graph->preprocess.threshold);   /* the calibrated one */

  n_skull = cal_mask_count (reference, 1), skull_hits = 0;
  for (guint64 v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (mask)); v++)
    skull_hits += m[v] && r[v];
  dsc = 2.0 * skull_hits / (n_skull + n_bone);
  g_test_message ("DSC %.4f against the phantom's skull (largest piece, %" G_GUINT64_FORMAT " voxels)", dsc,
                  n_skull);
  g_assert_cmpfloat (dsc, >=, 0.95);
  defect_hits = bone_within (mask, CAL_PHANTOM_DEFECT, &n_defect);
  g_assert_cmpuint (n_defect, >, 1000);
  worst = worst_defect_share (mask, &n_defects);
  g_test_message ("%u defects; bone in them: %.3f %% overall, %.3f %% at worst", n_defects,
                  100.0 * defect_hits / n_defect, 100 * worst);
  g_assert_cmpuint (n_defects, >=, 2);
  g_assert_cmpfloat (worst, <=, 0.01);
  support_hits = bone_within (mask, CAL_PHANTOM_SUPPORT, &n_support);
  g_assert_cmpuint (n_support, >, 1000);
  g_assert_cmpuint (support_hits, ==, 0);
  cal_segment_report_clear (&report);
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ProgressLog log = { 0, 0, TRUE, cancellable };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) mask = segment_async (&log, cancellable, NULL, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (mask);
  g_assert_cmpfloat (log.last, <, 1.0);
}

/* Activations kept as 16-bit floats: the same bone, within a few voxels
 * where the probability sits at the threshold. */
static void
test_half_storage (void)
{
  CalSegmentOptions options;
  CalSegmentReport report = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalNnEngine) half = cal_nn_engine_new_full (fixture.vk, fixture.graph, CAL_NN_ENGINE_HALF_STORAGE, &error);
  g_autoptr(CalMask) full_mask = NULL, half_mask = NULL;
  const guint8 *a, *b;
  guint64 both = 0, n_a, n_b;
  double dsc;

  g_assert_no_error (error);
  g_assert_true (cal_nn_engine_get_half_storage (half));
  cal_segment_options_init (&options);
  full_mask = cal_segment (fixture.executor, fixture.ct, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  half_mask = cal_segment (cal_nn_engine_as_executor (half), fixture.ct, &options, NULL, NULL, &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report.device, "16-bit"));
  a = cal_mask_get_labels (full_mask), b = cal_mask_get_labels (half_mask);
  for (guint64 v = 0; v < cal_grid_n_voxels (cal_mask_get_grid (full_mask)); v++)
    both += a[v] && b[v];
  n_a = cal_mask_count (full_mask, 1), n_b = cal_mask_count (half_mask, 1);
  dsc = 2.0 * both / (n_a + n_b);
  g_test_message ("16-bit activations against 32-bit: DSC %.6f (%" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
                  " voxels)", dsc, n_a, n_b);
  g_assert_cmpfloat (dsc, >=, 0.999);
  g_assert_cmpfloat (dsc, <, 1.0);   /* the rounding did happen */
  cal_segment_report_clear (&report);
}

/* The model's density floor: with it, no voxel under 226 HU is bone, and
 * what it leaves out is only such voxels; without it, the network's own
 * call reaches below (noise, partial volume at the rims). */
static void
test_density_floor (void)
{
  CalSegmentOptions options;
  CalSegmentReport floored = { 0 }, free_report = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) with_floor = NULL, without = NULL;
  const gint16 *hu = cal_volume_get_data (fixture.ct);
  const guint8 *a, *b;
  guint64 n = cal_grid_n_voxels (cal_volume_get_grid (fixture.ct)), light_in_free = 0, light_in_floor = 0;
  guint64 only_floor = 0;

  g_assert_cmpint (cal_volume_get_voxel_type (fixture.ct), ==, CAL_VOXEL_INT16);
  g_assert_cmpfloat (fixture.graph->preprocess.min_hu, ==, 226);
  cal_segment_options_init (&options);
  with_floor = cal_segment (fixture.executor, fixture.ct, &options, NULL, NULL, &floored, NULL, &error);
  g_assert_no_error (error);
  options.min_hu = -INFINITY;
  without = cal_segment (fixture.executor, fixture.ct, &options, NULL, NULL, &free_report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (floored.min_hu, ==, 226);
  g_assert_true (isinf (free_report.min_hu));
  g_assert_cmpuint (free_report.below_min_hu_voxels, ==, 0);
  a = cal_mask_get_labels (with_floor), b = cal_mask_get_labels (without);
  for (guint64 v = 0; v < n; v++)
    {
      light_in_floor += a[v] && hu[v] < 226;
      light_in_free += b[v] && hu[v] < 226;
      only_floor += a[v] && !b[v];
    }
  g_test_message ("bone under 226 HU: %" G_GUINT64_FORMAT " voxels without the floor, %" G_GUINT64_FORMAT
                  " left out by it", light_in_free, floored.below_min_hu_voxels);
  g_assert_cmpuint (light_in_floor, ==, 0);
  g_assert_cmpuint (light_in_free, >, 0);
  g_assert_cmpuint (floored.below_min_hu_voxels, >=, light_in_free);
  g_assert_cmpuint (only_floor, ==, 0);
  cal_segment_report_clear (&floored);
  cal_segment_report_clear (&free_report);
}

static void
test_refused_threshold (void)
{
  CalSegmentOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) mask = NULL;

  cal_segment_options_init (&options);
  options.threshold = 1.5;
  mask = cal_segment (fixture.executor, fixture.ct, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (mask);
  g_clear_error (&error);
  options.threshold = NAN;
  options.min_hu = INFINITY;   /* nothing could be bone */
  mask = cal_segment (fixture.executor, fixture.ct, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (mask);
}

/* A budget under the smallest patch the planner may cut is refused up
 * front, saying how much the network needs and how much there is. */
static void
test_budget_too_small (void)
{
  CalSegmentOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(CalMask) mask = NULL;
  ProgressLog log = { .monotonic = TRUE };

  cal_segment_options_init (&options);
  options.memory_budget = 64 << 10;
  mask = cal_segment (fixture.executor, fixture.ct, &options, record_progress, &log, NULL, NULL, &error);
  g_assert_error (error, CAL_VK_ERROR, CAL_VK_ERROR_OUT_OF_DEVICE_MEMORY);
  g_assert_null (mask);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Even a patch of 64 × 64 voxels needs"));
  /* In binary units, whatever their size (g_format_size puts a no-break space before the unit). */
  g_assert_nonnull (strstr (error->message, "; 64.0\u00a0KiB are available"));
  g_assert_cmpfloat (log.last, <, 1.0);   /* no progress to the end for a refused run */
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cal_test_vk_isolate_cache ();
  setup_once ();
  g_test_add_func ("/segment/refused-threshold", test_refused_threshold);
  g_test_add_func ("/segment/phantom-with-defects", test_phantom_with_defects);
  g_test_add_func ("/segment/density-floor", test_density_floor);
  g_test_add_func ("/segment/cancel", test_cancel);
  g_test_add_func ("/segment/half-storage", test_half_storage);
  g_test_add_func ("/segment/budget-too-small", test_budget_too_small);
  status = g_test_run ();
  cal_nn_engine_free (fixture.engine);
  cal_nn_graph_free (fixture.graph);
  g_object_unref (fixture.ct);
  g_object_unref (fixture.labels);
  g_object_unref (fixture.vk);
  return status;
}
