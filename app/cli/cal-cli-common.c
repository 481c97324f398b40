/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-cli.h"

#include "cal-evaluate.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "cal-nifti.h"
#include "cal-untrusted-text.h"
#include "cal-vk-context.h"

/* What every command that loads a scan accepts on request: the "warn and
 * confirm" cases of the bad-input table. */
static gboolean accept_missing_rescale, accept_derived, accept_resampling, exclude_bad_slices, keep_longest_run;

static const GOptionEntry load_entries[] = {
  { "accept-missing-rescale", 0, 0, G_OPTION_ARG_NONE, &accept_missing_rescale,
    "Load a CT without RescaleSlope/Intercept, taking stored values as HU (unverified)", NULL },
  { "accept-derived", 0, 0, G_OPTION_ARG_NONE, &accept_derived,
    "Load DERIVED or SECONDARY images (reformats, projections), not an original acquisition", NULL },
  { "accept-resampling", 0, 0, G_OPTION_ARG_NONE, &accept_resampling,
    "Interpolate missing slices or resample uneven slice spacing onto a regular grid (recorded in the report)", NULL },
  { "keep-longest-run", 0, 0, G_OPTION_ARG_NONE, &keep_longest_run,
    "Instead of interpolating, keep the longest run of evenly spaced slices and leave out the rest "
    "(reported)", NULL },
  { "exclude-bad-slices", 0, 0, G_OPTION_ARG_NONE, &exclude_bad_slices,
    "Leave out slices whose pixels cannot be read and interpolate over them, instead of refusing the series", NULL },
  { NULL }
};

void
cal_cli_add_load_options (GOptionContext *context)
{
  GOptionGroup *group = g_option_group_new ("load", "Loading a scan that needs a decision:",
                                            "Show the options for scans that need a decision",
                                            NULL, NULL);
  g_option_group_add_entries (group, load_entries);
  g_option_context_add_group (context, group);
}

CalLoadFlags
cal_cli_load_flags (void)
{
  return (accept_missing_rescale ? CAL_LOAD_ACCEPT_MISSING_RESCALE : 0) |
         (accept_derived ? CAL_LOAD_ACCEPT_DERIVED : 0) |
         (accept_resampling ? CAL_LOAD_ACCEPT_RESAMPLING : 0) |
         (exclude_bad_slices ? CAL_LOAD_EXCLUDE_BAD_SLICES : 0) |
         (keep_longest_run ? CAL_LOAD_KEEP_LONGEST_RUN : 0);
}

/* A device named by --device or CALVARIA_VK_DEVICE that does not exist is
 * a wrong argument, for every command alike. */
int
cal_cli_exit_for_error (const GError *error)
{
  if (g_error_matches (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_ORIENTATION_UNKNOWN) ||
      cal_load_error_accept_flag (error) != 0)
    return CAL_EXIT_REFUSED;
  if (g_error_matches (error, CAL_VK_ERROR, CAL_VK_ERROR_NO_SUCH_DEVICE))
    return CAL_EXIT_USAGE;
  return CAL_EXIT_INPUT;
}

void
cal_cli_print_error (const char   *context,
                     const GError *error)
{
  g_autofree char *message = cal_untrusted_text_escape (error ? error->message : "unknown error (no reason was given: a bug)");

  fprintf (stderr, "calvaria-cli: %s: %s\n", context, message);
}

/* The input's path is never echoed: scans' folders and files are often
 * named after the patient. */
void
cal_cli_print_input_error (const GError *error)
{
  cal_cli_print_error ("cannot use the input", error);
}

void
cal_cli_print_report (const CalLoadReport *report)
{
  for (guint i = 0; report && i < report->warnings->len; i++)
    {
      g_autofree char *text = cal_untrusted_text_escape (g_ptr_array_index (report->warnings, i));
      fprintf (stderr, "warning: %s\n", text);
    }
  for (guint i = 0; report && i < report->notes->len; i++)
    {
      g_autofree char *text = cal_untrusted_text_escape (g_ptr_array_index (report->notes, i));
      fprintf (stderr, "note: %s\n", text);
    }
}

/* Parses options and checks the count of positional arguments. */
gboolean
cal_cli_parse (GOptionContext *context,
               int            *argc,
               char         ***argv,
               int             n_positional,
               const char     *usage)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "calvaria-cli: %s\n", error->message);
      return FALSE;
    }
  if (*argc != n_positional + 1)
    {
      fprintf (stderr, "Usage: calvaria-cli %s\n", usage);
      return FALSE;
    }
  return TRUE;
}

/* A CalNnProgress for segmenting commands; user_data points to their
 * --quiet flag. */
void
cal_cli_print_progress (double   fraction,
                        gpointer user_data)
{
  if (*(gboolean *) user_data)
    return;
  fprintf (stderr, "\rSegmenting… %3.0f %%", fraction * 100);
  fflush (stderr);
}

/* How the network cut the CT (cal-nn-volume.h), for infer and segment. */
void
cal_cli_print_patches (const CalNnVolumeStats *stats)
{
  if (strcmp (stats->stored_orientation, stats->network_orientation) != 0)
    printf ("Orientation: voxels stored %s, reordered to %s for the network (the model's; no resampling) and back\n",
            stats->stored_orientation, stats->network_orientation);
  else
    printf ("Orientation: %s\n", stats->stored_orientation);
  if (stats->halo[0] == 0 && stats->halo[1] == 0 && stats->halo[2] == 0)
    printf ("Patches: whole %s, %u per run\n", stats->patch[2] == 1 ? "slices" : "volume", stats->batch);
  else
    printf ("Patches: %u of %u × %u × %u voxels, halo %u × %u × %u (%s), %u per run\n", stats->n_patches,
            stats->patch[0], stats->patch[1], stats->patch[2], stats->halo[0], stats->halo[1], stats->halo[2],
            stats->exact ? "covers the network's reach: the same result as one run"
                         : "shorter than the network's reach: seams may differ slightly", stats->batch);
}

/* The context to compute on, or NULL for the CPU.  An explicit choice
 * (--device or CALVARIA_VK_DEVICE) that fails is an error; the automatic
 * one falls back to the CPU with a notice. */
gboolean
cal_cli_open_device (const char    *device,
                     CalVkContext **context,
                     GError       **error)
{
  g_autofree char *notice = NULL;

  if (!cal_evaluate_open_device (device, context, &notice, error))
    return FALSE;
  if (notice)
    fprintf (stderr, "notice: %s\n", notice);
  return TRUE;
}
