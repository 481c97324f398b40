/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The synthetic head CT (phantom/cal-phantom.h): determinism, anatomy in
 * plausible ranges, defects, metal and head rest where asked for, and
 * labels that agree with the image. */
#include <math.h>
#include <string.h>

#include "cal-phantom.h"
#include "cal-test-util.h"

static void
small_params (CalPhantomParams *p,
              guint64           seed)
{
  cal_phantom_params_from_seed (p, seed);
  p->size = 128, p->pixel_mm = 1.8, p->slice_mm = 2.0;
}

static void
generate (const CalPhantomParams *p,
          CalVolume             **ct,
          CalMask               **labels)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cal_phantom_generate (p, ct, labels, NULL, &error));
  g_assert_no_error (error);
}

/* Mean HU and count of the voxels with `label`. */
static double
mean_hu (CalVolume *ct, CalMask *labels, guint8 label, guint64 *count)
{
  const gint16 *v = cal_volume_get_data (ct);
  const guint8 *l = cal_mask_get_labels (labels);
  guint64 n = cal_grid_n_voxels (cal_volume_get_grid (ct));
  double sum = 0;

  *count = 0;
  for (guint64 i = 0; i < n; i++)
    if (l[i] == label)
      sum += v[i], (*count)++;
  return *count ? sum / *count : NAN;
}

static void
test_same_seed_same_phantom (void)
{
  CalPhantomParams p, q;
  g_autoptr(CalVolume) a = NULL, b = NULL, c = NULL;
  g_autoptr(CalMask) la = NULL, lb = NULL, lc = NULL;

  small_params (&p, 11);
  small_params (&q, 12);
  generate (&p, &a, &la);
  generate (&p, &b, &lb);
  generate (&q, &c, &lc);
  g_assert_true (g_bytes_equal (cal_volume_get_bytes (a), cal_volume_get_bytes (b)));
  g_assert_cmpmem (cal_mask_get_labels (la), cal_grid_n_voxels (cal_mask_get_grid (la)),
                   cal_mask_get_labels (lb), cal_grid_n_voxels (cal_mask_get_grid (lb)));
  g_assert_false (g_bytes_equal (cal_volume_get_bytes (a), cal_volume_get_bytes (c)));
}

/* Bone is bone-bright, the rest is not; the skull's volume is an adult's. */
static void
test_tissues_and_volume (void)
{
  CalPhantomParams p;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL;
  guint64 n_skull, n_background;
  double voxel_ml, skull_hu, background_hu;

  small_params (&p, 5);
  p.n_burr_holes = p.n_flaps = p.n_fragments = p.n_plates = p.n_clips = 0;
  generate (&p, &ct, &labels);
  voxel_ml = fabs (cal_grid_determinant (cal_volume_get_grid (ct))) / 1000;
  skull_hu = mean_hu (ct, labels, CAL_PHANTOM_SKULL, &n_skull);
  background_hu = mean_hu (ct, labels, CAL_PHANTOM_BACKGROUND, &n_background);
  g_test_message ("skull %.0f mL at %.0f HU", n_skull * voxel_ml, skull_hu);
  g_assert_cmpfloat (n_skull * voxel_ml, >, 250);
  g_assert_cmpfloat (n_skull * voxel_ml, <, 1100);
  g_assert_cmpfloat (skull_hu, >, 500);
  g_assert_cmpfloat (background_hu, <, 0);   /* mostly air */
  g_assert_cmpuint (cal_mask_count (labels, CAL_PHANTOM_DEFECT), ==, 0);
  g_assert_cmpuint (cal_mask_count (labels, CAL_PHANTOM_METAL), ==, 0);
}

/* Below the skull base: the jaw and spine are bone in the scan's lowest
 * 20 mm, teeth are the densest bone, and the labels follow the 226 HU
 * convention: on a noise-free scan with no metal or head rest, bone is
 * exactly what reaches 226 HU. */
static void
test_face_and_bone_convention (void)
{
  CalPhantomParams p;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL;
  const CalGrid *grid;
  const gint16 *v;
  const guint8 *l;
  guint64 n, low = 0, bright = 0, agree = 0, low_voxels;
  double voxel_ml;

  small_params (&p, 7);
  p.n_burr_holes = p.n_flaps = p.n_fragments = p.n_plates = p.n_clips = 0;
  p.noise_hu = 0, p.kernel = 0, p.headrest_hu = -100;
  generate (&p, &ct, &labels);
  voxel_ml = fabs (cal_grid_determinant (cal_volume_get_grid (ct))) / 1000;
  grid = cal_volume_get_grid (ct);
  v = cal_volume_get_data (ct), l = cal_mask_get_labels (labels);
  n = cal_grid_n_voxels (grid);
  low_voxels = (guint64) grid->dims[0] * grid->dims[1] * (guint64) (20 / p.slice_mm);
  for (guint64 i = 0; i < n; i++)
    {
      gboolean bone = l[i] == CAL_PHANTOM_SKULL || l[i] == CAL_PHANTOM_FRAGMENT;
      low += i < low_voxels && bone;
      bright += v[i] >= 1800 && bone;
      agree += bone == (v[i] >= 226);
    }
  g_test_message ("bone in the lowest 20 mm: %.1f mL", low * voxel_ml);
  g_assert_cmpfloat (low * voxel_ml, >, 5);
  g_assert_cmpuint (bright, >, 50);
  g_assert_cmpfloat ((double) agree / n, >, 0.9999);
}

/* At the vertex, with the head upright, the skull is 3–10 mm thick: the
 * run of skull along z through the middle column. */
static void
test_vault_thickness (void)
{
  CalPhantomParams p;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL;
  const CalGrid *grid;
  const guint8 *l;
  double spacing[3];

  for (guint64 seed = 20; seed < 24; seed++)
    {
      guint run = 0, best = 0;
      cal_phantom_params_from_seed (&p, seed);
      p.size = 96, p.pixel_mm = 2.0, p.slice_mm = 0.5;
      p.tilt_deg[0] = p.tilt_deg[1] = p.tilt_deg[2] = 0;
      p.n_burr_holes = p.n_flaps = p.n_fragments = p.n_plates = p.n_clips = 0;
      g_clear_object (&ct);
      g_clear_object (&labels);
      generate (&p, &ct, &labels);
      grid = cal_mask_get_grid (labels);
      cal_grid_get_spacing (grid, spacing);
      l = cal_mask_get_labels (labels);
      /* The column through the head's centre, which lies within ±6 mm of the middle in x. */
      for (guint32 k = grid->dims[2] / 2; k < grid->dims[2]; k++)
        {
          guint32 i = grid->dims[0] / 2, j = grid->dims[1] / 2 - 7;
          gboolean bone = l[i + grid->dims[0] * (j + (gsize) grid->dims[1] * k)] == CAL_PHANTOM_SKULL;
          run = bone ? run + 1 : 0;
          best = MAX (best, run);
        }
      g_test_message ("seed %" G_GUINT64_FORMAT ": vertex %.1f mm", seed, best * spacing[2]);
      g_assert_cmpfloat (best * spacing[2], >=, 2.5);
      g_assert_cmpfloat (best * spacing[2], <=, 10.5);
    }
}

/* Defects are labelled, and hold no bone; metal is bright. */
static void
test_defects_and_metal (void)
{
  CalPhantomParams p;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL;
  guint64 n_defect, n_metal, n_fragment;
  double defect_hu, metal_hu, fragment_hu;

  small_params (&p, 7);
  p.n_burr_holes = 2, p.n_flaps = 1, p.n_plates = 2, p.n_clips = 1, p.n_fragments = 2;
  p.noise_hu = 10, p.kernel = 0;
  generate (&p, &ct, &labels);
  defect_hu = mean_hu (ct, labels, CAL_PHANTOM_DEFECT, &n_defect);
  metal_hu = mean_hu (ct, labels, CAL_PHANTOM_METAL, &n_metal);
  fragment_hu = mean_hu (ct, labels, CAL_PHANTOM_FRAGMENT, &n_fragment);
  g_test_message ("defect %" G_GUINT64_FORMAT " voxels at %.0f HU; metal %" G_GUINT64_FORMAT " at %.0f HU; "
                  "fragments %" G_GUINT64_FORMAT " at %.0f HU", n_defect, defect_hu, n_metal, metal_hu,
                  n_fragment, fragment_hu);
  g_assert_cmpuint (n_defect, >, 100);
  g_assert_cmpfloat (defect_hu, <, 226);
  g_assert_cmpuint (n_metal, >, 0);
  g_assert_cmpfloat (metal_hu, >, 1500);
  g_assert_cmpuint (n_fragment, >, 0);
  g_assert_cmpfloat (fragment_hu, >, 300);
}

/* Voxels of slice k on the front half of the image's left and right edges,
 * far from head (the nose can reach the front edge), head rest and table,
 * that are not air's −1000 HU: on a scan without noise or kernel, only
 * streaks put them there. */
static guint
streaked_edge_voxels (CalVolume *ct,
                      guint32    k)
{
  const CalGrid *grid = cal_volume_get_grid (ct);
  const gint16 *v = (const gint16 *) cal_volume_get_data (ct) + (gsize) k * grid->dims[0] * grid->dims[1];
  guint32 size = grid->dims[0];
  guint n = 0;

  for (guint32 j = 0; j < size / 2; j++)
    for (guint32 c = 0; c < 6; c++)
      {
        guint32 i = c < 3 ? c : size - 6 + c;   /* columns 0–2 and size−3 to size−1 */
        n += v[j * size + i] != -1000;
      }
  return n;
}

/* Distance in slices from slice k to the nearest slice with metal in it. */
static guint
slices_to_metal (const gboolean *has_metal,
                 guint32         n_slices,
                 guint32         k)
{
  guint best = G_MAXUINT;

  for (guint32 m = 0; m < n_slices; m++)
    if (has_metal[m])
      best = MIN (best, (guint) ABS ((int) m - (int) k));
  return best;
}

/* Scanner 1 streaks slices the metal misses (kept for the seeds the
 * shipped model learnt from); scanner 2 streaks only slices that hold
 * metal, and both give the same labels. */
static void
test_scanner_2_streaks_from_metal_in_slice (void)
{
  CalPhantomParams p;
  g_autoptr(CalVolume) ct1 = NULL, ct2 = NULL;
  g_autoptr(CalMask) labels1 = NULL, labels2 = NULL;
  g_autofree gboolean *has_metal = NULL;
  const CalGrid *grid;
  guint far_streaked[2] = { 0, 0 }, metal_streaked = 0, n_metal_slices = 0;
  gsize plane;

  small_params (&p, 9013);   /* three plates across the edges of two flaps */
  p.slice_mm = 1.0, p.noise_hu = 0, p.kernel = 0;
  generate (&p, &ct1, &labels1);
  p.scanner = 2;
  generate (&p, &ct2, &labels2);
  grid = cal_mask_get_grid (labels1);
  plane = (gsize) grid->dims[0] * grid->dims[1];
  g_assert_cmpmem (cal_mask_get_labels (labels1), plane * grid->dims[2], cal_mask_get_labels (labels2), plane * grid->dims[2]);
  g_assert_false (g_bytes_equal (cal_volume_get_bytes (ct1), cal_volume_get_bytes (ct2)));
  has_metal = g_new0 (gboolean, grid->dims[2]);
  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (gsize i = 0; i < plane && !has_metal[k]; i++)
      has_metal[k] = cal_mask_get_labels (labels1)[k * plane + i] == CAL_PHANTOM_METAL;
  for (guint32 k = 0; k < grid->dims[2]; k++)
    {
      /* A 1 mm plate can slip between voxel centres: 3 slices of margin. */
      gboolean far = slices_to_metal (has_metal, grid->dims[2], k) > 3;
      far_streaked[0] += far && streaked_edge_voxels (ct1, k) > 0;
      far_streaked[1] += far && streaked_edge_voxels (ct2, k) > 0;
      n_metal_slices += has_metal[k];
      metal_streaked += has_metal[k] && streaked_edge_voxels (ct2, k) > 0;
    }
  g_test_message ("slices more than 3 mm from metal with streaks: scanner 1 %u, scanner 2 %u; slices with metal: %u, "
                  "%u of them streaked by scanner 2", far_streaked[0], far_streaked[1], n_metal_slices, metal_streaked);
  g_assert_cmpuint (far_streaked[0], >, 0);
  g_assert_cmpuint (far_streaked[1], ==, 0);
  g_assert_cmpuint (n_metal_slices, >, 0);
  g_assert_cmpuint (metal_streaked, ==, n_metal_slices);
}

/* A bone-bright head rest: labelled support, and never touching the skull. */
static void
test_head_rest_apart_from_skull (void)
{
  CalPhantomParams p;
  g_autoptr(CalVolume) ct = NULL;
  g_autoptr(CalMask) labels = NULL;
  const CalGrid *grid;
  const guint8 *l;
  guint64 n_support, touching = 0;
  double support_hu;

  small_params (&p, 9);
  p.headrest_hu = 800, p.noise_hu = 5, p.kernel = 0;
  generate (&p, &ct, &labels);
  support_hu = mean_hu (ct, labels, CAL_PHANTOM_SUPPORT, &n_support);
  grid = cal_mask_get_grid (labels);
  l = cal_mask_get_labels (labels);
  for (guint32 k = 0; k < grid->dims[2]; k++)
    for (guint32 j = 1; j + 1 < grid->dims[1]; j++)
      for (guint32 i = 1; i + 1 < grid->dims[0]; i++)
        {
          gsize v = i + grid->dims[0] * (j + (gsize) grid->dims[1] * k);
          if (l[v] == CAL_PHANTOM_SUPPORT)
            touching += l[v - 1] == CAL_PHANTOM_SKULL || l[v + 1] == CAL_PHANTOM_SKULL ||
                        l[v - grid->dims[0]] == CAL_PHANTOM_SKULL || l[v + grid->dims[0]] == CAL_PHANTOM_SKULL;
        }
  g_assert_cmpuint (n_support, >, 1000);
  g_assert_cmpfloat (support_hu, >, 226);
  g_assert_cmpuint (touching, ==, 0);
}

/* Settings out of range fail with an error that names them, and no output. */
static void
assert_rejected (const CalPhantomParams *p,
                 const char             *named)
{
  CalVolume *ct = NULL;
  CalMask *labels = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (cal_phantom_generate (p, &ct, &labels, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, named));
  g_assert_null (ct);
  g_assert_null (labels);
}

static void
test_bad_settings (void)
{
  CalPhantomParams p;

  cal_phantom_params_from_seed (&p, 1);
  p.slice_mm = 0;
  assert_rejected (&p, "slices 0.3–5 mm");
  cal_phantom_params_from_seed (&p, 1);
  p.anatomy = CAL_PHANTOM_ANATOMY_LATEST + 1;
  assert_rejected (&p, "anatomy 5");
  cal_phantom_params_from_seed (&p, 1);
  p.scanner = CAL_PHANTOM_SCANNER_LATEST + 1;
  assert_rejected (&p, "scanner model 3");
  p.scanner = 0;
  assert_rejected (&p, "scanner model 0");
}

/* Counts over the voxels whose centre lies at or above z_min (patient mm):
 * bone by label, air (under −400 HU) and bone by the 226 HU convention. */
typedef struct {
  guint64 bone, air, agree, n;
} Census;

static Census
census (CalVolume *ct,
        CalMask   *labels,
        double     z_min,
        double     z_max)
{
  const CalGrid *grid = cal_volume_get_grid (ct);
  const gint16 *v = cal_volume_get_data (ct);
  const guint8 *l = cal_mask_get_labels (labels);
  guint64 plane = (guint64) grid->dims[0] * grid->dims[1];
  Census c = { 0 };

  for (guint32 k = 0; k < grid->dims[2]; k++)
    {
      double z = grid->affine[2][3] + k * grid->affine[2][2];   /* axis-aligned phantom grid */
      if (z < z_min || z > z_max)
        continue;
      for (guint64 i = k * plane; i < (k + 1) * plane; i++)
        {
          gboolean bone = l[i] == CAL_PHANTOM_SKULL || l[i] == CAL_PHANTOM_FRAGMENT;
          c.bone += bone, c.air += v[i] < -400, c.agree += bone == (v[i] >= 226), c.n++;
        }
    }
  return c;
}

/* Seed 7's head on an ideal, straight scan without defects or metal:
 * what one anatomy version changes against another, and nothing else. */
static void
plain_head_params (CalPhantomParams *p)
{
  small_params (p, 7);
  p->size = 160, p->pixel_mm = 1.2, p->slice_mm = 1.5;
  p->n_burr_holes = p->n_flaps = p->n_fragments = p->n_plates = p->n_clips = 0;
  p->noise_hu = 0, p->kernel = 0, p->headrest_hu = -100;
  p->tilt_deg[0] = p->tilt_deg[1] = p->tilt_deg[2] = 0;
}

/* Seed 7's plain head in two anatomy versions, counted above and below
 * the head's centre (the skull base lies 22–32 mm below it, the face
 * under that; the frontal sinus above it). */
typedef struct {
  Census top[2], base[2];
  double voxel_ml;
} AnatomyPair;

static void
census_anatomies (guint        before,
                  guint        after,
                  AnatomyPair *pair)
{
  CalPhantomParams p;
  g_autofree char *named = g_strdup_printf ("anatomy %u", after);
  g_autofree char *description = NULL;
  guint32 dims[3];

  plain_head_params (&p);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(CalVolume) ct = NULL;
      g_autoptr(CalMask) labels = NULL;
      const CalGrid *grid;

      p.anatomy = i ? after : before;
      generate (&p, &ct, &labels);
      grid = cal_volume_get_grid (ct);
      if (i)
        g_assert_cmpmem (grid->dims, sizeof grid->dims, dims, sizeof dims);
      memcpy (dims, grid->dims, sizeof dims);
      pair->voxel_ml = fabs (cal_grid_determinant (grid)) / 1000;
      pair->top[i] = census (ct, labels, 0, G_MAXDOUBLE);
      pair->base[i] = census (ct, labels, -G_MAXDOUBLE, 0);
    }
  description = cal_phantom_params_describe (&p);
  g_assert_nonnull (strstr (description, named));
}

/* The newer anatomy left this region as it was: its bone and air, voxel
 * for voxel (and the region is not empty). */
static void
assert_region_unchanged (const Census region[2])
{
  g_assert_cmpuint (region[0].n, >, 0);
  g_assert_cmpuint (region[0].bone, ==, region[1].bone);
  g_assert_cmpuint (region[0].air, ==, region[1].air);
}

/* Anatomy 2 keeps anatomy 1's head above the skull base voxel for voxel,
 * and adds bone (petrous ridges, mastoids, plates) and air (mastoid
 * cells, nasopharynx) below it, labelled by the same 226 HU rule. */
static void
test_anatomy_2_skull_base (void)
{
  AnatomyPair a;

  census_anatomies (1, 2, &a);
  g_test_message ("below the centre: bone %.1f → %.1f mL, air %.1f → %.1f mL", a.base[0].bone * a.voxel_ml,
                  a.base[1].bone * a.voxel_ml, a.base[0].air * a.voxel_ml, a.base[1].air * a.voxel_ml);
  assert_region_unchanged (a.top);
  g_assert_cmpfloat ((a.base[1].bone - (double) a.base[0].bone) * a.voxel_ml, >, 3);
  g_assert_cmpfloat ((a.base[1].air - (double) a.base[0].air) * a.voxel_ml, >, 1);
  g_assert_cmpfloat ((double) a.base[1].agree / a.base[1].n, >, 0.9999);
}

/* Anatomy 3 keeps anatomy 2's head below its centre voxel for voxel and
 * thins the frontal sinus's walls above it: bone gives way to air, and
 * the labels still follow the 226 HU rule. */
static void
test_anatomy_3_frontal_sinus (void)
{
  AnatomyPair a;

  census_anatomies (2, 3, &a);
  g_test_message ("above the centre: bone %.2f → %.2f mL, air %.2f → %.2f mL", a.top[0].bone * a.voxel_ml,
                  a.top[1].bone * a.voxel_ml, a.top[0].air * a.voxel_ml, a.top[1].air * a.voxel_ml);
  assert_region_unchanged (a.base);
  g_assert_cmpfloat ((a.top[0].bone - (double) a.top[1].bone) * a.voxel_ml, >, 0.1);   /* seed 7: 0.26 mL */
  g_assert_cmpfloat ((a.top[1].air - (double) a.top[0].air) * a.voxel_ml, >, 0.05);   /* seed 7: 0.10 mL */
  g_assert_cmpfloat ((double) a.top[1].agree / a.top[1].n, >, 0.9999);
}

/* Anatomy 4 keeps anatomy 3's head below the orbits voxel for voxel and
 * thins the vault (squama, parietal patches) and the orbital roofs: less
 * bone above, and more of it in thin runs — bone voxels whose run along x
 * or y is at most two voxels (2.4 mm here), where anatomy 3's vault is at
 * least 3 mm thick — still labelled by the 226 HU rule. */
static guint64
thin_runs (CalMask *labels)
{
  const CalGrid *grid = cal_mask_get_grid (labels);
  const guint8 *l = cal_mask_get_labels (labels);
  gsize nx = grid->dims[0], ny = grid->dims[1], nz = grid->dims[2];
  guint64 thin = 0;

#define BONE(i, j, k) (l[(i) + nx * ((j) + ny * (gsize) (k))] == CAL_PHANTOM_SKULL)
  for (gsize k = 0; k < nz; k++)
    for (gsize j = 2; j + 2 < ny; j++)
      for (gsize i = 2; i + 2 < nx; i++)
        if (BONE (i, j, k) && ((!BONE (i - 2, j, k) && !BONE (i + 2, j, k)) ||
                               (!BONE (i, j - 2, k) && !BONE (i, j + 2, k))))
          thin++;
#undef BONE
  return thin;
}

static void
test_anatomy_4_thin_bone (void)
{
  CalPhantomParams p;
  guint64 thin[2];
  Census top[2], base[2];
  double voxel_ml = 0;

  plain_head_params (&p);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(CalVolume) ct = NULL;
      g_autoptr(CalMask) labels = NULL;
      p.anatomy = 3 + i;
      generate (&p, &ct, &labels);
      voxel_ml = fabs (cal_grid_determinant (cal_volume_get_grid (ct))) / 1000;
      top[i] = census (ct, labels, -20, G_MAXDOUBLE);
      base[i] = census (ct, labels, -G_MAXDOUBLE, -60);
      thin[i] = thin_runs (labels);
    }
  g_test_message ("vault: bone %.1f → %.1f mL; bone in runs of ≤ 2 voxels %.1f → %.1f mL", top[0].bone * voxel_ml,
                  top[1].bone * voxel_ml, thin[0] * voxel_ml, thin[1] * voxel_ml);
  assert_region_unchanged (base);
  g_assert_cmpfloat ((top[0].bone - (double) top[1].bone) * voxel_ml, >, 5);
  g_assert_cmpfloat ((thin[1] - (double) thin[0]) * voxel_ml, >, 2);
  g_assert_cmpfloat ((double) top[1].agree / top[1].n, >, 0.9999);
}

static void
test_seed_draws_variety (void)
{
  guint slices = 0, flaps = 0, bright_rests = 0;
  double thin = 10, thick = 0;

  for (guint64 seed = 0; seed < 200; seed++)
    {
      CalPhantomParams p;
      cal_phantom_params_from_seed (&p, seed);
      g_assert_cmpuint (p.anatomy, ==, 1);   /* seeds keep the phantoms the shipped model learnt from */
      g_assert_cmpuint (p.scanner, ==, 1);
      g_assert_cmpfloat (p.slice_mm, >=, 0.6);
      g_assert_cmpfloat (p.slice_mm, <=, 3.0);
      thin = MIN (thin, p.slice_mm), thick = MAX (thick, p.slice_mm);
      slices++;
      flaps += p.n_flaps > 0;
      bright_rests += p.headrest_hu > 226;
    }
  g_assert_cmpfloat (thin, <, 0.7);
  g_assert_cmpfloat (thick, >=, 3.0);
  g_assert_cmpuint (flaps, >, 100);
  g_assert_cmpuint (bright_rests, >, 40);
  g_assert_cmpuint (slices, ==, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/phantom/same-seed", test_same_seed_same_phantom);
  g_test_add_func ("/phantom/tissues", test_tissues_and_volume);
  g_test_add_func ("/phantom/vault-thickness", test_vault_thickness);
  g_test_add_func ("/phantom/face-and-bone-convention", test_face_and_bone_convention);
  g_test_add_func ("/phantom/defects-metal", test_defects_and_metal);
  g_test_add_func ("/phantom/head-rest", test_head_rest_apart_from_skull);
  g_test_add_func ("/phantom/scanner-2-streaks", test_scanner_2_streaks_from_metal_in_slice);
  g_test_add_func ("/phantom/bad-settings", test_bad_settings);
  g_test_add_func ("/phantom/anatomy-2-skull-base", test_anatomy_2_skull_base);
  g_test_add_func ("/phantom/anatomy-3-frontal-sinus", test_anatomy_3_frontal_sinus);
  g_test_add_func ("/phantom/anatomy-4-thin-bone", test_anatomy_4_thin_bone);
  g_test_add_func ("/phantom/seed-variety", test_seed_draws_variety);
  return g_test_run ();
}
