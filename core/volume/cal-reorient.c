/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-reorient.h"

#include <math.h>
#include <string.h>

#include "cal-parallel.h"

/* A letter's patient axis (x, y, z of LPS) and direction, or FALSE. */
static gboolean
letter_axis (char  letter,
             int  *axis,
             int  *sign)
{
  static const char positive[] = "LPS", negative[] = "RAI";
  const char *at;

  if (letter != '\0' && (at = strchr (positive, letter)) != NULL)
    *axis = (int) (at - positive), *sign = 1;
  else if (letter != '\0' && (at = strchr (negative, letter)) != NULL)
    *axis = (int) (at - negative), *sign = -1;
  else
    return FALSE;
  return TRUE;
}

gboolean
cal_orientation_code_is_valid (const char *code)
{
  gboolean seen[3] = { FALSE, FALSE, FALSE };

  if (code == NULL || strlen (code) != 3)
    return FALSE;
  for (int t = 0; t < 3; t++)
    {
      int axis, sign;
      if (!letter_axis (code[t], &axis, &sign) || seen[axis])
        return FALSE;
      seen[axis] = TRUE;
    }
  return TRUE;
}

/* Which patient axis each voxel axis points along: the largest cosines
 * first, so that an oblique grid still gives every voxel axis its own. */
static void
assign_patient_axes (const CalGrid *grid,
                     int            patient[3],
                     double         cosine[3][3])
{
  gboolean axis_taken[3] = { FALSE, FALSE, FALSE }, patient_taken[3] = { FALSE, FALSE, FALSE };

  for (int a = 0; a < 3; a++)
    cal_grid_get_direction (grid, a, cosine[a]);
  for (int round = 0; round < 3; round++)
    {
      int best_a = -1, best_p = -1;
      for (int a = 0; a < 3; a++)
        for (int p = 0; p < 3; p++)
          if (!axis_taken[a] && !patient_taken[p] &&
              (best_a < 0 || fabs (cosine[a][p]) > fabs (cosine[best_a][best_p])))
            best_a = a, best_p = p;
      axis_taken[best_a] = patient_taken[best_p] = TRUE;
      patient[best_a] = best_p;
    }
}

void
cal_axis_map_to_orientation (const CalGrid *grid,
                             const char    *code,
                             CalAxisMap    *map)
{
  double cosine[3][3];
  int patient[3];

  g_return_if_fail (cal_orientation_code_is_valid (code));
  assign_patient_axes (grid, patient, cosine);
  for (int t = 0; t < 3; t++)
    {
      int axis = 0, sign = 1;
      letter_axis (code[t], &axis, &sign);
      for (int a = 0; a < 3; a++)
        if (patient[a] == axis)
          {
            map->from[t] = a;
            map->flip[t] = (cosine[a][axis] >= 0 ? 1 : -1) != sign;
          }
    }
}

gboolean
cal_axis_map_is_identity (const CalAxisMap *map)
{
  for (int t = 0; t < 3; t++)
    if (map->from[t] != t || map->flip[t])
      return FALSE;
  return TRUE;
}

void
cal_axis_map_invert (const CalAxisMap *map,
                     CalAxisMap       *inverse)
{
  for (int t = 0; t < 3; t++)
    {
      inverse->from[map->from[t]] = t;
      inverse->flip[map->from[t]] = map->flip[t];
    }
}

void
cal_grid_reorder (const CalGrid    *grid,
                  const CalAxisMap *map,
                  CalGrid          *out)
{
  double first[3] = { 0, 0, 0 }, origin[3];

  *out = *grid;
  for (int t = 0; t < 3; t++)
    {
      int a = map->from[t];
      out->dims[t] = grid->dims[a];
      for (int r = 0; r < 3; r++)
        out->affine[r][t] = map->flip[t] ? -grid->affine[r][a] : grid->affine[r][a];
      if (map->flip[t])
        first[a] = grid->dims[a] - 1.0;
    }
  /* The new first voxel is the old voxel at the far end of every flipped axis. */
  cal_grid_voxel_to_patient (grid, first, origin);
  for (int r = 0; r < 3; r++)
    out->affine[r][3] = origin[r];
}

typedef struct {
  const guint8 *src;
  guint8       *dst;
  gsize         size;        /* bytes per voxel */
  guint32       dims[3];     /* of the result */
  gint64        step[3];     /* source voxels per step along each result axis */
  gint64        base;        /* source index of the result's first voxel */
} Reorder;

static void
reorder_slice (guint    k,
               gpointer data)
{
  const Reorder *r = data;
  gsize size = r->size;

  for (guint32 j = 0; j < r->dims[1]; j++)
    {
      gint64 from = r->base + k * r->step[2] + j * r->step[1];
      guint8 *to = r->dst + ((gsize) k * r->dims[1] + j) * r->dims[0] * size;
      for (guint32 i = 0; i < r->dims[0]; i++, from += r->step[0], to += size)
        memcpy (to, r->src + from * (gint64) size, size);
    }
}

CalVolume *
cal_volume_reorder (CalVolume        *volume,
                    const CalAxisMap *map)
{
  const CalGrid *grid = cal_volume_get_grid (volume);
  gint64 stride[3] = { 1, grid->dims[0], (gint64) grid->dims[0] * grid->dims[1] };
  Reorder r = { .src = cal_volume_get_data (volume),
                .size = cal_voxel_type_size (cal_volume_get_voxel_type (volume)) };
  g_autoptr(GBytes) bytes = NULL;
  CalGrid out;

  cal_grid_reorder (grid, map, &out);
  for (int t = 0; t < 3; t++)
    {
      int a = map->from[t];
      r.dims[t] = out.dims[t];
      r.step[t] = map->flip[t] ? -stride[a] : stride[a];
      if (map->flip[t])
        r.base += (grid->dims[a] - 1) * stride[a];
    }
  r.dst = g_malloc (cal_grid_n_voxels (&out) * r.size);
  cal_parallel_for (out.dims[2], reorder_slice, &r);
  bytes = g_bytes_new_take (r.dst, cal_grid_n_voxels (&out) * r.size);
  return cal_volume_new (&out, cal_volume_get_voxel_type (volume), bytes);
}
