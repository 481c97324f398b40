/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The paranasal sinuses above the nasal cavity, in the head frame of
 * cal-phantom-anatomy.c (x left, y posterior, z superior): the ethmoid
 * labyrinth between the orbits (air cells in walls under a millimetre
 * thick, with the perpendicular plate in the midline and a roof under the
 * frontal lobes) and the sphenoid sinus behind it, under the sella.  Real
 * scans show such walls as partial-volume greys of 100–900 HU beside air;
 * a model that has never seen them drops them, and the labels' 226 HU rule
 * (cal-phantom.c) decides which of them count as bone. */
#include "cal-phantom-private.h"

#include <math.h>

#include "cal-vec3.h"

void
phantom_sinus_init (PhantomHead *h,
                    GRand       *rand)
{
  PhantomSinus *s = &h->sinus;

  s->orbit_wall = phantom_uniform (rand, 0.5, 1.6);
  s->ethmoid_half = h->orbit_x - h->orbit_radii[0];   /* up to the orbits' medial walls */
  s->ethmoid_y[0] = h->orbit_y - h->orbit_radii[1] * phantom_uniform (rand, 0.55, 0.75);
  s->ethmoid_y[1] = h->orbit_y + h->orbit_radii[1] * phantom_uniform (rand, 0.45, 0.65);
  s->ethmoid_z[0] = h->z_base - h->base_thickness;
  s->ethmoid_z[1] = h->orbit_z + h->orbit_radii[2] * phantom_uniform (rand, 0.3, 0.6);
  s->cell = phantom_uniform (rand, 4.5, 8);
  s->septum = phantom_uniform (rand, 0.3, 1.1);
  s->septum_hu = phantom_uniform (rand, 800, 1400);
  s->warp = phantom_uniform (rand, 1.5, 4);
  s->sphenoid_radii[0] = phantom_uniform (rand, 9, 13);
  s->sphenoid_radii[1] = phantom_uniform (rand, 7, 10);
  s->sphenoid_radii[2] = phantom_uniform (rand, 7, 10);
  s->sphenoid[0] = phantom_uniform (rand, -2, 2);
  s->sphenoid[1] = s->ethmoid_y[1] + s->sphenoid_radii[1] + phantom_uniform (rand, 0.5, 2);
  s->sphenoid[2] = h->z_base - h->base_thickness * 0.5 + phantom_uniform (rand, 0, 3);
  s->sphenoid_wall = phantom_uniform (rand, 0.6, 1.6);
  s->sphenoid_septum_x = phantom_uniform (rand, -4, 4);
  s->frontal_septum_x = phantom_uniform (rand, -6, 6);
  s->frontal_septum = phantom_uniform (rand, 0.6, 2.0);
}

#define SET(v, l) do { *hu = (v); *label = (l); return TRUE; } while (0)

/* The lattice's walls are bent by the texture field (a different shift per
 * axis) so that no two cells are alike, as the ethmoid's are not. */
double
phantom_cell_wall_distance (const PhantomHead *h,
                            const double       q[3],
                            double             cell,
                            double             warp)
{
  static const double shift[3][3] = { { 31.7, -12.9, 5.3 }, { -7.1, 23.3, -17.9 }, { 13.7, 3.1, 29.5 } };
  double best = G_MAXDOUBLE;

  for (int k = 0; k < 3; k++)
    {
      double p[3] = { q[0] + shift[k][0], q[1] + shift[k][1], q[2] + shift[k][2] };
      double u = (q[k] + warp * phantom_field_at (&h->texture, p)) / cell;
      best = MIN (best, fabs (u - round (u)) * cell);
    }
  return best;
}

static gboolean
over_nasal_cavity (const PhantomHead *h,
                   const double       q[3])
{
  const PhantomFace *f = &h->face;

  return fabs (q[0]) < f->nasal_half && q[1] >= f->sinus_y - 22 && q[1] <= f->sinus_y + 18;
}

static gboolean
sample_ethmoid (const PhantomHead *h,
                const double       q[3],
                double             r_outer,
                double            *hu,
                guint8            *label)
{
  const PhantomSinus *s = &h->sinus;
  double ax = fabs (q[0]), t = s->septum;

  if (ax >= s->ethmoid_half || q[1] < s->ethmoid_y[0] || q[1] > s->ethmoid_y[1] || q[2] < s->ethmoid_z[0] ||
      q[2] > s->ethmoid_z[1] || cal_vec3_length (q) > r_outer - 1.2)
    return FALSE;
  if (s->ethmoid_z[1] - q[2] < 1.0)
    SET (h->cortical * 0.7, CAL_PHANTOM_SKULL);   /* the roof under the frontal lobes */
  if (ax < h->face.septum / 2 || s->ethmoid_half - ax < t || q[1] - s->ethmoid_y[0] < t ||
      s->ethmoid_y[1] - q[1] < t || (q[2] - s->ethmoid_z[0] < t && !over_nasal_cavity (h, q)) ||
      phantom_cell_wall_distance (h, q, s->cell, s->warp) < t / 2)
    SET (s->septum_hu, CAL_PHANTOM_SKULL);
  SET (h->air, CAL_PHANTOM_BACKGROUND);
}

static gboolean
sample_sphenoid (const PhantomHead *h,
                 const double       q[3],
                 double            *hu,
                 guint8            *label)
{
  const PhantomSinus *s = &h->sinus;
  double shell[3];

  for (int k = 0; k < 3; k++)
    shell[k] = s->sphenoid_radii[k] + s->sphenoid_wall;
  if (ellipsoid_level (q, s->sphenoid, shell) > 1)
    return FALSE;
  if (ellipsoid_level (q, s->sphenoid, s->sphenoid_radii) > 1 ||
      fabs (q[0] - s->sphenoid_septum_x) < s->sphenoid_wall / 2 ||
      (h->params.anatomy >= 2 && phantom_base_in_sphenoid_septum (h, q)))
    SET (s->septum_hu, CAL_PHANTOM_SKULL);
  SET (h->air, CAL_PHANTOM_BACKGROUND);
}

gboolean
phantom_sinus_sample (const PhantomHead *h,
                      const double       q[3],
                      double             r_outer,
                      double            *hu,
                      guint8            *label)
{
  return sample_ethmoid (h, q, r_outer, hu, label) || sample_sphenoid (h, q, hu, label);
}
