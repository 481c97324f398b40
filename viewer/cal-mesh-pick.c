/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-pick.h"

#include <float.h>
#include <math.h>

/* Pixel x, y and depth (NDC z) of a vertex; FALSE behind the eye. */
static gboolean
to_screen (const double clip[4][4], const float *p, double width, double height, double out[3])
{
  double c[4];

  for (int r = 0; r < 4; r++)
    c[r] = clip[r][0] * p[0] + clip[r][1] * p[1] + clip[r][2] * p[2] + clip[r][3];
  if (c[3] <= 1e-9)
    return FALSE;
  out[0] = (c[0] / c[3] + 1) * 0.5 * width;
  out[1] = (1 - c[1] / c[3]) * 0.5 * height;
  out[2] = c[2] / c[3];
  return TRUE;
}

gboolean
cal_mesh_pick (const CalDisplayMesh *mesh,
               const double          clip[4][4],
               double                width,
               double                height,
               double                x,
               double                y,
               double                point[3],
               guint32              *vertex)
{
  double best_depth = DBL_MAX;
  gboolean found = FALSE;

  for (guint32 f = 0; f < mesh->n_triangles; f++)
    {
      const guint32 *t = &mesh->indices[3 * (gsize) f];
      double s[3][3], area, w[3], depth;

      if (!to_screen (clip, &mesh->vertices[6 * (gsize) t[0]], width, height, s[0]) ||
          !to_screen (clip, &mesh->vertices[6 * (gsize) t[1]], width, height, s[1]) ||
          !to_screen (clip, &mesh->vertices[6 * (gsize) t[2]], width, height, s[2]))
        continue;
      area = (s[1][0] - s[0][0]) * (s[2][1] - s[0][1]) - (s[1][1] - s[0][1]) * (s[2][0] - s[0][0]);
      if (fabs (area) < 1e-12)
        continue;
      w[0] = ((s[1][0] - x) * (s[2][1] - y) - (s[1][1] - y) * (s[2][0] - x)) / area;
      w[1] = ((s[2][0] - x) * (s[0][1] - y) - (s[2][1] - y) * (s[0][0] - x)) / area;
      w[2] = 1 - w[0] - w[1];
      if (w[0] < 0 || w[1] < 0 || w[2] < 0)
        continue;
      depth = w[0] * s[0][2] + w[1] * s[1][2] + w[2] * s[2][2];
      if (depth >= best_depth)
        continue;
      best_depth = depth;
      found = TRUE;
      for (int k = 0; k < 3; k++)
        point[k] = w[0] * mesh->vertices[6 * (gsize) t[0] + k] + w[1] * mesh->vertices[6 * (gsize) t[1] + k] +
                   w[2] * mesh->vertices[6 * (gsize) t[2] + k];
      if (vertex)
        *vertex = t[w[0] >= w[1] && w[0] >= w[2] ? 0 : w[1] >= w[2] ? 1 : 2];
    }
  return found;
}
