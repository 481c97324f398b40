/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-gl-probe.h"

#include <string.h>

#include <epoxy/gl.h>

char *
cal_gl_renderer_name (GdkDisplay *display)
{
  g_autoptr (GdkGLContext) context = NULL;
  g_autoptr (GError) error = NULL;
  char *name = NULL;

  g_return_val_if_fail (GDK_IS_DISPLAY (display), NULL);

  context = gdk_display_create_gl_context (display, &error);
  if (!context || !gdk_gl_context_realize (context, &error))
    return NULL;
  gdk_gl_context_make_current (context);
  name = g_strdup ((const char *) glGetString (GL_RENDERER));
  gdk_gl_context_clear_current ();
  return name;
}

gboolean
cal_gl_renderer_is_software (const char *name)
{
  static const char *software[] = { "llvmpipe", "softpipe", "SwiftShader", "Software Rasterizer" };

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (software); i++)
    if (strstr (name, software[i]))
      return TRUE;
  return FALSE;
}

gboolean
cal_gl_prefer_fast_ui_renderer (GdkDisplay *display)
{
  g_autofree char *name = cal_gl_renderer_name (display);
  gboolean software = cal_gl_renderer_is_software (name);

  if (software && !g_getenv ("GSK_RENDERER"))
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return software;
}
