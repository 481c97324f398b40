/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "calvaria-application.h"

#include "cal-help-window.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "cal-gl-probe.h"
#include "cal-preferences-window.h"
#include "cal-window.h"

struct _CalvariaApplication
{
  AdwApplication  parent_instance;

  /* owned */
  GSettings      *settings;
  CalComputeCache *compute_cache;

  gboolean        software_gl;
};

G_DEFINE_FINAL_TYPE (CalvariaApplication, calvaria_application, ADW_TYPE_APPLICATION)

static const struct {
  const char *action;
  const char *accels[3];
} accelerators[] = {
  { "app.quit",          { "<Control>q", NULL } },
  { "app.help",          { "F1", NULL } },
  { "app.preferences",   { "<Control>comma", NULL } },
  { "app.new-window",    { "<Control>n", NULL } },
  { "window.close",      { "<Control>w", NULL } },
  { "win.open",          { "<Control>o", NULL } },
  { "win.open-folder",   { "<Control><Shift>o", NULL } },
  { "win.export",        { "<Control>e", NULL } },
  { "win.threshold",     { "<Control>t", NULL } },
  { "win.segment",       { "<Control><Shift>t", NULL } },
  { "win.update-3d",     { "<Control>u", NULL } },
  { "win.reset-views",   { "<Control>r", NULL } },
  { "win.cancel",        { "Escape", NULL } },
  { "win.undo",          { "<Control>z", NULL } },
  { "win.redo",          { "<Control><Shift>z", "<Control>y" } },
  { "win.save-mask",     { "<Control>s", NULL } },
  { "win.open-mask",     { "<Control><Shift>m", NULL } },
  { "win.fill-between",  { "<Control>i", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
};

static CalWindow *
new_window (CalvariaApplication *self)
{
  CalWindow *window = cal_window_new (self, self->settings);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* An empty window of ours, if one is on top: opening a scan reuses it. */
static CalWindow *
reusable_window (CalvariaApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (CAL_IS_WINDOW (active) && !cal_window_has_scan (CAL_WINDOW (active)))
    return CAL_WINDOW (active);
  return NULL;
}

static void
calvaria_application_activate (GApplication *app)
{
  CalvariaApplication *self = CALVARIA_APPLICATION (app);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (active)
    gtk_window_present (active);
  else
    cal_window_offer_restore (new_window (self));
}

static void
calvaria_application_open (GApplication  *app,
                           GFile        **files,
                           int            n_files,
                           const char    *hint)
{
  CalvariaApplication *self = CALVARIA_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      CalWindow *window = i == 0 ? reusable_window (self) : NULL;

      if (!window)
        window = new_window (self);
      gtk_window_present (GTK_WINDOW (window));
      cal_window_open (window, files[i], NULL);
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing each window lets it cancel its work and save its state. */
  for (GList *l = g_list_copy (windows); l; l = g_list_delete_link (l, l))
    gtk_window_close (l->data);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  new_window (CALVARIA_APPLICATION (user_data));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CalvariaApplication *self = user_data;
  GtkWidget *prefs = cal_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (prefs),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The Calvaria developers", NULL };
  GtkApplication *app = user_data;
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", "Calvaria",
                        "application-icon", CALVARIA_APPLICATION_ID,
                        "developer-name", _("The Calvaria developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("From a skull CT to a checked, printable surface."),
                        "website", "https://calvaria.org/",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* TRANSLATORS: your name(s), one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about), _("Intended Use"), NULL, GTK_LICENSE_CUSTOM,
                                      _("Calvaria is a design tool for engineers who design skull implants. It "
                                        "is not a medical device and is not meant for diagnosis or for treatment "
                                        "decisions; every design must be checked by the engineer responsible for "
                                        "it."));
  gtk_window_present (GTK_WINDOW (about));
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;

  gtk_window_present (GTK_WINDOW (cal_help_window_new (gtk_application_get_active_window (app))));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "help", help_action },
  { "new-window", new_window_action },
  { "preferences", preferences_action },
  { "about", about_action },
};

/* The installed schema, or the build tree's when running uninstalled
 * (GSETTINGS_SCHEMA_DIR points there in tests and `bootstrap.sh run`). */
static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, CALVARIA_APPLICATION_ID, TRUE);
  if (!schema)
    {
      g_printerr ("The settings schema %s is not installed: run `ninja install`, or set "
                  "GSETTINGS_SCHEMA_DIR to the build's data folder.\n", CALVARIA_APPLICATION_ID);
      exit (1);
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
calvaria_application_startup (GApplication *app)
{
  CalvariaApplication *self = CALVARIA_APPLICATION (app);

  G_APPLICATION_CLASS (calvaria_application_parent_class)->startup (app);

  self->software_gl = cal_gl_prefer_fast_ui_renderer (gdk_display_get_default ());
  self->settings = load_settings ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accelerators); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accelerators[i].action,
                                           accelerators[i].accels);
}

static void
calvaria_application_finalize (GObject *object)
{
  CalvariaApplication *self = CALVARIA_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->compute_cache);
  G_OBJECT_CLASS (calvaria_application_parent_class)->finalize (object);
}

static void
calvaria_application_class_init (CalvariaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = calvaria_application_finalize;
  app_class->activate = calvaria_application_activate;
  app_class->open = calvaria_application_open;
  app_class->startup = calvaria_application_startup;
}

static void
calvaria_application_init (CalvariaApplication *self)
{
}

CalvariaApplication *
calvaria_application_new (void)
{
  return g_object_new (CALVARIA_TYPE_APPLICATION,
                       "application-id", CALVARIA_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/calvaria/Calvaria",
                       NULL);
}

GSettings *
calvaria_application_get_settings (CalvariaApplication *self)
{
  g_return_val_if_fail (CALVARIA_IS_APPLICATION (self), NULL);
  return self->settings;
}

gboolean
calvaria_application_get_software_gl (CalvariaApplication *self)
{
  g_return_val_if_fail (CALVARIA_IS_APPLICATION (self), FALSE);
  return self->software_gl;
}

CalComputeCache *
calvaria_application_get_compute_cache (CalvariaApplication *self)
{
  g_return_val_if_fail (CALVARIA_IS_APPLICATION (self), NULL);
  if (self->compute_cache == NULL)
    self->compute_cache = cal_compute_cache_new ();
  return self->compute_cache;
}
