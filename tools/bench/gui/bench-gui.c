/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The views' speed on real widgets (run under a display, e.g. xvfb-run):
 *   slice: a 512 x 512 slice with the mask overlay, stepped through the
 *          axial view; the view's own render time per slice (sampling,
 *          window/level, overlay, texture);
 *   brush: a dab of the brush on that slice, from the pointer event to the
 *          frame that shows it (the frame clock's after-paint);
 *   3D:    frames per second while orbiting the full-resolution skull mesh
 *          at 1280 x 800, drawn as the reduced display mesh and in full.
 * Usage: bench-gui CT.nii MASK.nii OUT.stl   (writes the full mesh for the
 * peer; prints key=value lines) */
#include <stdlib.h>

#include "cal-gl-probe.h"
#include "cal-loader.h"
#include "cal-mesh-display.h"
#include "cal-mesh-export.h"
#include "cal-mesh-pipeline.h"
#include "cal-mesh-view.h"
#include "cal-slice-view.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static double
bench_slices (GtkWindow    *window,
              CalViewState *state)
{
  GtkWidget *view = cal_slice_view_new (state, CAL_SLICE_AXIAL);
  double samples[120];
  guint n = 0;

  gtk_window_set_child (window, view);
  spin (0.5);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      guint64 before = (guint64) cal_slice_view_get_render_usec (CAL_SLICE_VIEW (view));

      cal_slice_view_step (CAL_SLICE_VIEW (view), i < 60 ? 1 : -1);
      /* Until the view has drawn the new slice. */
      for (int k = 0; k < 200; k++)
        {
          g_main_context_iteration (NULL, FALSE);
          if ((guint64) cal_slice_view_get_render_usec (CAL_SLICE_VIEW (view)) != before)
            break;
          g_usleep (500);
        }
      samples[n++] = cal_slice_view_get_render_usec (CAL_SLICE_VIEW (view)) / 1000.0;
    }
  qsort (samples, n, sizeof *samples, compare_doubles);
  return samples[n / 2];
}

static gint64 painted_at;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  painted_at = g_get_monotonic_time ();
}

static GtkEventController *
controller_named (GtkWidget  *widget,
                  const char *name)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);
      if (g_strcmp0 (gtk_event_controller_get_name (c), name) == 0)
        return c;
    }
  return NULL;
}

/* Dabs of a 5 mm brush on the slice shown: event to the frame that shows
 * it, median and worst of 60. */
static void
bench_dabs (GtkWindow    *window,
            CalViewState *state,
            double       *median_ms,
            double       *max_ms)
{
  GtkWidget *view = cal_slice_view_new (state, CAL_SLICE_AXIAL);
  CalEditTools *tools = cal_view_state_get_tools (state);
  g_autoptr (CalEditSession) session = cal_edit_session_new (cal_view_state_get_mask (state),
                                                            cal_view_state_get_volume (state));
  GtkEventController *drag;
  double samples[60];
  guint slice;

  gtk_window_set_child (window, view);
  spin (0.5);
  cal_edit_tools_set_session (tools, session);
  cal_edit_tools_set_tool (tools, CAL_EDIT_TOOL_BRUSH);
  cal_edit_tools_set_radius (tools, 5);
  drag = controller_named (view, "cursor-drag");
  g_signal_connect (gtk_widget_get_frame_clock (view), "after-paint", G_CALLBACK (after_paint_cb), NULL);
  cal_slice_view_get_slice (CAL_SLICE_VIEW (view), &slice, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      const double ijk[3] = { 180 + (i % 10) * 16, 180 + (i / 10) * 16, slice };
      double x, y;
      gint64 start;

      cal_slice_view_voxel_to_widget (CAL_SLICE_VIEW (view), ijk, &x, &y);
      spin (0.02);
      start = g_get_monotonic_time ();
      painted_at = 0;
      g_signal_emit_by_name (drag, "drag-begin", x, y);
      while (painted_at < start && g_get_monotonic_time () - start < G_USEC_PER_SEC)
        g_main_context_iteration (NULL, TRUE);
      samples[i] = (painted_at - start) / 1000.0;
      g_signal_emit_by_name (drag, "drag-end", 0.0, 0.0);
    }
  cal_edit_tools_set_session (tools, NULL);
  qsort (samples, G_N_ELEMENTS (samples), sizeof *samples, compare_doubles);
  *median_ms = samples[G_N_ELEMENTS (samples) / 2];
  *max_ms = samples[G_N_ELEMENTS (samples) - 1];
}

static gboolean
orbit_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       data)
{
  cal_camera_orbit (cal_mesh_view_get_camera (CAL_MESH_VIEW (widget)), 0.03, 0);
  gtk_gl_area_queue_render (GTK_GL_AREA (widget));
  return G_SOURCE_CONTINUE;
}

static double
bench_orbit (GtkWindow      *window,
             CalViewState   *state,
             CalDisplayMesh *display)
{
  GtkWidget *view = cal_mesh_view_new (state);
  guint64 frames;
  gint64 start;
  double seconds = 4;

  cal_mesh_view_set_show_planes (CAL_MESH_VIEW (view), FALSE);
  gtk_window_set_child (window, view);
  cal_mesh_view_set_display_mesh (CAL_MESH_VIEW (view), display);
  spin (1.0);
  gtk_widget_add_tick_callback (view, orbit_tick_cb, NULL, NULL);
  spin (0.5);
  frames = cal_mesh_view_get_n_frames (CAL_MESH_VIEW (view));
  start = g_get_monotonic_time ();
  spin (seconds);
  return (cal_mesh_view_get_n_frames (CAL_MESH_VIEW (view)) - frames)
         / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CalVolume) volume = NULL;
  g_autoptr (CalMask) mask = NULL;
  g_autoptr (CalMesh) mesh = NULL;
  g_autoptr (CalViewState) state = NULL;
  CalMeshOptions options;
  CalMeshReport report;
  CalDisplayMesh *reduced;
  GtkWindow *window;
  gboolean software;
  double slice_ms, fps_reduced, fps_full, dab_median, dab_max;
  guint reduced_triangles;

  if (argc != 4)
    {
      g_printerr ("Usage: %s CT.nii MASK.nii OUT.stl\n", argv[0]);
      return 2;
    }
  gtk_init ();
  software = cal_gl_prefer_fast_ui_renderer (gdk_display_get_default ());

  volume = cal_volume_load (argv[1], NULL, CAL_LOAD_FLAGS_NONE, NULL, NULL, NULL, NULL, &error);
  if (volume)
    mask = cal_mask_load (argv[2], 0, CAL_LOAD_FLAGS_NONE, NULL, NULL, &error);
  if (!mask)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  state = cal_view_state_new ();
  cal_view_state_set_volume (state, volume);
  cal_view_state_set_mask (state, mask);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_set_decorated (window, FALSE);
  gtk_window_present (window);

  slice_ms = bench_slices (window, state);
  printf ("slice_size=%ux%u\n", cal_volume_get_grid (volume)->dims[0],
          cal_volume_get_grid (volume)->dims[1]);
  printf ("slice_render_ms=%.2f\n", slice_ms);
  bench_dabs (window, state, &dab_median, &dab_max);
  printf ("dab_to_frame_ms=%.2f\n", dab_median);
  printf ("dab_to_frame_max_ms=%.2f\n", dab_max);

  cal_mesh_options_init (&options);
  mesh = cal_mesh_build (mask, &options, &report, NULL, NULL, NULL, &error);
  if (!mesh || !cal_mesh_export (mesh, &report, argv[3], CAL_STL_BINARY, TRUE, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  reduced = cal_display_mesh_new (mesh, software ? 150000 : 4000000);
  reduced_triangles = reduced->n_triangles;
  fps_reduced = bench_orbit (window, state, reduced);
  fps_full = bench_orbit (window, state, cal_display_mesh_new (mesh, G_MAXUINT32));
  printf ("software_gl=%d\n", software);
  printf ("ui_renderer=%s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  printf ("mesh_triangles=%u\n", cal_mesh_get_n_triangles (mesh));
  printf ("display_triangles=%u\n", reduced_triangles);
  printf ("fps_reduced=%.1f\n", fps_reduced);
  printf ("fps_full=%.1f\n", fps_full);
  gtk_window_destroy (window);
  return 0;
}
