/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-step.h"

#include <string.h>
#include <zlib.h>

G_DEFINE_QUARK (cal-edit-error-quark, cal_edit_error)

struct _CalEditStep
{
  gatomicrefcount ref;
  char        *name;
  CalEditKind  kind;
  CalBox       box;
  guint64      n_added, n_removed, n_changed;
  guint64      raw_size;   /* bytes of run lengths before deflate */
  GBytes      *deflated;
};

G_DEFINE_BOXED_TYPE (CalEditStep, cal_edit_step, cal_edit_step_ref, cal_edit_step_unref)

/* ---- life ---- */

CalEditStep *
cal_edit_step_ref (CalEditStep *step)
{
  g_atomic_ref_count_inc (&step->ref);
  return step;
}

void
cal_edit_step_unref (CalEditStep *step)
{
  if (!g_atomic_ref_count_dec (&step->ref))
    return;
  g_free (step->name);
  g_bytes_unref (step->deflated);
  g_free (step);
}

const char *cal_edit_step_get_name (CalEditStep *step) { return step->name; }
CalEditKind cal_edit_step_get_kind (CalEditStep *step) { return step->kind; }
const CalBox *cal_edit_step_get_box (CalEditStep *step) { return &step->box; }
guint64 cal_edit_step_get_n_added (CalEditStep *step) { return step->n_added; }
guint64 cal_edit_step_get_n_removed (CalEditStep *step) { return step->n_removed; }
guint64 cal_edit_step_get_n_changed (CalEditStep *step) { return step->n_changed; }

gsize
cal_edit_step_get_size (CalEditStep *step)
{
  return sizeof *step + strlen (step->name) + 1 + g_bytes_get_size (step->deflated);
}

/* ---- run lengths: varint(zeros) varint(literals) literal bytes ... ---- */

typedef struct {
  z_stream  z;
  GByteArray *out;
  guint8    buf[65536];
  gsize     fill;
  guint64   raw;
} Deflater;

static void
deflater_flush (Deflater *d,
                int       mode)
{
  guint8 chunk[65536];

  d->z.next_in = d->buf;
  d->z.avail_in = (uInt) d->fill;
  do
    {
      d->z.next_out = chunk;
      d->z.avail_out = sizeof chunk;
      deflate (&d->z, mode);
      g_byte_array_append (d->out, chunk, sizeof chunk - d->z.avail_out);
    }
  while (d->z.avail_out == 0);
  d->raw += d->fill;
  d->fill = 0;
}

static void
deflater_put (Deflater     *d,
              const guint8 *data,
              gsize         n)
{
  while (n > 0)
    {
      gsize take = MIN (n, sizeof d->buf - d->fill);
      memcpy (d->buf + d->fill, data, take);
      d->fill += take;
      data += take;
      n -= take;
      if (d->fill == sizeof d->buf)
        deflater_flush (d, Z_NO_FLUSH);
    }
}

static void
deflater_put_varint (Deflater *d,
                     guint64   v)
{
  guint8 b[10];
  gsize n = 0;

  do
    {
      b[n++] = (guint8) ((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
      v >>= 7;
    }
  while (v != 0);
  deflater_put (d, b, n);
}

typedef struct {
  Deflater *d;
  guint64   zeros;     /* pending zero run */
  guint8    lit[4096]; /* pending literal run */
  gsize     n_lit;
  guint64   n_changed;
} RunWriter;

static void
runs_flush_literals (RunWriter *w)
{
  if (w->n_lit == 0)
    return;
  deflater_put_varint (w->d, w->zeros);
  deflater_put_varint (w->d, w->n_lit);
  deflater_put (w->d, w->lit, w->n_lit);
  w->zeros = 0;
  w->n_lit = 0;
}

static void
runs_put_row (RunWriter    *w,
              const guint8 *xor,
              gsize         n)
{
  for (gsize i = 0; i < n; )
    {
      if (xor[i] == 0)
        {
          gsize j = i;
          while (j < n && xor[j] == 0)
            j++;
          runs_flush_literals (w);
          w->zeros += j - i;
          i = j;
        }
      else
        {
          if (w->n_lit == sizeof w->lit)
            runs_flush_literals (w);
          w->lit[w->n_lit++] = xor[i++];
          w->n_changed++;
        }
    }
}

CalEditStep *
cal_edit_step_encode (const char        *name,
                      CalEditKind        kind,
                      const CalBox      *box,
                      guint64            n_added,
                      guint64            n_removed,
                      CalEditXorRowFunc  xor_row,
                      gpointer           user_data)
{
  CalEditStep *step = g_new0 (CalEditStep, 1);
  Deflater *d = g_new0 (Deflater, 1);
  RunWriter w = { d };
  gsize nx = box->hi[0] - box->lo[0];
  g_autofree guint8 *row = g_malloc (MAX (nx, 1));

  g_atomic_ref_count_init (&step->ref);
  step->name = g_strdup (name);
  step->kind = kind;
  step->box = *box;
  step->n_added = n_added;
  step->n_removed = n_removed;

  d->out = g_byte_array_new ();
  /* Level 1: the runs are mostly small numbers; speed matters more. */
  deflateInit (&d->z, 1);
  if (!cal_box_is_empty (box))
    for (guint32 z = box->lo[2]; z < box->hi[2]; z++)
      for (guint32 y = box->lo[1]; y < box->hi[1]; y++)
        {
          xor_row (y, z, row, user_data);
          runs_put_row (&w, row, nx);
        }
  runs_flush_literals (&w);   /* a trailing zero run needs no record */
  deflater_flush (d, Z_FINISH);
  deflateEnd (&d->z);
  step->n_changed = w.n_changed;
  step->raw_size = d->raw;
  step->deflated = g_byte_array_free_to_bytes (d->out);
  g_free (d);
  return step;
}

/* ---- a step between two masks ---- */

typedef struct {
  const guint8  *a, *b;
  const guint32 *dims;
  const CalBox  *box;
} Between;

static void
between_row (guint32   y,
             guint32   z,
             guint8   *out,
             gpointer  data)
{
  Between *w = data;
  gsize row = (gsize) w->dims[0] * (y + (gsize) w->dims[1] * z);

  for (guint32 x = w->box->lo[0]; x < w->box->hi[0]; x++)
    *out++ = w->a[row + x] ^ w->b[row + x];
}

CalEditStep *
cal_edit_step_new_between (CalMask     *before,
                           CalMask     *after,
                           const char  *name,
                           CalEditKind  kind)
{
  const CalGrid *grid = cal_mask_get_grid (before);
  const guint8 *a = cal_mask_get_labels (before), *b = cal_mask_get_labels (after);
  guint64 added = 0, removed = 0;
  CalBox box = { { 0 } };
  Between w = { a, b, grid->dims, &box };
  gsize v = 0;

  g_return_val_if_fail (cal_grid_n_voxels (cal_mask_get_grid (after)) == cal_grid_n_voxels (grid), NULL);
  for (guint32 z = 0; z < grid->dims[2]; z++)
    for (guint32 y = 0; y < grid->dims[1]; y++)
      {
        guint32 first = G_MAXUINT32, last = 0;
        for (guint32 x = 0; x < grid->dims[0]; x++, v++)
          if (a[v] != b[v])
            {
              first = MIN (first, x);
              last = x;
              added += a[v] == 0;
              removed += b[v] == 0;
            }
        if (first != G_MAXUINT32)
          {
            CalBox row = { { first, y, z }, { last + 1, y + 1, z + 1 } };
            cal_box_union (&box, &row);
          }
      }
  if (cal_box_is_empty (&box))
    return NULL;
  return cal_edit_step_encode (name, kind, &box, added, removed, between_row, &w);
}

/* ---- decoding ---- */

typedef struct {
  const guint8 *p, *end;
} Reader;

static gboolean
read_varint (Reader  *r,
             guint64 *v)
{
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7)
    {
      if (r->p == r->end)
        return FALSE;
      *v |= (guint64) (*r->p & 0x7f) << shift;
      if ((*r->p++ & 0x80) == 0)
        return TRUE;
    }
  return FALSE;
}

static guint8 *
inflate_runs (CalEditStep *step)
{
  gsize n_in;
  const guint8 *in = g_bytes_get_data (step->deflated, &n_in);
  uLongf n_out = (uLongf) step->raw_size;
  guint8 *out = g_try_malloc (MAX (step->raw_size, 1));

  if (out == NULL)
    return NULL;
  if (uncompress (out, &n_out, in, (uLong) n_in) != Z_OK || n_out != step->raw_size)
    g_clear_pointer (&out, g_free);
  return out;
}

/* Walks the runs: for each literal run, fn (offset in box order, bytes, n). */
typedef void (*LiteralFunc) (guint64 offset, const guint8 *lit, guint64 n, gpointer data);

static gboolean
walk_runs (const guint8 *raw,
           gsize         size,
           guint64       n_box,
           LiteralFunc   fn,
           gpointer      data)
{
  Reader r = { raw, raw + size };
  guint64 at = 0;

  while (r.p < r.end)
    {
      guint64 zeros, n;
      if (!read_varint (&r, &zeros) || !read_varint (&r, &n) || n == 0
          || zeros > n_box - at || n > n_box - at - zeros || n > (guint64) (r.end - r.p))
        return FALSE;
      at += zeros;
      if (fn != NULL)
        fn (at, r.p, n, data);
      r.p += n;
      at += n;
    }
  return TRUE;
}

typedef struct {
  guint8       *labels;
  const guint32 *dims;
  const CalBox *box;
} XorInto;

static void
xor_literals (guint64       offset,
              const guint8 *lit,
              guint64       n,
              gpointer      data)
{
  XorInto *x = data;
  guint64 nx = x->box->hi[0] - x->box->lo[0], ny = x->box->hi[1] - x->box->lo[1];

  while (n > 0)
    {
      guint64 bx = offset % nx, by = (offset / nx) % ny, bz = offset / (nx * ny);
      guint64 take = MIN (n, nx - bx);
      gsize at = (x->box->lo[0] + bx)
                 + (gsize) x->dims[0] * ((x->box->lo[1] + by) + (gsize) x->dims[1] * (x->box->lo[2] + bz));
      for (guint64 i = 0; i < take; i++)
        x->labels[at + i] ^= lit[i];
      lit += take;
      offset += take;
      n -= take;
    }
}

static gboolean
box_fits (const CalBox  *box,
          const guint32  dims[3])
{
  for (int a = 0; a < 3; a++)
    if (box->lo[a] > box->hi[a] || box->hi[a] > dims[a])
      return FALSE;
  return TRUE;
}

gboolean
cal_edit_step_apply (CalEditStep  *step,
                     CalMask      *mask,
                     GError      **error)
{
  const CalGrid *grid = cal_mask_get_grid (mask);
  g_autofree guint8 *raw = NULL;
  XorInto x = { cal_mask_get_labels_mutable (mask), grid->dims, &step->box };

  if (!box_fits (&step->box, grid->dims))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_GRID_MISMATCH,
                   "The step “%s” is for a larger grid than the mask's %u × %u × %u voxels",
                   step->name, grid->dims[0], grid->dims[1], grid->dims[2]);
      return FALSE;
    }
  if (step->raw_size == 0)
    return TRUE;
  raw = inflate_runs (step);
  /* Check the whole record before changing a voxel. */
  if (raw == NULL || !walk_runs (raw, step->raw_size, cal_box_n_voxels (&step->box), NULL, NULL))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
                   "The step “%s” is damaged: its changed voxels cannot be read", step->name);
      return FALSE;
    }
  walk_runs (raw, step->raw_size, cal_box_n_voxels (&step->box), xor_literals, &x);
  return TRUE;
}

gboolean
cal_edit_step_same_change (CalEditStep *a,
                           CalEditStep *b)
{
  return memcmp (&a->box, &b->box, sizeof a->box) == 0 && a->n_changed == b->n_changed
         && a->raw_size == b->raw_size && g_bytes_equal (a->deflated, b->deflated);
}

/* ---- serialization: little-endian fields, then the name, then the runs ---- */

#define STEP_MAGIC "CALSTEP1"
#define STEP_HEADER (8 + 4 + 4 + 24 + 8 * 4 + 4)
#define MAX_NAME 4096

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (a, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *a,
         guint64     v)
{
  guint64 le = GUINT64_TO_LE (v);
  g_byte_array_append (a, (const guint8 *) &le, 8);
}

GBytes *
cal_edit_step_serialize (CalEditStep *step)
{
  GByteArray *a = g_byte_array_new ();
  gsize n_name = strlen (step->name), n_runs;
  const guint8 *runs = g_bytes_get_data (step->deflated, &n_runs);

  g_byte_array_append (a, (const guint8 *) STEP_MAGIC, 8);
  put_u32 (a, step->kind);
  put_u32 (a, (guint32) n_name);
  for (int k = 0; k < 3; k++)
    put_u32 (a, step->box.lo[k]);
  for (int k = 0; k < 3; k++)
    put_u32 (a, step->box.hi[k]);
  put_u64 (a, step->n_added);
  put_u64 (a, step->n_removed);
  put_u64 (a, step->n_changed);
  put_u64 (a, step->raw_size);
  put_u32 (a, (guint32) n_runs);
  g_byte_array_append (a, (const guint8 *) step->name, n_name);
  g_byte_array_append (a, runs, n_runs);
  return g_byte_array_free_to_bytes (a);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

CalEditStep *
cal_edit_step_deserialize (GBytes        *bytes,
                           const guint32  dims[3],
                           GError       **error)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (bytes, &n);
  g_autoptr(CalEditStep) step = NULL;
  guint32 n_name, n_runs, kind;
  CalBox box;

  if (n < STEP_HEADER || memcmp (p, STEP_MAGIC, 8) != 0)
    goto corrupt;
  kind = get_u32 (p + 8);
  n_name = get_u32 (p + 12);
  for (int k = 0; k < 3; k++)
    {
      box.lo[k] = get_u32 (p + 16 + 4 * k);
      box.hi[k] = get_u32 (p + 28 + 4 * k);
    }
  n_runs = get_u32 (p + STEP_HEADER - 4);
  if (kind > CAL_EDIT_KIND_WHOLE_MASK || n_name > MAX_NAME
      || (guint64) STEP_HEADER + n_name + n_runs != n)
    goto corrupt;
  if (!box_fits (&box, dims))
    {
      g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_GRID_MISMATCH,
                   "A journal record is for another grid than the mask's %u × %u × %u voxels",
                   dims[0], dims[1], dims[2]);
      return NULL;
    }
  step = g_new0 (CalEditStep, 1);
  g_atomic_ref_count_init (&step->ref);
  step->kind = kind;
  step->box = box;
  step->n_added = get_u64 (p + 40);
  step->n_removed = get_u64 (p + 48);
  step->n_changed = get_u64 (p + 56);
  step->raw_size = get_u64 (p + 64);
  step->name = g_strndup ((const char *) p + STEP_HEADER, n_name);
  step->deflated = g_bytes_new (p + STEP_HEADER + n_name, n_runs);
  /* Runs take at most 3 bytes per voxel (one zero, one literal, alternating),
   * so a lying size cannot make the reader allocate more than that. */
  if (!g_utf8_validate (step->name, -1, NULL) || step->raw_size > 3 * cal_box_n_voxels (&box) + 32)
    goto corrupt;
  return g_steal_pointer (&step);

corrupt:
  g_set_error (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_CORRUPT,
               "A journal record is damaged: its header does not describe an editing step");
  return NULL;
}
