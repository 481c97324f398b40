/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The name of the display's OpenGL renderer ("llvmpipe (LLVM 15.0.6, 256
 * bits)", "NVIDIA H100/PCIe/SSE2"), or NULL without OpenGL. */
char     *cal_gl_renderer_name          (GdkDisplay *display);
gboolean  cal_gl_renderer_is_software   (const char *name);

/* On software OpenGL (Mesa's llvmpipe, softpipe, SwiftShader) GTK's cairo
 * renderer draws the windows several times faster than its GL renderer,
 * which keeps the main loop responsive; the 3D view still uses OpenGL.
 * Call before the first window is realized; GSK_RENDERER still wins.
 * Returns TRUE when the OpenGL is software. */
gboolean  cal_gl_prefer_fast_ui_renderer (GdkDisplay *display);

G_END_DECLS
