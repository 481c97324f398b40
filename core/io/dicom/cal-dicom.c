/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-dicom.h"

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "cal-dicom-private.h"
#include "cal-dicom-shim.h"
#include "cal-parallel.h"

G_DEFINE_QUARK (cal-dicom-error-quark, cal_dicom_error)

/* Compressed pixel data may not claim to expand beyond this ratio of the
 * file, nor beyond the floor (a blank slice compresses very well). */
#define MAX_DECODE_RATIO  1000
#define MIN_DECODE_LIMIT  ((guint64) 64 << 20)
/* No CT slice is larger (clinical ones are 512 or 1024 a side; micro-CT
 * reaches 4096). */
#define MAX_SLICE_SIDE    8192

/* The 128-byte preamble followed by "DICM": a DICOM Part 10 file. */
gboolean
cal_dicom_has_preamble (const char *path)
{
  return cal_dicom_preamble_kind (path) != CAL_DICOM_PREAMBLE_NONE;
}

/* What the 128 bytes before "DICM" hold.  They are free for any use
 * (PS3.10 7.1), which lets a file be a DICOM image and a Windows program
 * at once (CVE-2019-11687): never run, but worth telling the user. */
CalDicomPreamble
cal_dicom_preamble_kind (const char *path)
{
  guint8 head[132];
  FILE *f = fopen (path, "rb");
  gboolean dicm;

  if (f == NULL)
    return CAL_DICOM_PREAMBLE_NONE;
  dicm = fread (head, 1, sizeof head, f) == sizeof head && memcmp (head + 128, "DICM", 4) == 0;
  fclose (f);
  if (!dicm)
    return CAL_DICOM_PREAMBLE_NONE;
  if ((head[0] == 'M' && head[1] == 'Z') || memcmp (head, "\177ELF", 4) == 0)
    return CAL_DICOM_PREAMBLE_EXECUTABLE;
  return CAL_DICOM_PREAMBLE_PLAIN;
}

gboolean
cal_dicom_file_looks_dicom (const char *path)
{
  return cal_dicom_has_preamble (path) || g_str_has_suffix (path, ".dcm") ||
         g_str_has_suffix (path, ".DCM");
}

/* Everything about one file that makes it unusable as a CT slice, checked
 * before any pixel buffer is allocated. */
gboolean
cal_dicom_header_check (const CalDicomHeader  *h,
                        GError               **error)
{
  guint64 expected;

  if (!h->transfer_syntax_known && h->transfer_syntax_uid[0] != '\0')
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX,
                   _("The transfer syntax %s is not one Calvaria can decode (it reads uncompressed, RLE, JPEG "
                     "baseline/extended/lossless and JPEG-LS). Decompress the series first (e.g. with gdcmconv "
                     "--raw)"), h->transfer_syntax_uid);
      return FALSE;
    }
  if (!h->has_pixel_data)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("The file holds no image (no PixelData element)"));
      return FALSE;
    }
  if (h->rows == 0 || h->columns == 0)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("Rows × Columns is %u × %u: the image has no pixels"),
                   h->rows, h->columns);
      return FALSE;
    }
  if (h->samples_per_pixel != 1 ||
      !(g_str_equal (h->photometric, "MONOCHROME2") || g_str_equal (h->photometric, "MONOCHROME1")))
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("This is a colour image (%s, %u samples per pixel), not a CT image in Hounsfield units"),
                   h->photometric[0] ? h->photometric : "no photometric interpretation", h->samples_per_pixel);
      return FALSE;
    }
  if (h->bits_allocated != 8 && h->bits_allocated != 16)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("BitsAllocated is %u; Calvaria reads 8- and 16-bit images"),
                   h->bits_allocated);
      return FALSE;
    }
  if (h->bits_stored == 0 || h->bits_stored > h->bits_allocated)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("BitsStored (%u) must be between 1 and BitsAllocated (%u)"),
                   h->bits_stored, h->bits_allocated);
      return FALSE;
    }
  if (h->high_bit != h->bits_stored - 1)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("HighBit is %u with BitsStored %u; only HighBit = BitsStored − 1 is supported"),
                   h->high_bit, h->bits_stored);
      return FALSE;
    }
  if (h->n_frames > 1)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_UNSUPPORTED,
                   _("Multi-frame (enhanced) images with %u frames are not supported yet; export the series as "
                     "single-frame images"), h->n_frames);
      return FALSE;
    }

  expected = (guint64) h->rows * h->columns * (h->bits_allocated / 8);
  if (!h->encapsulated && h->pixel_data_length < expected)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
                   _("The pixel data is truncated: %llu bytes, but Rows × Columns × BitsAllocated (%u × %u × %u) "
                     "need %llu"),
                   (unsigned long long) h->pixel_data_length, h->rows, h->columns, h->bits_allocated,
                   (unsigned long long) expected);
      return FALSE;
    }
  /* Reading the pixels allocates what PixelData declares before finding
   * the file shorter: a length beyond the file is refused here (a deflated
   * data set was read whole and checked before). */
  if (!h->encapsulated && !h->deflated && h->file_size > 0 && h->pixel_data_length > h->file_size)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
                   _("The pixel data is truncated: PixelData declares %llu bytes, more than the whole file holds "
                     "(%llu)"),
                   (unsigned long long) (h->pixel_data_length), (unsigned long long) (h->file_size));
      return FALSE;
    }
  if (h->rows > MAX_SLICE_SIDE || h->columns > MAX_SLICE_SIDE)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_PIXEL_FORMAT,
                   _("Rows × Columns is %u × %u, beyond the %d × %d slice limit: not a CT slice"),
                   h->rows, h->columns, MAX_SLICE_SIDE, MAX_SLICE_SIDE);
      return FALSE;
    }
  if (h->encapsulated && expected > MAX (MIN_DECODE_LIMIT, h->file_size * MAX_DECODE_RATIO))
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
                   _("Rows × Columns (%u × %u) claim %llu MB of pixels, more than a %llu-byte compressed file "
                     "can hold"),
                   h->rows, h->columns, (unsigned long long) (expected >> 20), (unsigned long long) (h->file_size));
      return FALSE;
    }
  return TRUE;
}

static void
series_free (gpointer data)
{
  CalDicomSeries *series = data;

  g_free (series->uid);
  g_free (series->modality);
  g_free (series->description);
  g_ptr_array_unref (series->headers);
  g_free (series);
}

static void
header_free (gpointer data)
{
  cal_dicom_header_clear (data);
  g_free (data);
}

void
cal_dicom_scan_free (CalDicomScan *scan)
{
  if (scan == NULL)
    return;
  g_ptr_array_unref (scan->series);
  g_ptr_array_unref (scan->skipped);
  g_free (scan->walk_notes);
  g_free (scan);
}

void
cal_dicom_scan_report (CalDicomScan  *scan,
                       CalLoadReport *report)
{
  if (scan->skipped->len > 0)
    cal_load_report_warn (report, g_dngettext (GETTEXT_PACKAGE,
                                               "%u file in the folder is not a usable DICOM image and was skipped",
                                               "%u files in the folder are not usable DICOM images and were skipped",
                                               scan->skipped->len), scan->skipped->len);
  if (scan->walk_notes[0] != '\0')
    cal_load_report_note (report, _("Folder walk: %s"), scan->walk_notes + 2);   /* past "; " */
}

#define MAX_FOLDER_DEPTH 16

/* What a folder walk found besides files: enough to explain an empty result. */
typedef struct {
  GPtrArray  *files;
  GHashTable *visited;         /* "device:inode" of each folder entered */
  guint       n_too_deep;      /* folders not entered: deeper than MAX_FOLDER_DEPTH */
  guint       n_revisits;      /* folders reached again through links */
} FolderWalk;

/* Each folder is entered once, by device and inode, so links that point
 * back up the tree (or at each other) cannot multiply the work. */
static gboolean
first_visit (FolderWalk *walk,
             const char *dir)
{
  GStatBuf st;

  if (g_stat (dir, &st) != 0)
    return FALSE;
  if (!g_hash_table_add (walk->visited, g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                                                         (guint64) st.st_dev, (guint64) st.st_ino)))
    {
      walk->n_revisits++;
      return FALSE;
    }
  return TRUE;
}

static void
collect_files (FolderWalk *walk,
               const char *dir,
               guint       depth)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (depth > MAX_FOLDER_DEPTH)
    {
      walk->n_too_deep++;
      return;
    }
  if (!first_visit (walk, dir) || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;

      if (name[0] == '.' || g_ascii_strcasecmp (name, "DICOMDIR") == 0)
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (walk, path, depth + 1);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (walk->files, g_steal_pointer (&path));
    }
}

/* Why a folder gave nothing, beyond the first file's problem. */
static char *
describe_walk (const FolderWalk *walk)
{
  GString *s = g_string_new (NULL);

  /* Each part after "; ", so that the parts join into one note. */
  if (walk->n_too_deep > 0)
    {
      g_string_append (s, "; ");
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u folder deeper than %d levels was not searched",
                                              "%u folders deeper than %d levels were not searched",
                                              walk->n_too_deep),
                              walk->n_too_deep, MAX_FOLDER_DEPTH);
    }
  if (walk->n_revisits > 0)
    {
      g_string_append (s, "; ");
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u link back to a folder already searched was skipped",
                                              "%u links back to folders already searched were skipped",
                                              walk->n_revisits),
                              walk->n_revisits);
    }
  return g_string_free (s, FALSE);
}

typedef struct {
  GPtrArray      *files;
  CalDicomHeader *headers;
  GError        **errors;
} ScanJob;

static void
scan_one (guint    index,
          gpointer user_data)
{
  ScanJob *job = user_data;

  if (!cal_dicom_shim_read_header (g_ptr_array_index (job->files, index),
                                   &job->headers[index], &job->errors[index]))
    cal_dicom_header_clear (&job->headers[index]);
}

static gint
compare_series (gconstpointer a,
                gconstpointer b)
{
  const CalDicomSeries *sa = *(CalDicomSeries * const *) a;
  const CalDicomSeries *sb = *(CalDicomSeries * const *) b;
  gboolean ct_a = g_strcmp0 (sa->modality, "CT") == 0;
  gboolean ct_b = g_strcmp0 (sb->modality, "CT") == 0;

  if (ct_a != ct_b)
    return ct_a ? -1 : 1;
  if (sa->headers->len != sb->headers->len)
    return sa->headers->len > sb->headers->len ? -1 : 1;
  return g_strcmp0 (sa->uid, sb->uid);
}

static void
add_to_series (GHashTable     *by_uid,
               GPtrArray      *series_list,
               CalDicomHeader *header)
{
  CalDicomSeries *series = g_hash_table_lookup (by_uid, header->series_uid);

  if (series == NULL)
    {
      series = g_new0 (CalDicomSeries, 1);
      series->uid = g_strdup (header->series_uid);
      series->modality = g_strdup (header->modality);
      series->description = g_strdup (header->series_description);
      series->number = header->series_number;
      series->rows = header->rows;
      series->columns = header->columns;
      series->headers = g_ptr_array_new_with_free_func (header_free);
      g_hash_table_insert (by_uid, series->uid, series);
      g_ptr_array_add (series_list, series);
    }
  g_ptr_array_add (series->headers, header);
}

static const char *
relative_name (const char *root,
               const char *path)
{
  gsize n = strlen (root);

  if (g_str_has_prefix (path, root) && path[n] == G_DIR_SEPARATOR)
    return path + n + 1;
  return path;
}

CalDicomScan *
cal_dicom_scan (const char    *path,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  FolderWalk walk = { files, visited, 0, 0 };
  g_autofree char *walk_notes = NULL;
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CalDicomScan) scan = g_new0 (CalDicomScan, 1);
  g_autofree CalDicomHeader *headers = NULL;
  g_autofree GError **errors = NULL;
  GError *first_error = NULL;
  ScanJob job;

  scan->series = g_ptr_array_new_with_free_func (series_free);
  scan->skipped = g_ptr_array_new_with_free_func (g_free);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    collect_files (&walk, path, 0);
  else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_ptr_array_add (files, g_strdup (path));
  else
    {
      /* Never the path itself: DICOM folders are often named after the patient. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The input does not exist"));
      return NULL;
    }
  walk_notes = describe_walk (&walk);

  headers = g_new0 (CalDicomHeader, files->len);
  errors = g_new0 (GError *, files->len);
  job = (ScanJob) { files, headers, errors };
  cal_parallel_for (files->len, scan_one, &job);

  for (guint i = 0; i < files->len; i++)
    {
      const char *name = relative_name (path, g_ptr_array_index (files, i));
      GError *e = errors[i];

      /* A slice of a series whose pixels are unusable stays in its series,
       * marked: the series is refused, naming it, unless the user excludes
       * it.  Silently dropping it would leave a gap filled by interpolation. */
      if (e == NULL && headers[i].series_uid[0] != '\0' &&
          (headers[i].problem != NULL || !cal_dicom_header_check (&headers[i], &headers[i].problem)))
        {
          add_to_series (by_uid, scan->series, g_memdup2 (&headers[i], sizeof headers[i]));
          continue;
        }
      if (e == NULL && !cal_dicom_header_check (&headers[i], &e))
        cal_dicom_header_clear (&headers[i]);
      if (e != NULL)
        {
          g_ptr_array_add (scan->skipped, g_strdup_printf ("%s: %s", name, e->message));
          if (first_error == NULL)
            first_error = e;
          else
            g_error_free (e);
          continue;
        }
      add_to_series (by_uid, scan->series, g_memdup2 (&headers[i], sizeof headers[i]));
    }

  if (scan->series->len == 0)
    {
      if (first_error != NULL && files->len == 1)
        g_propagate_error (error, first_error);
      else
        {
          g_autofree char *looked = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file looked at",
                                                                  "%u files looked at", files->len),
                                                     files->len);
          if (first_error != NULL)
            g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NO_IMAGES,
                         /* TRANSLATORS: files looked at, folder-walk notes (each after "; "), the first problem */
                         _("No usable DICOM image in the folder (%s%s; first problem: %s)"),
                         looked, walk_notes, first_error->message);
          else
            g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NO_IMAGES,
                         /* TRANSLATORS: the files looked at, notes on the folder walk (each after "; ") */
                         _("No usable DICOM image in the folder (%s%s)"), looked, walk_notes);
          g_clear_error (&first_error);
        }
      return NULL;
    }
  g_clear_error (&first_error);
  g_ptr_array_sort (scan->series, compare_series);
  scan->walk_notes = g_steal_pointer (&walk_notes);
  return g_steal_pointer (&scan);
}

CalDicomSeries *
cal_dicom_scan_pick (CalDicomScan  *scan,
                     const char    *series_uid,
                     GError       **error)
{
  if (series_uid == NULL)
    return g_ptr_array_index (scan->series, 0);
  for (guint i = 0; i < scan->series->len; i++)
    {
      CalDicomSeries *series = g_ptr_array_index (scan->series, i);
      char number[16];

      /* By UID, or by its place in the list "info" prints (1-based). */
      g_snprintf (number, sizeof number, "%u", i + 1);
      if (g_str_equal (series->uid, series_uid) || g_str_equal (number, series_uid))
        return series;
    }
  g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NO_SUCH_SERIES,
               _("No series “%s” here (%u series found; list them with “calvaria-cli info”)"),
               series_uid, scan->series->len);
  return NULL;
}

CalVolume *
cal_dicom_load (const char       *path,
                const char       *series_uid,
                CalLoadFlags      flags,
                CalLoadReport    *report,
                CalProgressFunc   progress,
                gpointer          progress_data,
                GCancellable     *cancellable,
                GError          **error)
{
  g_autoptr(CalDicomScan) scan = NULL;
  g_autofree char *wanted = g_strdup (series_uid);
  const char *root = path;
  g_autofree char *parent = NULL;
  CalDicomSeries *series;

  /* One file stands for its series: load the series from its folder. */
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      CalDicomHeader header;

      if (!cal_dicom_shim_read_header (path, &header, error))
        {
          cal_dicom_header_clear (&header);
          return NULL;
        }
      if (wanted == NULL)
        wanted = g_strdup (header.series_uid);
      cal_dicom_header_clear (&header);
      root = parent = g_path_get_dirname (path);
    }

  scan = cal_dicom_scan (root, cancellable, error);
  if (scan == NULL)
    return NULL;
  series = cal_dicom_scan_pick (scan, wanted, error);
  if (series == NULL)
    return NULL;
  if (report != NULL)
    cal_dicom_scan_report (scan, report);
  return cal_dicom_series_load (series, flags, report, progress, progress_data, cancellable, error);
}
