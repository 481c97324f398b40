/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cal-mask.h"
#include "cal-volume.h"

G_BEGIN_DECLS

/*
 * Synthetic head CTs with exact labels, for training and judging the skull
 * model (tools/train, docs/segmentation.md).  Every phantom follows from its
 * seed: the anatomy (skull 3–10 mm thick with outer and inner tables and
 * diploë, skull base with foramen magnum, orbits, sinuses, brain, CSF,
 * scalp), the defects (burr holes, flaps with sharp or bevelled edges), bone
 * fragments, metal (plates, clips) with streaks, a head rest and table, and
 * the scanner (pixel size, slice thickness 0.6–3 mm with partial volume,
 * smooth or sharp kernel, noise, tilted head).
 *
 * Labels: bone (skull, fragment) is what a 226 HU threshold finds on an
 * ideal scan of the same head (same resolution and kernel; no noise,
 * streaks, metal or head rest), the convention real references follow;
 * every other label is what the voxel's centre is.  Training wants
 * CAL_PHANTOM_SKULL; the rest say what must not become bone.
 */
typedef enum {
  CAL_PHANTOM_BACKGROUND = 0,   /* air, soft tissue, brain, CSF, fat */
  CAL_PHANTOM_SKULL      = 1,   /* cranial bone: vault, base, orbital walls, sinus walls */
  CAL_PHANTOM_DEFECT     = 2,   /* where bone was removed (burr hole, flap) */
  CAL_PHANTOM_METAL      = 3,   /* plates, screws, clips */
  CAL_PHANTOM_FRAGMENT   = 4,   /* loose bone fragments, apart from the skull */
  CAL_PHANTOM_SUPPORT    = 5,   /* head rest and table */
} CalPhantomLabel;

#define CAL_PHANTOM_MAX_DEFECTS 6

/* Versions of the anatomy, so that every seed keeps its phantom: 1 has a
 * flat, schematic skull base; 2 adds mastoid air cells, petrous ridges,
 * the dorsum sellae and clinoids, more sphenoid septa, pterygoid plates,
 * nasal bones and the nasopharynx (thin bone between air spaces, as real
 * scans have); 3 also thins the frontal sinus's walls to real ones
 * (outer table 1.5–3.5 mm, inner 0.4–1.2 mm); 4 adds the thin, less
 * dense bone real skulls have: the temporal squama 1–2 mm, one to three
 * parietal patches 1.2–2.5 mm, the orbital roofs 0.5–1 mm, all compact
 * bone of 500–1200 HU.  Parts shared with an earlier version are drawn
 * identically. */
#define CAL_PHANTOM_ANATOMY_LATEST 4

/* Versions of the scanner model, likewise: 1 streaks every slice within a
 * metal object's largest half size of its centre, all through that centre
 * and at full strength, even slices the metal misses (a star of streaks
 * with nothing at its heart); 2 streaks only the slices that hold metal,
 * through the centroid of the metal each holds, as strongly as the metal
 * spans the slice's thickness, as a real scanner does. */
#define CAL_PHANTOM_SCANNER_LATEST 2

typedef struct {
  guint64  seed;
  guint    anatomy;         /* 1 to CAL_PHANTOM_ANATOMY_LATEST (see above) */
  guint    scanner;         /* 1 to CAL_PHANTOM_SCANNER_LATEST (see above) */
  guint32  size;            /* voxels across, in-plane */
  double   pixel_mm;        /* in-plane spacing */
  double   slice_mm;        /* slice thickness, also the slice spacing */
  double   tilt_deg[3];     /* head rotation about the left, posterior and superior axes */
  guint    n_burr_holes;
  guint    n_flaps;
  gboolean bevelled;        /* flap edges cut at an angle (else square) */
  guint    n_fragments;
  guint    n_plates;        /* across flap edges, with screws */
  guint    n_clips;
  double   headrest_hu;     /* the head rest's material; carbon and some plastics reach bone */
  double   noise_hu;        /* standard deviation of the image noise */
  double   kernel;          /* < 0: smooth (Gaussian σ −kernel px); > 0: sharp (edge gain) */
} CalPhantomParams;

/* Fills params with the scanner and defects that `seed` draws. */
void      cal_phantom_params_from_seed (CalPhantomParams        *params,
                                        guint64                  seed);
/* A one-line description, for logs and the CLI (no patient data: there is none). */
char     *cal_phantom_params_describe  (const CalPhantomParams  *params);

/* ct: int16 HU; labels: CalPhantomLabel per voxel, on the same grid. */
gboolean  cal_phantom_generate         (const CalPhantomParams  *params,
                                        CalVolume              **ct,
                                        CalMask                **labels,
                                        GCancellable            *cancellable,
                                        GError                 **error);

G_END_DECLS
