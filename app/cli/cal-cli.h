/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cal-load-report.h"
#include "cal-nn-volume.h"
#include "cal-vk-context.h"

G_BEGIN_DECLS

/* Exit codes a script can rely on; the same for every subcommand. */
enum {
  CAL_EXIT_OK           = 0,
  CAL_EXIT_INPUT        = 1,  /* the input could not be read or is invalid */
  CAL_EXIT_USAGE        = 2,  /* wrong arguments */
  CAL_EXIT_OUTPUT       = 3,  /* the output could not be written */
  CAL_EXIT_REFUSED      = 4,  /* refused for safety (e.g. unknown orientation) */
};

int  cal_cli_info     (int argc, char **argv);
int  cal_cli_convert  (int argc, char **argv);
int  cal_cli_evaluate (int argc, char **argv);
int  cal_cli_devices  (int argc, char **argv);
int  cal_cli_threshold (int argc, char **argv);
int  cal_cli_mesh     (int argc, char **argv);
int  cal_cli_infer    (int argc, char **argv);
int  cal_cli_phantom  (int argc, char **argv);
int  cal_cli_segment  (int argc, char **argv);
int  cal_cli_edit     (int argc, char **argv);
int  cal_cli_check    (int argc, char **argv);
int  cal_cli_report   (int argc, char **argv);

/* Shared helpers */
int  cal_cli_exit_for_error (const GError *error);
void cal_cli_print_error    (const char   *context,
                             const GError *error);
void cal_cli_print_input_error (const GError *error);
void cal_cli_print_report   (const CalLoadReport *report);
void cal_cli_add_load_options (GOptionContext *context);
CalLoadFlags cal_cli_load_flags (void);
void cal_cli_print_progress (double        fraction,
                             gpointer      quiet);
void cal_cli_print_patches  (const CalNnVolumeStats *stats);
gboolean cal_cli_parse      (GOptionContext *context,
                             int            *argc,
                             char         ***argv,
                             int             n_positional,
                             const char     *usage);

/* The Vulkan context to compute on, or *context NULL for the CPU.  An
 * explicit choice (device, or CALVARIA_VK_DEVICE) that fails is an error;
 * the automatic one falls back to the CPU with a notice. */
gboolean cal_cli_open_device (const char    *device,
                              CalVkContext **context,
                              GError       **error);

G_END_DECLS
