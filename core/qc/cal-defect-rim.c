/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-defect-rim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cal-mask-components.h"
#include "cal-matrix.h"
#include "cal-metrics.h"

#define STEP_DEG   1.5
#define N_EL       120          /* 180° / STEP_DEG */
#define N_AZ       240          /* 360° / STEP_DEG */
#define N_DIRS     (N_EL * N_AZ)
#define BISECTIONS 6            /* the rim's direction to 1.5° / 64 */
#define COARSE_MM  2.5          /* grid for finding the cavity's middle */

typedef struct {
  const guint8 *skull;          /* 0/1, the mask's largest piece */
  guint32       dims[3];
  double        spacing[3];
  double        to_voxel[4][4];
  double        affine[4][4];
  double        step_mm;
  double        max_mm;         /* no ray inside the volume is longer */
} Rays;

typedef struct {
  gboolean covered;
  gboolean below;     /* further down than any defect is looked for */
  double   hit, exit;
} Ray;

typedef struct {
  guint32 root;
  GArray *cells;        /* guint32: its directions */
  GArray *border;       /* guint32 pairs: a covered direction beside it, and its uncovered neighbour */
} Opening;

void
cal_defect_rim_options_init (CalDefectRimOptions *options)
{
  options->band_mm = 10.0;
  options->min_width_mm = 3.0;
  options->max_down_deg = 40.0;
  options->max_down_front_deg = 10.0;
}

static void
direction_of (int row, int col, double dir[3])
{
  double el = (-90.0 + (row + 0.5) * STEP_DEG) * G_PI / 180.0;
  double az = (col + 0.5) * STEP_DEG * G_PI / 180.0;

  dir[0] = cos (el) * cos (az);
  dir[1] = cos (el) * sin (az);
  dir[2] = sin (el);
}

static void
linear_to_voxel (const Rays *rays, const double v[3], double out[3], gboolean point)
{
  for (int r = 0; r < 3; r++)
    out[r] = rays->to_voxel[r][0] * v[0] + rays->to_voxel[r][1] * v[1] + rays->to_voxel[r][2] * v[2] +
             (point ? rays->to_voxel[r][3] : 0);
}

/* The skull voxel index at origin + t·dir, -1 outside the volume. */
static gint64
voxel_along (const Rays *rays, const double o[3], const double d[3], double t)
{
  gint64 v[3];

  for (int a = 0; a < 3; a++)
    {
      double x = floor (o[a] + t * d[a] + 0.5);

      if (x < 0 || x >= rays->dims[a])
        return -1;
      v[a] = (gint64) x;
    }
  return v[0] + rays->dims[0] * (v[1] + (gint64) rays->dims[1] * v[2]);
}

/* Marches from `from` (LPS mm) along unit `dir`: the distance to the first
 * bone and to where that bone ends; FALSE when the ray leaves the volume
 * without meeting bone. */
static gboolean
march (const Rays *rays, const double from[3], const double dir[3], double *hit, double *exit)
{
  double o[3], d[3];
  gboolean in_bone = FALSE;

  linear_to_voxel (rays, from, o, TRUE);
  linear_to_voxel (rays, dir, d, FALSE);
  for (double t = 0; t < rays->max_mm; t += rays->step_mm)
    {
      gint64 v = voxel_along (rays, o, d, t);

      if (v < 0)
        break;
      if (!in_bone && rays->skull[v])
        {
          in_bone = TRUE;
          *hit = t;
        }
      else if (in_bone && !rays->skull[v])
        {
          *exit = t;
          return TRUE;
        }
    }
  if (in_bone)
    *exit = rays->max_mm;
  return in_bone;
}

/* The bone a ray crosses from its first hit to where it ends. */
static void
collect_bone (const Rays *rays, const double from[3], const double dir[3],
              double hit, double exit, GArray *voxels)
{
  double o[3], d[3];

  linear_to_voxel (rays, from, o, TRUE);
  linear_to_voxel (rays, dir, d, FALSE);
  for (double t = hit; t < exit; t += rays->step_mm)
    {
      gint64 v = voxel_along (rays, o, d, t);

      if (v < 0)
        break;
      if (rays->skull[v])
        g_array_append_val (voxels, v);
    }
}

typedef struct {
  float   value;
  guint32 index;
} Candidate;

static int
by_value_descending (const void *a, const void *b)
{
  float x = ((const Candidate *) a)->value, y = ((const Candidate *) b)->value;

  return (x < y) - (x > y);
}

/* Bone in most directions above: a defect may let some rays out, and the
 * skull base has holes or may be a piece of its own or cut off by the
 * scan, so of the directions from slightly below the horizontal upwards,
 * three in four must meet bone (outside the head, no more than half do). */
static gboolean
is_enclosed (const Rays *rays, const double p[3])
{
  const int n = 80;
  int hits = 0, looked = 0;

  for (int i = 0; i < n; i++)
    {
      /* A spiral of evenly spread directions (the golden angle apart). */
      double z = 1 - (i + 0.5) * 2.0 / n, s = sqrt (1 - z * z), a = i * 2.399963229728653;
      double dir[3] = { s * cos (a), s * sin (a), z }, hit, exit;

      if (z < -0.2)
        continue;
      looked++;
      hits += march (rays, p, dir, &hit, &exit);
    }
  return hits * 4 >= looked * 3;
}

/* For each voxel, along how many of the six axis directions bone lies
 * (0 for bone itself). */
static guint8 *
bone_sides (const guint8 *bone, const guint32 d[3])
{
  const gsize stride[3] = { 1, d[0], (gsize) d[0] * d[1] };
  gsize n = stride[2] * d[2];
  guint8 *sides = g_new0 (guint8, n);

  for (int a = 0; a < 3; a++)
    {
      int b = (a + 1) % 3, c = (a + 2) % 3;

      for (guint32 y = 0; y < d[c]; y++)
        for (guint32 x = 0; x < d[b]; x++)
          {
            gsize base = x * stride[b] + y * stride[c];
            gboolean seen = FALSE;

            for (guint32 t = 0; t < d[a]; t++)
              {
                gsize v = base + t * stride[a];
                sides[v] += seen;
                seen |= bone[v];
              }
            seen = FALSE;
            for (guint32 t = d[a]; t-- > 0;)
              {
                gsize v = base + t * stride[a];
                sides[v] += seen;
                seen |= bone[v];
              }
          }
    }
  return sides;
}

/* The enclosed point farthest from bone, on a coarse grid: the middle of
 * the cranial cavity. */
static gboolean
find_cavity_centre (const Rays *rays, double centre[3])
{
  guint32 f[3], cd[3];
  double cs[3];
  g_autofree guint8 *sides = NULL;
  gsize n;
  g_autofree guint8 *coarse = NULL;
  g_autofree double *dist = NULL;
  g_autofree Candidate *cand = NULL;
  gsize n_cand = 0;

  for (int a = 0; a < 3; a++)
    {
      f[a] = MAX (1, (guint32) floor (COARSE_MM / rays->spacing[a] + 0.5));
      cd[a] = (rays->dims[a] + f[a] - 1) / f[a];
      cs[a] = rays->spacing[a] * f[a];
    }
  n = (gsize) cd[0] * cd[1] * cd[2];
  coarse = g_new0 (guint8, n);
  for (guint32 k = 0; k < rays->dims[2]; k++)
    for (guint32 j = 0; j < rays->dims[1]; j++)
      for (guint32 i = 0; i < rays->dims[0]; i++)
        if (rays->skull[i + rays->dims[0] * (j + (gsize) rays->dims[1] * k)])
          coarse[i / f[0] + cd[0] * (j / f[1] + (gsize) cd[1] * (k / f[2]))] = 1;
  dist = g_new (double, n);
  cal_metrics_squared_edt (coarse, cd, cs, dist);
  cand = g_new (Candidate, n);
  /* Only where bone lies along at least five of the six grid axes: the
   * volume's corners are far from bone too. */
  sides = bone_sides (coarse, cd);
  for (gsize c = 0; c < n; c++)
    if (!coarse[c] && isfinite (dist[c]) && sides[c] >= 5)
      cand[n_cand++] = (Candidate) { (float) dist[c], (guint32) c };
  qsort (cand, n_cand, sizeof (Candidate), by_value_descending);
  for (gsize c = 0; c < n_cand && c < 4096; c++)
    {
      guint32 idx = cand[c].index;
      double ijk[3] = { (idx % cd[0]) * f[0] + (f[0] - 1) / 2.0,
                        ((idx / cd[0]) % cd[1]) * f[1] + (f[1] - 1) / 2.0,
                        (idx / ((gsize) cd[0] * cd[1])) * f[2] + (f[2] - 1) / 2.0 };

      for (int r = 0; r < 3; r++)
        centre[r] = rays->affine[r][0] * ijk[0] + rays->affine[r][1] * ijk[1] +
                    rays->affine[r][2] * ijk[2] + rays->affine[r][3];
      if (is_enclosed (rays, centre))
        return TRUE;
    }
  return FALSE;
}

/* Union-find over the grid of directions. */
static guint32
find_root (guint32 *parent, guint32 x)
{
  while (parent[x] != x)
    x = parent[x] = parent[parent[x]];
  return x;
}

static void
join (guint32 *parent, guint32 a, guint32 b)
{
  a = find_root (parent, a);
  b = find_root (parent, b);
  if (a != b)
    parent[MAX (a, b)] = MIN (a, b);
}

/* The 8 neighbours of a direction (azimuth wraps; the rows at the poles
 * are each one neighbourhood, their cells a few degrees apart). */
static int
neighbours (int row, int col, guint32 out[N_AZ + 8])
{
  int n = 0;

  for (int dr = -1; dr <= 1; dr++)
    for (int dc = -1; dc <= 1; dc++)
      {
        int r = row + dr, c = (col + dc + N_AZ) % N_AZ;

        if ((dr || dc) && r >= 0 && r < N_EL)
          out[n++] = (guint32) (r * N_AZ + c);
      }
  if (row == 0 || row == N_EL - 1)
    for (int c = 0; c < N_AZ; c++)
      out[n++] = (guint32) (row * N_AZ + c);
  return n;
}


static void
opening_clear (gpointer data)
{
  Opening *o = data;

  g_array_unref (o->cells);
  g_array_unref (o->border);
}

static void
cell_direction (guint32 cell, double dir[3])
{
  direction_of ((int) (cell / N_AZ), (int) (cell % N_AZ), dir);
}

/* Between a direction that meets bone and one that does not, the last one
 * that does, found by halving; its bone is the rim. */
static void
collect_rim_between (const Rays *rays, const double centre[3], guint32 covered, guint32 open,
                     const Ray *first, GArray *voxels, double rim_point[3])
{
  double lo[3], hi[3], hit = first->hit, exit = first->exit;

  cell_direction (covered, lo);
  cell_direction (open, hi);
  for (int b = 0; b < BISECTIONS; b++)
    {
      double mid[3], len, h, e;

      for (int i = 0; i < 3; i++)
        mid[i] = lo[i] + hi[i];
      len = sqrt (mid[0] * mid[0] + mid[1] * mid[1] + mid[2] * mid[2]);
      for (int i = 0; i < 3; i++)
        mid[i] /= len;
      if (march (rays, centre, mid, &h, &e))
        {
          memcpy (lo, mid, sizeof mid);
          hit = h, exit = e;
        }
      else
        memcpy (hi, mid, sizeof mid);
    }
  for (int i = 0; i < 3; i++)
    rim_point[i] = centre[i] + hit * lo[i];
  /* Only where it meets the bone: farther on, a slanted ray runs away
   * from the edge through the bone. */
  collect_bone (rays, centre, lo, hit, MIN (exit, hit + 2 * rays->step_mm), voxels);
}

static int
by_area_descending (gconstpointer a, gconstpointer b)
{
  double x = ((const CalSkullOpening *) a)->area_mm2, y = ((const CalSkullOpening *) b)->area_mm2;

  return (x < y) - (x > y);
}

typedef struct {
  double p[3];
} RimPoint;

/* Openings whose middle lies low are the skull base's own: the foramen
 * magnum and the canals behind and beside it below max_down_deg, and in
 * front (within 60° of straight ahead, LPS −y) already 10° below the
 * horizontal, where the orbits' roofs and the nasal cavity's openings lie
 * under the forehead. */
static gboolean
faces_skull_base (const double dir[3], const CalDefectRimOptions *options)
{
  double elevation = asin (CLAMP (dir[2], -1.0, 1.0)) * 180.0 / G_PI;
  double ahead = atan2 (fabs (dir[0]), -dir[1]) * 180.0 / G_PI;

  if (elevation < -options->max_down_deg)
    return TRUE;
  return ahead < 60.0 && elevation < -options->max_down_front_deg;
}

/* The spread of the rim's points across the opening's direction: for a
 * round hole of radius R every in-plane variance is R²/2, so an ellipse's
 * area is 2π·sqrt(λ1·λ2). */
static double
rim_area (const RimPoint *points, guint n, const double dir[3])
{
  double mean[3] = { 0 }, u[3], w[3], suu = 0, sww = 0, suw = 0, tr, det, disc;

  for (guint i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      mean[k] += points[i].p[k] / n;
  /* Two axes across the direction. */
  if (fabs (dir[2]) < 0.9)
    u[0] = -dir[1], u[1] = dir[0], u[2] = 0;
  else
    u[0] = 0, u[1] = -dir[2], u[2] = dir[1];
  {
    double len = sqrt (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    for (int k = 0; k < 3; k++)
      u[k] /= len;
  }
  w[0] = dir[1] * u[2] - dir[2] * u[1];
  w[1] = dir[2] * u[0] - dir[0] * u[2];
  w[2] = dir[0] * u[1] - dir[1] * u[0];
  for (guint i = 0; i < n; i++)
    {
      double a = 0, b = 0;

      for (int k = 0; k < 3; k++)
        {
          a += (points[i].p[k] - mean[k]) * u[k];
          b += (points[i].p[k] - mean[k]) * w[k];
        }
      suu += a * a / n, sww += b * b / n, suw += a * b / n;
    }
  tr = suu + sww;
  det = suu * sww - suw * suw;
  disc = sqrt (MAX (tr * tr / 4 - det, 0.0));
  return 2 * G_PI * sqrt (MAX ((tr / 2 + disc) * (tr / 2 - disc), 0.0));
}

/* Describes one opening and marks its rim, or returns FALSE for one that
 * is natural (faces down) or too small to be a defect. */
static gboolean
measure_opening (const Rays *rays, const double centre[3], const Ray *dirs, const Opening *o,
                 const CalDefectRimOptions *options, guint8 *seeds, CalSkullOpening *out)
{
  guint n_border = o->border->len / 2;
  g_autofree RimPoint *points = g_new (RimPoint, MAX (n_border, 1u));
  g_autoptr(GArray) voxels = g_array_new (FALSE, FALSE, sizeof (gint64));
  double mean[3] = { 0 }, len;

  if (n_border < 3)
    return FALSE;   /* no skull around it */
  for (guint i = 0; i < o->cells->len; i++)
    {
      double dir[3];

      cell_direction (g_array_index (o->cells, guint32, i), dir);
      for (int k = 0; k < 3; k++)
        mean[k] += dir[k] * sqrt (1 - dir[2] * dir[2]);
    }
  len = sqrt (mean[0] * mean[0] + mean[1] * mean[1] + mean[2] * mean[2]);
  for (int k = 0; k < 3; k++)
    out->direction[k] = len > 0 ? mean[k] / len : 0;
  if (faces_skull_base (out->direction, options))
    return FALSE;
  for (guint i = 0; i < n_border; i++)
    {
      guint32 covered = g_array_index (o->border, guint32, 2 * i);
      guint32 open = g_array_index (o->border, guint32, 2 * i + 1);

      collect_rim_between (rays, centre, covered, open, &dirs[covered], voxels, points[i].p);
    }
  out->area_mm2 = rim_area (points, n_border, out->direction);
  out->width_mm = 2 * sqrt (out->area_mm2 / G_PI);
  if (out->width_mm < options->min_width_mm)
    return FALSE;
  out->n_rim_voxels = 0;
  for (guint i = 0; i < voxels->len; i++)
    {
      gint64 v = g_array_index (voxels, gint64, i);

      out->n_rim_voxels += !seeds[v];
      seeds[v] = 1;
    }
  for (int k = 0; k < 3; k++)
    {
      out->centre[k] = 0;
      for (guint i = 0; i < n_border; i++)
        out->centre[k] += points[i].p[k] / n_border;
    }
  return TRUE;
}

/* Every uncovered direction's component, with its covered neighbours. */
static GArray *
group_openings (const Ray *dirs)
{
  g_autofree guint32 *parent = g_new (guint32, N_DIRS);
  g_autofree guint32 *slot = g_new (guint32, N_DIRS);
  g_autofree guint32 *border_of = g_new (guint32, N_DIRS);
  GArray *openings = g_array_new (FALSE, FALSE, sizeof (Opening));
  guint32 nb[N_AZ + 8];

  g_array_set_clear_func (openings, opening_clear);
  for (guint32 c = 0; c < N_DIRS; c++)
    parent[c] = c, slot[c] = G_MAXUINT32, border_of[c] = G_MAXUINT32;
  for (guint32 c = 0; c < N_DIRS; c++)
    if (!dirs[c].covered && !dirs[c].below)
      for (int i = 0, n = neighbours (c / N_AZ, c % N_AZ, nb); i < n; i++)
        if (!dirs[nb[i]].covered && !dirs[nb[i]].below)
          join (parent, c, nb[i]);
  for (guint32 c = 0; c < N_DIRS; c++)
    {
      guint32 root;
      Opening *o;

      if (dirs[c].covered || dirs[c].below)
        continue;
      root = find_root (parent, c);
      if (slot[root] == G_MAXUINT32)
        {
          Opening fresh = { root, g_array_new (FALSE, FALSE, sizeof (guint32)),
                            g_array_new (FALSE, FALSE, sizeof (guint32)) };

          slot[root] = openings->len;
          g_array_append_val (openings, fresh);
        }
      o = &g_array_index (openings, Opening, slot[root]);
      g_array_append_val (o->cells, c);
      for (int i = 0, n = neighbours (c / N_AZ, c % N_AZ, nb); i < n; i++)
        if (dirs[nb[i]].covered && border_of[nb[i]] != root)
          {
            border_of[nb[i]] = root;
            g_array_append_val (o->border, nb[i]);
            g_array_append_val (o->border, c);
          }
    }
  return openings;
}

/* Every voxel within band_mm of a seed, by a distance transform of the
 * seeds' box grown by the band. */
static guint64
grow_region (const Rays *rays, const guint8 *seeds, double band_mm, guint8 *region)
{
  guint32 lo[3] = { G_MAXUINT32, G_MAXUINT32, G_MAXUINT32 }, hi[3] = { 0, 0, 0 }, bd[3];
  const guint32 *dims = rays->dims;
  g_autofree guint8 *box = NULL;
  g_autofree double *dist = NULL;
  guint64 n = 0;
  gsize nb;

  for (guint32 k = 0; k < dims[2]; k++)
    for (guint32 j = 0; j < dims[1]; j++)
      for (guint32 i = 0; i < dims[0]; i++)
        if (seeds[i + dims[0] * (j + (gsize) dims[1] * k)])
          {
            guint32 v[3] = { i, j, k };
            for (int a = 0; a < 3; a++)
              lo[a] = MIN (lo[a], v[a]), hi[a] = MAX (hi[a], v[a]);
          }
  if (lo[0] == G_MAXUINT32)
    return 0;
  for (int a = 0; a < 3; a++)
    {
      guint32 grow = (guint32) ceil (band_mm / rays->spacing[a]) + 1;

      lo[a] = lo[a] > grow ? lo[a] - grow : 0;
      hi[a] = MIN (dims[a] - 1, hi[a] + grow);
      bd[a] = hi[a] - lo[a] + 1;
    }
  nb = (gsize) bd[0] * bd[1] * bd[2];
  box = g_new (guint8, nb);
  dist = g_new (double, nb);
  for (guint32 k = 0; k < bd[2]; k++)
    for (guint32 j = 0; j < bd[1]; j++)
      memcpy (&box[bd[0] * (j + (gsize) bd[1] * k)],
              &seeds[lo[0] + dims[0] * (lo[1] + j + (gsize) dims[1] * (lo[2] + k))], bd[0]);
  cal_metrics_squared_edt (box, bd, rays->spacing, dist);
  for (guint32 k = 0; k < bd[2]; k++)
    for (guint32 j = 0; j < bd[1]; j++)
      for (guint32 i = 0; i < bd[0]; i++)
        if (dist[i + bd[0] * (j + (gsize) bd[1] * k)] <= band_mm * band_mm)
          {
            region[lo[0] + i + dims[0] * (lo[1] + j + (gsize) dims[1] * (lo[2] + k))] = 1;
            n++;
          }
  return n;
}

static CalMask *
largest_piece (CalMask *mask)
{
  CalMask *skull = cal_mask_copy (mask);
  guint8 *l = cal_mask_get_labels_mutable (skull);
  gsize n = cal_grid_n_voxels (cal_mask_get_grid (skull));

  for (gsize v = 0; v < n; v++)
    l[v] = l[v] != 0;
  cal_mask_keep_largest_component (skull, 1);
  return skull;
}

CalDefectRim *
cal_find_defect_rim (CalMask                   *mask,
                     const CalDefectRimOptions *options,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  CalDefectRimOptions defaults;
  const CalGrid *grid = cal_mask_get_grid (mask);
  g_autoptr(CalMask) skull = largest_piece (mask);
  g_autoptr(GArray) openings = NULL;
  g_autofree Ray *dirs = g_new0 (Ray, N_DIRS);
  g_autofree guint8 *seeds = NULL;
  CalDefectRim *rim;
  double centre[3], extent = 0;
  Rays rays;

  if (options == NULL)
    cal_defect_rim_options_init (&defaults), options = &defaults;
  rays.skull = cal_mask_get_labels (skull);
  memcpy (rays.dims, grid->dims, sizeof rays.dims);
  memcpy (rays.affine, grid->affine, sizeof rays.affine);
  cal_grid_get_spacing (grid, rays.spacing);
  if (!cal_mat4_invert (grid->affine, rays.to_voxel))
    g_assert_not_reached ();
  rays.step_mm = 0.5 * MIN (rays.spacing[0], MIN (rays.spacing[1], rays.spacing[2]));
  for (int a = 0; a < 3; a++)
    extent += (rays.dims[a] * rays.spacing[a]) * (rays.dims[a] * rays.spacing[a]);
  rays.max_mm = sqrt (extent);

  if (cal_mask_get_max_label (skull) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The mask has no bone, so it has no openings to look for");
      return NULL;
    }
  if (!find_cavity_centre (&rays, centre))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "No cranial cavity enclosed by bone was found, so the skull's openings cannot be "
                   "told apart from the outside; paint the defect edge as a label instead");
      return NULL;
    }
  for (int row = 0; row < N_EL; row++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      for (int col = 0; col < N_AZ; col++)
        {
          Ray *r = &dirs[row * N_AZ + col];
          double dir[3];

          direction_of (row, col, dir);
          r->covered = march (&rays, centre, dir, &r->hit, &r->exit);
          /* The skull base's openings (foramen magnum, the orbits' and
           * nerves' canals) lie down there: a defect reaching that far is
           * judged above it only, and never joined to them. */
          r->below = asin (dir[2]) < -options->max_down_deg * G_PI / 180.0;
        }
    }

  rim = g_new0 (CalDefectRim, 1);
  memcpy (rim->cavity_centre, centre, sizeof centre);
  rim->openings = g_array_new (FALSE, FALSE, sizeof (CalSkullOpening));
  seeds = g_new0 (guint8, cal_grid_n_voxels (grid));
  openings = group_openings (dirs);
  for (guint i = 0; i < openings->len; i++)
    {
      CalSkullOpening found;

      if (measure_opening (&rays, centre, dirs, &g_array_index (openings, Opening, i), options, seeds, &found))
        g_array_append_val (rim->openings, found);
    }
  g_array_sort (rim->openings, by_area_descending);
  rim->region = cal_mask_new (grid);
  rim->n_region_voxels = grow_region (&rays, seeds, options->band_mm, cal_mask_get_labels_mutable (rim->region));
  return rim;
}

void
cal_defect_rim_free (CalDefectRim *rim)
{
  if (rim == NULL)
    return;
  g_clear_object (&rim->region);
  g_clear_pointer (&rim->openings, g_array_unref);
  g_free (rim);
}
