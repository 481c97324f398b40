/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scans a person must accept before they load: the window asks, names the
 * reason, loads nothing on Cancel and loads (the choice recorded) on Open
 * Anyway.  A series with a missing slice (interpolation) and one without
 * RescaleSlope/Intercept (values not known to be HU). */
#include <math.h>
#include <string.h>

#include "cal-dicom-shim.h"

#include "cal-gui-app.h"
#include "cal-loader.h"
#include "cal-mask-components.h"
#include "cal-task.h"
#include "cal-window-private.h"

static CalvariaApplication *app;
static CalWindow *window;

static gboolean
idle_cb (gpointer data)
{
  return !cal_window_is_busy (CAL_WINDOW (data));
}

/* Opens `name` from the synthetic cases, checks the question's words, and
 * answers it. */
static AdwMessageDialog *
open_and_expect_question (const char *name,
                          const char *heading_words,
                          const char *body_words)
{
  g_autofree char *path = g_build_filename (DICOM_CASES_DIR, name, NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (path);
  AdwMessageDialog *question;

  cal_window_open (window, folder, NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), heading_words));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), body_words));
  g_assert_true (adw_message_dialog_has_response (question, "open"));
  cal_gui_spin (0.3);
  {
    g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (question));
    cal_gui_save_png (shot, "confirm-question.png");
  }
  return question;
}

static void
test_cancel_loads_nothing (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "missing");

  cal_gui_answer (question, "cancel");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_null (cal_view_state_get_volume (cal_window_get_state (window)));
  g_assert_null (cal_gui_find_question ());
  g_assert_false (cal_window_is_busy (window));
}

/* The labels of the scan-information popover's rows named `name`. */
static GPtrArray *
info_rows (const char *name)
{
  GPtrArray *texts = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (window->scan_info_box)); row;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      g_ptr_array_add (texts, (gpointer) gtk_label_get_text (GTK_LABEL (gtk_widget_get_last_child (row))));
  return texts;
}

/* Every warning the loader gives for the case is in the scan information,
 * not only the first (issue 30), and the button says there are warnings. */
static void
assert_every_warning_listed (const char   *name,
                             CalLoadFlags  flags)
{
  g_autofree char *path = g_build_filename (DICOM_CASES_DIR, name, NULL);
  g_autoptr (CalLoadReport) report = cal_load_report_new ();
  g_autoptr (CalVolume) volume = cal_volume_load (path, NULL, flags, report, NULL, NULL, NULL, NULL);
  g_autoptr (GPtrArray) shown = info_rows ("scan-warning");

  g_assert_nonnull (volume);
  g_assert_cmpuint (report->warnings->len, >=, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->scan_info_button)));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (window->scan_info_button), ==, "dialog-warning-symbolic");
  g_assert_cmpuint (shown->len, ==, report->warnings->len);
  for (guint i = 0; i < shown->len; i++)
    {
      g_test_message ("warning listed: %s", (const char *) g_ptr_array_index (shown, i));
      g_assert_cmpstr (g_ptr_array_index (shown, i), ==, g_ptr_array_index (report->warnings, i));
    }
  gtk_menu_button_popup (window->scan_info_button);
  cal_gui_spin (0.3);
  {
    g_autoptr (GdkTexture) shot = cal_gui_render (GTK_WIDGET (window));
    g_autoptr (GdkTexture) popover = cal_gui_render (GTK_WIDGET (gtk_menu_button_get_popover (window->scan_info_button)));
    cal_gui_save_png (shot, "scan-information-toast.png");
    cal_gui_save_png (popover, "scan-information.png");
  }
  gtk_menu_button_popdown (window->scan_info_button);
}

static void
test_accept_loads (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "missing");
  CalVolume *volume;

  cal_gui_answer (question, "open");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  volume = cal_view_state_get_volume (cal_window_get_state (window));
  g_assert_nonnull (volume);
  /* Eleven slices on disk, twelve in the volume: the gap was filled. */
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 12);
  g_assert_null (cal_window_get_error (window));
  assert_every_warning_listed ("missing-slice", CAL_LOAD_ACCEPT_RESAMPLING);
}

/* The other way out of a gap: the longest evenly spaced part, nothing
 * interpolated (5 + 6 slices on disk: the 6). */
static void
test_keep_even_part (void)
{
  AdwMessageDialog *question = open_and_expect_question ("missing-slice", "Interpolated", "--keep-longest-run");
  CalVolume *volume;

  g_assert_true (adw_message_dialog_has_response (question, "alternative"));
  cal_gui_answer (question, "alternative");
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  volume = cal_view_state_get_volume (cal_window_get_state (window));
  g_assert_nonnull (volume);
  g_assert_cmpuint (cal_volume_get_grid (volume)->dims[2], ==, 6);
  g_assert_null (cal_window_get_error (window));
}

/* A stand-in for the U-net: bone where the CT is 226 HU or more, no
 * clean-up, no device.  It lets this test check the window's Segment Skull
 * (its progress, its mask, its report) without Vulkan. */
#define STUB_TYPE_SEGMENTER (stub_segmenter_get_type ())
G_DECLARE_FINAL_TYPE (StubSegmenter, stub_segmenter, STUB, SEGMENTER, GObject)

struct _StubSegmenter {
  GObject parent_instance;
  guint   runs;
  gboolean network;   /* finish as the U-net on a resampled CT would */
};

static void stub_iface_init (CalSegmenterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StubSegmenter, stub_segmenter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CAL_TYPE_SEGMENTER, stub_iface_init))

static gpointer
stub_job (gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  CalVolume *ct = data;
  const CalGrid *grid = cal_volume_get_grid (ct);
  CalMask *mask = cal_mask_new (grid);
  guint8 *labels = cal_mask_get_labels_mutable (mask);

  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (guint32 j = 0; j < grid->dims[1]; j++)
      for (guint32 i = 0; i < grid->dims[0]; i++)
        *labels++ = cal_volume_get_value (ct, i, j, k) >= 226;
  return mask;
}

static void
stub_segment_async (CalSegmenter        *segmenter,
                    CalVolume           *ct,
                    CalProgressFunc      progress,
                    gpointer             progress_data,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  STUB_SEGMENTER (segmenter)->runs++;
  cal_task_run (segmenter, stub_segment_async, stub_job, g_object_ref (ct), g_object_unref, g_object_unref,
                cancellable, callback, user_data);
}

static CalMask *
stub_segment_finish (CalSegmenter     *segmenter,
                     GAsyncResult     *result,
                     CalSegmentation  *segmentation,
                     GError          **error)
{
  CalMask *mask = cal_task_finish (result, stub_segment_async, NULL, error);

  *segmentation = (CalSegmentation) {
    .kind = CAL_SEGMENTER_OTHER,
    .bone_voxels = mask ? cal_mask_count (mask, 1) : 0,
    .bone_mm3 = mask ? cal_mask_count (mask, 1) * cal_mask_voxel_volume (mask) : 0,
    .seconds = NAN, .threshold = NAN, .min_hu = 226, .max_hu = 3071,
  };
  if (STUB_SEGMENTER (segmenter)->network)
    {
      segmentation->kind = CAL_SEGMENTER_NETWORK;
      segmentation->threshold = 0.15, segmentation->faint_threshold = 0.4, segmentation->faint_below_hu = 300;
      segmentation->max_hu = INFINITY, segmentation->seconds = 1;
      segmentation->device = g_strdup ("Stub");
    }
  return mask;
}

static void
stub_iface_init (CalSegmenterInterface *iface)
{
  iface->segment_async = stub_segment_async;
  iface->segment_finish = stub_segment_finish;
}

static void
stub_segmenter_class_init (StubSegmenterClass *klass)
{
}

static void
stub_segmenter_init (StubSegmenter *self)
{
}

/* Segment Skull with the stand-in: the window shows its mask and its
 * report, and never opens a compute device. */
static void
test_segment_with_stub (void)
{
  StubSegmenter *stub = g_object_new (STUB_TYPE_SEGMENTER, NULL);
  CalVolume *volume = cal_view_state_get_volume (cal_window_get_state (window));
  CalMask *mask;
  guint64 expected = 0;
  const char *text;

  g_assert_nonnull (volume);
  for (guint32 k = 0; k < cal_volume_get_grid (volume)->dims[2]; k++)
    for (guint32 j = 0; j < cal_volume_get_grid (volume)->dims[1]; j++)
      for (guint32 i = 0; i < cal_volume_get_grid (volume)->dims[0]; i++)
        expected += cal_volume_get_value (volume, i, j, k) >= 226;
  g_assert_cmpuint (expected, >, 0);

  cal_window_set_segmenter (window, CAL_SEGMENTER (stub));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.segment", NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_null (cal_window_get_error (window));
  g_assert_cmpuint (stub->runs, ==, 1);
  mask = cal_view_state_get_mask (cal_window_get_state (window));
  g_assert_nonnull (mask);
  g_assert_cmpuint (cal_mask_count (mask, 1), ==, expected);
  text = gtk_label_get_text (window->mask_label);
  g_assert_nonnull (strstr (text, "of bone"));
  g_assert_cmpstr (gtk_label_get_text (window->mask_origin_label), ==, "Made by Segment Skull");
  g_assert_cmpstr (cal_window_get_method (window), ==, "unet");
  g_assert_nonnull (strstr (text, "Bone: 226 to 3071 HU."));
  /* A network's rule on a resampled CT, with its threshold for faint voxels. */
  stub->network = TRUE;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.segment", NULL);
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_cmpuint (stub->runs, ==, 2);
  text = gtk_label_get_text (window->mask_label);
  g_assert_nonnull (strstr (text, "Bone: probability above 0.15 (0.40 under 300 HU) and at least 226 HU."));
  g_assert_cmpuint (cal_compute_cache_get_devices_opened (calvaria_application_get_compute_cache (app)), ==, 0);
  cal_window_set_segmenter (window, NULL);
  g_assert_finalize_object (stub);
}

/* A copy of a 12-slice series with one slice cut short: leave it out (the
 * first question), then interpolate the gap (the second), and the volume
 * has its 12 slices again. */
static void
test_exclude_then_interpolate (void)
{
  g_autofree char *source = g_build_filename (DICOM_CASES_DIR, "hfs", NULL);
  g_autofree char *copy = g_dir_make_tmp ("calvaria-confirm-XXXXXX", NULL);
  g_autoptr (GDir) dir = g_dir_open (source, 0, NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (copy);
  AdwMessageDialog *question;
  const char *name;

  /* The slice to damage lies inside the stack (z = 0.625 mm, by the middle), so
   * leaving it out leaves a gap. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (source, name, NULL);
      g_autofree char *to = g_build_filename (copy, name, NULL);
      g_autofree char *data = NULL;
      CalDicomHeader header;
      gboolean inside;
      gsize size;

      g_assert_true (cal_dicom_shim_read_header (from, &header, NULL));
      inside = fabs (header.position[2] - 0.625) < 0.01;
      cal_dicom_header_clear (&header);
      g_assert_true (g_file_get_contents (from, &data, &size, NULL));
      g_assert_true (g_file_set_contents (to, data, inside ? (gssize) size - 300 : (gssize) size, NULL));
    }

  cal_window_open (window, folder, NULL);
  cal_gui_discard_segmentation ();   /* the stub's mask, from the test before */
  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), "Cannot Be Read"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "InstanceNumber"));
  cal_gui_answer (question, "open");

  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_true (cal_gui_wait (cal_gui_question_shown_cb, NULL, 10));
  question = cal_gui_find_question ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), "Interpolated"));
  cal_gui_answer (question, "open");

  g_assert_true (cal_gui_wait (idle_cb, window, 60));
  g_assert_null (cal_window_get_error (window));
  g_assert_cmpuint (cal_volume_get_grid (cal_view_state_get_volume (cal_window_get_state (window)))->dims[2], ==, 12);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  window = cal_gui_open_window (&app, 1024, 700);

  g_test_add_func ("/confirm/cancel-loads-nothing", test_cancel_loads_nothing);
  g_test_add_func ("/confirm/accept-loads", test_accept_loads);
  g_test_add_func ("/confirm/keep-even-part", test_keep_even_part);
  g_test_add_func ("/confirm/segment-with-stub", test_segment_with_stub);
  g_test_add_func ("/confirm/exclude-then-interpolate", test_exclude_then_interpolate);
  return g_test_run ();
}
