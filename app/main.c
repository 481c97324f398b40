/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>

#include <glib/gi18n.h>

#include "calvaria-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (CalvariaApplication) app = NULL;
  const char *localedir = g_getenv ("CALVARIA_LOCALEDIR");

  /* CALVARIA_LOCALEDIR runs the build tree's translations uninstalled. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = calvaria_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
