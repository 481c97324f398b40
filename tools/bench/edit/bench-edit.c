/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark of the editing core on a 512 × 512 × 300 skull-sized mask
 * (tools/bench/edit.py runs it and a SciPy peer): brush strokes, their
 * history memory and commit time (with the journal), undo of a stroke and
 * of a whole-mask step, a dab plus the redraw of its slice, and fill
 * between slices over 10 drawn slices.  Prints one JSON object. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cal-block-surface.h"
#include "cal-brush.h"
#include "cal-edit-scissors.h"
#include "cal-edit-session.h"
#include "cal-fill-between.h"
#include "cal-slice-geometry.h"
#include "cal-slice-render.h"

#define NX 512
#define NY 512
#define NZ 300

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* An ellipsoidal shell 7 mm thick: the skull's size and shape, roughly. */
static CalMask *
skull_shell (const CalGrid *grid)
{
  CalMask *mask = cal_mask_new (grid);
  guint8 *l = cal_mask_get_labels_mutable (mask);

  for (guint32 k = 0; k < NZ; k++)
    for (guint32 j = 0; j < NY; j++)
      for (guint32 i = 0; i < NX; i++)
        {
          double x = (i - 256.0) * 0.45 / 90, y = (j - 256.0) * 0.45 / 110, z = (k - 120.0) * 0.6 / 100;
          double r = sqrt (x * x + y * y + z * z) * 100;
          l[i + (gsize) NX * (j + (gsize) NY * k)] = r > 93 && r < 100 && k > 20;
        }
  return mask;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  const guint32 dims[3] = { NX, NY, NZ };
  const double spacing[3] = { 0.45, 0.45, 0.6 };
  const char *out_dir = argc > 1 ? argv[1] : ".";
  g_autofree char *state = g_build_filename (out_dir, "state", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(CalMask) mask = NULL, other = NULL;
  g_autoptr(CalEditSession) session = NULL;
  g_autoptr(CalVolume) volume = NULL;
  g_autofree double *commit_ms = g_new (double, 1000), *undo_ms = g_new (double, 1000);
  CalEditHistory *history;
  CalGrid grid;
  CalBrush brush;
  double t0, whole_step_ms, whole_undo_ms, dab_ms, render_ms, fill_ms;
  gsize whole_bytes;
  guint64 filled;

  cal_grid_init_axis_aligned (&grid, dims, spacing);
  mask = skull_shell (&grid);
  {
    gint16 *hu = g_new (gint16, (gsize) NX * NY * NZ);
    const guint8 *l = cal_mask_get_labels (mask);
    for (gsize v = 0; v < (gsize) NX * NY * NZ; v++)
      hu[v] = l[v] ? 1200 : 30;
    volume = cal_volume_new (&grid, CAL_VOXEL_INT16, g_bytes_new_take (hu, (gsize) NX * NY * NZ * 2));
  }
  session = cal_edit_session_new (mask, volume);
  g_mkdir_with_parents (state, 0700);
  if (!cal_edit_session_start_journal (session, state, "bench", NULL))
    return 1;
  cal_edit_journal_wait (cal_edit_session_get_journal (session), NULL);   /* the first checkpoint */
  history = cal_edit_session_get_history (session);

  /* 1000 strokes of 5 mm, each 8 pointer events long, committed with the journal. */
  cal_brush_init (&brush);
  brush.radius_mm = 5;
  for (int s = 0; s < 1000; s++)
    {
      double p[3] = { g_rand_double_range (rand, 40, NX - 40), g_rand_double_range (rand, 40, NY - 40),
                      g_rand_int_range (rand, 0, NZ) }, q[3];
      CalEditTransaction *tx = cal_edit_session_begin (session);
      brush.erase = s % 3 == 2;
      for (int e = 0; e < 8; e++)
        {
          memcpy (q, p, sizeof q);
          q[0] += g_rand_double_range (rand, -12, 12);
          q[1] += g_rand_double_range (rand, -12, 12);
          cal_brush_paint_segment (&brush, tx, volume, p, q, NULL);
          memcpy (p, q, sizeof p);
        }
      t0 = now_ms ();
      cal_edit_session_commit (session, "Brush 5.0 mm", CAL_EDIT_KIND_STROKE, NULL, NULL);
      commit_ms[s] = now_ms () - t0;
    }
  cal_edit_journal_wait (cal_edit_session_get_journal (session), NULL);

  /* Undo every stroke, each timed; then redo them. */
  {
    guint n = cal_edit_history_get_position (history);
    for (guint s = 0; s < n; s++)
      {
        t0 = now_ms ();
        cal_edit_session_undo (session, NULL);
        undo_ms[s] = now_ms () - t0;
      }
    while (cal_edit_history_can_redo (history))
      cal_edit_session_redo (session, NULL);
    qsort (commit_ms, 1000, sizeof (double), compare_double);
    qsort (undo_ms, n, sizeof (double), compare_double);
  }

  {
    /* Strokes of the eraser over air change nothing and make no step. */
    guint n = cal_edit_history_get_n_steps (history);
    printf ("{\"strokes\": 1000, \"steps\": %u, \"history_bytes\": %" G_GSIZE_FORMAT ", \"commit_ms_median\": %.3f, "
            "\"commit_ms_p99\": %.3f, \"commit_ms_max\": %.3f, \"undo_ms_median\": %.3f, \"undo_ms_p99\": %.3f, "
            "\"undo_ms_max\": %.3f, ",
            n, cal_edit_history_get_bytes (history), commit_ms[500], commit_ms[989], commit_ms[999], undo_ms[n / 2],
            undo_ms[n * 99 / 100], undo_ms[n - 1]);
  }

  /* A whole-mask step: a second segmentation that differs by a thicker shell. */
  other = cal_mask_copy (mask);
  {
    guint8 *l = cal_mask_get_labels_mutable (other);
    for (guint32 k = 1; k + 1 < NZ; k++)
      for (guint32 j = 0; j < NY; j++)
        for (guint32 i = 0; i < NX; i++)
          if (cal_mask_get_labels (mask)[i + (gsize) NX * (j + (gsize) NY * (k + 1))])
            l[i + (gsize) NX * (j + (gsize) NY * k)] = 1;
  }
  {
    gsize before = cal_edit_history_get_bytes (history);
    t0 = now_ms ();
    cal_edit_session_replace_labels (session, other, "Segment skull (U-net)", NULL, NULL);
    whole_step_ms = now_ms () - t0;
    whole_bytes = cal_edit_history_get_bytes (history) - before;
    t0 = now_ms ();
    cal_edit_session_undo (session, NULL);
    whole_undo_ms = now_ms () - t0;
  }
  printf ("\"whole_mask_step_ms\": %.1f, \"whole_mask_step_bytes\": %" G_GSIZE_FORMAT ", \"whole_mask_undo_ms\": %.1f, ",
          whole_step_ms, whole_bytes, whole_undo_ms);

  /* One dab and the redraw of its 512 × 512 slice (the CPU part of the frame). */
  {
    CalSlicePlane plane;
    CalSliceStyle style = { .window = 2000, .level = 400, .overlay_opacity = 0.5 };
    g_autofree guint8 *rgba = g_malloc (NX * NY * 4);
    const double c[3] = { 256, 256, 150 };
    CalEditTransaction *tx = cal_edit_session_begin (session);
    cal_slice_plane_init (&plane, &grid, CAL_SLICE_AXIAL);
    t0 = now_ms ();
    cal_brush_paint_segment (&brush, tx, volume, c, c, NULL);
    dab_ms = now_ms () - t0;
    t0 = now_ms ();
    cal_slice_render (&plane, 150, volume, mask, &style, rgba, plane.width * 4);
    render_ms = now_ms () - t0;
    cal_edit_session_revert (session);
  }
  printf ("\"dab_ms\": %.3f, \"slice_render_ms\": %.3f, ", dab_ms, render_ms);

  /* Scissors through the whole depth and in front only: an outline over a
   * third of a 600 × 400 view looking down the k axis. */
  {
    const double clip[4][4] = { { 1 / 256.0, 0, 0, -1 }, { 0, -1 / 256.0, 0, 1 }, { 0, 0, 1 / 300.0, 0 }, { 0, 0, 0, 1 } };
    const double outline[] = { 200, 100, 400, 100, 400, 300, 200, 300 };
    double ms[2];
    guint64 cut[2];
    for (int mode = 0; mode < 2; mode++)
      {
        CalEditTransaction *tx = cal_edit_session_begin (session);
        t0 = now_ms ();
        cut[mode] = cal_edit_scissors (tx, 0, clip, 600, 400, outline, 4, FALSE, mode == 1);
        ms[mode] = now_ms () - t0;
        cal_edit_session_revert (session);
      }
    printf ("\"scissors_ms\": %.0f, \"scissors_voxels\": %" G_GUINT64_FORMAT ", \"scissors_front_ms\": %.0f, "
            "\"scissors_front_voxels\": %" G_GUINT64_FORMAT ", ", ms[0], cut[0], ms[1], cut[1]);
  }

  /* The 3D view after a stroke: the surface in blocks (on the software-GL
   * budget's grid and at full resolution), then one 5 mm stroke's blocks
   * re-meshed, as the window does in its worker. */
  for (int budget_i = 0; budget_i < 2; budget_i++)
    {
      guint32 budget = budget_i == 0 ? 150000 : G_MAXUINT32;
      guint64 full;
      guint factor = cal_block_surface_choose_factor (mask, budget, &full);
      g_autoptr(CalBlockSurface) surface = cal_block_surface_new (&grid, factor);
      g_autoptr(CalBlockRegion) all = cal_block_region_new (surface, mask, NULL);
      g_autoptr(CalBlockRegion) part = NULL;
      const double a[3] = { 256, 45, 150 }, b[3] = { 256, 15, 150 };
      CalEditStep *step;
      double build_ms, update_ms;
      t0 = now_ms ();
      cal_block_region_mesh (surface, all);
      cal_block_surface_apply (surface, all);
      build_ms = now_ms () - t0;
      /* Across the shell's outer edge; erasing if the random strokes already painted it all. */
      for (brush.erase = FALSE, step = NULL; step == NULL; brush.erase = !brush.erase)
        {
          cal_brush_paint_segment (&brush, cal_edit_session_begin (session), volume, a, b, NULL);
          cal_edit_session_commit (session, "Brush 5.0 mm", CAL_EDIT_KIND_STROKE, &step, NULL);
        }
      t0 = now_ms ();
      part = cal_block_region_new (surface, mask, cal_edit_step_get_box (step));
      cal_block_region_mesh (surface, part);
      cal_block_surface_apply (surface, part);
      {
        g_autoptr(CalDisplayMesh) d = cal_block_surface_to_display (surface);
        update_ms = now_ms () - t0;
        printf ("\"surface_%s\": {\"factor\": %u, \"triangles\": %u, \"build_ms\": %.0f, \"stroke_blocks\": %u, "
                "\"stroke_update_ms\": %.1f}, ", budget_i == 0 ? "software_gl" : "full", factor, d->n_triangles,
                build_ms, cal_block_region_get_n_blocks (part), update_ms);
      }
    }

  /* Fill between 10 drawn slices: ellipses of the skull's cross-sections. */
  {
    g_autoptr(CalMask) drawn = cal_mask_new (&grid);
    g_autoptr(CalEditTransaction) tx = NULL;
    g_autofree char *path = g_build_filename (out_dir, "fill-input.bin", NULL);
    guint8 *l = cal_mask_get_labels_mutable (drawn);
    CalFillSummary summary;
    for (int d = 0; d < 10; d++)
      {
        guint32 k = 30 + d * 27;
        double z = (k - 120.0) * 0.6 / 100, rr = 1 - z * z;
        for (guint32 j = 0; j < NY && rr > 0; j++)
          for (guint32 i = 0; i < NX; i++)
            {
              double x = (i - 256.0) * 0.45 / 90, y = (j - 256.0) * 0.45 / 110;
              l[i + (gsize) NX * (j + (gsize) NY * k)] = x * x + y * y < rr * 0.93 * 0.93;
            }
      }
    g_file_set_contents (path, (const char *) l, (gssize) NX * NY * NZ, NULL);
    tx = cal_edit_transaction_new (drawn);
    t0 = now_ms ();
    filled = cal_fill_between_slices (tx, 1, 2, &summary);
    fill_ms = now_ms () - t0;
    {
      g_autofree char *result = g_build_filename (out_dir, "fill-calvaria.bin", NULL);
      g_file_set_contents (result, (const char *) cal_mask_get_labels (drawn), (gssize) NX * NY * NZ, NULL);
    }
    printf ("\"fill_ms\": %.1f, \"fill_voxels\": %" G_GUINT64_FORMAT ", \"fill_drawn\": %u, \"dims\": [%d, %d, %d], "
            "\"spacing\": [%g, %g, %g]}\n", fill_ms, filled, summary.n_drawn, NX, NY, NZ,
            spacing[0], spacing[1], spacing[2]);
  }
  cal_edit_session_end_journal (session, TRUE, NULL);
  return 0;
}
