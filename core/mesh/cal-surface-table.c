/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Why the table is derived rather than copied: the classic 256-case tables
 * resolve ambiguous faces inconsistently between cases, which leaves holes
 * in the surface.  Here every face decides on its own four corners by one
 * rule (diagonal inside corners stay apart, i.e. the foreground is
 * 6-connected), so the two cells sharing a face always agree and the
 * surface is closed and manifold by construction.
 *
 * For each case the inside part of every face is bounded by segments
 * between the face's crossing edges.  Oriented so that the inside region
 * lies on the left, seen from outside the cell, each crossing edge starts
 * one segment and ends another (the two faces at an edge run along it in
 * opposite directions), so the segments chain into closed loops.  Each loop
 * becomes a polygon, wound outward and cut into a fan of triangles.
 */
#include "cal-surface-private.h"

static CalCubeCase cases[256];

static guint
corner_bit (const guint offset[3])
{
  return offset[0] | offset[1] << 1 | offset[2] << 2;
}

void
cal_cube_edge_corners (guint  edge,
                       guint *from,
                       guint *to)
{
  guint axis = edge / 4, rest = edge % 4;
  guint b = (axis + 1) % 3, c = (axis + 2) % 3;
  guint lo = MIN (b, c), hi = MAX (b, c);
  guint offset[3] = { 0, 0, 0 };

  offset[lo] = rest & 1;
  offset[hi] = rest >> 1;
  *from = corner_bit (offset);
  *to = *from | 1u << axis;
}

static guint
edge_between (guint a,
              guint b)
{
  guint axis = (a ^ b) == 1 ? 0 : (a ^ b) == 2 ? 1 : 2;
  guint lo = axis == 0 ? 1 : 0, hi = axis == 2 ? 1 : 2;
  guint low_corner = MIN (a, b);

  return axis * 4 + ((low_corner >> lo) & 1) + 2 * ((low_corner >> hi) & 1);
}

/* The four corners of face (axis, side), counter-clockwise seen from
 * outside the cell. */
static void
face_corners (guint axis,
              guint side,
              guint corners[4])
{
  static const guint square[4][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 } };
  guint b = (axis + 1) % 3, c = (axis + 2) % 3;

  for (guint m = 0; m < 4; m++)
    {
      guint offset[3];
      offset[axis] = side;
      offset[b] = square[m][0];
      offset[c] = square[m][1];
      corners[m] = corner_bit (offset);
    }
  /* (e_b, e_c) is right-handed about +e_axis: reverse for the low side. */
  if (side == 0)
    {
      guint t = corners[1];
      corners[1] = corners[3];
      corners[3] = t;
    }
}

static void
edge_midpoint (guint  edge,
               double p[3])
{
  guint from, to;

  cal_cube_edge_corners (edge, &from, &to);
  for (int a = 0; a < 3; a++)
    p[a] = (((from >> a) & 1) + ((to >> a) & 1)) / 2.0;
}

/* Newell's normal of the loop against the direction from its inside
 * corners to its outside ones: > 0 when the loop is wound outward. */
double
cal_cube_loop_orientation (guint         config,
                           const guint8 *loop,
                           guint         n)
{
  double normal[3] = { 0, 0, 0 }, in[3] = { 0, 0, 0 }, out[3] = { 0, 0, 0 };

  for (guint m = 0; m < n; m++)
    {
      double p[3], q[3];
      guint from, to, inside, outside;

      edge_midpoint (loop[m], p);
      edge_midpoint (loop[(m + 1) % n], q);
      normal[0] += (p[1] - q[1]) * (p[2] + q[2]);
      normal[1] += (p[2] - q[2]) * (p[0] + q[0]);
      normal[2] += (p[0] - q[0]) * (p[1] + q[1]);
      cal_cube_edge_corners (loop[m], &from, &to);
      inside = (config >> from) & 1 ? from : to;
      outside = inside == from ? to : from;
      for (int a = 0; a < 3; a++)
        {
          in[a] += (inside >> a) & 1;
          out[a] += (outside >> a) & 1;
        }
    }
  return normal[0] * (out[0] - in[0]) + normal[1] * (out[1] - in[1]) + normal[2] * (out[2] - in[2]);
}

static guint
edge_offset (guint edge,
             guint axis)
{
  guint from, to;

  cal_cube_edge_corners (edge, &from, &to);
  return (from >> axis) & 1;
}

/* Whether cube edges a and b lie on a common face. */
static gboolean
share_face (guint a,
            guint b)
{
  for (guint f = 0; f < 3; f++)
    if (f != a / 4 && f != b / 4 && edge_offset (a, f) == edge_offset (b, f))
      return TRUE;
  return FALSE;
}

/* The fan apex whose diagonals all cross the cell's inside.  A diagonal
 * between two points of one face would lie in that face, where the
 * neighbouring cell's fan may draw the same line: an edge of four
 * triangles.  Every loop of the table has such an apex (checked at build). */
static guint
fan_apex (const guint8 *loop,
          guint         n)
{
  for (guint apex = 0; apex < n; apex++)
    {
      gboolean ok = TRUE;
      for (guint m = 2; m + 1 < n && ok; m++)
        ok = !share_face (loop[apex], loop[(apex + m) % n]);
      if (ok)
        return apex;
    }
  g_assert_not_reached ();
}

static void
build_case (guint    config,
            gboolean reverse)
{
  gint next[12];
  gboolean used[12] = { FALSE };
  CalCubeCase *entry = &cases[config];

  for (guint e = 0; e < 12; e++)
    next[e] = -1;
  for (guint face = 0; face < 6; face++)
    {
      guint corners[4];

      face_corners (face / 2, face % 2, corners);
      for (guint m = 0; m < 4; m++)
        {
          guint here = corners[m], after = corners[(m + 1) % 4];
          guint first = m;

          /* An inside run ends at `here`: its segment goes from the exit
           * edge after it to the entry edge before its first corner. */
          if (!((config >> here) & 1) || ((config >> after) & 1))
            continue;
          while ((config >> corners[(first + 3) % 4]) & 1)
            first = (first + 3) % 4;
          next[edge_between (here, after)] =
            edge_between (corners[(first + 3) % 4], corners[first]);
        }
    }

  for (guint start = 0; start < 12; start++)
    {
      guint8 loop[12];
      guint n = 0, apex;

      if (next[start] < 0 || used[start])
        continue;
      for (guint e = start; !used[e]; e = (guint) next[e])
        {
          used[e] = TRUE;
          loop[n++] = e;
        }
      g_assert (n >= 3);
      if (reverse)
        for (guint m = 0; m < n / 2; m++)
          {
            guint8 t = loop[m];
            loop[m] = loop[n - 1 - m];
            loop[n - 1 - m] = t;
          }
      apex = fan_apex (loop, n);
      for (guint m = 1; m + 1 < n; m++)
        {
          guint8 *tri = entry->edges + 3 * entry->n_triangles++;
          tri[0] = loop[apex];
          tri[1] = loop[(apex + m) % n];
          tri[2] = loop[(apex + m + 1) % n];
        }
    }
}

const CalCubeCase *
cal_cube_cases (void)
{
  static gsize built = 0;

  if (g_once_init_enter (&built))
    {
      /* The chaining rule winds every loop the same way; one corner alone
       * shows which way that is. */
      gboolean reverse;

      build_case (1, FALSE);
      reverse = cal_cube_loop_orientation (1, cases[1].edges, 3) < 0;
      cases[1].n_triangles = 0;
      for (guint config = 0; config < 256; config++)
        build_case (config, reverse);
      g_once_init_leave (&built, 1);
    }
  return cases;
}
