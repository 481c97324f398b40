/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-block-surface.h"
#include "cal-export-dialog.h"
#include "cal-load-report.h"
#include "cal-progress.h"
#include "cal-quality-panel.h"
#include "cal-segmenter.h"
#include "cal-threshold.h"
#include "cal-vk-context.h"
#include "cal-window.h"

G_BEGIN_DECLS

typedef struct _CalWindowQuality CalWindowQuality;

/* What made the mask last, for the QC report: the threshold, or the U-net
 * (the model file, the device, its probability threshold and density
 * floor), and when. */
typedef struct {
  gboolean  network;
  char     *model;          /* (nullable) path; NULL for a threshold */
  char     *device;         /* (nullable) */
  double    threshold_hu;   /* the threshold's lowest HU, or the U-net's density floor; NAN: none */
  double    probability;    /* the U-net's; NAN for a threshold */
  double    faint_probability; /* the U-net's under faint_below_hu on a resampled CT; 0: none */
  double    faint_below_hu;
  char     *made_at;        /* ISO 8601 UTC */
} CalMaskOrigin;

void cal_mask_origin_clear (CalMaskOrigin *origin);

struct _CalWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwSplitButton       *open_button;
  GtkMenuButton        *scan_info_button;
  GtkBox               *scan_info_box;
  GtkButton            *export_button;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwComboRow          *threshold_preset_row;
  GtkSpinButton        *min_hu_spin;
  GtkSpinButton        *max_hu_spin;
  GtkSwitch            *keep_largest_switch;
  GtkSwitch            *fill_cavities_switch;
  GtkSpinButton        *min_island_spin;
  GtkButton            *threshold_button;
  GtkButton            *segment_button;
  GtkLabel             *mask_label;
  GtkLabel             *mask_origin_label;
  GtkStack             *method_stack;
  AdwActionRow         *unet_model_row;
  AdwComboRow          *window_preset_row;
  GtkAdjustment        *opacity_adjustment;
  GtkSwitch            *planes_switch;
  GtkButton            *update_3d_button;
  GtkLabel             *mesh_label;
  CalSliceView         *axial_view;
  CalSliceView         *coronal_view;
  CalSliceView         *sagittal_view;
  CalMeshView          *mesh_view;
  GMenu                *recent_section;
  GtkListBox           *history_list;
  GtkListBox           *measure_list;
  AdwFlap              *flap;
  GtkGrid              *view_grid;
  GtkWidget            *sidebar_button;
  GtkWidget            *layout_button;
  GtkRevealer          *preview_revealer;
  GtkLabel             *preview_label;
  GtkAdjustment        *radius_adjustment;
  GtkSwitch            *sphere_switch;
  GtkSwitch            *limit_hu_switch;
  GtkButton            *fill_between_button;
  GtkSpinButton        *small_pieces_spin;
  CalQualityPanel      *quality_panel;
  GtkDrawingArea       *legend_area;
  GtkWidget            *surface_status_box;
  GtkLabel             *surface_status_title;
  GtkLabel             *surface_status_body;
  GtkWidget            *surface_status_button;
  GtkLabel             *surface_reduced_label;

  /* owned */
  GSettings            *settings;
  CalViewState         *state;
  AdwWindowTitle       *title;
  GCancellable         *cancellable;       /* of the running task, NULL when idle */
  GFile                *file;              /* the scan shown */
  CalExportDialog      *export_dialog;     /* weak: the dialog clears it */
  CalSegmenter         *segmenter;         /* Segment Skull's; NULL: the U-net from the settings */
  CalSegmenter         *segmenting;        /* the one running */
  CalEditSession       *edit;              /* the mask's editing session, once a scan is open */
  CalEditSession       *region_edit;       /* cal-window-region.c's: the region of interest painted */
  char                 *pending_recovery;  /* a session folder to restore when its scan has loaded */
  CalSliceOrientation   last_orientation;  /* the slice view used last: fill between slices goes across it */
  gboolean              close_confirmed;
  CalMask              *task_base;         /* the mask when a whole-mask task started (a copy) */
  guint64               task_base_version;
  CalBlockSurface      *surface;           /* the 3D view's, once Update 3D made it */
  gboolean              surface_busy;      /* a worker is meshing */
  CalBox                surface_dirty;     /* changed since the worker started */
  guint64               surface_full_triangles;
  double                surface_update_ms; /* the last update, edit to view */

  CalProgress           progress;          /* of the running task */
  CalWindowQuality     *quality;           /* cal-window-quality.c's */
  CalMaskOrigin         origin;            /* what made the mask last (for the QC report) */
  guint                 view_layout;       /* cal-window-layout.c's: 0 four views, 1–4 one large */
  guint                 queued_load_id;    /* a load waiting for the running task (cal-window-load.c) */
};

/* cal-window.c: one task at a time, with progress, Cancel and errors. */
GCancellable *cal_window_begin_task      (CalWindow    *self,
                                          const char   *what);
void          cal_window_end_task        (CalWindow    *self);
void          cal_window_show_error      (CalWindow    *self,
                                          const char   *context,
                                          const GError *error);
void          cal_window_toast           (CalWindow    *self,
                                          const char   *message);
void          cal_window_update_actions  (CalWindow    *self);
void          cal_window_remember_recent (CalWindow    *self,
                                          GFile        *file,
                                          gboolean      is_folder);
char         *cal_window_recent_uri      (const char   *entry);
char         *cal_window_recent_key_path (void);

/* cal-window-load.c */
void          cal_window_install_load_actions (GtkWidgetClass *widget_class);
/* Opens without asking (cal_window_open asks about unsaved changes first). */
void          cal_window_load            (CalWindow    *self,
                                          GFile        *file,
                                          const char   *series_uid);
/* cal-window-scan-info.c: what the loader read and every warning it gave. */
void          cal_window_scan_info_update (CalWindow           *self,
                                           const CalLoadReport *report,
                                           const CalGrid       *grid);
/* cal-window-discard.c: TRUE when it asked (the close waits for the answer). */
gboolean      cal_window_confirm_close   (CalWindow    *self);
gboolean      cal_window_has_unsaved_mask (CalWindow   *self);

/* cal-window-segment.c */
void          cal_window_install_segment_action (GtkWidgetClass *widget_class);
/* What Segment Skull runs (tests hand it a stub); NULL: the U-net with the
 * Preferences' settings on the application's compute cache. */
void          cal_window_set_segmenter   (CalWindow    *self,
                                          CalSegmenter *segmenter);

/* cal-window-edit.c: the session, its journal and the history list. */
CalEditTools   *cal_window_get_tools          (CalWindow      *self);
const char     *cal_window_get_tool_name      (CalWindow      *self);
void            cal_window_set_tool_name      (CalWindow      *self,
                                               const char     *name);
void            cal_window_edit_scan_loaded   (CalWindow      *self);
/* A journal for the session, its scan's location sealed as in the recent list. */
void            cal_window_edit_start_journal (CalWindow      *self);
gboolean        cal_window_edit_apply         (CalWindow      *self,
                                               CalMask        *result,
                                               const char     *name);
gboolean        cal_window_has_edits          (CalWindow      *self);
void            cal_window_edit_task_started  (CalWindow      *self);
void            cal_window_edit_finish_task   (CalWindow      *self,
                                               CalMask        *result,
                                               const char     *name,
                                               const char     *label);
CalEditSession *cal_window_get_edit_session   (CalWindow      *self);
gboolean        cal_window_go_to_step         (CalWindow      *self,
                                               guint           position);
void            cal_window_edit_dispose       (CalWindow      *self);
void            cal_window_history_row_activated (GtkListBox   *list,
                                                  GtkListBoxRow *row,
                                                  CalWindow    *self);

/* cal-window-edit-actions.c */
void            cal_window_install_edit_actions (GtkWidgetClass *widget_class);
/* The Save Mask file chooser; then (data) once the mask is saved. */
void            cal_window_ask_save_mask      (CalWindow      *self,
                                               GFunc           then,
                                               gpointer        data,
                                               GDestroyNotify  free_data);
gboolean        cal_window_save_mask_to       (CalWindow      *self,
                                               GFile          *file,
                                               GError        **error);
gboolean        cal_window_open_mask_from     (CalWindow      *self,
                                               GFile          *file,
                                               GError        **error);
void            cal_window_restore_session    (CalWindow      *self,
                                               const char     *session_path,
                                               GFile          *scan);

/* cal-window-surface.c: the 3D view's surface, following every edit, and
 * what the view says about it (no surface yet, out of date, building,
 * reduced). */
void            cal_window_surface_show_status  (CalWindow      *self);
void            cal_window_surface_build        (CalWindow      *self);
void            cal_window_surface_mask_changed (CalWindow      *self,
                                                 const CalBox   *box);
void            cal_window_surface_clear        (CalWindow      *self);

/* cal-window-quality.c: the reference, Compare, the colour maps, false defects. */
void            cal_window_install_quality_actions (GtkWidgetClass *widget_class);
void            cal_window_quality_init            (CalWindow      *self);
void            cal_window_quality_setup           (CalWindow      *self);
void            cal_window_quality_free            (CalWindow      *self);
void            cal_window_quality_scan_loaded     (CalWindow      *self);
void            cal_window_quality_surface_changed (CalWindow      *self);
void            cal_window_quality_update_actions  (CalWindow      *self,
                                                    gboolean        busy,
                                                    gboolean        scan,
                                                    gboolean        mask);
/* The device Compare and the report compute the metrics on: a GPU where
 * there is one, else the CPU path (NULL; faster than a software Vulkan
 * device, same results).  Any thread. */
CalVkContext   *cal_window_metrics_device          (const char *device);
/* The QC report beside an exported STL (<name>.qc.pdf and .qc.json), in
 * a worker; a toast says where, or what failed. */
void            cal_window_quality_write_report    (CalWindow      *self,
                                                    GFile          *stl);
/* For tests: the reference, and the deviation per vertex of the surface
 * shown (NULL when there is none for it). */
CalMask        *cal_window_quality_get_reference   (CalWindow      *self);
const float    *cal_window_quality_get_deviation   (CalWindow      *self,
                                                    guint32        *n_vertices);
CalMask        *cal_window_quality_get_painted_region (CalWindow    *self);
/* The defect edge the last Compare found (NULL: none yet). */
CalMask        *cal_window_quality_get_found_region (CalWindow      *self);
/* region NULL: back to the defect edge found at Compare. */
void            cal_window_quality_set_painted_region (CalWindow    *self,
                                                    CalMask        *region,
                                                    const char     *description);
/* The slice views' tint follows painting and the colour map chosen. */
void            cal_window_quality_show_region     (CalWindow      *self);

/* cal-window-region.c: the region of interest opened or painted. */
void            cal_window_install_region_actions  (GtkWidgetClass *widget_class);
gboolean        cal_window_open_region_from        (CalWindow      *self,
                                                    GFile          *file,
                                                    GError        **error);
/* The region shown (painted, opened, or the defect edge Compare found) as
 * a 0/1 label file, NIfTI, atomically. */
gboolean        cal_window_save_region_to          (CalWindow      *self,
                                                    GFile          *file,
                                                    GError        **error);
/* "NIfTI masks (.nii.gz, .nii)", for file choosers. */
GtkFileFilter  *cal_window_nifti_filter            (void);
gboolean        cal_window_is_painting_region      (CalWindow      *self);
void            cal_window_set_painting_region     (CalWindow      *self,
                                                    gboolean        painting);
void            cal_window_region_scan_loaded      (CalWindow      *self);
/* Undo and redo act on this: the region's session while it is painted. */
CalEditSession *cal_window_active_edit_session     (CalWindow      *self);
gboolean        cal_window_open_reference_from     (CalWindow      *self,
                                                    GFile          *file,
                                                    GError        **error);

/* cal-window-actions.c */
void          cal_window_install_work_actions (GtkWidgetClass *widget_class);
void          cal_window_threshold_options    (CalWindow           *self,
                                               CalThresholdOptions *options);
void          cal_window_setup_presets        (CalWindow      *self);
void          cal_window_follow_window_level  (CalWindow      *self);
void          cal_window_scan_loaded          (CalWindow      *self);

/* cal-window-measure.c */
void          cal_window_measure_setup            (CalWindow            *self);
void          cal_window_install_measure_actions  (GtkWidgetClass       *widget_class);

/* cal-window-layout.c */
const char   *cal_window_get_view_layout          (CalWindow            *self);
void          cal_window_set_view_layout          (CalWindow            *self,
                                                   const char           *name);
void          cal_window_install_layout_actions   (GtkWidgetClass       *widget_class);

/* cal-window-segment.c: the Segmentation group shows the method that made
 * the mask ("threshold" or "unet"), and says what made it. */
const char   *cal_window_get_method               (CalWindow            *self);
void          cal_window_set_method               (CalWindow            *self,
                                                   const char           *method);
void          cal_window_set_mask_origin          (CalWindow            *self,
                                                   const char           *origin);
void          cal_window_show_model               (CalWindow            *self);
/* "594,324 mm³ (594.3 mL)": digits grouped by the locale. */
char         *cal_window_format_volume            (double                mm3);

G_END_DECLS
