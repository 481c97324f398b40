/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Anatomy 4: the thin, less dense bone of real skulls, which anatomy 1–3
 * never had (their vault is at least 3 mm thick, tables of 1300–1900 HU
 * round a diploë).  Real vaults are down to 1–2 mm at the temporal
 * squama and in parts of the parietal bone, and the orbital roofs are
 * 0.5–1 mm; such bone is compact, without diploë, and at CT resolution
 * reads 500–1200 HU.  A model that never saw it left holes of several
 * millilitres in a real scan's vault (issue 29).
 *
 * Each region has a weight on the unit sphere of directions (1 inside, 0
 * outside, smooth between) that blends the vault's thickness towards the
 * region's; where the weight passes one half, the whole thickness is one
 * compact layer of the region's density.  Drawn from a generator of its
 * own, so that anatomy 3's draws stay as they were. */
#include "cal-phantom-private.h"

#include <math.h>

#include "cal-vec3.h"

static double
smoothstep (double edge0,
            double edge1,
            double x)
{
  double t = CLAMP ((x - edge0) / (edge1 - edge0), 0.0, 1.0);

  return t * t * (3 - 2 * t);
}

void
phantom_thin_init (PhantomHead *h)
{
  guint64 seed = h->params.seed;
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (seed ^ (seed >> 32) ^ 0x7417b0e));
  PhantomThin *t = &h->thin;

  t->squama_mm = phantom_uniform (rand, 1.0, 2.0);
  t->squama_hu = phantom_uniform (rand, 500, 1200);
  t->n_patches = (guint) g_rand_int_range (rand, 1, PHANTOM_MAX_THIN_PATCHES + 1);
  for (guint i = 0; i < t->n_patches; i++)
    {
      /* Parietal: the upper, lateral vault, either side. */
      double z = phantom_uniform (rand, 0.2, 0.7), side = g_rand_boolean (rand) ? 1 : -1;
      double x = side * phantom_uniform (rand, 0.35, 0.85) * sqrt (1 - z * z);
      double y = phantom_uniform (rand, -0.3, 0.5) * sqrt (MAX (0, 1 - z * z - x * x));
      double n[3] = { x, y, z };
      cal_vec3_normalize (n);
      cal_vec3_copy (n, t->patch_n[i]);
      t->patch_radius[i] = phantom_uniform (rand, 0.12, 0.25);   /* rad: 10–20 mm on the vault */
      t->patch_mm[i] = phantom_uniform (rand, 1.2, 2.5);
      t->patch_hu[i] = phantom_uniform (rand, 500, 1200);
    }
  t->roof_mm = phantom_uniform (rand, 0.5, 1.0);
  t->roof_hu = phantom_uniform (rand, 500, 1200);
}

double
phantom_thin_weight (const PhantomHead *h,
                     const double       n[3],
                     double            *mm,
                     double            *hu)
{
  const PhantomThin *t = &h->thin;
  /* The temporal squama: where anatomy 1 already thins the vault. */
  double best = smoothstep (0.70, 0.80, fabs (n[0])) * (1 - smoothstep (0.22, 0.32, n[2]));

  *mm = t->squama_mm, *hu = t->squama_hu;
  for (guint i = 0; i < t->n_patches; i++)
    {
      double angle = acos (CLAMP (cal_vec3_dot (n, t->patch_n[i]), -1.0, 1.0));
      double w = 1 - smoothstep (0.6 * t->patch_radius[i], t->patch_radius[i], angle);
      if (w > best)
        best = w, *mm = t->patch_mm[i], *hu = t->patch_hu[i];
    }
  return best;
}
