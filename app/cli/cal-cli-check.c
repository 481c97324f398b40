/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli check: checks of a mask against its CT before printing; for
 * now the possible false defects (cal-false-defects.h): dense bone the mask
 * left out that touches its bone. */
#include "cal-cli.h"

#include <math.h>
#include <stdio.h>

#include "cal-edit-session.h"
#include "cal-false-defects.h"
#include "cal-json.h"
#include "cal-loader.h"

static void
print_text (GArray                      *pieces,
            const CalFalseDefectOptions *o)
{
  printf ("Possible false defects (bone from %g HU, grown through %g HU and up, below %g HU, "
          "touching the mask's bone, %g mm³ or more): %u\n", o->min_dense_hu, o->min_bone_hu, o->max_hu,
          o->min_volume_mm3, pieces->len);
  for (guint i = 0; i < pieces->len; i++)
    {
      const CalFalseDefect *p = &g_array_index (pieces, CalFalseDefect, i);
      printf ("  %u. %.1f mm³ (%" G_GUINT64_FORMAT " voxels, mean %.0f HU) at x %.1f y %.1f z %.1f mm (LPS), "
              "voxels %u–%u, %u–%u, %u–%u\n", i + 1, p->volume_mm3, p->n_voxels, p->mean_hu,
              p->centroid[0], p->centroid[1], p->centroid[2], p->box.lo[0], p->box.hi[0] - 1,
              p->box.lo[1], p->box.hi[1] - 1, p->box.lo[2], p->box.hi[2] - 1);
    }
}

static void
print_json (GArray                      *pieces,
            const CalFalseDefectOptions *o)
{
  g_autofree char *text = NULL;
  CalJson json;

  cal_json_init (&json);
  cal_json_begin_object (&json, NULL);
  cal_json_begin_object (&json, "false_defects_options");
  cal_json_number (&json, "min_dense_hu", o->min_dense_hu);
  cal_json_number (&json, "min_bone_hu", o->min_bone_hu);
  cal_json_number (&json, "max_hu", o->max_hu);
  cal_json_number (&json, "min_volume_mm3", o->min_volume_mm3);
  cal_json_end_object (&json);
  cal_json_begin_array (&json, "false_defects");
  for (guint i = 0; i < pieces->len; i++)
    {
      const CalFalseDefect *p = &g_array_index (pieces, CalFalseDefect, i);
      const double lo[3] = { p->box.lo[0], p->box.lo[1], p->box.lo[2] };
      const double hi[3] = { p->box.hi[0] - 1, p->box.hi[1] - 1, p->box.hi[2] - 1 };
      cal_json_begin_object (&json, NULL);
      cal_json_number (&json, "volume_mm3", p->volume_mm3);
      cal_json_int (&json, "voxels", (gint64) p->n_voxels);
      cal_json_number (&json, "mean_hu", p->mean_hu);
      cal_json_numbers (&json, "centroid_lps_mm", p->centroid, 3);
      cal_json_numbers (&json, "voxel_box_first", lo, 3);
      cal_json_numbers (&json, "voxel_box_last", hi, 3);
      cal_json_end_object (&json);
    }
  cal_json_end_array (&json);
  cal_json_end_object (&json);
  text = cal_json_finish (&json);
  fputs (text, stdout);
}

int
cal_cli_check (int    argc,
               char **argv)
{
  CalFalseDefectOptions o;
  gboolean as_json = FALSE;
  g_autoptr(GOptionContext) context = g_option_context_new ("CT MASK — check a mask before printing");
  g_autoptr(CalLoadReport) report = cal_load_report_new ();
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) mask = NULL;
  g_autoptr(GArray) pieces = NULL;
  g_autoptr(GError) error = NULL;

  cal_false_defect_options_init (&o);
  {
    const GOptionEntry entries[] = {
      { "min-dense", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_dense_hu, "A false defect starts from bone this dense (default 500)", "HU" },
      { "min-bone", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_bone_hu, "and takes in the bone around it from (default 226)", "HU" },
      { "max", 0, 0, G_OPTION_ARG_DOUBLE, &o.max_hu, "Above this is metal, never bone (default 2500)", "HU" },
      { "min-volume", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_volume_mm3, "List pieces from this volume (default 10)", "MM3" },
      { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL },
      { NULL }
    };
    g_option_context_add_main_entries (context, entries, NULL);
  }
  cal_cli_add_load_options (context);
  if (!cal_cli_parse (context, &argc, &argv, 2, "check CT MASK [--json] [--min-dense HU] [--min-volume MM3]"))
    return CAL_EXIT_USAGE;
  ct = cal_volume_load (argv[1], NULL, cal_cli_load_flags (), report, NULL, NULL, NULL, &error);
  if (ct != NULL)
    mask = cal_mask_load (argv[2], 0, cal_cli_load_flags (), report, NULL, &error);
  if (mask == NULL)
    {
      cal_cli_print_input_error (error);
      return cal_cli_exit_for_error (error);
    }
  if (!cal_edit_mask_fits_volume (mask, ct, &error))
    {
      cal_cli_print_error (argv[2], error);
      return CAL_EXIT_INPUT;
    }
  pieces = cal_find_false_defects (ct, mask, &o, NULL, &error);
  if (pieces == NULL)
    {
      cal_cli_print_error ("check", error);
      return CAL_EXIT_INPUT;
    }
  if (as_json)
    print_json (pieces, &o);
  else
    print_text (pieces, &o);
  return CAL_EXIT_OK;
}
