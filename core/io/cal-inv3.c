/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-inv3.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cal-plist.h"
#include "cal-tar.h"

G_DEFINE_QUARK (cal-inv3-error-quark, cal_inv3_error)

/* Deflate's largest expansion: a bound on what a .inv3 can unpack to. */
#define DEFLATE_MAX_RATIO 1032
#define INV3_AXIAL        1
/* InVesalius marks mask voxels 255 (and 1 for "computed, empty"); its own
 * surface extraction cuts at 127. */
#define INV3_MASK_CUT     127

gboolean
cal_inv3_path_is_inv3 (const char *path)
{
  return g_str_has_suffix (path, ".inv3") || g_str_has_suffix (path, ".INV3");
}

void
cal_inv3_project_free (CalInv3Project *project)
{
  if (project == NULL)
    return;
  g_clear_object (&project->volume);
  g_ptr_array_unref (project->masks);
  g_ptr_array_unref (project->mask_names);
  g_array_unref (project->mask_ranges);
  g_free (project);
}

static gboolean
keep_member (const char *basename,
             guint64     size,
             gpointer    user_data)
{
  gboolean with_masks = GPOINTER_TO_INT (user_data);

  return g_str_has_suffix (basename, ".plist") || g_str_equal (basename, "matrix.dat") ||
         (with_masks && g_str_has_prefix (basename, "mask_") && g_str_has_suffix (basename, ".dat"));
}

static GVariant *
parse_member_plist (GHashTable  *members,
                    const char  *name,
                    GError     **error)
{
  GBytes *bytes = g_hash_table_lookup (members, name);
  g_autoptr(GError) local_error = NULL;
  GVariant *dict;
  gsize size;
  const char *text;

  if (bytes == NULL)
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("The project lists “%s” but the archive does not contain it"), name);
      return NULL;
    }
  text = g_bytes_get_data (bytes, &size);
  dict = cal_plist_parse (text, (gssize) size, &local_error);
  if (dict == NULL || !g_variant_is_of_type (dict, G_VARIANT_TYPE ("a{sv}")))
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("“%s” in the project is not a readable property list%s%s"), name,
                   local_error ? ": " : "", local_error ? local_error->message : "");
      g_clear_pointer (&dict, g_variant_unref);
    }
  return dict;
}

/*
 * InVesalius stores an axial stack as matrix[slice][row][column] with the
 * DICOM rows flipped (its dcm2memmap reverses each image) and slices in
 * ascending position: columns grow toward the patient's left, rows toward
 * the anterior, slices toward the head.  The project keeps no DICOM
 * position, so the origin is the first voxel.
 */
static void
inv3_axial_grid (CalGrid      *grid,
                 const guint32 dims[3],
                 const double  spacing[3])
{
  static const double direction[3][3] = { { 1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 1 } };
  static const double origin[3] = { 0, 0, 0 };

  cal_grid_init (grid, dims, spacing, direction, origin);
}

static CalVolume *
read_matrix (GHashTable    *members,
             GVariant      *main_dict,
             CalGrid       *grid,
             CalLoadReport *report,
             GError       **error)
{
  g_autoptr(GVariant) matrix = g_variant_lookup_value (main_dict, "matrix", G_VARIANT_TYPE ("a{sv}"));
  const char *dtype = NULL;
  double shape[3], spacing[3];
  guint32 dims[3];
  gint64 orientation = INV3_AXIAL;
  GBytes *data;
  g_autoptr(GBytes) voxels = NULL;

  if (matrix == NULL || !g_variant_lookup (matrix, "dtype", "&s", &dtype) ||
      !cal_plist_lookup_numbers (matrix, "shape", shape, 3) ||
      !cal_plist_lookup_numbers (main_dict, "spacing", spacing, 3))
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("main.plist lacks the image matrix description (dtype, shape, spacing)"));
      return NULL;
    }
  if (!g_str_equal (dtype, "int16"))
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_UNSUPPORTED,
                   _("The project's image is stored as %s; Calvaria reads int16 projects"),
                   dtype);
      return NULL;
    }
  cal_plist_lookup_int (main_dict, "orientation", &orientation);
  if (orientation != INV3_AXIAL)
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_UNSUPPORTED,
                   _("The project was made from a %s stack; Calvaria reads axial InVesalius projects (open the "
                     "original DICOM series instead)"),
                   orientation == 2 ? "coronal" : orientation == 3 ? "sagittal" : "non-axial");
      return NULL;
    }
  for (int a = 0; a < 3; a++)
    {
      double d = shape[2 - a];   /* shape is (slices, rows, columns) */
      if (!(d >= 1 && d <= G_MAXUINT32 && spacing[a] > 0))
        {
          g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                       _("main.plist gives an impossible shape or spacing (%g, %g mm)"),
                       d, spacing[a]);
          return NULL;
        }
      dims[a] = (guint32) d;
    }
  inv3_axial_grid (grid, dims, spacing);

  data = g_hash_table_lookup (members, "matrix.dat");
  if (data == NULL || g_bytes_get_size (data) != cal_grid_n_voxels (grid) * 2)
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("matrix.dat holds %zu bytes but main.plist declares %u×%u×%u int16 voxels"),
                   data ? g_bytes_get_size (data) : 0, dims[0], dims[1], dims[2]);
      return NULL;
    }

  /* InVesalius writes numpy's native order, little-endian on every
   * platform it ships for; the rows are already flipped (see above), so
   * the bytes are used as they are. */
  voxels = g_bytes_ref (data);
  cal_load_report_warn (report, _("InVesalius projects keep no DICOM position: orientation follows "
                                  "InVesalius' axial convention and the origin is the first voxel"));
  return cal_volume_new (grid, CAL_VOXEL_INT16, voxels);
}

/* The labels of one mask, from its plist (already parsed) and data file. */
static CalMask *
read_mask_labels (GHashTable    *members,
                  GVariant      *dict,
                  const char    *plist_name,
                  const CalGrid *grid,
                  GError       **error)
{
  const char *file = NULL;
  double shape[3];
  GBytes *bytes;
  const guint8 *src;
  guint8 *labels;
  guint32 nx = grid->dims[0], ny = grid->dims[1], nz = grid->dims[2];

  if (!g_variant_lookup (dict, "mask_file", "&s", &file) ||
      !cal_plist_lookup_numbers (dict, "mask_shape", shape, 3))
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("%s lacks mask_file or mask_shape"), plist_name);
      return NULL;
    }
  /* Masks carry one extra plane per axis (InVesalius' "already computed" flags). */
  if (shape[0] != nz + 1.0 || shape[1] != ny + 1.0 || shape[2] != nx + 1.0)
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("%s has shape %g×%g×%g, which does not fit the %u×%u×%u image"),
                   plist_name, shape[0], shape[1], shape[2], nz, ny, nx);
      return NULL;
    }
  bytes = g_hash_table_lookup (members, file);
  if (bytes == NULL || g_bytes_get_size (bytes) != (gsize) (nx + 1) * (ny + 1) * (nz + 1))
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_INVALID,
                   _("The mask data “%s” is missing or has the wrong size"), file);
      return NULL;
    }

  src = g_bytes_get_data (bytes, NULL);
  labels = g_malloc (cal_grid_n_voxels (grid));
  for (guint32 k = 0; k < nz; k++)
    for (guint32 j = 0; j < ny; j++)
      {
        const guint8 *row = src + ((gsize) (k + 1) * (ny + 1) + (j + 1)) * (nx + 1) + 1;
        guint8 *out = labels + ((gsize) k * ny + j) * nx;
        for (guint32 i = 0; i < nx; i++)
          out[i] = row[i] > INV3_MASK_CUT ? CAL_LABEL_BONE : CAL_LABEL_BACKGROUND;
      }
  return cal_mask_new_take (grid, labels);
}

static gboolean
read_masks (CalInv3Project *project,
            GHashTable     *members,
            GVariant       *main_dict,
            gboolean        with_masks,
            GError        **error)
{
  g_autoptr(GVariant) masks = g_variant_lookup_value (main_dict, "masks", G_VARIANT_TYPE ("a{sv}"));
  const CalGrid *grid = cal_volume_get_grid (project->volume);
  gsize n = masks ? g_variant_n_children (masks) : 0;

  for (gsize index = 0; index < n; index++)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GSIZE_FORMAT, index);
      g_autoptr(GVariant) file = g_variant_lookup_value (masks, key, G_VARIANT_TYPE_STRING);
      g_autoptr(GVariant) dict = NULL;
      const char *plist_name, *name = NULL;
      double range[2] = { 0, 0 };

      if (file == NULL)
        continue;
      plist_name = g_variant_get_string (file, NULL);
      dict = parse_member_plist (members, plist_name, error);
      if (dict == NULL)
        return FALSE;
      if (with_masks)
        {
          CalMask *mask = read_mask_labels (members, dict, plist_name, grid, error);
          if (mask == NULL)
            return FALSE;
          g_ptr_array_add (project->masks, mask);
        }
      g_variant_lookup (dict, "name", "&s", &name);
      if (!cal_plist_lookup_numbers (dict, "threshold_range", range, 2))
        range[0] = range[1] = 0;
      g_ptr_array_add (project->mask_names, g_strdup (name ? name : key));
      g_array_append_vals (project->mask_ranges, range, 1);
    }
  return TRUE;
}

CalInv3Project *
cal_inv3_project_load (const char     *path,
                       gboolean        with_masks,
                       CalLoadReport  *report,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) raw = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GZlibDecompressor) gunzip = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GHashTable) members = NULL;
  g_autoptr(GVariant) main_dict = NULL;
  g_autoptr(CalInv3Project) project = NULL;
  g_autoptr(GError) local_error = NULL;
  CalGrid grid;
  guint8 magic[2] = { 0 };
  gsize n = 0;

  raw = g_file_read (file, cancellable, error);
  if (raw == NULL)
    return NULL;
  info = g_file_input_stream_query_info (raw, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, error);
  if (info == NULL)
    return NULL;
  if (!g_input_stream_read_all (G_INPUT_STREAM (raw), magic, 2, &n, cancellable, error) ||
      !g_seekable_seek (G_SEEKABLE (raw), 0, G_SEEK_SET, cancellable, error))
    return NULL;
  if (n != 2 || magic[0] != 0x1f || magic[1] != 0x8b)
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_NOT_INV3,
                   _("Not an InVesalius 3 project: the file is not gzip-compressed"));
      return NULL;
    }

  gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  stream = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (gunzip));
  members = cal_tar_read_members (stream, (guint64) g_file_info_get_size (info) * DEFLATE_MAX_RATIO,
                                  keep_member, GINT_TO_POINTER (with_masks), cancellable, &local_error);
  if (members == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (local_error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_TOO_LARGE))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_NOT_INV3,
                     _("Not a readable InVesalius 3 project: %s"), local_error->message);
      return NULL;
    }
  if (!g_hash_table_contains (members, "main.plist"))
    {
      g_set_error (error, CAL_INV3_ERROR, CAL_INV3_ERROR_NOT_INV3,
                   _("Not an InVesalius 3 project: the archive has no main.plist"));
      return NULL;
    }
  main_dict = parse_member_plist (members, "main.plist", error);
  if (main_dict == NULL)
    return NULL;

  project = g_new0 (CalInv3Project, 1);
  project->masks = g_ptr_array_new_with_free_func (g_object_unref);
  project->mask_names = g_ptr_array_new_with_free_func (g_free);
  project->mask_ranges = g_array_new (FALSE, TRUE, sizeof (double[2]));
  project->volume = read_matrix (members, main_dict, &grid, report, error);
  if (project->volume == NULL || !read_masks (project, members, main_dict, with_masks, error))
    return NULL;

  if (report)
    {
      g_free (report->format);
      report->format = g_strdup (_("InVesalius 3 project"));
    }
  return g_steal_pointer (&project);
}
