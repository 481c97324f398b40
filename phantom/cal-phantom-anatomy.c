/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The synthetic head: geometry in a head frame (x left, y posterior, z
 * superior, origin at the centre of the cranial ellipsoid), tilted into the
 * patient frame; the head rest and table stay in the patient frame.
 * Distances along a ray from the centre stand in for distances to the
 * surfaces: exact radially, close enough elsewhere for a skull whose
 * thickness is a few percent of its radius. */
#include "cal-phantom-private.h"

#include <math.h>

#include "cal-vec3.h"

static void
field_init (PhantomField *f,
            GRand        *rand,
            double        amplitude,
            double        k_min,
            double        k_max)
{
  for (int w = 0; w < PHANTOM_WAVES; w++)
    {
      double k = phantom_uniform (rand, k_min, k_max), z = phantom_uniform (rand, -1, 1), a = phantom_uniform (rand, 0, 2 * G_PI);
      double s = sqrt (1 - z * z);
      f->k[w][0] = k * s * cos (a), f->k[w][1] = k * s * sin (a), f->k[w][2] = k * z;
      f->phase[w] = phantom_uniform (rand, 0, 2 * G_PI);
      f->amplitude[w] = amplitude * phantom_uniform (rand, 0.3, 1.0) / sqrt (PHANTOM_WAVES);
    }
}

double
phantom_field_at (const PhantomField *f,
                  const double        x[3])
{
  double v = 0;

  for (int w = 0; w < PHANTOM_WAVES; w++)
    v += f->amplitude[w] * cos (f->k[w][0] * x[0] + f->k[w][1] * x[1] + f->k[w][2] * x[2] + f->phase[w]);
  return v;
}

static void
random_direction (GRand  *rand,
                  double  n[3],
                  double  min_z)
{
  do
    {
      double z = phantom_uniform (rand, -1, 1), a = phantom_uniform (rand, 0, 2 * G_PI), s = sqrt (1 - z * z);
      n[0] = s * cos (a), n[1] = s * sin (a), n[2] = z;
    }
  while (n[2] < min_z);
}

static void
tangent_frame (const double n[3],
               double       e1[3],
               double       e2[3])
{
  double up[3] = { 0, 0, 1 };

  if (fabs (n[2]) > 0.9)
    up[0] = 1, up[2] = 0;
  cal_vec3_cross (n, up, e1);
  cal_vec3_normalize (e1);
  cal_vec3_cross (n, e1, e2);
}

static void
rotation_from_tilt (const double deg[3],
                    double       m[3][3])
{
  double a = deg[0] * G_PI / 180, b = deg[1] * G_PI / 180, c = deg[2] * G_PI / 180;
  double rx[3][3] = { { 1, 0, 0 }, { 0, cos (a), -sin (a) }, { 0, sin (a), cos (a) } };
  double ry[3][3] = { { cos (b), 0, sin (b) }, { 0, 1, 0 }, { -sin (b), 0, cos (b) } };
  double rz[3][3] = { { cos (c), -sin (c), 0 }, { sin (c), cos (c), 0 }, { 0, 0, 1 } };
  double t[3][3];

  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      t[i][j] = ry[i][0] * rx[0][j] + ry[i][1] * rx[1][j] + ry[i][2] * rx[2][j];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      m[i][j] = rz[i][0] * t[0][j] + rz[i][1] * t[1][j] + rz[i][2] * t[2][j];
}

/* Radii of the skull along direction n: outer surface and thickness (mm). */
static void
skull_radii (const PhantomHead *h,
             const double       n[3],
             double            *outer,
             double            *thickness)
{
  double e = sqrt (pow (n[0] / h->semi[0], 2) + pow (n[1] / h->semi[1], 2) + pow (n[2] / h->semi[2], 2));
  double t = 5.8 + phantom_field_at (&h->thickness, n);

  t += n[1] > 0.4 ? 2.0 * (n[1] - 0.4) : 0;               /* thicker occiput */
  t -= fabs (n[0]) > 0.75 && n[2] < 0.3 ? 1.8 : 0;         /* thin temporal squama */
  t += n[1] < -0.75 && n[2] > 0.05 && n[2] < 0.45 ? 2.5 : 0;   /* frontal bone over the sinus */
  *outer = (1.0 / e) * (1.0 + phantom_field_at (&h->shape, n));
  *thickness = CLAMP (t, 3.0, 10.0);
  if (h->params.anatomy >= 4)
    {
      double thin_mm, thin_hu, w = phantom_thin_weight (h, n, &thin_mm, &thin_hu);
      *thickness = *thickness * (1 - w) + thin_mm * w;
    }
}

static double
defect_radius (const PhantomDefect *d,
               const double         n[3],
               double               depth)
{
  double phi = atan2 (cal_vec3_dot (n, d->e2), cal_vec3_dot (n, d->e1));

  return d->radius * (1 + d->wobble * cos (d->lobes * phi + d->wobble_phase)) + d->bevel * depth;
}

static gboolean
in_defect (const PhantomHead *h,
           const double       n[3],
           double             depth)
{
  for (guint i = 0; i < h->n_defects; i++)
    {
      const PhantomDefect *d = &h->defects[i];
      double c = CLAMP (cal_vec3_dot (n, d->n0), -1.0, 1.0);
      if (c > cos (d->radius * 1.6 + fabs (d->bevel) * 12) && acos (c) < defect_radius (d, n, depth))
        return TRUE;
    }
  return FALSE;
}

static void
add_defects (PhantomHead *h,
             GRand       *rand)
{
  const CalPhantomParams *p = &h->params;

  for (guint i = 0; i < p->n_burr_holes + p->n_flaps && h->n_defects < CAL_PHANTOM_MAX_DEFECTS; i++)
    {
      PhantomDefect *d = &h->defects[h->n_defects++];
      gboolean flap = i >= p->n_burr_holes;

      random_direction (rand, d->n0, 0.1);
      tangent_frame (d->n0, d->e1, d->e2);
      /* Burr holes 10–14 mm across; flaps 30–90 mm, not quite round. */
      d->radius = flap ? phantom_uniform (rand, 0.22, 0.55) : phantom_uniform (rand, 5.0, 7.0) / 85.0;
      d->bevel = flap && p->bevelled ? phantom_uniform (rand, 0.008, 0.025) * (g_rand_boolean (rand) ? 1 : -1) : 0;
      d->wobble = flap ? phantom_uniform (rand, 0.0, 0.18) : 0;
      d->lobes = g_rand_int_range (rand, 2, 5);
      d->wobble_phase = phantom_uniform (rand, 0, 2 * G_PI);
    }
}

/* The direction at angle r from the defect's centre, at azimuth a. */
static void
defect_direction (const PhantomDefect *d,
                  double               r,
                  double               a,
                  double               n[3])
{
  for (int k = 0; k < 3; k++)
    n[k] = cos (r) * d->n0[k] + sin (r) * (cos (a) * d->e1[k] + sin (a) * d->e2[k]);
}

static void
blob_frame (PhantomBlob *b,
            const double axis[3])
{
  cal_vec3_copy (axis, b->axes[0]);
  cal_vec3_normalize (b->axes[0]);
  tangent_frame (b->axes[0], b->axes[1], b->axes[2]);
}

static PhantomBlob *
new_blob (PhantomHead *h)
{
  return h->n_blobs < PHANTOM_MAX_BLOBS ? &h->blobs[h->n_blobs++] : NULL;
}

/* Metal first (plates across flap edges, clips inside), then fragments. */
static void
add_blobs (PhantomHead *h,
           GRand       *rand)
{
  const CalPhantomParams *p = &h->params;
  guint flaps = 0;
  PhantomBlob *b;

  for (guint i = 0; i < h->n_defects; i++)
    flaps += h->defects[i].radius > 0.15;
  for (guint i = 0; flaps > 0 && i < p->n_plates && (b = new_blob (h)); i++)
    {
      const PhantomDefect *d = &h->defects[h->n_defects - 1 - i % flaps];
      double a = phantom_uniform (rand, 0, 2 * G_PI), n[3], outer, t, r = d->radius;
      defect_direction (d, r, a, n);
      skull_radii (h, n, &outer, &t);
      b->shape = BLOB_BOX;
      blob_frame (b, n);   /* axis 0 along the normal: the plate's thickness */
      for (int k = 0; k < 3; k++)
        b->centre[k] = n[k] * (outer + 0.5);
      b->half[0] = 0.5, b->half[1] = phantom_uniform (rand, 5, 8), b->half[2] = 2.0;
      b->hu = 3071, b->label = CAL_PHANTOM_METAL;
    }
  for (guint i = 0; i < p->n_clips && (b = new_blob (h)); i++)
    {
      double n[3], outer, t, axis[3];
      random_direction (rand, n, -0.2);
      random_direction (rand, axis, -1);
      skull_radii (h, n, &outer, &t);
      b->shape = BLOB_ELLIPSOID;
      blob_frame (b, axis);
      for (int k = 0; k < 3; k++)
        b->centre[k] = n[k] * (outer - t - phantom_uniform (rand, 15, 40));
      b->half[0] = phantom_uniform (rand, 3, 5), b->half[1] = 1.2, b->half[2] = 1.2;
      b->hu = 3071, b->label = CAL_PHANTOM_METAL;
    }
  h->n_metal = h->n_blobs;
  for (guint i = 0; h->n_defects > 0 && i < p->n_fragments && (b = new_blob (h)); i++)
    {
      const PhantomDefect *d = &h->defects[i % h->n_defects];
      double a = phantom_uniform (rand, 0, 2 * G_PI), r = d->radius * phantom_uniform (rand, 0.0, 0.5), n[3], outer, t, axis[3];
      defect_direction (d, r, a, n);
      skull_radii (h, n, &outer, &t);
      random_direction (rand, axis, -1);
      b->shape = BLOB_ELLIPSOID;
      blob_frame (b, axis);
      b->half[0] = phantom_uniform (rand, 2, 4), b->half[1] = phantom_uniform (rand, 1.2, 2.5), b->half[2] = 1.2;
      /* Sunk below the inner table, clear of the defect's edge: loose. */
      for (int k = 0; k < 3; k++)
        b->centre[k] = n[k] * (outer - t - b->half[0] - phantom_uniform (rand, 2, 8));
      b->hu = phantom_uniform (rand, 700, 1500), b->label = CAL_PHANTOM_FRAGMENT;
    }
}

/* Anatomy 3: the frontal sinus's walls as thin as real ones (its
 * posterior table under the frontal lobes is often under a millimetre;
 * anatomy 1 and 2 give it the vault's tables, 2–3 mm).  From a generator
 * of its own, so that anatomy 2's draws stay as they were. */
static void
frontal_tables_init (PhantomHead *h)
{
  guint64 seed = h->params.seed;
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (seed ^ (seed >> 32) ^ 0xf7a1e5));

  h->sinus_tables[0] = phantom_uniform (rand, 1.5, 3.5);
  h->sinus_tables[1] = phantom_uniform (rand, 0.4, 1.2);
}

void
phantom_head_init (PhantomHead            *h,
                   const CalPhantomParams *params)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (params->seed ^ (params->seed >> 32) ^ 0x5ca1ab1e));

  memset (h, 0, sizeof *h);
  h->params = *params;
  rotation_from_tilt (params->tilt_deg, h->rotation);
  h->semi[0] = phantom_uniform (rand, 66, 76), h->semi[1] = phantom_uniform (rand, 84, 98), h->semi[2] = phantom_uniform (rand, 70, 82);
  h->centre[0] = phantom_uniform (rand, -6, 6), h->centre[1] = phantom_uniform (rand, -18, -8), h->centre[2] = 0;
  field_init (&h->shape, rand, 0.05, 1.0, 3.0);
  field_init (&h->thickness, rand, 2.5, 1.0, 4.0);
  field_init (&h->scalp, rand, 1.5, 1.0, 3.0);
  field_init (&h->texture, rand, 1.0, 0.4, 1.2);   /* per mm: diploë and brain texture */
  h->z_base = -phantom_uniform (rand, 22, 32), h->base_thickness = phantom_uniform (rand, 5, 9);
  h->foramen[0] = 0, h->foramen[1] = phantom_uniform (rand, 12, 20), h->foramen_radius = phantom_uniform (rand, 13, 17);
  h->orbit_x = phantom_uniform (rand, 29, 35), h->orbit_y = -(h->semi[1] - phantom_uniform (rand, 16, 22));
  h->orbit_z = h->z_base + phantom_uniform (rand, 4, 10);
  h->orbit_radii[0] = phantom_uniform (rand, 15, 18), h->orbit_radii[1] = phantom_uniform (rand, 20, 25);
  h->orbit_radii[2] = phantom_uniform (rand, 15, 18);
  /* The maxillary sinuses' bony shells reach into the skull base, as the
   * maxilla is joined to the skull: the face's bone is one piece with it. */
  h->sinus_z = h->z_base - h->base_thickness - phantom_uniform (rand, 10, 13);
  h->cortical = phantom_uniform (rand, 1300, 1900), h->diploe = phantom_uniform (rand, 450, 800);
  h->brain = phantom_uniform (rand, 28, 40), h->csf = phantom_uniform (rand, 2, 12);
  h->scalp_hu = phantom_uniform (rand, 35, 60), h->fat = phantom_uniform (rand, -110, -70), h->air = -1000;
  h->headrest_pad = phantom_uniform (rand, 1, 8), h->headrest_thickness = phantom_uniform (rand, 3, 7);
  h->headrest_radius = h->semi[1] + 6 + h->headrest_pad;
  h->table_y = h->centre[1] + h->headrest_radius + h->headrest_thickness + phantom_uniform (rand, 8, 25);
  h->table_thickness = phantom_uniform (rand, 8, 16);
  add_defects (h, rand);
  add_blobs (h, rand);
  phantom_face_init (h, rand);
  phantom_sinus_init (h, rand);
  if (params->anatomy >= 2)
    phantom_base_init (h);
  if (params->anatomy >= 3)
    frontal_tables_init (h);
  if (params->anatomy >= 4)
    phantom_thin_init (h);
}

void
phantom_head_extent (const PhantomHead *h,
                     double            *z_min,
                     double            *z_max)
{
  *z_min = h->face.palate_z - 40;   /* down to the jaw */
  *z_max = h->semi[2] * 1.08 + 14;
}

static gboolean
in_blob (const PhantomBlob *b,
         const double       q[3])
{
  double d[3], u[3];

  cal_vec3_sub (q, b->centre, d);
  for (int k = 0; k < 3; k++)
    u[k] = cal_vec3_dot (b->axes[k], d) / b->half[k];
  if (b->shape == BLOB_BOX)
    return fabs (u[0]) <= 1 && fabs (u[1]) <= 1 && fabs (u[2]) <= 1;
  return u[0] * u[0] + u[1] * u[1] + u[2] * u[2] <= 1;
}

#define SET(v, l) do { *hu = (v); *label = (l); return; } while (0)

/* Orbits: fat and globe inside a thin bony cone open to the front. */
static gboolean
sample_orbit (const PhantomHead *h,
              const double       q[3],
              double             r_outer,
              double            *hu,
              guint8            *label)
{
  for (int side = -1; side <= 1; side += 2)
    {
      double c[3] = { side * h->orbit_x, h->orbit_y, h->orbit_z }, wall[3], globe[3] = { 12, 12, 12 };
      double gc[3] = { c[0], c[1] - h->orbit_radii[1] * 0.45, c[2] };
      double level = ellipsoid_level (q, c, h->orbit_radii);
      /* Anatomy 4: the roof, under the frontal lobe, as thin as real ones. */
      gboolean roof = h->params.anatomy >= 4 && q[2] > c[2];
      if (level <= 1)
        {
          *hu = ellipsoid_level (q, gc, globe) <= 1 ? 15 : h->fat;
          *label = CAL_PHANTOM_BACKGROUND;
          return TRUE;
        }
      for (int k = 0; k < 3; k++)
        wall[k] = h->orbit_radii[k] + (roof ? h->thin.roof_mm : h->sinus.orbit_wall);
      if (ellipsoid_level (q, c, wall) <= 1 && q[1] > c[1] - 4 && cal_vec3_length (q) < r_outer)
        {
          *hu = roof ? h->thin.roof_hu : h->cortical * 0.8, *label = CAL_PHANTOM_SKULL;
          return TRUE;
        }
    }
  return FALSE;
}

void
phantom_face_axes (const PhantomHead *h,
                   double             z,
                   double            *ax,
                   double            *ay)
{
  double drop = CLAMP ((h->z_base - z) / 60.0, 0, 1);

  *ax = h->semi[0] * (0.9 - 0.15 * drop), *ay = h->semi[1] * (0.92 - 0.2 * drop);
}

double
phantom_face_level (const PhantomHead *h,
                    const double       q[3])
{
  double ax, ay;

  phantom_face_axes (h, q[2], &ax, &ay);
  return pow (q[0] / ax, 2) + pow ((q[1] + 4) / ay, 2);
}

/* Below the skull base: the face and neck in soft tissue, the maxillary
 * sinuses (air in thin bone), then the nasal cavity, jaws and spine. */
static void
sample_below_base (const PhantomHead *h,
                   const double       q[3],
                   double            *hu,
                   guint8            *label)
{
  double sinus_r[3] = { 14, 16, 15 }, shell_r[3] = { 15.3, 17.3, 16.3 };

  if (phantom_face_level (h, q) > 1)
    SET (h->air, CAL_PHANTOM_BACKGROUND);
  for (int side = -1; side <= 1; side += 2)
    {
      double c[3] = { side * 22.0, -(h->semi[1] * 0.62), h->sinus_z };
      if (ellipsoid_level (q, c, sinus_r) <= 1)
        SET (h->air, CAL_PHANTOM_BACKGROUND);
      if (ellipsoid_level (q, c, shell_r) <= 1)
        SET (h->cortical * 0.6, CAL_PHANTOM_SKULL);
    }
  if (h->params.anatomy >= 2 && phantom_base_sample_below (h, q, hu, label))
    return;
  if (phantom_face_sample (h, q, hu, label))
    return;
  SET (h->scalp_hu - 5, CAL_PHANTOM_BACKGROUND);
}

static void
sample_head (const PhantomHead *h,
             const double       q[3],
             double            *hu,
             guint8            *label)
{
  double r = cal_vec3_length (q), n[3], r_outer, t, r_inner, scalp, depth;

  if (r < 1e-6)
    SET (h->brain, CAL_PHANTOM_BACKGROUND);
  for (int k = 0; k < 3; k++)
    n[k] = q[k] / r;
  skull_radii (h, n, &r_outer, &t);
  r_inner = r_outer - t;
  scalp = 5.5 + phantom_field_at (&h->scalp, n);
  if (sample_orbit (h, q, r_outer, hu, label) || phantom_sinus_sample (h, q, r_outer, hu, label))
    return;
  if (h->params.anatomy >= 2 && phantom_base_sample (h, q, r_outer, t, hu, label))
    return;
  if (q[2] < h->z_base)
    {
      gboolean in_plate = q[2] >= h->z_base - h->base_thickness && r <= r_outer;
      gboolean foramen = hypot (q[0] - h->foramen[0], q[1] - h->foramen[1]) < h->foramen_radius;
      if (in_plate && !foramen)
        SET (q[2] > h->z_base - 1.5 || q[2] < h->z_base - h->base_thickness + 1.5 ? h->cortical : h->diploe,
             CAL_PHANTOM_SKULL);
      if (in_plate || (foramen && q[2] >= h->z_base - h->base_thickness - 20))
        SET (h->brain + 3, CAL_PHANTOM_BACKGROUND);
      sample_below_base (h, q, hu, label);
      return;
    }
  if (r > r_outer + scalp)
    SET (h->air, CAL_PHANTOM_BACKGROUND);
  if (r > r_outer)
    SET (r - r_outer < scalp * 0.45 ? h->fat : h->scalp_hu, CAL_PHANTOM_BACKGROUND);
  if (r >= r_inner)
    {
      double outer_table = 0.28 * t, inner_table = 0.22 * t;
      gboolean frontal_sinus = n[1] < -0.8 && n[2] > 0.08 && n[2] < 0.42 && fabs (n[0]) < 0.3;
      if (frontal_sinus && h->params.anatomy >= 3)
        outer_table = h->sinus_tables[0], inner_table = h->sinus_tables[1];
      depth = r_outer - r;
      if (in_defect (h, n, depth))
        SET (h->scalp_hu - 10, CAL_PHANTOM_DEFECT);   /* scalp and dura sunk into the gap */
      if (h->params.anatomy >= 4 && !frontal_sinus)
        {
          double thin_mm, thin_hu;
          if (phantom_thin_weight (h, n, &thin_mm, &thin_hu) >= 0.5)
            SET (thin_hu, CAL_PHANTOM_SKULL);   /* compact: no tables, no diploë */
        }
      if (depth < outer_table || depth > t - inner_table)
        SET (h->cortical, CAL_PHANTOM_SKULL);
      /* The frontal sinus: air within the thickened frontal bone. */
      if (frontal_sinus)
        {
          if (fabs (q[0] - h->sinus.frontal_septum_x) < h->sinus.frontal_septum / 2)
            SET (h->sinus.septum_hu, CAL_PHANTOM_SKULL);
          SET (h->air, CAL_PHANTOM_BACKGROUND);
        }
      SET (h->diploe + 180 * phantom_field_at (&h->texture, q), CAL_PHANTOM_SKULL);
    }
  if (r > r_inner - 1.5 - 1.5 * (1 + phantom_field_at (&h->scalp, q) / 1.5))
    SET (h->csf, CAL_PHANTOM_BACKGROUND);
  {
    double v[3] = { 0, 8, 12 }, vr[3] = { 9, 26, 10 };
    for (int side = -1; side <= 1; side += 2)
      {
        v[0] = side * 7.0;
        if (ellipsoid_level (q, v, vr) <= 1)
          SET (h->csf, CAL_PHANTOM_BACKGROUND);
      }
  }
  SET (h->brain + 4 * phantom_field_at (&h->texture, q), CAL_PHANTOM_BACKGROUND);
}

/* The head rest (a cradle under the occiput, about the head's long axis)
 * and the table under it, in the patient frame. */
static gboolean
sample_support (const PhantomHead *h,
                const double       p[3],
                double            *hu,
                guint8            *label)
{
  double dx = p[0] - h->centre[0], dy = p[1] - h->centre[1], r = hypot (dx, dy);

  if (p[1] >= h->table_y && p[1] <= h->table_y + h->table_thickness)
    {
      gboolean skin = p[1] < h->table_y + 1.5 || p[1] > h->table_y + h->table_thickness - 1.5;
      *hu = skin ? h->params.headrest_hu * 0.8 + 100 : -900, *label = skin ? CAL_PHANTOM_SUPPORT : 0;
      return skin;
    }
  if (dy > 0.35 * r && r >= h->headrest_radius && r <= h->headrest_radius + h->headrest_thickness)
    {
      *hu = h->params.headrest_hu, *label = CAL_PHANTOM_SUPPORT;
      return TRUE;
    }
  if (dy > 0.35 * r && r >= h->headrest_radius - h->headrest_pad && r < h->headrest_radius)
    {
      *hu = -80, *label = CAL_PHANTOM_BACKGROUND;   /* foam pad */
      return TRUE;
    }
  return FALSE;
}

void
phantom_head_sample (const PhantomHead *h,
                     const double       p[3],
                     double            *hu,
                     guint8            *label)
{
  double d[3], q[3];

  cal_vec3_sub (p, h->centre, d);
  for (int i = 0; i < 3; i++)
    q[i] = h->rotation[i][0] * d[0] + h->rotation[i][1] * d[1] + h->rotation[i][2] * d[2];
  for (guint i = 0; i < h->n_blobs; i++)
    if (in_blob (&h->blobs[i], q))
      SET (h->blobs[i].hu, h->blobs[i].label);
  sample_head (h, q, hu, label);
  if (*hu <= h->air + 1 && *label == CAL_PHANTOM_BACKGROUND)
    sample_support (h, p, hu, label);
}
