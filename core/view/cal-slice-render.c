/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-slice-render.h"

#include <math.h>
#include <string.h>

#include "cal-parallel.h"

/* Bone is amber, then colours that stay apart for colour-blind eyes. */
static const guint8 label_colors[][3] = {
  { 255, 176,  32 },
  {  64, 160, 255 },
  { 230,  70, 160 },
  {  90, 220, 120 },
  { 180, 120, 255 },
};

void
cal_mask_label_color (guint8 label,
                      guint8 rgb[3])
{
  guint i = label == 0 ? 0 : (label - 1u) % G_N_ELEMENTS (label_colors);

  memcpy (rgb, label_colors[i], 3);
}

typedef struct {
  const CalSlicePlane *plane;
  const CalGrid       *grid;
  double               inverse[4][4];
  double               n;
  CalVoxelType         type;
  gconstpointer        voxels;
  const guint8        *labels;
  const guint8        *region;     /* (nullable) region of interest */
  const guint8        *grey_lut;   /* int16 HU + 32768 -> grey */
  double               low, scale; /* float volumes: grey = (hu - low) * scale */
  guint                opacity;    /* 0..256 */
  guint8              *rgba;
  gsize                stride;
} RenderJob;

static void
to_voxel (const double inverse[4][4],
          const double xyz[3],
          double       ijk[3])
{
  for (int r = 0; r < 3; r++)
    ijk[r] = inverse[r][0] * xyz[0] + inverse[r][1] * xyz[1] + inverse[r][2] * xyz[2]
           + inverse[r][3];
}

static guint8
grey_of (const RenderJob *job,
         gsize            index)
{
  double g;

  if (job->type == CAL_VOXEL_INT16)
    return job->grey_lut[((const gint16 *) job->voxels)[index] + 32768];
  g = (((const float *) job->voxels)[index] - job->low) * job->scale;
  return (guint8) CLAMP (g, 0.0, 255.0);
}

const guint8 cal_region_tint[3] = { 235, 122, 26 };

static void
put_sample (const RenderJob *job,
            guint8          *out,
            gsize            index)
{
  guint8 grey = grey_of (job, index);
  guint8 label = job->labels ? job->labels[index] : 0;

  if (label && job->opacity)
    {
      guint8 rgb[3];

      cal_mask_label_color (label, rgb);
      for (int c = 0; c < 3; c++)
        out[c] = (guint8) ((grey * (256 - job->opacity) + rgb[c] * job->opacity) >> 8);
    }
  else
    out[0] = out[1] = out[2] = grey;
  /* The region over everything, at 40 %: still the bone under it. */
  if (job->region && job->region[index])
    for (int c = 0; c < 3; c++)
      out[c] = (guint8) ((out[c] * 154 + cal_region_tint[c] * 102) >> 8);
  out[3] = 255;
}

static void
put_outside (guint8 *out)
{
  out[0] = out[1] = out[2] = 0;
  out[3] = 255;
}

/* When the row steps a whole number of voxels per sample (any scan whose
 * axes line up with the view, the usual case), every index along the row
 * is the first plus a constant: find the samples inside the volume once
 * and walk them without rounding or bounds checks. */
static gboolean
render_row_whole_steps (const RenderJob *job,
                        guint8          *out,
                        const double     start[3],
                        const double     step[3])
{
  const guint32 *dims = job->grid->dims;
  gint64 first[3], delta[3], lo = 0, hi = job->plane->width;
  gssize offset, stride;

  for (int a = 0; a < 3; a++)
    {
      if (fabs (step[a] - nearbyint (step[a])) > 1e-9)
        return FALSE;
      delta[a] = (gint64) nearbyint (step[a]);
      first[a] = (gint64) floor (start[a] + 0.5);
      /* Samples x with 0 <= first + x * delta < dims. */
      if (delta[a] == 0)
        {
          if (first[a] < 0 || first[a] >= dims[a])
            hi = 0;
        }
      else if (delta[a] > 0)
        {
          lo = MAX (lo, first[a] >= 0 ? 0 : (-first[a] + delta[a] - 1) / delta[a]);
          hi = MIN (hi, first[a] >= dims[a] ? 0 : (dims[a] - first[a] + delta[a] - 1) / delta[a]);
        }
      else
        {
          lo = MAX (lo, first[a] < dims[a] ? 0 : (first[a] - dims[a] + 1 - delta[a] - 1) / -delta[a]);
          hi = MIN (hi, first[a] < 0 ? 0 : first[a] / -delta[a] + 1);
        }
    }
  for (gint64 x = 0; x < MIN (lo, (gint64) job->plane->width); x++)
    put_outside (out + 4 * x);
  for (gint64 x = MAX (hi, lo); x < job->plane->width; x++)
    put_outside (out + 4 * x);
  stride = (gssize) (delta[0] + (gint64) dims[0] * (delta[1] + (gint64) dims[1] * delta[2]));
  offset = (gssize) (first[0] + (gint64) dims[0] * (first[1] + (gint64) dims[1] * first[2]));
  for (gint64 x = lo; x < hi; x++)
    put_sample (job, out + 4 * x, (gsize) (offset + x * stride));
  return TRUE;
}

static void
render_row (guint    y,
            gpointer data)
{
  const RenderJob *job = data;
  const CalSlicePlane *plane = job->plane;
  const guint32 *dims = job->grid->dims;
  guint8 *out = job->rgba + y * job->stride;
  double u, v, xyz[3], start[3], next[3], step[3];

  /* Voxel coordinates are affine along the row: one step per sample. */
  cal_slice_plane_sample_center (plane, 0, y, &u, &v);
  cal_slice_plane_to_patient (plane, u, v, job->n, xyz);
  to_voxel (job->inverse, xyz, start);
  cal_slice_plane_to_patient (plane, u + plane->pixel_u, v, job->n, xyz);
  to_voxel (job->inverse, xyz, next);
  for (int a = 0; a < 3; a++)
    step[a] = next[a] - start[a];

  if (render_row_whole_steps (job, out, start, step))
    return;
  for (guint x = 0; x < plane->width; x++, out += 4)
    {
      double i = floor (start[0] + x * step[0] + 0.5);
      double j = floor (start[1] + x * step[1] + 0.5);
      double k = floor (start[2] + x * step[2] + 0.5);

      if (i < 0 || j < 0 || k < 0 || i >= dims[0] || j >= dims[1] || k >= dims[2])
        {
          put_outside (out);
          continue;
        }
      put_sample (job, out, (gsize) i + dims[0] * ((gsize) j + (gsize) dims[1] * (gsize) k));
    }
}

void
cal_slice_render (const CalSlicePlane *plane,
                  guint                index,
                  CalVolume           *volume,
                  CalMask             *mask,
                  const CalSliceStyle *style,
                  guint8              *rgba,
                  gsize                stride)
{
  g_autofree guint8 *lut = NULL;
  double window = MAX (style->window, 1e-3);
  RenderJob job = {
    .plane = plane,
    .grid = cal_volume_get_grid (volume),
    .n = cal_slice_plane_position (plane, index),
    .type = cal_volume_get_voxel_type (volume),
    .voxels = cal_volume_get_data (volume),
    .labels = mask ? cal_mask_get_labels (mask) : NULL,
    .region = style->region ? cal_mask_get_labels (style->region) : NULL,
    .low = style->level - window / 2,
    .scale = 255.0 / window,
    .opacity = (guint) lrint (CLAMP (style->overlay_opacity, 0.0, 1.0) * 256),
    .rgba = rgba,
    .stride = stride,
  };

  g_return_if_fail (stride >= plane->width * 4u);
  g_return_if_fail (mask == NULL ||
                    cal_grid_same_geometry (cal_mask_get_grid (mask), job.grid, 1e-3));

  if (!cal_mat4_invert (job.grid->affine, job.inverse))
    {
      for (guint y = 0; y < plane->height; y++)
        memset (rgba + y * stride, 0, plane->width * 4u);
      return;
    }
  if (job.type == CAL_VOXEL_INT16)
    {
      lut = g_malloc (65536);
      for (int hu = -32768; hu < 32768; hu++)
        lut[hu + 32768] = (guint8) CLAMP ((hu - job.low) * job.scale + 0.5, 0.0, 255.0);
      job.grey_lut = lut;
    }
  cal_parallel_for (plane->height, render_row, &job);
}
