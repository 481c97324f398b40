/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calvaria-cli edit: the window's editing tools for scripts and tests, on
 * the same CalEditSession (history, journal, recovery). */
#include "cal-cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cal-brush.h"
#include "cal-edit-islands.h"
#include "cal-edit-session.h"
#include "cal-fill-between.h"
#include "cal-loader.h"
#include "cal-nifti.h"
#include "cal-seal.h"
#include "cal-threshold.h"

static const char operations_help[] =
  "Operations (one per --op, or one per line of --script; voxel coordinates):\n"
  "  brush X Y Z RADIUS_MM [sphere] [axis=x|y|z] [hu=MIN:MAX]\n"
  "  erase X Y Z RADIUS_MM [sphere] [axis=x|y|z]\n"
  "  stroke X0 Y0 Z0 X1 Y1 Z1 RADIUS_MM [erase] [sphere] [axis=x|y|z] [hu=MIN:MAX]\n"
  "  keep-island X Y Z | remove-island X Y Z | remove-islands-under MM3\n"
  "  fill-between x|y|z\n"
  "  threshold MIN_HU MAX_HU   (needs --ct: a whole-mask step)\n"
  "  undo | redo\n";

/* ---- parsing one operation ---- */

static gboolean
parse_doubles (char   **words,
               guint    n,
               double  *out,
               GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      char *end = NULL;
      if (words[i] == NULL)
        {
          g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "%u numbers expected, %u given", n, i);
          return FALSE;
        }
      out[i] = g_ascii_strtod (words[i], &end);
      if (end == words[i] || *end != '\0' || !isfinite (out[i]))
        {
          g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "“%s” is not a number", words[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static int
axis_of (const char *word)
{
  return g_str_equal (word, "x") ? 0 : g_str_equal (word, "y") ? 1 : g_str_equal (word, "z") ? 2 : -1;
}

/* Flags after the numbers: sphere, erase, axis=, hu=. */
static gboolean
parse_brush_flags (char    **words,
                   CalBrush *brush,
                   GError  **error)
{
  for (; *words != NULL; words++)
    {
      double lo, hi;
      if (g_str_equal (*words, "sphere"))
        brush->shape = CAL_BRUSH_SPHERE;
      else if (g_str_equal (*words, "erase"))
        brush->erase = TRUE;
      else if (g_str_has_prefix (*words, "axis=") && axis_of (*words + 5) >= 0)
        brush->axis = axis_of (*words + 5);
      else if (g_str_has_prefix (*words, "hu=") && sscanf (*words + 3, "%lf:%lf", &lo, &hi) == 2 && lo <= hi)
        {
          brush->limit_hu = TRUE;
          brush->min_hu = lo;
          brush->max_hu = hi;
        }
      else
        {
          g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "unknown brush option “%s”", *words);
          return FALSE;
        }
    }
  if (brush->radius_mm < CAL_BRUSH_MIN_RADIUS_MM || brush->radius_mm > CAL_BRUSH_MAX_RADIUS_MM)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "the brush radius must be %.1f to %.0f mm",
                   CAL_BRUSH_MIN_RADIUS_MM, CAL_BRUSH_MAX_RADIUS_MM);
      return FALSE;
    }
  return TRUE;
}

static gboolean
brush_operation (CalEditSession  *session,
                 char           **words,
                 gboolean         stroke,
                 gboolean         erase,
                 GError         **error)
{
  guint n = stroke ? 7 : 4;
  double v[7];
  CalBrush brush;
  g_autofree char *what = NULL;

  cal_brush_init (&brush);
  brush.erase = erase;
  if (!parse_doubles (words + 1, n, v, error))
    return FALSE;
  brush.radius_mm = v[n - 1];
  if (!parse_brush_flags (words + 1 + n, &brush, error))
    return FALSE;
  if (brush.limit_hu && cal_edit_session_get_volume (session) == NULL)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "an HU range needs the CT (--ct)");
      return FALSE;
    }
  what = cal_brush_describe (&brush);
  cal_brush_paint_segment (&brush, cal_edit_session_begin (session), cal_edit_session_get_volume (session),
                           v, stroke ? v + 3 : v, NULL);
  return cal_edit_session_commit (session, what, CAL_EDIT_KIND_STROKE, NULL, error);
}

static gboolean
voxel_of (CalEditSession *session,
          char          **words,
          guint32         voxel[3],
          GError        **error)
{
  const guint32 *dims = cal_mask_get_grid (cal_edit_session_get_mask (session))->dims;
  double v[3];

  if (!parse_doubles (words, 3, v, error))
    return FALSE;
  for (int a = 0; a < 3; a++)
    {
      if (v[a] < 0 || v[a] >= dims[a])
        {
          g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "voxel (%g, %g, %g) is outside the "
                       "%u × %u × %u mask", v[0], v[1], v[2], dims[0], dims[1], dims[2]);
          return FALSE;
        }
      voxel[a] = (guint32) v[a];
    }
  return TRUE;
}

static gboolean
region_operation (CalEditSession  *session,
                  char           **words,
                  GError         **error)
{
  const char *op = words[0];
  guint32 voxel[3];
  double mm3;
  g_autofree char *what = NULL;

  if (g_str_equal (op, "keep-island") || g_str_equal (op, "remove-island"))
    {
      if (!voxel_of (session, words + 1, voxel, error))
        return FALSE;
      if (g_str_equal (op, "keep-island"))
        cal_edit_islands_keep_at (cal_edit_session_begin (session), CAL_LABEL_BONE, voxel);
      else
        cal_edit_islands_remove_at (cal_edit_session_begin (session), CAL_LABEL_BONE, voxel);
      what = g_strdup (g_str_equal (op, "keep-island") ? "Keep island" : "Remove island");
    }
  else if (g_str_equal (op, "remove-islands-under"))
    {
      if (!parse_doubles (words + 1, 1, &mm3, error))
        return FALSE;
      cal_edit_islands_remove_small (cal_edit_session_begin (session), CAL_LABEL_BONE, mm3);
      what = g_strdup_printf ("Remove islands under %g mm³", mm3);
    }
  else
    {
      CalFillSummary summary;
      int axis = words[1] ? axis_of (words[1]) : -1;
      if (axis < 0)
        {
          g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "fill-between needs an axis: x, y or z");
          return FALSE;
        }
      cal_fill_between_slices (cal_edit_session_begin (session), CAL_LABEL_BONE, axis, &summary);
      what = g_strdup_printf ("Fill between slices (%c)", "xyz"[axis]);
    }
  return cal_edit_session_commit (session, what, CAL_EDIT_KIND_REGION, NULL, error);
}

static gboolean
threshold_operation (CalEditSession  *session,
                     char           **words,
                     GError         **error)
{
  CalThresholdOptions options;
  g_autoptr(CalMask) result = NULL;
  g_autofree char *what = NULL;
  double v[2];

  if (cal_edit_session_get_volume (session) == NULL)
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "threshold needs the CT (--ct)");
      return FALSE;
    }
  if (!parse_doubles (words + 1, 2, v, error))
    return FALSE;
  cal_threshold_options_init (&options);
  options.min_hu = v[0];
  options.max_hu = v[1];
  result = cal_threshold_segment (cal_edit_session_get_volume (session), &options, NULL, NULL, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  what = g_strdup_printf ("Threshold %g to %g HU", v[0], v[1]);
  return cal_edit_session_replace_labels (session, result, what, NULL, error);
}

static gboolean
run_operation (CalEditSession  *session,
               const char      *line,
               GError         **error)
{
  g_auto(GStrv) words = NULL;
  const char *op;

  if (!g_shell_parse_argv (line, NULL, &words, NULL))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "cannot read the operation “%s”", line);
      return FALSE;
    }
  op = words[0];
  if (g_str_equal (op, "brush") || g_str_equal (op, "erase"))
    return brush_operation (session, words, FALSE, g_str_equal (op, "erase"), error);
  if (g_str_equal (op, "stroke"))
    return brush_operation (session, words, TRUE, FALSE, error);
  if (g_str_equal (op, "keep-island") || g_str_equal (op, "remove-island")
      || g_str_equal (op, "remove-islands-under") || g_str_equal (op, "fill-between"))
    return region_operation (session, words, error);
  if (g_str_equal (op, "threshold"))
    return threshold_operation (session, words, error);
  if (g_str_equal (op, "undo"))
    return cal_edit_session_undo (session, error);
  if (g_str_equal (op, "redo"))
    return cal_edit_session_redo (session, error);
  g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_INVALID, "unknown operation “%s”", op);
  return FALSE;
}

/* ---- the actions ---- */

static guint32
mask_crc (CalMask *mask)
{
  const guint8 *l = cal_mask_get_labels (mask);
  gsize n = cal_grid_n_voxels (cal_mask_get_grid (mask));
  uLong crc = crc32 (0, NULL, 0);

  for (gsize done = 0; done < n; done += MIN (n - done, 1u << 30))
    crc = crc32 (crc, l + done, (uInt) MIN (n - done, 1u << 30));
  return (guint32) crc;
}

static GPtrArray *
read_script (const char  *path,
             char       **ops,
             GError     **error)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;

  if (path != NULL)
    {
      g_auto(GStrv) split = NULL;
      if (!g_file_get_contents (path, &text, NULL, error))
        {
          g_ptr_array_unref (lines);
          return NULL;
        }
      split = g_strsplit (text, "\n", -1);
      for (char **l = split; *l != NULL; l++)
        {
          g_strstrip (*l);
          if (**l != '\0' && **l != '#')
            g_ptr_array_add (lines, g_strdup (*l));
        }
    }
  for (char **o = ops; o != NULL && *o != NULL; o++)
    g_ptr_array_add (lines, g_strdup (*o));
  return lines;
}

/* The journal's scan token: the CT's location, sealed (never readable in the state folder). */
static char *
scan_token (const char *ct_path)
{
  g_autofree char *key = cal_seal_default_key_path ();
  g_autofree char *absolute = ct_path ? g_canonicalize_filename (ct_path, NULL) : NULL;

  return absolute ? cal_seal_text (key, absolute, NULL) : NULL;
}

static int
load_inputs (const char      *mask_path,
             const char      *ct_path,
             CalVolume      **volume_out,
             CalMask        **mask_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalLoadReport) report = cal_load_report_new ();

  if (ct_path != NULL)
    {
      *volume_out = cal_volume_load (ct_path, NULL, cal_cli_load_flags (), report, NULL, NULL, NULL, &error);
      if (*volume_out == NULL)
        {
          cal_cli_print_input_error (error);
          return cal_cli_exit_for_error (error);
        }
    }
  if (mask_path != NULL)
    {
      *mask_out = cal_mask_load (mask_path, 0, cal_cli_load_flags (), report, NULL, &error);
      if (*mask_out == NULL)
        {
          cal_cli_print_input_error (error);
          return cal_cli_exit_for_error (error);
        }
      if (*volume_out != NULL && !cal_edit_mask_fits_volume (*mask_out, *volume_out, &error))
        {
          cal_cli_print_error (mask_path, error);
          return CAL_EXIT_INPUT;
        }
    }
  else
    *mask_out = cal_mask_new (cal_volume_get_grid (*volume_out));
  return CAL_EXIT_OK;
}

static int
edit_apply (const char  *out,
            const char  *mask_path,
            const char  *ct_path,
            const char  *script,
            char       **ops,
            const char  *journal_dir,
            gboolean     keep_journal,
            gboolean     print_steps,
            int          delay_ms)
{
  g_autoptr(CalVolume) volume = NULL;
  g_autoptr(CalMask) mask = NULL;
  g_autoptr(CalEditSession) session = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  CalEditHistory *history;
  int rc;

  if (mask_path == NULL && ct_path == NULL)
    {
      fprintf (stderr, "calvaria-cli: edit apply needs --mask, --ct or both\n");
      return CAL_EXIT_USAGE;
    }
  lines = read_script (script, ops, &error);
  if (lines == NULL)
    {
      cal_cli_print_error (script, error);
      return CAL_EXIT_INPUT;
    }
  rc = load_inputs (mask_path, ct_path, &volume, &mask);
  if (rc != CAL_EXIT_OK)
    return rc;
  session = cal_edit_session_new (mask, volume);
  history = cal_edit_session_get_history (session);
  if (journal_dir != NULL)
    {
      g_autofree char *token = scan_token (ct_path);
      if (!cal_edit_session_start_journal (session, journal_dir, token, &error))
        {
          cal_cli_print_error ("journal", error);
          return CAL_EXIT_OUTPUT;
        }
    }
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      if (!run_operation (session, line, &error))
        {
          fprintf (stderr, "calvaria-cli: operation %u (%s): %s\n", i + 1, line, error->message);
          /* Nothing to undo is a note, and a journal that cannot be written a
           * warning (the mask is still written at the end); the rest are mistakes. */
          if (!g_error_matches (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_JOURNAL)
              && !g_error_matches (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING))
            {
              fputs (operations_help, stderr);
              return CAL_EXIT_USAGE;
            }
          g_clear_error (&error);
        }
      if (print_steps)
        {
          /* For the crash harness: which state each step left, once it is journalled. */
          printf ("step %u seq %" G_GUINT64_FORMAT " crc %08x\n", i + 1,
                  journal_dir ? cal_edit_journal_get_seq (cal_edit_session_get_journal (session)) : 0,
                  mask_crc (mask));
          fflush (stdout);
        }
      if (delay_ms > 0)
        g_usleep ((gulong) delay_ms * 1000);
    }
  if (!cal_nifti_write_mask (mask, out, CAL_NIFTI_1, &error))
    {
      cal_cli_print_error (out, error);
      return CAL_EXIT_OUTPUT;
    }
  cal_edit_session_set_saved (session);
  if (!cal_edit_session_end_journal (session, !keep_journal, &error))
    cal_cli_print_error ("journal", error);
  for (guint i = 0; i < cal_edit_history_get_n_steps (history); i++)
    {
      g_autofree char *d = cal_edit_step_describe (cal_edit_history_get_step (history, i));
      printf ("%s %u. %s\n", i < cal_edit_history_get_position (history) ? " " : "↶", i + 1, d);
    }
  printf ("Bone: %" G_GUINT64_FORMAT " voxels, %.1f mm³ (voxel count × voxel volume)\nWrote %s\n",
          cal_mask_count (mask, CAL_LABEL_BONE),
          cal_mask_count (mask, CAL_LABEL_BONE) * fabs (cal_grid_determinant (cal_mask_get_grid (mask))), out);
  return CAL_EXIT_OK;
}

static int
edit_recover (const char *folder,
              const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalEditRecovery) r = cal_edit_journal_recover (folder, &error);

  if (r == NULL)
    {
      cal_cli_print_error ("recover", error);
      return CAL_EXIT_INPUT;
    }
  if (!cal_nifti_write_mask (r->mask, out, CAL_NIFTI_1, &error))
    {
      cal_cli_print_error (out, error);
      return CAL_EXIT_OUTPUT;
    }
  printf ("Recovered: %" G_GUINT64_FORMAT " records (%u after the checkpoint of record %" G_GUINT64_FORMAT "), "
          "%u steps undoable\n", r->seq, r->n_replayed, r->checkpoint_seq,
          cal_edit_history_get_position (r->history));
  if (r->tail_discarded)
    printf ("Discarded: %s\n", r->tail_reason);
  printf ("crc %08x\nWrote %s\n", mask_crc (r->mask), out);
  return CAL_EXIT_OK;
}

static int
edit_sessions (const char *state_dir)
{
  g_autoptr(GPtrArray) orphans = cal_edit_journal_list_orphans (state_dir);

  for (guint i = 0; i < orphans->len; i++)
    printf ("%s\n", (const char *) g_ptr_array_index (orphans, i));
  if (orphans->len == 0)
    printf ("No editing session to recover\n");
  return CAL_EXIT_OK;
}

int
cal_cli_edit (int    argc,
              char **argv)
{
  g_autofree char *mask_path = NULL, *ct_path = NULL, *script = NULL, *journal_dir = NULL;
  g_auto(GStrv) ops = NULL;
  gboolean keep_journal = FALSE, print_steps = FALSE;
  int delay_ms = 0;
  const char *action;
  const GOptionEntry entries[] = {
    { "mask", 'm', 0, G_OPTION_ARG_FILENAME, &mask_path, "The mask to edit (default: an empty one on the CT's grid)", "MASK" },
    { "ct", 0, 0, G_OPTION_ARG_FILENAME, &ct_path, "The CT under the mask (for HU ranges and threshold)", "CT" },
    { "op", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &ops, "One operation (repeatable; after the script's)", "OP" },
    { "script", 0, 0, G_OPTION_ARG_FILENAME, &script, "Operations, one per line (# comments)", "FILE" },
    { "journal-dir", 0, 0, G_OPTION_ARG_FILENAME, &journal_dir, "Journal the session under this state folder", "DIR" },
    { "keep-journal", 0, 0, G_OPTION_ARG_NONE, &keep_journal, "Keep the journal after writing the mask", NULL },
    { "print-steps", 0, 0, G_OPTION_ARG_NONE, &print_steps, "Print each step's journal number and mask CRC-32", NULL },
    { "delay-ms", 0, 0, G_OPTION_ARG_INT, &delay_ms, "Wait this long after each operation (crash tests)", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("apply OUT_MASK | recover SESSION_DIR OUT_MASK | sessions [DIR]");

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, operations_help);
  cal_cli_add_load_options (context);
  {
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        fprintf (stderr, "calvaria-cli: %s\n", error->message);
        return CAL_EXIT_USAGE;
      }
  }
  action = argc >= 2 ? argv[1] : "";
  if (g_str_equal (action, "apply") && argc == 3 && cal_nifti_path_is_nifti (argv[2]))
    return edit_apply (argv[2], mask_path, ct_path, script, ops, journal_dir, keep_journal, print_steps, delay_ms);
  if (g_str_equal (action, "recover") && argc == 4 && cal_nifti_path_is_nifti (argv[3]))
    return edit_recover (argv[2], argv[3]);
  if (g_str_equal (action, "sessions") && argc <= 3)
    return edit_sessions (argc == 3 ? argv[2] : NULL);
  fprintf (stderr, "calvaria-cli: edit apply OUT.nii[.gz] | edit recover SESSION_DIR OUT.nii[.gz] | edit sessions [DIR]\n");
  return CAL_EXIT_USAGE;
}
