/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Synthetic head CTs: the scanner and defects each seed draws, and the
 * sampling of the head (cal-phantom-anatomy.c) into voxels, with partial
 * volume over each voxel's footprint and slice thickness, then the scanner's
 * effects (cal-phantom-scanner.c). */
#include "cal-phantom-private.h"

#include <math.h>

#include "cal-parallel.h"

#define IN_PLANE_SAMPLES 2      /* per axis, within a pixel */
#define SLICE_SAMPLE_MM  0.6    /* spacing of the samples across the slice thickness */

void
cal_phantom_params_from_seed (CalPhantomParams *p,
                              guint64           seed)
{
  static const double slices[] = { 0.625, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (seed ^ (seed >> 32)));
  double kind;

  memset (p, 0, sizeof *p);
  p->seed = seed;
  p->anatomy = 1;
  p->scanner = 1;
  p->size = 256;
  p->pixel_mm = g_rand_double_range (rand, 0.82, 0.98);
  p->slice_mm = slices[g_rand_int_range (rand, 0, G_N_ELEMENTS (slices))];
  p->tilt_deg[0] = g_rand_double_range (rand, -12, 12);
  p->tilt_deg[1] = g_rand_double_range (rand, -6, 6);
  p->tilt_deg[2] = g_rand_double_range (rand, -8, 8);
  p->n_burr_holes = g_rand_int_range (rand, 0, 4);
  p->n_flaps = g_rand_double (rand) < 0.25 ? 0 : g_rand_int_range (rand, 1, 3);
  p->bevelled = g_rand_boolean (rand);
  p->n_fragments = p->n_burr_holes + p->n_flaps > 0 ? g_rand_int_range (rand, 0, 4) : 0;
  p->n_plates = p->n_flaps > 0 ? g_rand_int_range (rand, 0, 4) : 0;
  p->n_clips = g_rand_double (rand) < 0.3 ? g_rand_int_range (rand, 1, 3) : 0;
  /* Four head rests in ten reach bone's HU, as carbon fibre ones do. */
  p->headrest_hu = g_rand_double (rand) < 0.4 ? g_rand_double_range (rand, 250, 900)
                                               : g_rand_double_range (rand, -150, 200);
  p->noise_hu = g_rand_double_range (rand, 5, 40);
  kind = g_rand_double (rand);
  p->kernel = kind < 0.5 ? -g_rand_double_range (rand, 0.4, 1.2)
            : kind < 0.85 ? g_rand_double_range (rand, 0.3, 1.2) : 0;
}

static const char *
scanner_note (guint scanner)
{
  return scanner == 1 ? "" : " (scanner 2: streaks only from the metal in each slice)";
}

static const char *
anatomy_note (guint anatomy)
{
  switch (anatomy)
    {
    case 1:
      return "";
    case 2:
      return " (anatomy 2: detailed skull base)";
    case 3:
      return " (anatomy 3: detailed skull base, thin frontal sinus walls)";
    default:
      return " (anatomy 4: detailed skull base, thin frontal sinus walls, thin squama, parietal patches "
             "and orbital roofs)";
    }
}

char *
cal_phantom_params_describe (const CalPhantomParams *p)
{
  return g_strdup_printf ("seed %" G_GUINT64_FORMAT "%s%s: %u² × %.2f mm, slices %.3f mm, tilt %.1f°/%.1f°/%.1f°, "
                          "%u burr holes, %u flaps (%s edges), %u fragments, %u plates, %u clips, "
                          "head rest %.0f HU, noise σ %.1f HU, %s kernel %.2f",
                          p->seed, anatomy_note (p->anatomy), scanner_note (p->scanner), p->size,
                          p->pixel_mm, p->slice_mm, p->tilt_deg[0], p->tilt_deg[1], p->tilt_deg[2], p->n_burr_holes, p->n_flaps, p->bevelled ? "bevelled" : "square",
                          p->n_fragments, p->n_plates, p->n_clips, p->headrest_hu, p->noise_hu,
                          p->kernel < 0 ? "smooth" : p->kernel > 0 ? "sharp" : "plain", fabs (p->kernel));
}

static gboolean
check_params (const CalPhantomParams *p,
              GError                **error)
{
  if (p->anatomy < 1 || p->anatomy > CAL_PHANTOM_ANATOMY_LATEST)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown phantom anatomy %u: this version knows 1 (schematic skull base) to %d",
                   p->anatomy, CAL_PHANTOM_ANATOMY_LATEST);
      return FALSE;
    }
  if (p->scanner < 1 || p->scanner > CAL_PHANTOM_SCANNER_LATEST)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown phantom scanner model %u: this version knows 1 (streaks from the metal's centre) to %d",
                   p->scanner, CAL_PHANTOM_SCANNER_LATEST);
      return FALSE;
    }
  if (p->size < 32 || p->size > 1024 || !(p->pixel_mm >= 0.2 && p->pixel_mm <= 2.0) ||
      !(p->slice_mm >= 0.3 && p->slice_mm <= 5.0) || !(p->noise_hu >= 0 && p->noise_hu <= 500) ||
      !(fabs (p->kernel) <= 5))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Phantom settings out of range: size 32–1024 voxels, pixels 0.2–2 mm, slices 0.3–5 mm, "
                   "noise 0–500 HU, kernel −5 to 5");
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  const PhantomHead *head;
  guint32  size;
  double   origin[3];
  float   *hu;
  guint8  *labels;
  GCancellable *cancellable;
} Job;

/* The bone convention: what a 226 HU threshold (the bone preset of
 * InVesalius, Slicer and ITK-SNAP, and the sample's reference) finds on an
 * ideal scan of the same head, at the same resolution and kernel, with no
 * noise, streaks, metal or head rest.  Real references are drawn that way,
 * so phantoms and real scans are judged by one rule; a voxel whose centre
 * misses thin bone can still be bone by partial volume, and the reverse. */
#define BONE_HU 226.0

typedef struct {
  double  hu;        /* everything, averaged over the voxel */
  double  clean;     /* the same with metal as soft tissue and no head rest */
  guint8  bone;      /* CAL_PHANTOM_SKULL or _FRAGMENT where any sample was bone, else 0 */
} VoxelSample;

static void
sample_voxel (const PhantomHead *h,
              const double       centre[3],
              int                nz,
              VoxelSample       *out)
{
  const CalPhantomParams *p = &h->params;
  double sum = 0, clean = 0;
  guint n_skull = 0, n_fragment = 0, n = IN_PLANE_SAMPLES * IN_PLANE_SAMPLES * nz;

  for (int a = 0; a < IN_PLANE_SAMPLES; a++)
    for (int b = 0; b < IN_PLANE_SAMPLES; b++)
      for (int c = 0; c < nz; c++)
        {
          double q[3] = {
            centre[0] + ((a + 0.5) / IN_PLANE_SAMPLES - 0.5) * p->pixel_mm,
            centre[1] + ((b + 0.5) / IN_PLANE_SAMPLES - 0.5) * p->pixel_mm,
            centre[2] + ((c + 0.5) / nz - 0.5) * p->slice_mm,
          }, hu;
          guint8 label;
          phantom_head_sample (h, q, &hu, &label);
          sum += hu;
          clean += label == CAL_PHANTOM_METAL ? h->scalp_hu : label == CAL_PHANTOM_SUPPORT ? h->air : hu;
          n_skull += label == CAL_PHANTOM_SKULL;
          n_fragment += label == CAL_PHANTOM_FRAGMENT;
        }
  out->hu = sum / n;
  out->clean = clean / n;
  out->bone = n_skull + n_fragment == 0 ? 0 : n_skull >= n_fragment ? CAL_PHANTOM_SKULL : CAL_PHANTOM_FRAGMENT;
}

/* Which bone a voxel with no bone sample of its own belongs to, when the
 * kernel's blur carries bone's HU onto it: its in-plane neighbours'. */
static guint8
neighbour_bone (const guint8 *bone,
                guint32       size,
                guint32       i,
                guint32       j)
{
  guint8 found = 0;

  for (int dj = -2; dj <= 2; dj++)
    for (int di = -2; di <= 2; di++)
      {
        int x = (int) i + di, y = (int) j + dj;
        if (x < 0 || y < 0 || x >= (int) size || y >= (int) size)
          continue;
        if (bone[y * size + x] == CAL_PHANTOM_SKULL)
          return CAL_PHANTOM_SKULL;
        found = MAX (found, bone[y * size + x]);
      }
  return found;
}

/* Labels by the bone convention; everything else keeps what its centre is. */
static void
label_slice (guint8       *labels,
             const float  *clean,
             const guint8 *bone,
             guint32       size)
{
  for (guint32 j = 0; j < size; j++)
    for (guint32 i = 0; i < size; i++)
      {
        guint v = j * size + i;
        guint8 centre = labels[v];
        gboolean bright = clean[v] >= BONE_HU;
        if (centre == CAL_PHANTOM_METAL || centre == CAL_PHANTOM_SUPPORT)
          continue;
        if (bright)
          {
            guint8 kind = bone[v] ? bone[v] : neighbour_bone (bone, size, i, j);
            if (kind)
              labels[v] = kind;
          }
        else if (centre == CAL_PHANTOM_SKULL || centre == CAL_PHANTOM_FRAGMENT)
          labels[v] = CAL_PHANTOM_BACKGROUND;
      }
}

/* One slice: HU averaged over the pixel and the slice thickness, then the
 * scanner; labels by the bone convention above. */
static void
make_slice (guint    k,
            gpointer data)
{
  Job *job = data;
  const PhantomHead *h = job->head;
  const CalPhantomParams *p = &h->params;
  int nz = MAX (1, (int) round (p->slice_mm / SLICE_SAMPLE_MM));
  double z = job->origin[2] + k * p->slice_mm;
  gsize n = (gsize) job->size * job->size;
  float *slice = job->hu + k * n;
  guint8 *labels = job->labels + k * n;
  g_autofree float *clean = g_new (float, n);
  g_autofree guint8 *bone = g_new (guint8, n);

  if (g_cancellable_is_cancelled (job->cancellable))
    return;
  for (guint32 j = 0; j < job->size; j++)
    for (guint32 i = 0; i < job->size; i++)
      {
        double centre[3] = { job->origin[0] + i * p->pixel_mm, job->origin[1] + j * p->pixel_mm, z }, hu;
        guint v = j * job->size + i;
        VoxelSample s;
        phantom_head_sample (h, centre, &hu, &labels[v]);
        sample_voxel (h, centre, nz, &s);
        slice[v] = s.hu, clean[v] = s.clean, bone[v] = s.bone;
      }
  phantom_add_streaks (h, slice, job->size, z, job->origin);
  phantom_add_noise (slice, job->size, p->noise_hu, phantom_hash (p->seed) ^ ((guint64) k << 40));
  phantom_apply_kernel (slice, job->size, p->kernel);
  phantom_apply_kernel (clean, job->size, p->kernel);
  label_slice (labels, clean, bone, job->size);
}

gboolean
cal_phantom_generate (const CalPhantomParams  *params,
                      CalVolume              **ct,
                      CalMask                **labels,
                      GCancellable            *cancellable,
                      GError                 **error)
{
  g_autofree PhantomHead *head = g_new0 (PhantomHead, 1);
  double z_min, z_max, spacing[3], direction[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  guint32 dims[3];
  g_autofree float *hu = NULL;
  gint16 *voxels;
  gsize n;
  CalGrid grid;
  Job job;

  g_return_val_if_fail (params != NULL && ct != NULL && labels != NULL, FALSE);
  if (!check_params (params, error))
    return FALSE;
  phantom_head_init (head, params);
  phantom_head_extent (head, &z_min, &z_max);
  dims[0] = dims[1] = params->size;
  dims[2] = (guint32) ceil ((z_max - z_min) / params->slice_mm);
  spacing[0] = spacing[1] = params->pixel_mm, spacing[2] = params->slice_mm;
  job = (Job) { head, params->size,
                { -0.5 * (params->size - 1) * params->pixel_mm, -0.5 * (params->size - 1) * params->pixel_mm, z_min },
                NULL, NULL, cancellable };
  n = (gsize) dims[0] * dims[1] * dims[2];
  hu = job.hu = g_new (float, n);
  job.labels = g_malloc (n);
  cal_parallel_for (dims[2], make_slice, &job);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_free (job.labels);
      return FALSE;
    }
  voxels = g_new (gint16, n);
  for (gsize v = 0; v < n; v++)
    voxels[v] = (gint16) lrint (CLAMP (hu[v], -1024.0, 3071.0));
  cal_grid_init (&grid, dims, spacing, direction, job.origin);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (voxels, n * sizeof (gint16));
    *ct = cal_volume_new (&grid, CAL_VOXEL_INT16, bytes);   /* it takes a reference of its own */
  }
  *labels = cal_mask_new_take (&grid, job.labels);
  return TRUE;
}
