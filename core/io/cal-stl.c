/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-stl.h"

#include <math.h>
#include <string.h>

#include "cal-atomic-file.h"
#include "cal-parallel.h"

G_DEFINE_QUARK (cal-stl-error-quark, cal_stl_error)

#define HEADER_SIZE       80
#define FACET_SIZE        50
#define FACETS_PER_WRITE  65536

/* ---- writing ---- */

static void
describe_space (CalMesh *mesh,
                char     header[HEADER_SIZE + 1])
{
  /* Must not start with "solid": readers would take it for ASCII. */
  g_snprintf (header, HEADER_SIZE + 1, "%-80s",
              cal_mesh_get_space (mesh) == CAL_SPACE_RAS
                ? "Calvaria binary STL; units mm; space RAS"
                : "Calvaria binary STL; units mm; space LPS");
}

static void
put_le_float (guint8 *out,
              float   value)
{
  guint32 bits;

  memcpy (&bits, &value, 4);
  bits = GUINT32_TO_LE (bits);
  memcpy (out, &bits, 4);
}

typedef struct {
  const float   *vertices;
  const guint32 *triangles;
  guint8        *buffer;
  guint32        first;      /* first facet of the buffer */
  guint32        count;
} Packing;

#define FACETS_PER_TASK 4096

static void
pack_facet (const Packing *p,
            guint32        t,
            guint8        *out)
{
  const guint32 *tri = p->triangles + 3 * (gsize) t;
  const float *a = p->vertices + 3 * (gsize) tri[0], *b = p->vertices + 3 * (gsize) tri[1],
              *c = p->vertices + 3 * (gsize) tri[2];
  double n[3];

  cal_triangle_normal (a, b, c, n);
  for (int i = 0; i < 3; i++)
    put_le_float (out + 4 * i, (float) n[i]);
  for (int i = 0; i < 3; i++)
    {
      put_le_float (out + 12 + 4 * i, a[i]);
      put_le_float (out + 24 + 4 * i, b[i]);
      put_le_float (out + 36 + 4 * i, c[i]);
    }
  out[48] = out[49] = 0;   /* attribute byte count */
}

static void
pack_task (guint    task,
           gpointer data)
{
  const Packing *p = data;
  guint32 from = task * FACETS_PER_TASK, to = MIN (from + FACETS_PER_TASK, p->count);

  for (guint32 t = from; t < to; t++)
    pack_facet (p, p->first + t, p->buffer + (gsize) FACET_SIZE * t);
}

static gboolean
write_binary (CalMesh       *mesh,
              CalAtomicFile *file,
              GCancellable  *cancellable,
              GError       **error)
{
  char header[HEADER_SIZE + 1];
  guint32 n = cal_mesh_get_n_triangles (mesh), n_le = GUINT32_TO_LE (n);
  g_autofree guint8 *buffer = g_malloc ((gsize) FACET_SIZE * FACETS_PER_WRITE);

  describe_space (mesh, header);
  if (!cal_atomic_file_reserve (file, HEADER_SIZE + 4 + (guint64) FACET_SIZE * n, error) ||
      !cal_atomic_file_write (file, header, HEADER_SIZE, error) ||
      !cal_atomic_file_write (file, &n_le, 4, error))
    return FALSE;
  for (guint32 first = 0; first < n; first += FACETS_PER_WRITE)
    {
      Packing p = { cal_mesh_get_vertices (mesh), cal_mesh_get_triangles (mesh), buffer, first,
                    MIN (FACETS_PER_WRITE, n - first) };
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      cal_parallel_for ((p.count + FACETS_PER_TASK - 1) / FACETS_PER_TASK, pack_task, &p);
      if (!cal_atomic_file_write (file, buffer, (gsize) FACET_SIZE * p.count, error))
        return FALSE;
    }
  return TRUE;
}

/* Nine significant digits give back the same float when read. */
static void
append_float (GString *s,
              double   value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (s, ' ');
  g_string_append (s, g_ascii_formatd (text, sizeof text, "%.9g", value));
}

static gboolean
write_ascii (CalMesh       *mesh,
             CalAtomicFile *file,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *name = cal_mesh_get_space (mesh) == CAL_SPACE_RAS ? "calvaria_mm_RAS"
                                                                : "calvaria_mm_LPS";
  const float *v = cal_mesh_get_vertices (mesh);
  const guint32 *tris = cal_mesh_get_triangles (mesh);
  guint32 n = cal_mesh_get_n_triangles (mesh);
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "solid %s\n", name);
  for (guint32 t = 0; t < n; t++)
    {
      double normal[3];

      cal_mesh_triangle_normal (mesh, t, normal);
      g_string_append (s, "  facet normal");
      for (int a = 0; a < 3; a++)
        append_float (s, normal[a]);
      g_string_append (s, "\n    outer loop\n");
      for (int k = 0; k < 3; k++)
        {
          g_string_append (s, "      vertex");
          for (int a = 0; a < 3; a++)
            append_float (s, v[3 * (gsize) tris[3 * (gsize) t + k] + a]);
          g_string_append_c (s, '\n');
        }
      g_string_append (s, "    endloop\n  endfacet\n");
      if (s->len > (1 << 20) || t + 1 == n)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !cal_atomic_file_write (file, s->str, s->len, error))
            return FALSE;
          g_string_truncate (s, 0);
        }
    }
  g_string_append_printf (s, "endsolid %s\n", name);
  return cal_atomic_file_write (file, s->str, s->len, error);
}

gboolean
cal_stl_write (CalMesh       *mesh,
               const char    *path,
               CalStlFormat   format,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(CalAtomicFile) file = NULL;
  gboolean ok;

  g_return_val_if_fail (CAL_IS_MESH (mesh), FALSE);
  file = cal_atomic_file_new (path, 0, error);
  if (file == NULL)
    return FALSE;
  ok = format == CAL_STL_ASCII ? write_ascii (mesh, file, cancellable, error)
                               : write_binary (mesh, file, cancellable, error);
  return ok && cal_atomic_file_commit (file, error);
}

/* ---- reading ---- */

/* Vertices merged by exact coordinates (open addressing over indices). */
typedef struct {
  GArray  *vertices;   /* float triples */
  guint32 *slots;      /* vertex index + 1; 0 is empty */
  gsize    mask;
} VertexSet;

static void
vertex_set_init (VertexSet *set,
                 gsize      expected)
{
  gsize capacity = 1024;

  while (capacity < 2 * expected)
    capacity *= 2;
  set->vertices = g_array_sized_new (FALSE, FALSE, 3 * sizeof (float), (guint) MIN (expected, G_MAXUINT));
  set->slots = g_new0 (guint32, capacity);
  set->mask = capacity - 1;
}

static guint32
vertex_set_add (VertexSet   *set,
                const float  p[3])
{
  float q[3];
  guint32 bits[3];
  guint64 h;

  for (int a = 0; a < 3; a++)
    q[a] = p[a] == 0.0f ? 0.0f : p[a];   /* -0 and +0 are one point */
  memcpy (bits, q, sizeof bits);
  h = (bits[0] * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) ^
      (bits[1] * G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F)) ^
      (bits[2] * G_GUINT64_CONSTANT (0x165667B19E3779F9));
  h ^= h >> 29;
  for (gsize at = h & set->mask;; at = (at + 1) & set->mask)
    {
      guint32 slot = set->slots[at];
      if (slot == 0)
        {
          g_array_append_vals (set->vertices, q, 1);
          set->slots[at] = set->vertices->len;
          return set->vertices->len - 1;
        }
      if (memcmp (&g_array_index (set->vertices, float, 3 * (gsize) (slot - 1)), q, sizeof q) == 0)
        return slot - 1;
    }
}

static CalMesh *
vertex_set_finish (VertexSet *set,
                   GArray    *triangles,
                   CalSpace   space)
{
  guint32 n_vertices = set->vertices->len, n_triangles = triangles->len / 3;

  g_free (set->slots);
  return cal_mesh_new_take ((float *) g_array_free (set->vertices, FALSE), n_vertices,
                            (guint32 *) g_array_free (triangles, FALSE), n_triangles, space);
}

static gboolean
check_finite (const float *p,
              guint64      facet,
              GError     **error)
{
  for (int a = 0; a < 3; a++)
    if (!isfinite (p[a]))
      {
        g_set_error (error, CAL_STL_ERROR, CAL_STL_ERROR_INVALID,
                     "Triangle %" G_GUINT64_FORMAT " has a coordinate that is not a finite "
                     "number: the file is damaged", facet + 1);
        return FALSE;
      }
  return TRUE;
}

static CalSpace
space_from_text (const char *text,
                 gsize       len,
                 gboolean   *known)
{
  g_autofree char *copy = g_strndup (text, len);

  *known = strstr (copy, "Calvaria") != NULL || strstr (copy, "calvaria") != NULL;
  if (*known && (strstr (copy, "space RAS") != NULL || strstr (copy, "mm_RAS") != NULL))
    return CAL_SPACE_RAS;
  *known = *known && (strstr (copy, "space LPS") != NULL || strstr (copy, "mm_LPS") != NULL);
  return CAL_SPACE_LPS;
}

static CalMesh *
read_binary (const guint8  *data,
             guint32        n,
             gboolean      *space_known,
             GError       **error)
{
  VertexSet set;
  GArray *triangles;
  CalSpace space = space_from_text ((const char *) data, HEADER_SIZE, space_known);

  vertex_set_init (&set, (gsize) n / 2 + 16);
  triangles = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 3 * n);
  for (guint32 t = 0; t < n; t++)
    {
      const guint8 *facet = data + HEADER_SIZE + 4 + (gsize) FACET_SIZE * t;
      for (int k = 0; k < 3; k++)
        {
          guint32 bits[3];
          float p[3];
          guint32 index;
          memcpy (bits, facet + 12 + 12 * k, sizeof bits);
          for (int a = 0; a < 3; a++)
            bits[a] = GUINT32_FROM_LE (bits[a]);
          memcpy (p, bits, sizeof p);
          if (!check_finite (p, t, error))
            {
              g_array_free (triangles, TRUE);
              g_object_unref (vertex_set_finish (&set, g_array_new (FALSE, FALSE, 4), space));
              return NULL;
            }
          index = vertex_set_add (&set, p);
          g_array_append_val (triangles, index);
        }
    }
  return vertex_set_finish (&set, triangles, space);
}

typedef struct {
  const char *at, *end;
  guint       line;
} Lexer;

/* The next whitespace-separated word; NULL at the end. */
static const char *
next_word (Lexer *lx,
           gsize *len)
{
  while (lx->at < lx->end && g_ascii_isspace (*lx->at))
    lx->line += *lx->at++ == '\n';
  if (lx->at >= lx->end)
    return NULL;
  {
    const char *start = lx->at;
    while (lx->at < lx->end && !g_ascii_isspace (*lx->at))
      lx->at++;
    *len = lx->at - start;
    return start;
  }
}

static gboolean
expect_word (Lexer       *lx,
             const char  *word,
             GError     **error)
{
  gsize len = 0;
  const char *got = next_word (lx, &len);

  if (got != NULL && len == strlen (word) && memcmp (got, word, len) == 0)
    return TRUE;
  g_set_error (error, CAL_STL_ERROR, got == NULL ? CAL_STL_ERROR_TRUNCATED : CAL_STL_ERROR_INVALID,
               "ASCII STL, line %u: expected “%s”%s", lx->line + 1, word,
               got == NULL ? " but the file ends" : "");
  return FALSE;
}

static gboolean
read_number (Lexer   *lx,
             float   *out,
             GError **error)
{
  gsize len = 0;
  const char *word = next_word (lx, &len);
  char text[64], *end;

  if (word == NULL || len >= sizeof text)
    {
      g_set_error (error, CAL_STL_ERROR, word == NULL ? CAL_STL_ERROR_TRUNCATED : CAL_STL_ERROR_INVALID,
                   "ASCII STL, line %u: expected a number", lx->line + 1);
      return FALSE;
    }
  memcpy (text, word, len);
  text[len] = '\0';
  *out = (float) g_ascii_strtod (text, &end);
  if (*end != '\0')
    {
      g_set_error (error, CAL_STL_ERROR, CAL_STL_ERROR_INVALID,
                   "ASCII STL, line %u: “%s” is not a number", lx->line + 1, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_ascii_facet (Lexer     *lx,
                  VertexSet *set,
                  GArray    *triangles,
                  guint64    facet,
                  GError   **error)
{
  float normal[3];

  if (!expect_word (lx, "normal", error))
    return FALSE;
  for (int a = 0; a < 3; a++)
    if (!read_number (lx, &normal[a], error))
      return FALSE;
  if (!expect_word (lx, "outer", error) || !expect_word (lx, "loop", error))
    return FALSE;
  for (int k = 0; k < 3; k++)
    {
      float p[3];
      guint32 index;
      if (!expect_word (lx, "vertex", error))
        return FALSE;
      for (int a = 0; a < 3; a++)
        if (!read_number (lx, &p[a], error))
          return FALSE;
      if (!check_finite (p, facet, error))
        return FALSE;
      index = vertex_set_add (set, p);
      g_array_append_val (triangles, index);
    }
  return expect_word (lx, "endloop", error) && expect_word (lx, "endfacet", error);
}

static CalMesh *
read_ascii (const char  *data,
            gsize        size,
            gboolean    *space_known,
            GError     **error)
{
  Lexer lx = { data, data + size, 0 };
  const char *line_end = memchr (data, '\n', size);
  CalSpace space = space_from_text (data, line_end ? (gsize) (line_end - data) : size, space_known);
  VertexSet set;
  GArray *triangles = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint64 facet = 0;
  gboolean ok = TRUE;

  vertex_set_init (&set, size / 200 + 16);
  /* Skip "solid" and its name, the rest of the first line. */
  lx.at = line_end ? line_end + 1 : lx.end;
  lx.line = 1;
  for (;;)
    {
      gsize len = 0;
      const char *word = next_word (&lx, &len);
      if (word != NULL && len == 5 && memcmp (word, "facet", 5) == 0)
        {
          if (!(ok = read_ascii_facet (&lx, &set, triangles, facet++, error)))
            break;
          if (triangles->len / 3 >= G_MAXUINT32 / 3)
            {
              g_set_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TOO_LARGE,
                           "The STL holds more triangles than Calvaria can load");
              ok = FALSE;
              break;
            }
          continue;
        }
      if (word != NULL && len == 8 && memcmp (word, "endsolid", 8) == 0)
        break;
      g_set_error (error, CAL_STL_ERROR, word == NULL ? CAL_STL_ERROR_TRUNCATED : CAL_STL_ERROR_INVALID,
                   word == NULL ? "ASCII STL ends without “endsolid”: the file is truncated"
                                : "ASCII STL, line %u: expected “facet” or “endsolid”", lx.line + 1);
      ok = FALSE;
      break;
    }
  if (!ok)
    {
      g_object_unref (vertex_set_finish (&set, triangles, space));
      return NULL;
    }
  return vertex_set_finish (&set, triangles, space);
}

static gboolean
looks_ascii (const char *data,
             gsize       size)
{
  gsize i = 0;

  while (i < size && g_ascii_isspace (data[i]))
    i++;
  return size - i >= 5 && memcmp (data + i, "solid", 5) == 0;
}

CalMesh *
cal_stl_read (const char  *path,
              gboolean    *space_known,
              GError     **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  const guint8 *data;
  gsize size;
  guint32 n = 0;
  gboolean known = FALSE;
  CalMesh *mesh = NULL;

  if (file == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size >= HEADER_SIZE + 4)
    {
      memcpy (&n, data + HEADER_SIZE, 4);
      n = GUINT32_FROM_LE (n);
    }

  /* A binary file whose size matches its count is binary even when its
   * header starts with "solid", as some exporters write. */
  if (size >= HEADER_SIZE + 4 && size == HEADER_SIZE + 4 + (guint64) FACET_SIZE * n)
    mesh = read_binary (data, n, &known, error);
  else if (looks_ascii ((const char *) data, size))
    mesh = read_ascii ((const char *) data, size, &known, error);
  else if (size < HEADER_SIZE + 4)
    g_set_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TRUNCATED,
                 "The file is %" G_GSIZE_FORMAT " bytes long, too short for STL", size);
  else
    g_set_error (error, CAL_STL_ERROR, CAL_STL_ERROR_TRUNCATED,
                 "The binary STL says it holds %u triangles (%" G_GUINT64_FORMAT " bytes) but the "
                 "file has %" G_GSIZE_FORMAT " bytes: it is truncated or not STL",
                 n, HEADER_SIZE + 4 + (guint64) FACET_SIZE * n, size);
  if (space_known != NULL)
    *space_known = known;
  return mesh;
}
