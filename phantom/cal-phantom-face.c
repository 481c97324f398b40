/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The synthetic head below the skull base: nasal cavity with septum and
 * turbinates (bone thinner than a voxel, as real scans have), hard palate,
 * teeth, mandible and the upper cervical spine, in the head frame of
 * cal-phantom-anatomy.c (x left, y posterior, z superior).  The maxilla
 * (sinus walls, palate, upper teeth, nasal septum) is joined to the skull
 * base; the mandible and the spine stop millimetres short of it, as their
 * joints do, so the skull's largest piece never depends on a chance
 * contact of thin bone. */
#include "cal-phantom-private.h"

#include <math.h>

void
phantom_face_init (PhantomHead *h,
                   GRand       *rand)
{
  PhantomFace *f = &h->face;
  double front;

  f->sinus_y = -(h->semi[1] * 0.62);
  f->nasal_half = phantom_uniform (rand, 6.0, 7.5);
  f->septum = phantom_uniform (rand, 0.7, 1.6);
  f->thin_bone = phantom_uniform (rand, 900, 1300);
  f->palate_t = phantom_uniform (rand, 2.5, 5);
  f->palate_z = h->sinus_z - 14 - f->palate_t;   /* joined to the sinuses' floor */
  /* The mouth a little open: lower teeth 3–6 mm below the upper ones, so
   * the jaw is always a piece of its own, never joined by chance. */
  f->lower_top = f->palate_z - 9 - phantom_uniform (rand, 3, 6);
  f->teeth_hu = phantom_uniform (rand, 1800, 2800);
  /* The jaw sits 6–9 mm inside the face's skin (sample_below_base's ellipse). */
  front = -4 - h->semi[1] * 0.72 + phantom_uniform (rand, 6, 9);
  f->mandible_b = phantom_uniform (rand, 36, 42);
  f->mandible_y = front + f->mandible_b;
  f->mandible_a = h->semi[0] * 0.75 - phantom_uniform (rand, 7, 10);
  f->canal_r = phantom_uniform (rand, 7, 9);
  f->body_r = phantom_uniform (rand, 8, 10);
  f->cancellous = phantom_uniform (rand, 220, 420);
  f->spine_gap = phantom_uniform (rand, 5, 8);   /* below the skull base: the atlanto-occipital joint */
}

#define SET(v, l) do { *hu = (v); *label = (l); return TRUE; } while (0)

/* Normalised level of an ellipse about (0, yc) in the xy plane. */
static double
ring_level (const double q[3], double a, double b, double yc)
{
  return pow (q[0] / a, 2) + pow ((q[1] - yc) / b, 2);
}

static gboolean
sample_nasal (const PhantomHead *h,
              const double       q[3],
              double            *hu,
              guint8            *label)
{
  const PhantomFace *f = &h->face;
  double floor_z = f->palate_z + f->palate_t, ax = fabs (q[0]);

  if (ax >= f->nasal_half || q[1] < f->sinus_y - 22 || q[1] > f->sinus_y + 18 || q[2] < floor_z ||
      q[2] > h->z_base - 3)
    return FALSE;
  if (ax < f->septum / 2 && q[1] > f->sinus_y - 16)
    SET (f->thin_bone, CAL_PHANTOM_SKULL);
  for (int k = 0; k < 3; k++)
    {
      double d = hypot (ax - (f->nasal_half - 2.0), q[2] - (floor_z + 5 + 7 * k));
      if (q[1] < f->sinus_y - 12 || q[1] > f->sinus_y + 14 || d > 3.4)
        continue;
      if (d > 2.6)
        SET (f->thin_bone, CAL_PHANTOM_SKULL);
      SET (h->scalp_hu, CAL_PHANTOM_BACKGROUND);   /* mucosa over the turbinate */
    }
  SET (h->air, CAL_PHANTOM_BACKGROUND);
}

static gboolean
sample_jaws (const PhantomHead *h,
             const double       q[3],
             double            *hu,
             guint8            *label)
{
  const PhantomFace *f = &h->face;
  double a = f->mandible_a, b = f->mandible_b, yc = f->mandible_y, z = q[2];

  if (z >= f->palate_z && z < f->palate_z + f->palate_t &&
      ring_level (q, a - 14, b - 8, yc - 2) <= 1)
    SET (h->cortical * 0.8, CAL_PHANTOM_SKULL);
  /* Upper and lower teeth on an arch. */
  if (((z >= f->palate_z - 9 && z < f->palate_z) || (z >= f->lower_top - 9 && z < f->lower_top)) &&
      q[1] < yc - 6 && ring_level (q, a - 12, b - 6, yc - 2) <= 1 && ring_level (q, a - 20, b - 14, yc - 2) > 1)
    SET (f->teeth_hu, CAL_PHANTOM_SKULL);
  /* Mandible: a U-shaped body and two rami up to 4 mm short of the skull
   * base (the joints). */
  if (z < f->lower_top - 9 && z >= f->lower_top - 42 && q[1] < yc + 6 &&
      ring_level (q, a, b, yc) <= 1 && ring_level (q, a - 9, b - 9, yc) > 1)
    {
      gboolean shell = ring_level (q, a - 2, b - 2, yc) > 1 || ring_level (q, a - 7, b - 7, yc) <= 1 ||
                       z < f->lower_top - 40;
      SET (shell ? h->cortical : f->cancellous, CAL_PHANTOM_SKULL);
    }
  if (z < h->z_base - h->base_thickness - 4 && z >= f->lower_top - 42 && q[1] >= yc + 6 && q[1] <= yc + 24 &&
      fabs (fabs (q[0]) - (a - 4)) < 3)
    SET (fabs (fabs (q[0]) - (a - 4)) > 1.8 ? h->cortical : f->cancellous, CAL_PHANTOM_SKULL);
  return FALSE;
}

static gboolean
sample_spine (const PhantomHead *h,
              const double       q[3],
              double            *hu,
              guint8            *label)
{
  const PhantomFace *f = &h->face;
  double canal[2] = { h->foramen[0], h->foramen[1] }, body_y = canal[1] - f->canal_r - 3 - f->body_r;
  double d_canal = hypot (q[0] - canal[0], q[1] - canal[1]), d_body = hypot (q[0], q[1] - body_y);

  if (q[2] > h->z_base - h->base_thickness - f->spine_gap)
    return FALSE;
  if (d_body <= f->body_r)
    SET (d_body > f->body_r - 1.5 ? h->cortical * 0.8 : f->cancellous, CAL_PHANTOM_SKULL);
  if (d_canal <= f->canal_r)
    SET (h->csf, CAL_PHANTOM_BACKGROUND);
  if (d_canal <= f->canal_r + 4.5 && q[1] > body_y)
    SET (h->cortical * 0.7, CAL_PHANTOM_SKULL);
  /* The pharynx: air in front of the spine, up to the nasal cavity. */
  if (hypot (q[0], q[1] - (body_y - f->body_r - 9)) < 7 && q[2] < h->sinus_z)
    SET (h->air, CAL_PHANTOM_BACKGROUND);
  return FALSE;
}

gboolean
phantom_face_sample (const PhantomHead *h,
                     const double       q[3],
                     double            *hu,
                     guint8            *label)
{
  return sample_nasal (h, q, hu, label) || sample_jaws (h, q, hu, label) || sample_spine (h, q, hu, label);
}
