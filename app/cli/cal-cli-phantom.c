/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli phantom: a synthetic head CT and its exact labels, from a
 * seed (phantom/cal-phantom.h), for training and judging the skull model. */
#include "cal-cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cal-nifti.h"
#include "cal-phantom.h"

int
cal_cli_phantom (int    argc,
                 char **argv)
{
  gint64 seed = -1;
  int size = 0, anatomy = 1, scanner = 1;
  double slice_mm = 0, pixel_mm = 0;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "The phantom's number: the same seed gives the same phantom", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Voxels across (default 256)", "N" },
    { "slice", 0, 0, G_OPTION_ARG_DOUBLE, &slice_mm, "Slice thickness instead of the seed's", "MM" },
    { "pixel", 0, 0, G_OPTION_ARG_DOUBLE, &pixel_mm,
      "Pixel size instead of the seed's; without --size, as many voxels as keep the seed's field of view", "MM" },
    { "anatomy", 0, 0, G_OPTION_ARG_INT, &anatomy,
      "Anatomy version: 1 a schematic skull base (default), 2 a detailed one (mastoid cells, petrous ridges, "
      "pterygoid plates, nasal bones), 3 that and thin frontal sinus walls, 4 that and thin temporal squama, "
      "parietal patches and orbital roofs (500–1200 HU)", "N" },
    { "scanner", 0, 0, G_OPTION_ARG_INT, &scanner,
      "Scanner model: 1 streaks from each metal object's centre on every slice near it (default), "
      "2 streaks only from the metal each slice holds", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing on success", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("OUT_CT.nii[.gz] OUT_LABELS.nii[.gz] — a synthetic head CT with exact labels");
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  CalPhantomParams params;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Labels: 0 background, 1 skull, 2 defect (bone removed), 3 metal, 4 loose fragment,\n"
    "5 head rest and table.");
  if (!cal_cli_parse (context, &argc, &argv, 2, "phantom --seed N OUT_CT OUT_LABELS [--anatomy N] [--scanner N] [--size N] [--pixel MM] [--slice MM]"))
    return CAL_EXIT_USAGE;
  if (seed < 0 || !cal_nifti_path_is_nifti (argv[1]) || !cal_nifti_path_is_nifti (argv[2]))
    {
      fprintf (stderr, "calvaria-cli: phantom needs --seed N (0 or more) and two .nii or .nii.gz outputs\n");
      return CAL_EXIT_USAGE;
    }
  cal_phantom_params_from_seed (&params, (guint64) seed);
  params.anatomy = (guint) MAX (anatomy, 0);
  params.scanner = (guint) MAX (scanner, 0);
  if (pixel_mm > 0 && size <= 0)   /* the same field of view, in whole blocks of 16 */
    size = (int) MIN (16 * ceil (params.size * params.pixel_mm / pixel_mm / 16), 1024);
  if (pixel_mm > 0)
    params.pixel_mm = pixel_mm;
  if (size > 0)
    params.size = (guint32) size;
  if (slice_mm > 0)
    params.slice_mm = slice_mm;
  if (!cal_phantom_generate (&params, &ct, &labels, NULL, &error))
    {
      cal_cli_print_error ("phantom", error);
      return CAL_EXIT_USAGE;
    }
  if (!cal_nifti_write_volume (ct, argv[1], CAL_NIFTI_1, &error) ||
      !cal_nifti_write_mask (labels, argv[2], CAL_NIFTI_1, &error))
    {
      cal_cli_print_error ("phantom", error);
      return CAL_EXIT_OUTPUT;
    }
  description = cal_phantom_params_describe (&params);
  if (!quiet)
    printf ("%s\n", description);
  return CAL_EXIT_OK;
}
