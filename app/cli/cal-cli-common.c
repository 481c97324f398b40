/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-cli.h"

#include <gio/gio.h>
#include <stdio.h>

#include "cal-nifti.h"

int
cal_cli_exit_for_error (const GError *error)
{
  if (g_error_matches (error, CAL_NIFTI_ERROR, CAL_NIFTI_ERROR_ORIENTATION_UNKNOWN))
    return CAL_EXIT_REFUSED;
  return CAL_EXIT_INPUT;
}

void
cal_cli_print_error (const char   *context,
                     const GError *error)
{
  fprintf (stderr, "calvaria-cli: %s: %s\n", context, error->message);
}

void
cal_cli_print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; warnings && i < warnings->len; i++)
    fprintf (stderr, "warning: %s\n", (const char *) g_ptr_array_index (warnings, i));
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
  if (stats->halo[0] == 0 && stats->halo[1] == 0 && stats->halo[2] == 0)
    printf ("Patches: whole %s, %u per run\n", stats->patch[2] == 1 ? "slices" : "volume", stats->batch);
  else
    printf ("Patches: %u of %u × %u × %u voxels, halo %u × %u × %u (%s), %u per run\n", stats->n_patches,
            stats->patch[0], stats->patch[1], stats->patch[2], stats->halo[0], stats->halo[1], stats->halo[2],
            stats->exact ? "covers the network's reach: the same result as one run"
                         : "shorter than the network's reach: seams may differ slightly", stats->batch);
}
