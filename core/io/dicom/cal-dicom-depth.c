/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A bounded walk over a DICOM file's element stream that measures how deeply
 * its sequences nest, and whether its lengths fit the file, before dcmtk
 * sees the file.
 *
 * dcmtk 3.6.7 parses nested sequences by recursion with no depth limit, so
 * a crafted file with thousands of nested items exhausts the stack.  This
 * walk keeps its own explicit stack (no recursion), reads only tags and
 * lengths (values are skipped with fseek, or inflated and discarded for the
 * deflated transfer syntax), and stops at the first level past the limit.
 *
 * It also refuses what would make dcmtk allocate more than the file holds:
 * an element whose length runs past the end (dcmtk allocates the declared
 * length when it reads the value), and a deflated data set it cannot follow
 * to the stream's end (dcmtk reads those whole).  Anything else it cannot
 * follow in a plain file it leaves to dcmtk, which reports it.
 */
#include "cal-dicom.h"

#include <glib/gi18n-lib.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cal-dicom-private.h"

#define UNDEFINED_LENGTH 0xffffffffu
#define ITEM_GROUP       0xfffe
#define ITEM             0xe000
#define ITEM_DELIMITER   0xe00d
#define SEQ_DELIMITER    0xe0dd
/* Deflate cannot expand data more than about 1032-fold. */
#define DEFLATE_MAX_RATIO 1032

typedef enum { SYNTAX_IMPLICIT_LE, SYNTAX_EXPLICIT_LE, SYNTAX_EXPLICIT_BE } Syntax;

/* The bytes of the data set: straight from the file, or through inflate. */
typedef struct {
  FILE     *file;
  gboolean  deflated;
  gboolean  stream_ended;  /* deflated: the stream ended, and the data set with it */
  gboolean  clean_end;     /* deflated: followed to the stream's end at an element boundary */
  gboolean  at_element_start; /* the next read is an element's tag */
  z_stream  zs;
  guint8    in[16384];
  guint64   offset;      /* bytes of the data set consumed */
} Source;

static gboolean
source_read (Source *s,
             guint8 *out,
             gsize   n)
{
  if (!s->deflated)
    {
      if (fread (out, 1, n, s->file) != n)
        return FALSE;
      s->offset += n;
      return TRUE;
    }
  s->zs.next_out = out;
  s->zs.avail_out = (uInt) n;
  while (s->zs.avail_out > 0)
    {
      int rc;

      if (s->stream_ended)
        {
          /* The data set ends with the deflate stream (what follows, such
           * as a gzip-style trailer, is not read as elements).  Ending at
           * an element boundary is a clean end. */
          s->clean_end = s->at_element_start && s->zs.avail_out == n;
          return FALSE;
        }
      if (s->zs.avail_in == 0)
        {
          size_t got = fread (s->in, 1, sizeof s->in, s->file);
          if (got == 0)
            return FALSE;   /* the file ends inside the stream */
          s->zs.next_in = s->in;
          s->zs.avail_in = (uInt) got;
        }
      rc = inflate (&s->zs, Z_NO_FLUSH);
      if (rc == Z_STREAM_END)
        s->stream_ended = TRUE;
      else if (rc != Z_OK)
        return FALSE;
    }
  s->offset += n;
  return TRUE;
}

static gboolean
source_skip (Source  *s,
             guint64  n)
{
  guint8 scratch[4096];

  if (!s->deflated)
    {
      if (n > (guint64) G_MAXINT64 || fseeko (s->file, (off_t) n, SEEK_CUR) != 0)
        return FALSE;
      s->offset += n;
      return TRUE;
    }
  while (n > 0)
    {
      gsize chunk = (gsize) MIN (n, sizeof scratch);
      if (!source_read (s, scratch, chunk))
        return FALSE;
      n -= chunk;
    }
  return TRUE;
}

static guint16
get16 (const guint8 *p, gboolean big)
{
  return big ? (guint16) (p[0] << 8 | p[1]) : (guint16) (p[1] << 8 | p[0]);
}

static guint32
get32 (const guint8 *p, gboolean big)
{
  return big ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
             : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static gboolean
vr_is_standard (const guint8 vr[2])
{
  static const char standard[] =
    "AEASATCSDADSDTFDFLISLOLTOBODOFOLOVOWPNSHSLSQSSSTSVTMUCUIULUNURUSUTUV";

  for (gsize i = 0; i + 1 < sizeof standard; i += 2)
    if (vr[0] == standard[i] && vr[1] == standard[i + 1])
      return TRUE;
  return FALSE;
}

/* VRs whose explicit form has two reserved bytes and a 32-bit length. */
static gboolean
vr_has_long_length (const guint8 vr[2])
{
  static const char *const long_vrs[] = {
    "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (long_vrs); i++)
    if (vr[0] == long_vrs[i][0] && vr[1] == long_vrs[i][1])
      return TRUE;
  return FALSE;
}

/* One open sequence or item: where it ends (for defined lengths), whether its
 * items hold data sets or pixel fragments, and how its elements are encoded. */
typedef struct {
  guint64  end;          /* G_MAXUINT64: ends at a delimiter */
  gboolean is_sequence;
  gboolean fragments;    /* encapsulated pixel data: items are raw bytes */
  Syntax   syntax;
} Level;

typedef struct {
  Source  source;
  Level   stack[CAL_DICOM_MAX_NESTING * 2 + 4];
  guint   top;            /* levels in use; stack[0] is the data set */
  guint   sequences;      /* open sequences */
  guint   max_sequences;
  guint64 max_bytes;      /* the most the data set can hold (inflated, when deflated) */
  gboolean part10;        /* a preamble, "DICM" and file meta came first */
  /* An element whose length the file cannot hold: dcmtk would allocate
   * it (it reads deflated data sets whole), so it is refused first. */
  gboolean lying;
  guint16  lie_group, lie_element;
  guint64  lie_length;
  guint32  top_tag;        /* the top-level element the walk is in */
} Walk;

static gboolean
walk_push (Walk     *w,
           guint64   length,
           gboolean  is_sequence,
           gboolean  fragments,
           Syntax    syntax)
{
  if (is_sequence && ++w->sequences > w->max_sequences)
    w->max_sequences = w->sequences;
  if (w->sequences > CAL_DICOM_MAX_NESTING || w->top + 1 >= G_N_ELEMENTS (w->stack))
    return FALSE;
  w->stack[w->top++] = (Level) {
    length == UNDEFINED_LENGTH ? G_MAXUINT64 : w->source.offset + length,
    is_sequence, fragments, syntax,
  };
  return TRUE;
}

static void
walk_pop (Walk *w)
{
  if (w->top <= 1)
    return;
  w->top--;
  if (w->stack[w->top].is_sequence)
    w->sequences--;
}

/* Closes every defined-length level that the stream has reached the end of. */
static void
walk_close_finished (Walk *w)
{
  while (w->top > 1 && w->source.offset >= w->stack[w->top - 1].end)
    walk_pop (w);
}

/* Does a defined-length value start with an item tag?  Only then can an
 * implicit-VR element be a sequence dcmtk would descend into; the bytes
 * read are put back by reading them as the item's own header next. */
static gboolean
implicit_value_is_sequence (guint32 length, const guint8 peek[4], gboolean big)
{
  return length >= 8 && get16 (peek, big) == ITEM_GROUP && get16 (peek + 2, big) == ITEM;
}

/* Can the rest of the data set hold `length` bytes?  dcmtk allocates what
 * an element declares when it reads its value: at once for a deflated data
 * set (read whole), on first access for a plain file's large values (left
 * on disk until then, without checking they fit), pixel data included. */
static gboolean
length_fits (Walk    *w,
             guint16  group,
             guint16  element,
             guint64  length)
{
  if (length == UNDEFINED_LENGTH || w->source.offset > w->max_bytes ||
      length <= w->max_bytes - w->source.offset)
    return TRUE;
  w->lying = TRUE;
  w->lie_group = group;
  w->lie_element = element;
  w->lie_length = length;
  return FALSE;
}

/* Steps over one element header (and its value, unless it opens a level).
 * FALSE: the walk ended (end of file, or something it cannot follow). */
static gboolean
walk_step (Walk *w)
{
  Level *level = &w->stack[w->top - 1];
  gboolean big = level->syntax == SYNTAX_EXPLICIT_BE;
  guint8 tag[4], head[4];
  guint16 group, element;
  guint32 length;

  w->source.at_element_start = TRUE;
  if (!source_read (&w->source, tag, 4))
    return FALSE;
  w->source.at_element_start = FALSE;
  group = get16 (tag, big);
  element = get16 (tag + 2, big);
  if (w->top == 1 && group != ITEM_GROUP)
    w->top_tag = (guint32) group << 16 | element;

  if (group == ITEM_GROUP)
    {
      if (!source_read (&w->source, head, 4))
        return FALSE;
      length = get32 (head, big);
      if (!length_fits (w, group, element, length))
        return FALSE;
      if (element == ITEM && level->is_sequence)
        {
          if (level->fragments)
            return length != UNDEFINED_LENGTH && source_skip (&w->source, length);
          return walk_push (w, length, FALSE, FALSE, level->syntax);
        }
      if ((element == ITEM_DELIMITER && !level->is_sequence) ||
          (element == SEQ_DELIMITER && level->is_sequence))
        {
          walk_pop (w);
          return TRUE;
        }
      return FALSE;
    }

  if (level->syntax == SYNTAX_IMPLICIT_LE)
    {
      guint8 peek[4];

      if (!source_read (&w->source, head, 4))
        return FALSE;
      length = get32 (head, FALSE);
      if (!length_fits (w, group, element, length))
        return FALSE;
      if (length == UNDEFINED_LENGTH)
        return walk_push (w, length, TRUE, group == 0x7fe0 && element == 0x0010, level->syntax);
      if (length < 8)
        return source_skip (&w->source, length);
      if (!source_read (&w->source, peek, 4))
        return FALSE;
      if (implicit_value_is_sequence (length, peek, FALSE))
        {
          /* The item's tag was read already: open the sequence (its end
           * counted from after the tag), then the item. */
          guint8 item_length[4];
          if (!walk_push (w, length - 4, TRUE, FALSE, level->syntax) ||
              !source_read (&w->source, item_length, 4))
            return FALSE;
          return walk_push (w, get32 (item_length, FALSE), FALSE, FALSE, level->syntax);
        }
      return source_skip (&w->source, length - 4);
    }

  /* Explicit VR. */
  {
    guint8 vr[2], rest[2];
    gboolean sequence, unknown;

    if (!source_read (&w->source, vr, 2) || !source_read (&w->source, rest, 2))
      return FALSE;
    /* dcmtk guesses the length field of a VR it does not know, and reads a
     * deflated data set whole: a guessed 32-bit length becomes an
     * allocation.  No real file has such an element. */
    if (w->source.deflated && !vr_is_standard (vr))
      {
        w->lying = TRUE;
        w->lie_group = group, w->lie_element = element, w->lie_length = G_MAXUINT64;
        return FALSE;
      }
    if (vr_has_long_length (vr))
      {
        if (!source_read (&w->source, head, 4))
          return FALSE;
        length = get32 (head, big);
      }
    else
      length = get16 (rest, big);
    if (!length_fits (w, group, element, length))
      return FALSE;

    sequence = vr[0] == 'S' && vr[1] == 'Q';
    unknown = vr[0] == 'U' && vr[1] == 'N';
    if (sequence)
      return walk_push (w, length, TRUE, FALSE, level->syntax);
    if (length == UNDEFINED_LENGTH)
      {
        /* Encapsulated pixel data; or UN of undefined length, which holds
         * an implicit-VR little-endian sequence (PS3.5 6.2.2). */
        gboolean pixels = group == 0x7fe0 && element == 0x0010;
        return walk_push (w, length, TRUE, pixels,
                          unknown ? SYNTAX_IMPLICIT_LE : level->syntax);
      }
    return source_skip (&w->source, length);
  }
}

/* Reads the Part-10 file meta group (always explicit VR little endian) and
 * returns the data set's syntax; without a preamble, guesses as dcmtk does. */
static gboolean
open_data_set (Walk   *w,
               Syntax *syntax)
{
  guint8 head[132];
  char uid[65] = "";

  if (fread (head, 1, sizeof head, w->source.file) == sizeof head &&
      memcmp (head + 128, "DICM", 4) == 0)
    {
      for (;;)
        {
          guint8 tag[8], vr_len[4];
          guint32 length;
          long start = ftell (w->source.file);

          if (fread (tag, 1, 8, w->source.file) != 8 || get16 (tag, FALSE) != 0x0002)
            {
              fseek (w->source.file, start, SEEK_SET);
              break;
            }
          if (vr_has_long_length (tag + 4))
            {
              if (fread (vr_len, 1, 4, w->source.file) != 4)
                return FALSE;
              length = get32 (vr_len, FALSE);
            }
          else
            length = get16 (tag + 6, FALSE);
          if (get16 (tag + 2, FALSE) == 0x0010 && length < sizeof uid)
            {
              if (fread (uid, 1, length, w->source.file) != length)
                return FALSE;
              uid[length] = '\0';
              g_strchomp (uid);
            }
          else if (length == UNDEFINED_LENGTH || fseek (w->source.file, (long) length, SEEK_CUR) != 0)
            return FALSE;
        }
      w->part10 = TRUE;
      *syntax = g_str_equal (uid, "1.2.840.10008.1.2") ? SYNTAX_IMPLICIT_LE
                : g_str_equal (uid, "1.2.840.10008.1.2.2") ? SYNTAX_EXPLICIT_BE
                : SYNTAX_EXPLICIT_LE;
      w->source.deflated = g_str_equal (uid, "1.2.840.10008.1.2.1.99");
      return TRUE;
    }

  /* No Part-10 header: a raw data set.  Two upper-case letters after the
   * first tag mean explicit VR. */
  rewind (w->source.file);
  *syntax = fread (head, 1, 6, w->source.file) == 6 && g_ascii_isupper (head[4]) &&
            g_ascii_isupper (head[5]) ? SYNTAX_EXPLICIT_LE : SYNTAX_IMPLICIT_LE;
  rewind (w->source.file);
  return TRUE;
}

gboolean
cal_dicom_check_structure (const char  *path,
                           guint32     *stop_tag,
                           GError     **error)
{
  Walk *w;
  Syntax syntax;
  gboolean too_deep = FALSE, unfollowed = FALSE, lying, part10, deflated;
  guint16 group, element;
  guint64 length;
  guint32 top_tag;

  *stop_tag = 0;

  w = g_new0 (Walk, 1);
  w->source.file = fopen (path, "rb");
  if (w->source.file == NULL)
    {
      g_free (w);
      return TRUE;   /* dcmtk reports the open error in its own words */
    }
  if (open_data_set (w, &syntax))
    {
      off_t start = ftello (w->source.file), end;

      fseeko (w->source.file, 0, SEEK_END);
      end = ftello (w->source.file);
      fseeko (w->source.file, start, SEEK_SET);
      w->max_bytes = start >= 0 && end >= start ? (guint64) (end - start) : G_MAXUINT64;
      if (w->source.deflated && w->max_bytes != G_MAXUINT64)
        w->max_bytes *= DEFLATE_MAX_RATIO;
      if (w->source.deflated && inflateInit2 (&w->source.zs, -MAX_WBITS) != Z_OK)
        w->source.deflated = FALSE;
      w->stack[w->top++] = (Level) { G_MAXUINT64, FALSE, FALSE, syntax };
      while (walk_step (w))
        walk_close_finished (w);
      too_deep = w->sequences > CAL_DICOM_MAX_NESTING;
      /* dcmtk reads a deflated data set whole, allocating as it goes: one
       * this walk could not follow to its end is not left to it. */
      unfollowed = w->source.deflated && !w->lying && !too_deep && !w->source.clean_end;
      if (w->source.deflated)
        inflateEnd (&w->source.zs);
    }
  fclose (w->source.file);
  lying = w->lying;
  part10 = w->part10;
  group = w->lie_group, element = w->lie_element, length = w->lie_length;
  top_tag = w->top_tag;
  deflated = w->source.deflated;
  g_free (w);

  if (lying && !part10)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NOT_DICOM,
                   _("Not a DICOM file: no readable DICOM data set (element (%04x,%04x) would run past the end "
                     "of the file)"), group, element);
      return FALSE;
    }
  if (lying)
    {
      /* A slice cut short inside its pixel data still says which series
       * it belongs to: what comes before is read, so the series can name
       * the slice.  Damage anywhere else is not read up to: dcmtk's reading
       * of a damaged header, or of damaged compressed data, need not stop
       * where this walk did (fuzzed files made it allocate 3.6 GB). */
      *stop_tag = !deflated && (top_tag >> 16) == 0x7fe0 ? top_tag : 0;
      if (length == G_MAXUINT64)
        g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
                     _("The file is damaged: element (%04x,%04x) of its compressed data set has no valid value "
                       "representation"), group, element);
      else
        g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
                     _("The file is truncated or damaged: element (%04x,%04x) declares %llu bytes, which runs "
                       "past the end of the file"),
                     group, element, (unsigned long long) (length));
      return FALSE;
    }
  if (unfollowed)
    {
      g_set_error_literal (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TRUNCATED,
                           _("The file is damaged: its compressed (deflated) data set does not decode to whole "
                             "elements"));
      return FALSE;
    }
  if (too_deep)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_NESTING,
                   _("The file's sequences are nested more than %d deep (nesting depth > %d); no real image "
                     "needs that, and reading it could crash. Refusing the file"),
                   CAL_DICOM_MAX_NESTING, CAL_DICOM_MAX_NESTING);
      return FALSE;
    }
  return TRUE;
}
