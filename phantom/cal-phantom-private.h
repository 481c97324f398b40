/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cal-phantom.h"

G_BEGIN_DECLS

/* The head's anatomy and the room it lies in, all drawn from the seed
 * (cal-phantom-anatomy.c), and what the scanner does to the image
 * (cal-phantom-scanner.c). */

/* A number drawn evenly from [lo, hi): every random choice of the head. */
static inline double
phantom_uniform (GRand *rand, double lo, double hi)
{
  return g_rand_double_range (rand, lo, hi);
}

/* Below 1 inside the axis-aligned ellipsoid of centre c and semi-axes r. */
static inline double
ellipsoid_level (const double q[3],
                 const double c[3],
                 const double r[3])
{
  double x = (q[0] - c[0]) / r[0], y = (q[1] - c[1]) / r[1], z = (q[2] - c[2]) / r[2];

  return x * x + y * y + z * z;
}

#define PHANTOM_WAVES 6
#define PHANTOM_MAX_BLOBS 24

/* A smooth function on the unit sphere (or in space): a sum of plane
 * waves with random directions, so nearby directions get nearby values. */
typedef struct {
  double k[PHANTOM_WAVES][3];
  double phase[PHANTOM_WAVES];
  double amplitude[PHANTOM_WAVES];
} PhantomField;

typedef struct {
  double   n0[3], e1[3], e2[3];   /* centre direction and a tangent frame */
  double   radius;                /* angular radius at the outer surface (rad) */
  double   bevel;                 /* angular radius gained per mm of depth (rad/mm) */
  double   wobble, wobble_phase;  /* outline: radius × (1 + wobble cos (lobes φ + phase)) */
  int      lobes;
} PhantomDefect;

typedef enum {
  BLOB_ELLIPSOID,
  BLOB_BOX,
} PhantomBlobShape;

typedef struct {
  PhantomBlobShape shape;
  double   centre[3];             /* head frame, mm */
  double   axes[3][3];            /* rows: unit axes */
  double   half[3];               /* semi-axes or half sizes, mm */
  double   hu;
  guint8   label;
} PhantomBlob;

/* Below the skull base (cal-phantom-face.c), head frame, mm. */
typedef struct {
  double   sinus_y;               /* maxillary sinuses' centre */
  double   nasal_half, septum;    /* nasal cavity half width; septum thickness */
  double   thin_bone;             /* septum and turbinates (HU) */
  double   palate_z, palate_t;    /* hard palate: bottom and thickness */
  double   lower_top;             /* top of the lower teeth */
  double   spine_gap;             /* from the skull base down to the spine */
  double   teeth_hu;
  double   mandible_a, mandible_b, mandible_y;   /* the jaw's arch: semi-axes, centre y */
  double   canal_r, body_r;       /* spinal canal and vertebral body radii */
  double   cancellous;            /* cancellous bone (HU) */
} PhantomFace;

/* The paranasal sinuses above the nasal cavity (cal-phantom-sinus.c):
 * thin bone that real scans show as partial-volume greys, head frame, mm. */
typedef struct {
  double   orbit_wall;            /* orbits' bony walls, mm */
  double   ethmoid_half;          /* labyrinth between the orbits: half width */
  double   ethmoid_y[2], ethmoid_z[2];
  double   cell, septum;          /* air cells' size; their walls' thickness */
  double   septum_hu;
  double   warp;                  /* how far the cells stray from a lattice, mm */
  double   sphenoid[3], sphenoid_radii[3], sphenoid_wall, sphenoid_septum_x;
  double   frontal_septum_x, frontal_septum;   /* between the frontal sinuses */
} PhantomSinus;

/* The skull base of anatomy 2 (cal-phantom-base.c), head frame, mm; one
 * side's numbers, mirrored for the other. */
typedef struct {
  double   mastoid[3], mastoid_radii[3];   /* the left one (x > 0) */
  double   mastoid_cell, mastoid_septum, mastoid_cortex;
  gboolean mastoid_aerated;        /* else sclerotic: diploë, no cells */
  double   petrous_lateral[2], petrous_medial[2];   /* the ridge's ends in the xy plane */
  double   petrous_height[2], petrous_half_width[2];   /* lateral, medial */
  double   meatus_r;                /* the internal acoustic canal */
  double   dorsum_y, dorsum_half_x, dorsum_t, dorsum_height;
  double   clinoid[3], clinoid_radii[3];
  guint    n_septa;                 /* extra septa in the sphenoid sinus */
  double   septum_normal[3][3], septum_offset[3];
  double   pterygoid_x[2], pterygoid_y[2], pterygoid_t, pterygoid_flare;
  double   nasal_bone_t, nasal_bone_length;
  double   wall_hu;                 /* thin walls: mastoid septa, plates */
} PhantomBase;

/* Anatomy 4's thin bone (cal-phantom-thin.c): the temporal squama, a
 * few thin parietal patches, the orbital roofs; thickness in mm, HU of the
 * compact bone. */
#define PHANTOM_MAX_THIN_PATCHES 3
typedef struct {
  double   squama_mm, squama_hu;
  guint    n_patches;
  double   patch_n[PHANTOM_MAX_THIN_PATCHES][3], patch_radius[PHANTOM_MAX_THIN_PATCHES];
  double   patch_mm[PHANTOM_MAX_THIN_PATCHES], patch_hu[PHANTOM_MAX_THIN_PATCHES];
  double   roof_mm, roof_hu;
} PhantomThin;

typedef struct {
  CalPhantomParams params;
  double   rotation[3][3];        /* patient → head frame */
  double   centre[3];             /* head centre, patient mm */
  double   semi[3];               /* cranial ellipsoid: left, posterior, superior (mm) */
  PhantomField shape, thickness, scalp, texture;
  double   z_base, base_thickness;   /* skull base plane, head frame */
  double   foramen[2], foramen_radius;
  double   orbit_x, orbit_y, orbit_z, orbit_radii[3];
  double   sinus_z;
  PhantomDefect defects[CAL_PHANTOM_MAX_DEFECTS];
  guint    n_defects;
  PhantomBlob blobs[PHANTOM_MAX_BLOBS];
  guint    n_blobs;
  guint    n_metal;               /* the first n_metal blobs are metal */
  double   headrest_radius, headrest_thickness, headrest_pad;   /* about the head's axis, patient frame */
  double   table_y, table_thickness;
  PhantomFace face;
  PhantomSinus sinus;
  PhantomBase base;                /* used when params.anatomy >= 2 */
  double   sinus_tables[2];        /* anatomy >= 3: the frontal sinus's outer and inner tables (mm) */
  PhantomThin thin;                /* anatomy >= 4 */
  /* Materials (HU) */
  double   cortical, diploe, brain, csf, scalp_hu, fat, air;
} PhantomHead;

void   phantom_head_init    (PhantomHead            *head,
                             const CalPhantomParams *params);
/* What is at `p` (patient mm): its HU and label. */
void   phantom_head_sample  (const PhantomHead      *head,
                             const double            p[3],
                             double                 *hu,
                             guint8                 *label);
/* The patient-frame z range the head needs, mm. */
void   phantom_head_extent  (const PhantomHead      *head,
                             double                 *z_min,
                             double                 *z_max);

void     phantom_face_init    (PhantomHead            *head,
                               GRand                  *rand);
/* TRUE where the face, jaws or spine decide what is at q (head frame). */
gboolean phantom_face_sample  (const PhantomHead      *head,
                               const double            q[3],
                               double                 *hu,
                               guint8                 *label);

void     phantom_sinus_init   (PhantomHead            *head,
                               GRand                  *rand);
/* TRUE where the ethmoid or sphenoid sinuses decide what is at q (head
 * frame); r_outer is the skull's outer radius along q. */
gboolean phantom_sinus_sample (const PhantomHead      *head,
                               const double            q[3],
                               double                  r_outer,
                               double                 *hu,
                               guint8                 *label);

void     phantom_base_init    (PhantomHead            *head);
/* TRUE where the detailed skull base decides what is at q (head frame),
 * at or above the base plate: mastoids, petrous ridges, dorsum sellae and
 * clinoids.  r_outer and thickness: the skull's along q. */
gboolean phantom_base_sample  (const PhantomHead      *head,
                               const double            q[3],
                               double                  r_outer,
                               double                  thickness,
                               double                 *hu,
                               guint8                 *label);
/* The same below the base, inside the face: pterygoid plates, nasal bones,
 * the nasopharynx. */
gboolean phantom_base_sample_below (const PhantomHead *head,
                                    const double       q[3],
                                    double            *hu,
                                    guint8            *label);
/* TRUE where one of anatomy 2's extra sphenoid septa passes through q. */
gboolean phantom_base_in_sphenoid_septum (const PhantomHead *head,
                                          const double       q[3]);
/* Distance from q to the nearest wall of a warped lattice of air cells of
 * size `cell` (cal-phantom-sinus.c). */
double   phantom_cell_wall_distance (const PhantomHead *head,
                                     const double       q[3],
                                     double             cell,
                                     double             warp);
/* The face below the skull base is an ellipse about (0, −4) in each axial
 * plane, narrowing downwards: its semi-axes at height z. */
void     phantom_face_axes    (const PhantomHead      *head,
                               double                  z,
                               double                 *ax,
                               double                 *ay);
/* Below 1 inside the face's skin below the skull base, 1 on it. */
double   phantom_face_level   (const PhantomHead      *head,
                               const double            q[3]);

void     phantom_thin_init    (PhantomHead            *head);
/* How far direction n (head frame, unit) lies in one of anatomy 4's thin
 * regions: 0 outside, 1 inside, smooth between; mm and hu: that region's
 * thickness and density. */
double   phantom_thin_weight  (const PhantomHead      *head,
                               const double            n[3],
                               double                 *mm,
                               double                 *hu);

/* A smooth random field's value at x. */
double   phantom_field_at     (const PhantomField     *field,
                               const double            x[3]);

/* Scanner effects on one axial slice of HU (row-major, size × size). */
void   phantom_add_streaks  (const PhantomHead      *head,
                             float                  *slice,
                             guint32                 size,
                             double                  z,
                             const double            pixel_origin[2]);
void   phantom_add_noise    (float                  *slice,
                             guint32                 size,
                             double                  sigma,
                             guint64                 seed);
void   phantom_apply_kernel (float                  *slice,
                             guint32                 size,
                             double                  kernel);

/* Deterministic per-voxel randomness, whatever the threads. */
guint64 phantom_hash        (guint64                 x);

G_END_DECLS
