/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * calvaria-cli: Calvaria's pipeline from the command line.  It links the
 * core and compute libraries only; it decides what to print, the libraries
 * never do.
 */
#include "cal-cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cal-nifti.h"

static const struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "info",    cal_cli_info,    "Describe a CT or mask: size, spacing, orientation, HU range, DICOM series" },
  { "convert", cal_cli_convert, "Convert a CT or mask (DICOM, NIfTI, InVesalius) to NIfTI" },
  { "threshold", cal_cli_threshold, "Segment bone (or any HU range) into a mask, with clean-up" },
  { "edit",    cal_cli_edit,    "Edit a mask (brush, eraser, islands, fill between slices, undo) with a crash-safe journal; recover a session" },
  { "check",   cal_cli_check,   "Check a mask against its CT before printing: possible false defects (dense bone left out)" },
  { "report",  cal_cli_report,  "Write the QC report (PDF and JSON): comparison, colour maps, thickness, checks, the STL's SHA-256" },
  { "mesh",    cal_cli_mesh,    "Turn a mask into a checked, watertight STL in patient mm" },
  { "evaluate", cal_cli_evaluate, "Compare a mask with a reference: DSC, Hausdorff, ASSD, deviation (mm)" },
  { "infer",   cal_cli_infer,   "Run an ONNX network (U-net) on a CT, or on a bare tensor (--raw)" },
  { "phantom", cal_cli_phantom, "Make a synthetic head CT with exact labels (skull, defects, metal, head rest)" },
  { "segment", cal_cli_segment, "Segment the skull with the bundled U-net (defects stay open), optionally to STL" },
  { "devices", cal_cli_devices, "List the Vulkan devices Calvaria can compute on" },
};

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage: calvaria-cli COMMAND [OPTIONS…]\n\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nRun “calvaria-cli COMMAND --help” for a command's options.\n\n"
           "Exit status:\n"
           "  0  success\n"
           "  1  the input could not be read or is not valid\n"
           "  2  wrong arguments (a --device that names no device included)\n"
           "  3  the output could not be written (nothing existing was changed)\n"
           "  4  refused until someone decides: a file without orientation\n"
           "     (--accept-unknown-orientation), a scan that needs one of the\n"
           "     options in “COMMAND --help-load”, a mesh that failed its checks (--force)\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? CAL_EXIT_USAGE : CAL_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("calvaria-cli %s\n", PACKAGE_VERSION_STRING);
      return CAL_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "calvaria-cli: unknown command “%s”\n\n", argv[1]);
  print_usage (stderr);
  return CAL_EXIT_USAGE;
}
