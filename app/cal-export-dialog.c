/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-export-dialog.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cal-mesh-export.h"
#include "cal-mesh-pipeline.h"
#include "cal-progress.h"

struct _CalExportDialog
{
  AdwWindow       parent_instance;

  /* template widgets */
  GtkSpinButton  *smooth_spin;
  AdwExpanderRow *decimate_row;
  GtkSpinButton  *reduction_spin;
  GtkSpinButton  *max_error_spin;
  GtkSwitch      *largest_switch;
  AdwComboRow    *space_row;
  AdwComboRow    *format_row;
  GtkButton      *check_button;
  GtkButton      *save_button;
  GtkWidget      *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel       *verdict_label;
  GtkLabel       *report_label;
  GtkButton      *show_button;

  /* owned */
  CalMask        *mask;          /* a copy of the window's, taken when the dialog opened */
  CalMesh        *mesh;          /* the surface checked, NULL before */
  GCancellable   *cancellable;   /* of the running step */
  GFile          *saving;        /* being written */
  GFile          *saved;
  GtkSwitch      *report_switch;

  CalMeshReport   report;
  CalProgress     progress;      /* of the running step */
  guint           rebuild_id;    /* a build after the options settle */
  gboolean        rebuild_after; /* an option changed while a build ran */
};

G_DEFINE_FINAL_TYPE (CalExportDialog, cal_export_dialog, ADW_TYPE_WINDOW)

enum {
  REPORT_WANTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_actions (CalExportDialog *self)
{
  gboolean busy = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.check", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.save", !busy && self->mesh);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.cancel", busy);
}

static GCancellable *
begin (CalExportDialog *self)
{
  self->cancellable = g_cancellable_new ();
  cal_progress_start (&self->progress, self->progress_bar);
  gtk_widget_set_visible (self->progress_box, TRUE);
  update_actions (self);
  return self->cancellable;
}

static void
end (CalExportDialog *self)
{
  g_clear_object (&self->cancellable);
  cal_progress_stop (&self->progress);
  gtk_widget_set_visible (self->progress_box, FALSE);
  update_actions (self);
}

static void
show_message (CalExportDialog *self,
              const char      *verdict,
              const char      *details)
{
  gtk_label_set_text (self->verdict_label, verdict);
  gtk_label_set_text (self->report_label, details ? details : "");
}

/* The report in the engineer's language: one line per check, with units
 * and the rule it uses. */
static char *
describe_report (const CalMeshReport *r)
{
  GString *s = g_string_new (NULL);
  const char *ok = _("passed"), *bad = _("FAILED");

  g_string_append_printf (s, _("Triangles: %u, vertices: %u\n"), r->n_triangles, r->n_vertices);
  /* Translators: the first half of "1 piece, 52 internal cavities" */
  g_string_append_printf (s, g_dngettext (NULL, "%u piece", "%u pieces", r->n_components - r->n_cavities),
                          r->n_components - r->n_cavities);
  if (r->n_cavities > 0)
    /* Translators: the second half of "1 piece, 52 internal cavities": air pockets inside the bone */
    g_string_append_printf (s, g_dngettext (NULL, ", %u internal cavity", ", %u internal cavities",
                                            r->n_cavities), r->n_cavities);
  g_string_append_c (s, '\n');
  g_string_append_printf (s, _("Closed (every edge in two triangles): %s (%llu open, %llu "
                               "shared by more)\n"),
                          r->n_boundary_edges + r->n_nonmanifold_edges == 0 ? ok : bad,
                          (unsigned long long) r->n_boundary_edges,
                          (unsigned long long) r->n_nonmanifold_edges);
  g_string_append_printf (s, _("Consistent winding: %s (%llu edges reversed)\n"),
                          r->n_misoriented_edges == 0 ? ok : bad,
                          (unsigned long long) r->n_misoriented_edges);
  g_string_append_printf (s, _("One fan per vertex: %s (%llu vertices)\n"),
                          r->n_nonmanifold_vertices == 0 ? ok : bad,
                          (unsigned long long) r->n_nonmanifold_vertices);
  g_string_append_printf (s, _("No degenerate or duplicate triangles: %s (%llu degenerate, "
                               "%llu duplicate)\n"),
                          r->n_degenerate_triangles + r->n_duplicate_triangles == 0 ? ok : bad,
                          (unsigned long long) r->n_degenerate_triangles,
                          (unsigned long long) r->n_duplicate_triangles);
  g_string_append_printf (s, _("Enclosed volume: %.0f mm³, surface area: %.0f mm²\n"),
                          r->volume_mm3, r->area_mm2);
  if (!isnan (r->mean_offset_mm))
    g_string_append_printf (s, _("Matches the mask: %s (mask %.0f mm³; mean offset %.4f mm, "
                                 "allowed %.3f mm = %.2f voxel)\n"),
                            fabs (r->mean_offset_mm) <= r->offset_tolerance * r->voxel_size_mm
                              ? ok : bad,
                            r->mask_volume_mm3, r->mean_offset_mm,
                            r->offset_tolerance * r->voxel_size_mm, r->offset_tolerance);
  if (!r->decimate_target_reached)
    g_string_append (s, _("Decimation stopped at its error bound before removing all it was "
                          "asked to.\n"));
  return g_string_free (s, FALSE);
}

static void
build_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (user_data);
  g_autoptr (GError) error = NULL;
  g_autofree char *details = NULL;

  g_clear_object (&self->mesh);
  self->mesh = cal_mesh_build_finish (result, &self->report, &error);
  end (self);
  if (self->rebuild_after)
    {
      /* The options changed while this ran: what it built is not what is asked. */
      self->rebuild_after = FALSE;
      g_clear_object (&self->mesh);
      gtk_widget_activate_action (GTK_WIDGET (self), "export.check", NULL);
      g_object_unref (self);
      return;
    }
  if (!self->mesh)
    {
      show_message (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? _("Cancelled") : _("The surface could not be built"),
                    error->message);
      g_object_unref (self);
      return;
    }
  details = describe_report (&self->report);
  if (self->report.passed)
    {
      show_message (self, _("All checks passed: the surface is closed, manifold and true to "
                            "the mask."), details);
      gtk_button_set_label (self->save_button, _("_Save STL…"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->save_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
    }
  else
    {
      show_message (self, _("Some checks failed: a printer may reject this surface."), details);
      gtk_button_set_label (self->save_button, _("_Save Anyway…"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->save_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "destructive-action");
    }
  update_actions (self);
  g_object_unref (self);
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (widget);
  CalMeshOptions options;
  GCancellable *cancellable;

  if (self->cancellable)
    return;
  cal_mesh_options_init (&options);
  options.smooth_iterations = (guint) gtk_spin_button_get_value_as_int (self->smooth_spin);
  options.keep_largest = gtk_switch_get_active (self->largest_switch);
  options.space = adw_combo_row_get_selected (self->space_row) == 1 ? CAL_SPACE_RAS : CAL_SPACE_LPS;
  if (adw_expander_row_get_enable_expansion (self->decimate_row))
    {
      options.decimate_reduction = gtk_spin_button_get_value (self->reduction_spin) / 100;
      options.decimate_max_error_mm = gtk_spin_button_get_value (self->max_error_spin);
    }
  g_clear_object (&self->mesh);
  show_message (self, _("Building and checking the surface…"), NULL);
  cancellable = begin (self);
  cal_mesh_build_async (self->mask, &options, cal_progress_report, &self->progress, cancellable,
                        build_done_cb, g_object_ref (self));
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (user_data);
  g_autoptr (GFile) file = g_steal_pointer (&self->saving);
  g_autoptr (GError) error = NULL;

  end (self);
  if (!cal_mesh_export_finish (result, &error))
    show_message (self, _("The STL file was not written"), error->message);
  else
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *verdict = g_strdup_printf (_("Saved “%s”."), name);

      g_set_object (&self->saved, file);
      gtk_label_set_text (self->verdict_label, verdict);
      gtk_widget_set_visible (GTK_WIDGET (self->show_button), TRUE);
      if (gtk_switch_get_active (self->report_switch))
        g_signal_emit (self, signals[REPORT_WANTED], 0, file);
    }
  g_object_unref (self);
}

void
cal_export_dialog_save_to (CalExportDialog *self,
                           GFile           *file)
{
  g_autofree char *path = NULL;
  GCancellable *cancellable;
  CalStlFormat format;

  g_return_if_fail (CAL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->cancellable || !self->mesh)
    return;
  path = g_file_get_path (file);
  format = adw_combo_row_get_selected (self->format_row) == 1 ? CAL_STL_ASCII : CAL_STL_BINARY;
  g_set_object (&self->saving, file);
  /* Writing reports no progress: the bar pulses until it is done. */
  cancellable = begin (self);
  /* The engineer saw the report and pressed "Save Anyway": that is the
   * override for a failed check. */
  cal_mesh_export_async (self->mesh, &self->report, path, format, !self->report.passed,
                         cancellable, save_done_cb, g_object_ref (self));
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     CalExportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file)
        cal_export_dialog_save_to (self, file);
    }
  g_object_unref (chooser);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save STL"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* A neutral name that tells exports apart: the scan's file name may
   * carry the patient's, so the date and time instead. */
  {
    g_autofree char *name = cal_export_dialog_default_name ();
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  }
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

char *
cal_export_dialog_default_name (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M");

  /* Translators: the STL's suggested file name, before the date and time; no spaces */
  return g_strdup_printf ("%s-%s.stl", _("skull"), stamp);
}

/* The saved file in the file manager (GNOME's FileManager1 ShowItems,
 * which selects it), or its folder where there is none. */
static void
show_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (widget);
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *uri = NULL;
  g_autoptr (GVariant) reply = NULL;

  if (self->saved == NULL)
    return;
  uri = g_file_get_uri (self->saved);
  if (bus != NULL)
    {
      const char *uris[] = { uri, NULL };
      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                                           "org.freedesktop.FileManager1", "ShowItems",
                                           g_variant_new ("(^ass)", uris, ""), NULL,
                                           G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
    }
  if (reply == NULL)
    {
      g_autoptr (GFile) folder = g_file_get_parent (self->saved);
      g_autofree char *folder_uri = folder ? g_file_get_uri (folder) : NULL;
      if (folder_uri)
        gtk_show_uri (GTK_WINDOW (self), folder_uri, GDK_CURRENT_TIME);
    }
}

/* An option changed: build again once it settles, so that what Save
 * writes is always what the options say. */
static gboolean
rebuild_cb (gpointer data)
{
  CalExportDialog *self = data;

  self->rebuild_id = 0;
  if (self->cancellable)
    self->rebuild_after = TRUE;
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "export.check", NULL);
  return G_SOURCE_REMOVE;
}

static void
option_changed_cb (CalExportDialog *self)
{
  g_clear_object (&self->mesh);
  update_actions (self);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  self->rebuild_id = g_timeout_add (400, rebuild_cb, self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (widget);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

static gboolean
cal_export_dialog_close_request (GtkWindow *window)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (window);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (cal_export_dialog_parent_class)->close_request (window);
}

static void
cal_export_dialog_dispose (GObject *object)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  cal_progress_stop (&self->progress);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAL_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (cal_export_dialog_parent_class)->dispose (object);
}

static void
cal_export_dialog_finalize (GObject *object)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (object);

  g_clear_object (&self->mask);
  g_clear_object (&self->mesh);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->saving);
  g_clear_object (&self->saved);
  G_OBJECT_CLASS (cal_export_dialog_parent_class)->finalize (object);
}

/* Escape and Ctrl+W close the dialog, as GNOME's dialogs do (a build or
 * write in progress is cancelled by closing). */
static gboolean
key_pressed_cb (GtkEventControllerKey *keys,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CalExportDialog       *self)
{
  state &= gtk_accelerator_get_default_mod_mask ();
  if ((keyval == GDK_KEY_Escape && state == 0) || (keyval == GDK_KEY_w && state == GDK_CONTROL_MASK))
    {
      gtk_window_close (GTK_WINDOW (self));
      return TRUE;
    }
  return FALSE;
}

static void
add_close_keys (CalExportDialog *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_event_controller_set_name (keys, "export-keys");
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

/* The surface is built and checked as soon as the dialog shows: Save is
 * ready when the engineer is. */
static void
cal_export_dialog_map (GtkWidget *widget)
{
  CalExportDialog *self = CAL_EXPORT_DIALOG (widget);

  GTK_WIDGET_CLASS (cal_export_dialog_parent_class)->map (widget);
  if (self->mesh == NULL && self->cancellable == NULL && self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_cb, self);
}

static void
cal_export_dialog_class_init (CalExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cal_export_dialog_dispose;
  object_class->finalize = cal_export_dialog_finalize;
  window_class->close_request = cal_export_dialog_close_request;
  widget_class->map = cal_export_dialog_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/calvaria/Calvaria/cal-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, smooth_spin);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, decimate_row);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, reduction_spin);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, max_error_spin);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, largest_switch);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, space_row);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, check_button);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, report_label);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, report_switch);
  gtk_widget_class_bind_template_child (widget_class, CalExportDialog, show_button);
  /* An STL was written and the QC report is wanted beside it (the file). */
  signals[REPORT_WANTED] =
    g_signal_new ("report-wanted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_FILE);

  gtk_widget_class_install_action (widget_class, "export.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "export.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "export.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "export.show", NULL, show_action);
}

static void
cal_export_dialog_init (CalExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_close_keys (self);
  update_actions (self);
}

CalExportDialog *
cal_export_dialog_new (GtkWindow *parent,
                       GSettings *settings,
                       CalMask   *mask)
{
  CalExportDialog *self;

  g_return_val_if_fail (CAL_IS_MASK (mask), NULL);

  self = g_object_new (CAL_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->mask = g_object_ref (mask);
  gtk_spin_button_set_value (self->smooth_spin,
                             g_settings_get_uint (settings, "export-smooth-iterations"));
  adw_combo_row_set_selected (self->space_row, g_settings_get_boolean (settings, "export-ras"));
  /* From here on, every option change builds again. */
  g_signal_connect_swapped (self->smooth_spin, "value-changed", G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->reduction_spin, "value-changed", G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->max_error_spin, "value-changed", G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->decimate_row, "notify::enable-expansion", G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->largest_switch, "notify::active", G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->space_row, "notify::selected", G_CALLBACK (option_changed_cb), self);
  return self;
}

gboolean
cal_export_dialog_is_busy (CalExportDialog *self)
{
  g_return_val_if_fail (CAL_IS_EXPORT_DIALOG (self), FALSE);
  /* A build waiting for the options to settle counts: it is on its way. */
  return self->cancellable != NULL || self->rebuild_id != 0 || self->rebuild_after;
}

const CalMeshReport *
cal_export_dialog_get_report (CalExportDialog *self)
{
  g_return_val_if_fail (CAL_IS_EXPORT_DIALOG (self), NULL);
  return self->mesh ? &self->report : NULL;
}

GFile *
cal_export_dialog_get_saved (CalExportDialog *self)
{
  g_return_val_if_fail (CAL_IS_EXPORT_DIALOG (self), NULL);
  return self->saved;
}
