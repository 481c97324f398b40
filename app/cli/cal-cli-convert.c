/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli convert: any CT or mask Calvaria reads, to NIfTI in the
 * same patient geometry. */
#include "cal-cli.h"

#include <stdio.h>

#include "cal-loader.h"
#include "cal-nifti.h"

int
cal_cli_convert (int    argc,
                 char **argv)
{
  gint mask_index = -1;
  gboolean nifti2 = FALSE, accept_unknown = FALSE, quiet = FALSE;
  g_autofree char *series = NULL;
  const GOptionEntry entries[] = {
    { "mask", 0, 0, G_OPTION_ARG_INT, &mask_index,
      "Convert a label mask: mask N of an InVesalius project, or a NIfTI label file (any N)", "N" },
    { "series", 0, 0, G_OPTION_ARG_STRING, &series, "DICOM series (UID or number from “info”)", "UID|N" },
    { "nifti2", 0, 0, G_OPTION_ARG_NONE, &nifti2, "Write NIfTI-2 instead of NIfTI-1", NULL },
    { "accept-unknown-orientation", 0, 0, G_OPTION_ARG_NONE, &accept_unknown,
      "Convert files that do not say where left and right are", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing on success", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("IN OUT.nii[.gz] — convert a CT or a mask to NIfTI");
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(GError) error = NULL;
  CalNiftiVersion version;
  CalLoadFlags flags;
  const char *in, *out;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  cal_cli_add_load_options (context);
  if (!cal_cli_parse (context, &argc, &argv, 2, "convert IN OUT.nii[.gz] [--mask N] [--series UID|N] [--nifti2]"))
    return CAL_EXIT_USAGE;
  in = argv[1];
  out = argv[2];
  if (!cal_nifti_path_is_nifti (out))
    {
      fprintf (stderr, "calvaria-cli: the output must be a .nii or .nii.gz file\n");
      return CAL_EXIT_USAGE;
    }
  flags = (accept_unknown ? CAL_LOAD_ACCEPT_UNKNOWN_ORIENTATION : CAL_LOAD_FLAGS_NONE) | cal_cli_load_flags ();
  version = nifti2 ? CAL_NIFTI_2 : CAL_NIFTI_1;

  if (mask_index >= 0)
    {
      g_autoptr(CalMask) mask = cal_mask_load (in, (guint) mask_index, flags, report, NULL, &error);
      if (mask == NULL)
        {
          cal_cli_print_input_error (error);
          return cal_cli_exit_for_error (error);
        }
      ok = cal_nifti_write_mask (mask, out, version, &error);
    }
  else
    {
      g_autoptr(CalVolume) volume = cal_volume_load (in, series, flags, report, NULL, NULL, NULL, &error);
      if (volume == NULL)
        {
          cal_cli_print_input_error (error);
          return cal_cli_exit_for_error (error);
        }
      ok = cal_nifti_write_volume (volume, out, version, &error);
    }

  cal_cli_print_report (report);
  if (!ok)
    {
      cal_cli_print_error (out, error);
      return CAL_EXIT_OUTPUT;
    }
  if (!quiet)
    printf ("Wrote %s\n", out);
  return CAL_EXIT_OK;
}
