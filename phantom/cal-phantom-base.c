/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The skull base of anatomy 2, in the head frame of cal-phantom-anatomy.c
 * (x left, y posterior, z superior): what anatomy 1's flat plate lacks and
 * real scans are full of, thin bone between air spaces and dense ridges.
 *
 * - mastoids: air cells in walls under a millimetre, in a cortical shell,
 *   hanging from the plate behind the ears (some sclerotic, without cells);
 * - petrous ridges: dense wedges on the plate from the mastoids to the
 *   sphenoid, with the inner ear's fluid and the internal acoustic canal;
 * - the dorsum sellae and the clinoid processes around the sella;
 * - up to three more septa across the sphenoid sinus, at any angle;
 * - below the plate: the pterygoid plates, the nasal bones over an air
 *   space, and the nasopharynx from the nasal cavity to the pharynx.
 *
 * Its random draws come from a generator of its own, so the parts anatomy
 * 1 shares are drawn identically and each seed's head only gains bone. */
#include "cal-phantom-private.h"

#include <math.h>

#include "cal-vec3.h"

static void
init_mastoid_and_ridge (PhantomHead *h,
                        GRand       *rand)
{
  PhantomBase *b = &h->base;
  const PhantomSinus *s = &h->sinus;

  b->mastoid_radii[0] = phantom_uniform (rand, 7, 10);
  b->mastoid_radii[1] = phantom_uniform (rand, 10, 13);
  b->mastoid_radii[2] = phantom_uniform (rand, 11, 15);
  b->mastoid[0] = h->semi[0] * 0.88 - b->mastoid_radii[0] - phantom_uniform (rand, 2, 4);
  b->mastoid[1] = h->foramen[1] + phantom_uniform (rand, -4, 4);
  b->mastoid[2] = h->z_base - h->base_thickness * 0.5 - phantom_uniform (rand, 2, 5);
  b->mastoid_cell = phantom_uniform (rand, 2.5, 5);
  b->mastoid_septum = phantom_uniform (rand, 0.3, 0.9);
  b->mastoid_cortex = phantom_uniform (rand, 0.8, 1.8);
  b->mastoid_aerated = g_rand_double (rand) < 0.85;
  /* From the mastoid forwards and inwards to beside the sphenoid. */
  b->petrous_lateral[0] = b->mastoid[0] - 2, b->petrous_lateral[1] = b->mastoid[1] - 4;
  b->petrous_medial[0] = phantom_uniform (rand, 8, 12);
  b->petrous_medial[1] = s->sphenoid[1] + s->sphenoid_radii[1] + phantom_uniform (rand, 3, 6);
  b->petrous_height[0] = phantom_uniform (rand, 9, 13), b->petrous_height[1] = phantom_uniform (rand, 5, 8);
  b->petrous_half_width[0] = phantom_uniform (rand, 9, 12), b->petrous_half_width[1] = phantom_uniform (rand, 4, 6);
  b->meatus_r = phantom_uniform (rand, 1.5, 2.5);
}

static void
init_sella_and_sphenoid (PhantomHead *h,
                         GRand       *rand)
{
  PhantomBase *b = &h->base;
  const PhantomSinus *s = &h->sinus;
  double smallest = MIN (s->sphenoid_radii[0], MIN (s->sphenoid_radii[1], s->sphenoid_radii[2]));

  b->dorsum_y = s->sphenoid[1] + s->sphenoid_radii[1] * phantom_uniform (rand, 0.4, 0.8);
  b->dorsum_half_x = phantom_uniform (rand, 5, 8);
  b->dorsum_t = phantom_uniform (rand, 1.2, 3);
  b->dorsum_height = phantom_uniform (rand, 7, 11);
  b->clinoid[0] = phantom_uniform (rand, 9, 13);
  b->clinoid[1] = s->sphenoid[1] - s->sphenoid_radii[1] * phantom_uniform (rand, 0.2, 0.6);
  b->clinoid[2] = h->z_base + phantom_uniform (rand, 1, 2.5);
  b->clinoid_radii[0] = phantom_uniform (rand, 2, 3.5);
  b->clinoid_radii[1] = phantom_uniform (rand, 5, 8);
  b->clinoid_radii[2] = phantom_uniform (rand, 1.5, 3);
  b->n_septa = g_rand_int_range (rand, 0, 4);
  for (guint i = 0; i < b->n_septa; i++)
    {
      double z = phantom_uniform (rand, -0.6, 0.6), a = phantom_uniform (rand, 0, 2 * G_PI), r = sqrt (1 - z * z);
      b->septum_normal[i][0] = r * cos (a), b->septum_normal[i][1] = r * sin (a), b->septum_normal[i][2] = z;
      b->septum_offset[i] = phantom_uniform (rand, -0.5, 0.5) * smallest;
    }
}

static void
init_below (PhantomHead *h,
            GRand       *rand)
{
  PhantomBase *b = &h->base;
  const PhantomFace *f = &h->face;

  /* Right behind the maxillary sinuses' shells (radius 17.3 mm along y). */
  b->pterygoid_y[0] = f->sinus_y + 17.6;
  b->pterygoid_y[1] = b->pterygoid_y[0] + phantom_uniform (rand, 8, 12);
  b->pterygoid_x[0] = f->nasal_half + phantom_uniform (rand, 1, 2.5);
  b->pterygoid_x[1] = f->nasal_half + phantom_uniform (rand, 8, 12);
  b->pterygoid_t = phantom_uniform (rand, 0.8, 2);
  b->pterygoid_flare = phantom_uniform (rand, 0.1, 0.3);
  b->nasal_bone_t = phantom_uniform (rand, 0.8, 2);
  b->nasal_bone_length = phantom_uniform (rand, 14, 22);
  b->wall_hu = phantom_uniform (rand, 700, 1400);
}

void
phantom_base_init (PhantomHead *h)
{
  guint64 seed = h->params.seed;
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (seed ^ (seed >> 32) ^ 0xba5e0b0e));

  init_mastoid_and_ridge (h, rand);
  init_sella_and_sphenoid (h, rand);
  init_below (h, rand);
}

#define SET(v, l) do { *hu = (v); *label = (l); return TRUE; } while (0)

/* The mastoid, cut to the plate's top and to the head (the skull above the
 * skin line of the face below it). */
static gboolean
sample_mastoid (const PhantomHead *h,
                const double       q[3],
                double             r_outer,
                double            *hu,
                guint8            *label)
{
  const PhantomBase *b = &h->base;
  double m[3] = { fabs (q[0]), q[1], q[2] }, inner[3], c = b->mastoid_cortex, r = cal_vec3_length (q);
  gboolean in_plate = q[2] >= h->z_base - h->base_thickness;
  gboolean near_edge;
  double face;

  if (q[2] > h->z_base || ellipsoid_level (m, b->mastoid, b->mastoid_radii) > 1)
    return FALSE;
  face = in_plate ? 0 : phantom_face_level (h, q);
  if (in_plate ? r > r_outer : face > 0.9)
    return FALSE;
  for (int k = 0; k < 3; k++)
    inner[k] = b->mastoid_radii[k] - c;
  near_edge = (in_plate ? r > r_outer - c : face > 0.84) || h->z_base - q[2] < c;
  if (near_edge || ellipsoid_level (m, b->mastoid, inner) > 1)
    SET (h->cortical * 0.9, CAL_PHANTOM_SKULL);
  if (!b->mastoid_aerated)
    SET (h->diploe, CAL_PHANTOM_SKULL);
  if (phantom_cell_wall_distance (h, m, b->mastoid_cell, h->sinus.warp) < b->mastoid_septum / 2)
    SET (b->wall_hu, CAL_PHANTOM_SKULL);
  SET (h->air, CAL_PHANTOM_BACKGROUND);
}

/* A wedge on the plate: height and half width taper from the mastoid to the
 * apex; the inner ear's fluid and the acoustic canal inside. */
static gboolean
sample_petrous (const PhantomHead *h,
                const double       q[3],
                double             r_inner,
                double            *hu,
                guint8            *label)
{
  const PhantomBase *b = &h->base;
  double x = fabs (q[0]), ux = b->petrous_medial[0] - b->petrous_lateral[0];
  double uy = b->petrous_medial[1] - b->petrous_lateral[1], len2 = ux * ux + uy * uy;
  double t = ((x - b->petrous_lateral[0]) * ux + (q[1] - b->petrous_lateral[1]) * uy) / len2;
  double ax, ay, d, height, half, above = q[2] - h->z_base, canal_z;

  if (t < 0 || t > 1 || above < -1 || cal_vec3_length (q) > r_inner - 0.5)
    return FALSE;
  ax = b->petrous_lateral[0] + t * ux, ay = b->petrous_lateral[1] + t * uy;
  d = hypot (x - ax, q[1] - ay);
  height = b->petrous_height[0] + t * (b->petrous_height[1] - b->petrous_height[0]);
  half = b->petrous_half_width[0] + t * (b->petrous_half_width[1] - b->petrous_half_width[0]);
  if (MAX (above, 0) / height + d / half > 1)
    return FALSE;
  canal_z = 0.35 * height;
  if (t > 0.45 && t < 0.85 && hypot (d, above - canal_z) < b->meatus_r)
    SET (h->csf, CAL_PHANTOM_BACKGROUND);   /* the internal acoustic canal */
  if (fabs (t - 0.3) * sqrt (len2) < 2.5 && hypot (d, above - canal_z) < 2.5)
    SET (h->csf, CAL_PHANTOM_BACKGROUND);   /* the vestibule */
  SET (MIN (h->cortical * 1.15, 2300), CAL_PHANTOM_SKULL);
}

static gboolean
sample_sella (const PhantomHead *h,
              const double       q[3],
              double            *hu,
              guint8            *label)
{
  const PhantomBase *b = &h->base;
  double m[3] = { fabs (q[0]), q[1], q[2] }, above = q[2] - h->z_base;
  double lean = b->dorsum_y + 0.25 * above;
  double top[3] = { b->dorsum_half_x - 1, b->dorsum_y + 0.25 * b->dorsum_height, h->z_base + b->dorsum_height };
  double knob[3] = { 2.5, 2, 2 };

  if (above >= -1 && above <= b->dorsum_height && m[0] < b->dorsum_half_x && fabs (q[1] - lean) < b->dorsum_t / 2)
    SET (h->cortical * 0.85, CAL_PHANTOM_SKULL);
  if (ellipsoid_level (m, top, knob) <= 1 || ellipsoid_level (m, b->clinoid, b->clinoid_radii) <= 1)
    SET (h->cortical * 0.85, CAL_PHANTOM_SKULL);   /* posterior and anterior clinoids */
  return FALSE;
}

gboolean
phantom_base_sample (const PhantomHead *h,
                     const double       q[3],
                     double             r_outer,
                     double             thickness,
                     double            *hu,
                     guint8            *label)
{
  if (q[2] > h->z_base + 16 || q[2] < h->face.palate_z)
    return FALSE;
  return sample_mastoid (h, q, r_outer, hu, label) ||
         sample_petrous (h, q, r_outer - thickness, hu, label) ||
         sample_sella (h, q, hu, label);
}

gboolean
phantom_base_in_sphenoid_septum (const PhantomHead *h,
                                 const double       q[3])
{
  const PhantomBase *b = &h->base;
  double d[3];

  cal_vec3_sub (q, h->sinus.sphenoid, d);
  for (guint i = 0; i < b->n_septa; i++)
    if (fabs (cal_vec3_dot (d, b->septum_normal[i]) - b->septum_offset[i]) < h->sinus.sphenoid_wall / 2)
      return TRUE;
  return FALSE;
}

/* Where the face's skin crosses x at height z, towards the front (y < 0). */
static double
skin_front_y (const PhantomHead *h,
              double             x,
              double             z)
{
  double ax, ay;

  phantom_face_axes (h, z, &ax, &ay);
  return -4 - ay * sqrt (MAX (0, 1 - pow (x / ax, 2)));
}

/* Two thin plates each side behind the maxilla, the lateral one flaring out
 * as it goes down; air of the nasopharynx between the medial ones. */
static gboolean
sample_pterygoid (const PhantomHead *h,
                  const double       q[3],
                  double            *hu,
                  guint8            *label)
{
  const PhantomBase *b = &h->base;
  const PhantomFace *f = &h->face;
  double x = fabs (q[0]), bottom = h->z_base - h->base_thickness, floor_z = f->palate_z + f->palate_t;

  if (q[2] >= bottom || q[2] < floor_z - 2)
    return FALSE;
  if (q[1] >= b->pterygoid_y[0] && q[1] <= b->pterygoid_y[1])
    for (int k = 0; k < 2; k++)
      {
        double xc = b->pterygoid_x[k] + b->pterygoid_flare * (bottom - q[2]) * (k == 1 ? 1.0 : 0.3);
        if (fabs (x - xc) < b->pterygoid_t / 2)
          SET (b->wall_hu, CAL_PHANTOM_SKULL);
      }
  if (x < f->nasal_half && q[1] > f->sinus_y + 18 && q[1] < b->pterygoid_y[1] + 4 && q[2] >= floor_z &&
      q[2] < bottom - 3)
    SET (h->air, CAL_PHANTOM_BACKGROUND);
  return FALSE;
}

/* The nasal bones: a thin roof under the skin of the nose's bridge, with
 * the nasal cavity's air carried forward beneath it. */
static gboolean
sample_nasal_bones (const PhantomHead *h,
                    const double       q[3],
                    double            *hu,
                    guint8            *label)
{
  const PhantomBase *b = &h->base;
  const PhantomFace *f = &h->face;
  double x = fabs (q[0]), half = f->nasal_half + 3, bottom = h->z_base - h->base_thickness, front;

  if (x >= half || q[2] >= bottom || q[2] < bottom - b->nasal_bone_length || q[1] >= f->sinus_y - 22)
    return FALSE;
  front = skin_front_y (h, x, q[2]) + 2.5;
  if (q[1] < front)
    return FALSE;
  if (q[1] < front + b->nasal_bone_t || half - x < b->nasal_bone_t)
    SET (h->cortical * 0.7, CAL_PHANTOM_SKULL);
  SET (h->air, CAL_PHANTOM_BACKGROUND);
}

gboolean
phantom_base_sample_below (const PhantomHead *h,
                           const double       q[3],
                           double            *hu,
                           guint8            *label)
{
  return sample_pterygoid (h, q, hu, label) || sample_nasal_bones (h, q, hu, label);
}
