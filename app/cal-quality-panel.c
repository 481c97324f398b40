/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-quality-panel.h"

#include <glib/gi18n.h>

#include "cal-colour-scale.h"
#include "cal-false-defects.h"

struct _CalQualityPanel
{
  GtkBox             parent_instance;

  /* template widgets */
  AdwActionRow      *reference_row;
  AdwActionRow      *region_row;
  GtkSpinButton     *band_spin;
  GtkSpinButton     *tolerance_spin;
  AdwComboRow       *colour_row;
  GtkButton         *compare_button;
  GtkLabel          *results_label;
  GtkDrawingArea    *histogram_area;
  GtkLabel          *picked_label;
  GtkListBox        *false_defects_list;

  CalDeviationStats  histogram;
  GArray            *pieces;        /* CalFalseDefect, the rows' */
};

G_DEFINE_FINAL_TYPE (CalQualityPanel, cal_quality_panel, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_COLOUR_MAP,
  N_PROPS
};

enum {
  FALSE_DEFECT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
draw_histogram (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        data)
{
  CalQualityPanel *self = data;
  const CalDeviationStats *st = &self->histogram;
  CalDeviationScale scale = { st->range_mm, st->tolerance_mm };
  double top = 1e-9, bar = (double) width / CAL_DEVIATION_BINS;

  for (int b = 0; b < CAL_DEVIATION_BINS; b++)
    top = MAX (top, st->histogram[b]);
  for (int b = 0; b < CAL_DEVIATION_BINS; b++)
    {
      float rgb[3];
      double v = -st->range_mm + (b + 0.5) * 2 * st->range_mm / CAL_DEVIATION_BINS;
      double h = (height - 12) * st->histogram[b] / top;

      cal_deviation_colour (&scale, v, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, b * bar, height - 12 - h, MAX (bar - 0.5, 0.5), h);
      cairo_fill (cr);
    }
  /* Ticks at the tolerance and the range, in mm. */
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 1);
  cairo_set_font_size (cr, 9);
  for (int t = -1; t <= 1; t++)
    for (int kind = 0; kind < 2; kind++)
      {
        double v = t * (kind ? st->range_mm : st->tolerance_mm);
        double x = (v + st->range_mm) / (2 * st->range_mm) * width;
        g_autofree char *label = g_strdup_printf ("%+g", v);

        if (t == 0 && kind)
          continue;
        cairo_move_to (cr, x, height - 12);
        cairo_line_to (cr, x, height - 8);
        cairo_stroke (cr);
        cairo_move_to (cr, CLAMP (x - 8, 0, width - 20), height - 1);
        cairo_show_text (cr, label);
      }
}

static void
row_activated_cb (GtkListBox      *list,
                  GtkListBoxRow   *row,
                  CalQualityPanel *self)
{
  guint index = (guint) gtk_list_box_row_get_index (row);
  const CalFalseDefect *piece;

  if (self->pieces == NULL || index >= self->pieces->len)
    return;
  piece = &g_array_index (self->pieces, CalFalseDefect, index);
  g_signal_emit (self, signals[FALSE_DEFECT_ACTIVATED], 0, piece->centroid[0], piece->centroid[1],
                 piece->centroid[2]);
}

static void
colour_selected_cb (CalQualityPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOUR_MAP]);
}

static void
cal_quality_panel_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CalQualityPanel *self = CAL_QUALITY_PANEL (object);

  switch (prop_id)
    {
    case PROP_COLOUR_MAP:
      g_value_set_int (value, cal_quality_panel_get_colour_map (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_quality_panel_dispose (GObject *object)
{
  CalQualityPanel *self = CAL_QUALITY_PANEL (object);

  g_clear_pointer (&self->pieces, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAL_TYPE_QUALITY_PANEL);
  G_OBJECT_CLASS (cal_quality_panel_parent_class)->dispose (object);
}

static void
cal_quality_panel_class_init (CalQualityPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cal_quality_panel_get_property;
  object_class->dispose = cal_quality_panel_dispose;
  properties[PROP_COLOUR_MAP] =
    g_param_spec_int ("colour-map", NULL, NULL, CAL_COLOUR_MAP_BONE, CAL_COLOUR_MAP_REGION,
                      CAL_COLOUR_MAP_BONE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[FALSE_DEFECT_ACTIVATED] =
    g_signal_new ("false-defect-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/calvaria/Calvaria/cal-quality-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, reference_row);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, region_row);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, band_spin);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, tolerance_spin);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, colour_row);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, compare_button);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, results_label);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, histogram_area);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, picked_label);
  gtk_widget_class_bind_template_child (widget_class, CalQualityPanel, false_defects_list);
}

static void
cal_quality_panel_init (CalQualityPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->histogram.range_mm = 5;
  self->histogram.tolerance_mm = 1;
  gtk_drawing_area_set_draw_func (self->histogram_area, draw_histogram, self, NULL);
  g_signal_connect_swapped (self->colour_row, "notify::selected", G_CALLBACK (colour_selected_cb), self);
  g_signal_connect (self->false_defects_list, "row-activated", G_CALLBACK (row_activated_cb), self);
}

double
cal_quality_panel_get_band_mm (CalQualityPanel *self)
{
  return gtk_spin_button_get_value (self->band_spin);
}

double
cal_quality_panel_get_tolerance_mm (CalQualityPanel *self)
{
  return gtk_spin_button_get_value (self->tolerance_spin);
}

CalColourMap
cal_quality_panel_get_colour_map (CalQualityPanel *self)
{
  return (CalColourMap) adw_combo_row_get_selected (self->colour_row);
}

void
cal_quality_panel_set_colour_map (CalQualityPanel *self,
                                  CalColourMap     map)
{
  adw_combo_row_set_selected (self->colour_row, map);
}

void
cal_quality_panel_set_reference (CalQualityPanel *self,
                                 const char      *description)
{
  adw_action_row_set_subtitle (self->reference_row, description ? description : _("None yet"));
}

void
cal_quality_panel_set_region (CalQualityPanel *self,
                              const char      *description)
{
  adw_action_row_set_subtitle (self->region_row,
                               description ? description : _("The defect edge, found at Compare (band below)"));
}

void
cal_quality_panel_set_results (CalQualityPanel         *self,
                               const char              *text,
                               const CalDeviationStats *histogram)
{
  gtk_label_set_text (self->results_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->results_label), text != NULL);
  if (histogram)
    self->histogram = *histogram;
  gtk_widget_set_visible (GTK_WIDGET (self->histogram_area), text != NULL && histogram != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->histogram_area));
}

const char *
cal_quality_panel_get_results_text (CalQualityPanel *self)
{
  return gtk_label_get_text (self->results_label);
}

void
cal_quality_panel_set_picked (CalQualityPanel *self,
                              const char      *text)
{
  gtk_label_set_text (self->picked_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->picked_label), text != NULL);
}

void
cal_quality_panel_set_false_defects (CalQualityPanel *self,
                                     GArray          *pieces)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->false_defects_list))))
    gtk_list_box_remove (self->false_defects_list, child);
  g_clear_pointer (&self->pieces, g_array_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->false_defects_list), pieces != NULL);
  if (pieces == NULL)
    return;
  self->pieces = g_array_ref (pieces);
  for (guint i = 0; i < pieces->len; i++)
    {
      const CalFalseDefect *p = &g_array_index (pieces, CalFalseDefect, i);
      g_autofree char *title = g_strdup_printf (_("%.1f mm³ of bone not in the mask (mean %.0f HU)"),
                                                p->volume_mm3, p->mean_hu);
      g_autofree char *where = g_strdup_printf (_("At L %.1f, P %.1f, S %.1f mm: activate to go there"),
                                                p->centroid[0], p->centroid[1], p->centroid[2]);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->false_defects_list, row);
    }
  if (pieces->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     _("No possible false defect: no dense bone touching the skull is left out"));
      gtk_list_box_append (self->false_defects_list, row);
    }
}
