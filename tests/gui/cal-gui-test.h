/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers for the GUI tests: run the main loop until something holds,
 * find a template child, save a window as PNG and measure its colours. */
#pragma once

#include <locale.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A test's own temporary folder, its editing journals in a folder of their
 * own inside it (XDG_STATE_HOME), so that tests run side by side. */
static inline char *
cal_gui_private_folder (const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", prefix);
  char *tmpdir = g_dir_make_tmp (template, &error);
  g_autofree char *state = NULL;

  g_assert_no_error (error);
  state = g_build_filename (tmpdir, "state", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  return tmpdir;
}

/* The catalogue of the build tree (CALVARIA_LOCALEDIR), in the language of
 * the run, as main.c binds the installed one. */
static inline void
cal_gui_bind_translations (void)
{
  const char *localedir = g_getenv ("CALVARIA_LOCALEDIR");

  setlocale (LC_ALL, "");
  g_assert_nonnull (localedir);
  bindtextdomain ("calvaria", localedir);
  bind_textdomain_codeset ("calvaria", "UTF-8");
  textdomain ("calvaria");
}

/* Iterates the default main context until `done` returns TRUE or
 * `timeout_s` pass; FALSE on timeout. */
static inline gboolean
cal_gui_wait (gboolean (*done) (gpointer data),
              gpointer   data,
              double     timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static inline gboolean
cal_gui_true_after_cb (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/* Lets the main loop run for `seconds` (frames, idles, timeouts). */
static inline void
cal_gui_spin (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  cal_gui_wait (cal_gui_true_after_cb, &until, seconds + 1);
}

static inline gpointer
cal_gui_child (gpointer    widget,
               GType       type,
               const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

/* The widget's controller named `name` (see gtk_event_controller_set_name). */
static inline GtkEventController *
cal_gui_controller (gpointer    widget,
                    const char *name)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (widget));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (c), name) == 0)
        return c;
    }
  g_assert_not_reached ();
  return NULL;
}

/* Renders `widget` (a window, with its GL views) the way it is on screen.
 * A widget with a new size allocation still pending (the slice views after
 * the crosshair jumped) snapshots to nothing until GTK has laid it out:
 * such a snapshot is retried after the next frames, for up to 2 s. */
static inline GdkTexture *
cal_gui_render (GtkWidget *widget)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  for (int attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      if (attempt > 0)
        cal_gui_spin (0.1);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
}

static inline void
cal_gui_save_png (GdkTexture *texture,
                  const char *name)
{
  const char *dir = g_getenv ("CALVARIA_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  g_assert_nonnull (dir);
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

typedef gboolean (*CalGuiPixelTest) (const guint8 rgba[4]);

/* Fraction of the pixels in a widget's rectangle (in window coordinates)
 * that pass `test`. */
static inline double
cal_gui_fraction (GdkTexture      *shot,
                  GtkWidget       *window,
                  GtkWidget       *area,
                  CalGuiPixelTest  test)
{
  int width = gdk_texture_get_width (shot), height = gdk_texture_get_height (shot);
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 4);
  graphene_rect_t rect;
  guint64 hits = 0, total = 0;

  /* Little-endian B8G8R8A8 premultiplied: bytes are B, G, R, A. */
  gdk_texture_download (shot, pixels, (gsize) width * 4);
  g_assert_true (gtk_widget_compute_bounds (area, window, &rect));
  for (int y = (int) rect.origin.y; y < (int) (rect.origin.y + rect.size.height) && y < height; y++)
    for (int x = (int) rect.origin.x; x < (int) (rect.origin.x + rect.size.width) && x < width; x++)
      {
        const guint8 *p = pixels + ((gsize) y * width + x) * 4;
        guint8 rgba[4] = { p[2], p[1], p[0], p[3] };

        hits += test (rgba);
        total++;
      }
  return total ? (double) hits / total : 0;
}

G_END_DECLS
