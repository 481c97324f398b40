/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The .npy format: a magic string, a version, a header length, then a
 * Python dict literal with 'descr', 'fortran_order' and 'shape', padded so
 * the data starts on a 64-byte boundary.  The reader parses only what it
 * needs and checks the data size against the shape. */
#include "cal-npy.h"

#include <string.h>

#include "cal-atomic-file.h"

G_DEFINE_QUARK (cal-npy-error-quark, cal_npy_error)

#define MAGIC "\x93NUMPY"
#define MAX_VALUES (G_GINT64_CONSTANT (1) << 34)

static gboolean
npy_error (GError    **error,
           int         code,
           const char *path,
           const char *detail)
{
  g_autofree char *base = g_path_get_basename (path);

  g_set_error (error, CAL_NPY_ERROR, code, "%s: %s", base, detail);
  return FALSE;
}

/* The value text after 'key': in the header dict. */
static const char *
dict_value (const char *header,
            const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("'%s':", key);
  const char *at = strstr (header, quoted);

  if (at == NULL)
    return NULL;
  at += strlen (quoted);
  while (*at == ' ')
    at++;
  return at;
}

static gboolean
parse_shape (const char *text,
             CalNnShape *shape)
{
  const char *p = text;

  if (p == NULL || *p != '(')
    return FALSE;
  p++;
  shape->rank = 0;
  while (*p && *p != ')')
    {
      char *end;
      guint64 v;
      while (*p == ' ' || *p == ',')
        p++;
      if (*p == ')')
        break;
      v = g_ascii_strtoull (p, &end, 10);
      if (end == p || shape->rank == CAL_NN_MAX_RANK || v > G_MAXINT32)
        return FALSE;
      shape->d[shape->rank++] = (gint64) v;
      p = end;
    }
  return *p == ')';
}

float *
cal_npy_read (const char  *path,
              CalNnShape  *shape,
              GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *header = NULL;
  gsize size, header_len, offset, element;
  const char *descr, *order;
  gint64 count;
  float *values;

  if (!g_file_get_contents (path, &data, &size, error))
    return NULL;
  if (size < 10 || memcmp (data, MAGIC, 6) != 0)
    return npy_error (error, CAL_NPY_ERROR_INVALID, path, "not a NumPy .npy file (no magic string)"), NULL;
  if (data[6] == 1)
    header_len = (guint8) data[8] | (gsize) (guint8) data[9] << 8, offset = 10;
  else if ((data[6] == 2 || data[6] == 3) && size >= 12)
    header_len = (guint8) data[8] | (gsize) (guint8) data[9] << 8 | (gsize) (guint8) data[10] << 16 |
                 (gsize) (guint8) data[11] << 24, offset = 12;
  else
    return npy_error (error, CAL_NPY_ERROR_UNSUPPORTED, path, "an .npy format version other than 1, 2 or 3"), NULL;
  if (header_len > size - offset)
    return npy_error (error, CAL_NPY_ERROR_INVALID, path, "the header runs past the end of the file"), NULL;
  header = g_strndup (data + offset, header_len);
  offset += header_len;
  descr = dict_value (header, "descr");
  order = dict_value (header, "fortran_order");
  if (!parse_shape (dict_value (header, "shape"), shape))
    return npy_error (error, CAL_NPY_ERROR_INVALID, path, "the header has no readable shape (at most 6 axes)"), NULL;
  if (order == NULL || !g_str_has_prefix (order, "False"))
    return npy_error (error, CAL_NPY_ERROR_UNSUPPORTED, path,
                      "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray"), NULL;
  if (descr && (g_str_has_prefix (descr, "'<f4'") || g_str_has_prefix (descr, "'|f4'")))
    element = 4;
  else if (descr && g_str_has_prefix (descr, "'<f8'"))
    element = 8;
  else
    return npy_error (error, CAL_NPY_ERROR_UNSUPPORTED, path,
                      "only little-endian float32 or float64 arrays are supported"), NULL;
  count = cal_nn_shape_count (shape);
  if (count > MAX_VALUES || (guint64) count * element != size - offset)
    return npy_error (error, CAL_NPY_ERROR_INVALID, path,
                      "the data size does not match the shape in the header (truncated?)"), NULL;
  values = g_new (float, MAX (count, 1));
  for (gint64 i = 0; i < count; i++)
    {
      if (element == 4)
        memcpy (&values[i], data + offset + 4 * i, 4);
      else
        {
          double v;
          memcpy (&v, data + offset + 8 * i, 8);
          values[i] = (float) v;
        }
    }
  return values;
}

gboolean
cal_npy_write (const char        *path,
               const float       *values,
               const CalNnShape  *shape,
               GError           **error)
{
  g_autoptr(CalAtomicFile) file = NULL;
  GString *dict = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  g_autofree char *header = NULL;
  guint8 prefix[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
  gsize total;

  for (guint i = 0; i < shape->rank; i++)
    g_string_append_printf (dict, "%" G_GINT64_FORMAT "%s", shape->d[i], shape->rank == 1 || i + 1 < shape->rank ? ", " : "");
  g_string_append (dict, "), }");
  /* Pad with spaces and end with a newline so the data is 64-byte aligned. */
  total = 10 + dict->len + 1;
  while (total % 64 != 0)
    {
      g_string_append_c (dict, ' ');
      total++;
    }
  g_string_append_c (dict, '\n');
  prefix[8] = (guint8) (dict->len & 0xff);
  prefix[9] = (guint8) (dict->len >> 8);
  header = g_string_free (dict, FALSE);
  file = cal_atomic_file_new (path, 0, error);
  return file != NULL &&
         cal_atomic_file_write (file, prefix, sizeof prefix, error) &&
         cal_atomic_file_write (file, header, strlen (header), error) &&
         cal_atomic_file_write (file, values, cal_nn_shape_count (shape) * sizeof (float), error) &&
         cal_atomic_file_commit (file, error);
}
