/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-window-private.h"

#include "cal-inv3.h"
#include "cal-nifti.h"
#include "cal-seal.h"
#include "cal-untrusted-text.h"

#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (CalWindow, cal_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_EDIT_TOOL,
  PROP_PAINTING_REGION,
  PROP_VIEW_LAYOUT,
  PROP_METHOD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define MAX_RECENT 10

/* Progress ------------------------------------------------------------ */

GCancellable *
cal_window_begin_task (CalWindow  *self,
                       const char *what)
{
  g_return_val_if_fail (self->cancellable == NULL, NULL);

  self->cancellable = g_cancellable_new ();
  gtk_label_set_text (self->progress_label, what);
  cal_progress_start (&self->progress, self->progress_bar);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  cal_window_update_actions (self);
  return self->cancellable;
}

void
cal_window_end_task (CalWindow *self)
{
  g_clear_object (&self->cancellable);
  cal_progress_stop (&self->progress);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  cal_window_update_actions (self);
}

void
cal_window_show_error (CalWindow    *self,
                       const char   *context,
                       const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cal_window_toast (self, _("Cancelled"));
      return;
    }
  {
    /* GLib's own errors quote full paths, whose folders often carry the
     * patient's name. */
    g_autofree char *message = cal_text_hide_paths (error->message, _("(location not shown)"));
    text = g_strdup_printf ("%s: %s", context, message);
  }
  gtk_label_set_text (self->error_label, text);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

void
cal_window_toast (CalWindow  *self,
                  const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
cal_window_update_actions (CalWindow *self)
{
  gboolean busy = self->cancellable != NULL;
  gboolean scan = self->file != NULL && cal_view_state_get_volume (self->state) != NULL;
  gboolean mask = scan && cal_view_state_get_mask (self->state) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-folder", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-recent", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.threshold", scan && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.segment", scan && !busy);
  gboolean previewing = self->edit != NULL && cal_edit_session_get_transaction (self->edit) != NULL;
  CalEditHistory *history = self->edit ? cal_edit_session_get_history (self->edit) : NULL;

  mask = mask && cal_window_has_edits (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.update-3d", mask && !busy && !previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", mask && !busy && !previewing);
  {
    /* Undo and redo follow what the brush paints: the mask, or the region. */
    CalEditSession *active = cal_window_active_edit_session (self);
    CalEditHistory *steps = active ? cal_edit_session_get_history (active) : NULL;
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", steps && !previewing && cal_edit_history_can_undo (steps));
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo", steps && !previewing && cal_edit_history_can_redo (steps));
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fill-between", history && !previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-small-pieces", history && !previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-mask", mask && !previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-mask", scan && !busy && !previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.preview-apply", previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.preview-discard", previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reset-views", scan);
  cal_window_quality_update_actions (self, busy, scan, mask);
}

/* Recent scans ---------------------------------------------------------- */

/* Where the key that seals recent DICOM locations is kept. */
char *
cal_window_recent_key_path (void)
{
  return cal_seal_default_key_path ();
}

/* Folder names of DICOM studies often are the patient's name, so every
 * location is stored sealed (cal-seal.h) with when it was opened: the
 * settings hold no folder name.  A DICOM folder or file is shown by its
 * kind and that time ("DICOM folder, 7 Dec 09:14"); a NIfTI file or an
 * InVesalius project by its own name, as the window's title shows it.
 * Folders are remembered with a trailing slash, so telling them apart
 * needs no file system query on the main loop.  Entries from before
 * (plain URIs, sealed URIs without a time) still reopen. */
typedef struct {
  char *uri;
  char *opened;   /* ISO 8601, or NULL */
} RecentEntry;

static gboolean
recent_entry_read (const char  *entry,
                   RecentEntry *out)
{
  g_autofree char *key = NULL, *text = NULL;
  char *tab;

  if (!cal_seal_is_sealed (entry))
    text = g_strdup (entry);
  else
    {
      key = cal_window_recent_key_path ();
      text = cal_unseal_text (key, entry, NULL);
      if (text == NULL)
        return FALSE;   /* sealed with another key */
    }
  tab = strchr (text, '\t');
  out->opened = tab ? g_strdup (tab + 1) : NULL;
  if (tab)
    *tab = '\0';
  out->uri = g_steal_pointer (&text);
  return TRUE;
}

static void
recent_entry_clear (RecentEntry *e)
{
  g_clear_pointer (&e->uri, g_free);
  g_clear_pointer (&e->opened, g_free);
}

static char *
recent_label (const char *entry)
{
  RecentEntry e = { 0 };
  g_autoptr (GDateTime) opened = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char *name = NULL, *when = NULL;
  const char *kind;
  char *label;

  if (!recent_entry_read (entry, &e))
    return NULL;
  file = g_file_new_for_uri (e.uri);
  name = g_file_get_basename (file);
  if (!g_str_has_suffix (e.uri, "/") && (cal_nifti_path_is_nifti (name) || cal_inv3_path_is_inv3 (name)))
    {
      recent_entry_clear (&e);
      return g_filename_display_name (name);
    }
  kind = g_str_has_suffix (e.uri, "/") ? _("DICOM folder") : _("DICOM file");
  opened = e.opened ? g_date_time_new_from_iso8601 (e.opened, NULL) : NULL;
  if (opened)
    {
      g_autoptr (GDateTime) local = g_date_time_to_local (opened);
      /* Translators: when a recent scan was opened, as "7 Dec 09:14" (g_date_time_format) */
      when = g_date_time_format (local, _("%-d %b %H:%M"));
    }
  /* Translators: a recent DICOM scan: its kind, then when it was opened */
  label = when ? g_strdup_printf (_("%s, %s"), kind, when) : g_strdup (kind);
  recent_entry_clear (&e);
  return label;
}

static void
rebuild_recent_menu (CalWindow *self)
{
  g_auto (GStrv) uris = g_settings_get_strv (self->settings, "recent-files");

  g_menu_remove_all (self->recent_section);
  for (guint i = 0; uris[i]; i++)
    {
      g_autofree char *label = recent_label (uris[i]);
      g_autoptr (GMenuItem) item = NULL;

      if (label == NULL)   /* sealed with another key: cannot reopen */
        continue;
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uris[i]);
      g_menu_append_item (self->recent_section, item);
    }
}

/* The entry as it reopens the scan: sealed ones unsealed. */
char *
cal_window_recent_uri (const char *entry)
{
  RecentEntry e = { 0 };

  if (!recent_entry_read (entry, &e))
    return NULL;
  g_free (e.opened);
  return e.uri;
}

void
cal_window_remember_recent (CalWindow *self,
                            GFile     *file,
                            gboolean   is_folder)
{
  g_auto (GStrv) uris = g_settings_get_strv (self->settings, "recent-files");
  g_autofree char *file_uri = g_file_get_uri (file);
  g_autofree char *uri = is_folder && !g_str_has_suffix (file_uri, "/")
                           ? g_strconcat (file_uri, "/", NULL) : g_strdup (file_uri);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *payload = g_strdup_printf ("%s\t%s", uri, stamp);
  g_autofree char *entry = NULL, *key = cal_window_recent_key_path ();
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) updated = NULL;
  guint n = 1;

  entry = cal_seal_text (key, payload, NULL);
  if (entry == NULL)
    return;   /* no key: better not kept than kept in the clear */
  g_strv_builder_add (builder, entry);
  for (guint i = 0; uris[i] && n < MAX_RECENT; i++)
    {
      g_autofree char *old = cal_window_recent_uri (uris[i]);
      g_autofree char *resealed = NULL;
      if (old == NULL || g_strcmp0 (old, uri) == 0)
        continue;
      /* An entry kept in the clear by an older version is sealed now. */
      resealed = cal_seal_is_sealed (uris[i]) ? g_strdup (uris[i]) : cal_seal_text (key, old, NULL);
      if (resealed)
        {
          g_strv_builder_add (builder, resealed);
          n++;
        }
    }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) updated);
}

/* Drag and drop --------------------------------------------------------- */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CalWindow     *self)
{
  GSList *files = g_value_get_boxed (value);

  if (!files || cal_window_is_busy (self))
    return FALSE;
  cal_window_open (self, files->data, NULL);
  return TRUE;
}

/* Object ---------------------------------------------------------------- */

static gboolean
cal_window_close_request (GtkWindow *window)
{
  CalWindow *self = CAL_WINDOW (window);
  int width, height;

  if (cal_window_confirm_close (self))
    return TRUE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (cal_window_parent_class)->close_request (window);
}

static void
cal_window_constructed (GObject *object)
{
  CalWindow *self = CAL_WINDOW (object);

  G_OBJECT_CLASS (cal_window_parent_class)->constructed (object);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "overlay-opacity", self->opacity_adjustment, "value",
                   G_SETTINGS_BIND_GET | G_SETTINGS_BIND_NO_SENSITIVITY);
  g_settings_bind (self->settings, "show-slice-planes", self->planes_switch, "active",
                   G_SETTINGS_BIND_GET | G_SETTINGS_BIND_NO_SENSITIVITY);
  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (rebuild_recent_menu), self, G_CONNECT_SWAPPED);
  rebuild_recent_menu (self);
  cal_window_setup_presets (self);
  cal_window_follow_window_level (self);
  g_settings_bind (self->settings, "view-layout", self, "view-layout", G_SETTINGS_BIND_DEFAULT);
  cal_window_update_actions (self);
}

static void
cal_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CalWindow *self = CAL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_EDIT_TOOL:
      cal_window_set_tool_name (self, g_value_get_string (value));
      break;
    case PROP_PAINTING_REGION:
      cal_window_set_painting_region (self, g_value_get_boolean (value));
      break;
    case PROP_VIEW_LAYOUT:
      cal_window_set_view_layout (self, g_value_get_string (value));
      break;
    case PROP_METHOD:
      cal_window_set_method (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CalWindow *self = CAL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_EDIT_TOOL:
      g_value_set_string (value, cal_window_get_tool_name (self));
      break;
    case PROP_PAINTING_REGION:
      g_value_set_boolean (value, cal_window_is_painting_region (self));
      break;
    case PROP_VIEW_LAYOUT:
      g_value_set_string (value, cal_window_get_view_layout (self));
      break;
    case PROP_METHOD:
      g_value_set_string (value, cal_window_get_method (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_window_dispose (GObject *object)
{
  CalWindow *self = CAL_WINDOW (object);

  g_clear_handle_id (&self->queued_load_id, g_source_remove);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  cal_progress_stop (&self->progress);
  if (self->state != NULL)
    cal_window_edit_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAL_TYPE_WINDOW);
  G_OBJECT_CLASS (cal_window_parent_class)->dispose (object);
}

static void
cal_window_finalize (GObject *object)
{
  CalWindow *self = CAL_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->state);
  g_clear_object (&self->file);
  g_clear_object (&self->title);
  g_clear_object (&self->segmenter);
  g_clear_object (&self->segmenting);
  g_clear_object (&self->edit);
  g_clear_object (&self->region_edit);
  g_clear_object (&self->task_base);
  cal_window_surface_clear (self);
  g_free (self->pending_recovery);
  cal_window_quality_free (self);
  cal_mask_origin_clear (&self->origin);
  G_OBJECT_CLASS (cal_window_parent_class)->finalize (object);
}

static void
cal_window_class_init (CalWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cal_window_constructed;
  object_class->set_property = cal_window_set_property;
  object_class->get_property = cal_window_get_property;
  object_class->dispose = cal_window_dispose;
  object_class->finalize = cal_window_finalize;
  window_class->close_request = cal_window_close_request;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The editing tool by name, for the win.tool action (toggle buttons, keys). */
  properties[PROP_EDIT_TOOL] =
    g_param_spec_string ("edit-tool", NULL, NULL, "navigate",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the brush paints the region of interest (win.paint-region). */
  properties[PROP_PAINTING_REGION] =
    g_param_spec_boolean ("painting-region", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The views' layout by name, for the win.layout action: "four", or the large view's. */
  properties[PROP_VIEW_LAYOUT] =
    g_param_spec_string ("view-layout", NULL, NULL, "four",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The Segmentation group's page, for the win.method action: "threshold" or "unet". */
  properties[PROP_METHOD] =
    g_param_spec_string ("segmentation-method", NULL, NULL, "threshold",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CAL_TYPE_SLICE_VIEW);
  g_type_ensure (CAL_TYPE_MESH_VIEW);
  g_type_ensure (CAL_TYPE_QUALITY_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/calvaria/Calvaria/cal-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CalWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, scan_info_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, scan_info_box);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, surface_status_box);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, surface_status_title);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, surface_status_body);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, surface_status_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, surface_reduced_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, threshold_preset_row);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, min_hu_spin);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, max_hu_spin);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, keep_largest_switch);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, fill_cavities_switch);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, min_island_spin);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, threshold_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, segment_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, mask_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, window_preset_row);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, opacity_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, planes_switch);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, update_3d_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, mesh_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, axial_view);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, coronal_view);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, sagittal_view);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, mesh_view);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, quality_panel);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, legend_area);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, recent_section);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, history_list);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, measure_list);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, mask_origin_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, method_stack);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, unet_model_row);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, view_grid);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, layout_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, preview_revealer);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, radius_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, sphere_switch);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, limit_hu_switch);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, fill_between_button);
  gtk_widget_class_bind_template_child (widget_class, CalWindow, small_pieces_spin);

  cal_window_install_load_actions (widget_class);
  cal_window_install_work_actions (widget_class);
  cal_window_install_segment_action (widget_class);
  cal_window_install_edit_actions (widget_class);
  cal_window_install_quality_actions (widget_class);
  cal_window_install_measure_actions (widget_class);
  cal_window_install_layout_actions (widget_class);
  gtk_widget_class_install_property_action (widget_class, "win.method", "segmentation-method");
}

static void
tool_changed_cb (CalWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDIT_TOOL]);
}

static void
hu_range_changed_cb (CalWindow *self)
{
  cal_edit_tools_set_hu_range (cal_view_state_get_tools (self->state), gtk_spin_button_get_value (self->min_hu_spin),
                               gtk_spin_button_get_value (self->max_hu_spin));
}

static void
slice_focus_cb (CalSliceView *view,
                GParamSpec   *pspec,
                CalWindow    *self)
{
  if (gtk_widget_has_focus (GTK_WIDGET (view)))
    self->last_orientation = cal_slice_view_get_orientation (view);
}

static void
edit_failed_cb (CalEditTools *tools,
                GError       *error,
                CalWindow    *self)
{
  cal_window_show_error (self, g_error_matches (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL)
                                 ? _("The edit could not be made safe on disk") : _("Editing"), error);
}

/* The tools follow the sidebar's controls, and the views' keys move them back. */
static void
setup_edit_tools (CalWindow *self)
{
  CalEditTools *tools = cal_view_state_get_tools (self->state);
  CalSliceView *views[3] = { self->axial_view, self->coronal_view, self->sagittal_view };

  g_object_bind_property (self->radius_adjustment, "value", tools, "radius",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->sphere_switch, "active", tools, "sphere",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->limit_hu_switch, "active", tools, "limit-hu",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (tools, "notify::tool", G_CALLBACK (tool_changed_cb), self);
  g_signal_connect (tools, "edit-failed", G_CALLBACK (edit_failed_cb), self);
  g_signal_connect_swapped (self->min_hu_spin, "value-changed", G_CALLBACK (hu_range_changed_cb), self);
  g_signal_connect_swapped (self->max_hu_spin, "value-changed", G_CALLBACK (hu_range_changed_cb), self);
  g_signal_connect (self->history_list, "row-activated", G_CALLBACK (cal_window_history_row_activated), self);
  gtk_list_box_set_activate_on_single_click (self->history_list, TRUE);
  for (int i = 0; i < 3; i++)
    g_signal_connect (views[i], "notify::has-focus", G_CALLBACK (slice_focus_cb), self);
  hu_range_changed_cb (self);
}

static void
cal_window_init (CalWindow *self)
{
  GtkDropTarget *drop;
  GtkWidget *title;

  gtk_widget_init_template (GTK_WIDGET (self));
  cal_window_quality_init (self);
  self->origin.threshold_hu = NAN;
  self->origin.probability = NAN;

  self->state = cal_view_state_new ();
  cal_slice_view_set_state (self->axial_view, self->state);
  cal_slice_view_set_state (self->coronal_view, self->state);
  cal_slice_view_set_state (self->sagittal_view, self->state);
  cal_mesh_view_set_state (self->mesh_view, self->state);
  g_object_bind_property (self->opacity_adjustment, "value", self->state, "overlay-opacity",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->planes_switch, "active", self->mesh_view, "show-planes",
                          G_BINDING_SYNC_CREATE);
  setup_edit_tools (self);
  cal_window_measure_setup (self);
  cal_window_quality_setup (self);
  cal_window_show_model (self);   /* the model does not change while the window lives */

  title = adw_window_title_new (_("Calvaria"), "");
  self->title = ADW_WINDOW_TITLE (g_object_ref_sink (title));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (gtk_widget_get_ancestor (
                                     GTK_WIDGET (self->open_button), ADW_TYPE_HEADER_BAR)),
                                   title);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

CalWindow *
cal_window_new (CalvariaApplication *app,
                GSettings           *settings)
{
  return g_object_new (CAL_TYPE_WINDOW, "application", app, "settings", settings, NULL);
}

gboolean
cal_window_has_scan (CalWindow *self)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), FALSE);
  return cal_view_state_get_volume (self->state) != NULL;
}

gboolean
cal_window_is_busy (CalWindow *self)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), FALSE);
  return self->cancellable != NULL ||
         (self->export_dialog && cal_export_dialog_is_busy (self->export_dialog));
}

CalViewState *
cal_window_get_state (CalWindow *self)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), NULL);
  return self->state;
}

CalSliceView *
cal_window_get_slice_view (CalWindow           *self,
                           CalSliceOrientation  orientation)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), NULL);
  switch (orientation)
    {
    case CAL_SLICE_AXIAL:
      return self->axial_view;
    case CAL_SLICE_CORONAL:
      return self->coronal_view;
    case CAL_SLICE_SAGITTAL:
    default:
      return self->sagittal_view;
    }
}

CalMeshView *
cal_window_get_mesh_view (CalWindow *self)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), NULL);
  return self->mesh_view;
}

const char *
cal_window_get_error (CalWindow *self)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), NULL);
  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

GtkWindow *
cal_window_get_export_dialog (CalWindow *self)
{
  g_return_val_if_fail (CAL_IS_WINDOW (self), NULL);
  return self->export_dialog ? GTK_WINDOW (self->export_dialog) : NULL;
}

/* Software OpenGL draws about ten million triangles a second on two
 * cores: 150 000 keeps orbiting above 20 frames a second.  A GPU draws
 * the whole skull. */
#define SOFTWARE_GL_TRIANGLES 150000
#define GPU_TRIANGLES 4000000

guint
cal_window_display_budget (CalWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  guint budget = g_settings_get_uint (self->settings, "display-max-triangles");

  g_return_val_if_fail (CAL_IS_WINDOW (self), 0);
  if (budget > 0)
    return MAX (budget, 10000);
  if (CALVARIA_IS_APPLICATION (app) && calvaria_application_get_software_gl (CALVARIA_APPLICATION (app)))
    return SOFTWARE_GL_TRIANGLES;
  return GPU_TRIANGLES;
}
