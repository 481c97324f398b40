/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The marching-cubes case table, built at first use from one rule instead
 * of typed in (see cal-surface-table.c).
 *
 * Corner c of a cell is at offset (c & 1, (c >> 1) & 1, (c >> 2) & 1).
 * Edge e runs along axis e / 4 from the corner whose other two offsets are
 * the two bits of e % 4 (lower bit: the lower of the other two axes).
 */
#define CAL_CUBE_MAX_TRIANGLES 10

typedef struct {
  guint8 n_triangles;
  guint8 edges[3 * CAL_CUBE_MAX_TRIANGLES];   /* edge index triples, outward winding */
} CalCubeCase;

const CalCubeCase *cal_cube_cases        (void);   /* 256 entries, by corner bit mask */
/* > 0 when the polygon through the midpoints of `loop` is wound outward
 * (its normal points from the case's inside corners to its outside ones). */
double             cal_cube_loop_orientation (guint         config,
                                              const guint8 *loop,
                                              guint         n);
void               cal_cube_edge_corners (guint    edge,
                                          guint   *from,
                                          guint   *to);

G_END_DECLS
