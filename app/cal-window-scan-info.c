/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The scan's information (issue 30): a button beside Open, once a scan is
 * loaded, whose popover says what was read (format, size, voxel size,
 * orientation) and lists every warning and note the loader gave, not only
 * the first.  With warnings the button shows a warning sign, and the load
 * ends with a toast that says how many, with Show opening the list. */
#include "cal-window-private.h"

#include <glib/gi18n.h>

#include "cal-untrusted-text.h"

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static GtkWidget *
info_label (const char *text,
            const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);   /* so a warning can be copied */
  if (style)
    gtk_widget_add_css_class (label, style);
  return label;
}

/* A heading, then one row per message, each with its sign. */
static void
add_messages (GtkBox     *box,
              const char *heading,
              GPtrArray  *messages,
              const char *icon,
              const char *style)
{
  if (messages == NULL || messages->len == 0)
    return;
  gtk_box_append (box, info_label (heading, "heading"));
  for (guint i = 0; i < messages->len; i++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      g_autofree char *text = cal_text_hide_paths (g_ptr_array_index (messages, i), _("(location not shown)"));
      GtkWidget *sign = gtk_image_new_from_icon_name (icon);

      gtk_widget_set_valign (sign, GTK_ALIGN_START);
      if (style)
        gtk_widget_add_css_class (sign, style);
      gtk_box_append (GTK_BOX (row), sign);
      gtk_box_append (GTK_BOX (row), info_label (text, NULL));
      gtk_widget_set_name (row, style ? "scan-warning" : "scan-note");
      gtk_box_append (box, row);
    }
}

static void
show_scan_info_cb (AdwToast  *toast,
                   CalWindow *self)
{
  gtk_menu_button_popup (self->scan_info_button);
}

void
cal_window_scan_info_update (CalWindow           *self,
                             const CalLoadReport *report,
                             const CalGrid       *grid)
{
  GtkBox *box = self->scan_info_box;
  guint n_warnings = report && report->warnings ? report->warnings->len : 0;
  g_autofree char *size = NULL;
  char code[4];
  double spacing[3];

  clear_box (box);
  cal_grid_get_spacing (grid, spacing);
  cal_grid_orientation_code (grid, code);
  gtk_box_append (box, info_label (report && report->format ? report->format : _("Scan"), "title-4"));
  if (report && report->details && *report->details)
    gtk_box_append (box, info_label (report->details, "dim-label"));
  /* TRANSLATORS: volume size in voxels, then voxel size in mm */
  size = g_strdup_printf (_("%u × %u × %u voxels · %.3f × %.3f × %.3f mm"), grid->dims[0], grid->dims[1],
                          grid->dims[2], spacing[0], spacing[1], spacing[2]);
  gtk_box_append (box, info_label (size, NULL));
  {
    /* TRANSLATORS: %s is a three-letter code such as LPS: where the voxel axes point in the patient */
    g_autofree char *orientation = grid->orientation_known ? g_strdup_printf (_("Voxel axes point %s"), code)
                                        : g_strdup (_("Orientation not stated by the file"));
    gtk_box_append (box, info_label (orientation, NULL));
  }
  if (report)
    {
      add_messages (box, g_dngettext (NULL, "Warning", "Warnings", n_warnings), report->warnings,
                    "dialog-warning-symbolic", "warning");
      add_messages (box, _("Notes"), report->notes, "dialog-information-symbolic", NULL);
    }
  gtk_menu_button_set_icon_name (self->scan_info_button,
                                 n_warnings ? "dialog-warning-symbolic" : "dialog-information-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->scan_info_button),
                               n_warnings ? _("Scan Information and Warnings") : _("Scan Information"));
  gtk_widget_set_visible (GTK_WIDGET (self->scan_info_button), TRUE);
  if (n_warnings > 0)
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (NULL, "The loader has %u warning about this scan",
                                                             "The loader has %u warnings about this scan",
                                                             n_warnings), n_warnings);
      AdwToast *toast = adw_toast_new (title);
      adw_toast_set_button_label (toast, _("_Show"));
      adw_toast_set_timeout (toast, 10);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (show_scan_info_cb), self, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}
