/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * From a series of DICOM slices to one volume on a regular grid in LPS.
 *
 * Slices are ordered by their position along the slice normal (never by
 * InstanceNumber, which scanners fill as they please), spacing comes from
 * those positions (never from SliceThickness), and a stack that is not a
 * regular box (gantry tilt, missing or unevenly spaced slices) is resampled
 * onto one, with the reason reported.
 */
#include "cal-dicom.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "cal-dicom-private.h"
#include "cal-dicom-resample.h"
#include "cal-parallel.h"
#include "cal-vec3.h"

#define SAME_POSITION_MM     0.01
#define ORIENTATION_EPSILON  1e-3
#define SPACING_TOLERANCE    0.01   /* fraction of the median gap */
#define TILT_TOLERANCE_MM    0.01

typedef struct {
  CalDicomHeader *h;      /* borrowed from the series */
  double          d;      /* position along the normal, mm */
  double          u, v;   /* in-plane offset from the first slice, pixels */
} Slice;

typedef struct {
  Slice          *slices;       /* owned */
  guint           n;
  guint32         rows, cols;
  double          row[3], col[3], normal[3];
  double          sx, sy;       /* mm between columns, between rows */
  double          dz;           /* regular slice spacing, mm */
  gboolean        to_int16;
  gboolean        resample;
  CalResampleGeometry plan;     /* the resampled box, when resample */
  CalSlicePlaces  places;       /* borrows d, u, v */
  double         *d, *u, *v;    /* owned: each slice's place, when resample */
  /* per-worker state */
  GMutex          lock;
  GError         *error;        /* first decode error */
  GCancellable   *cancellable;
  CalProgressFunc progress;
  gpointer        progress_data;
  gint            n_done;
  gint            overflow;     /* a value did not fit int16 */
} Stack;

/* A slice geometry that cannot be placed in the patient; FALSE, to return. */
#define geometry_error(error, ...) \
  (g_set_error ((error), CAL_DICOM_ERROR, CAL_DICOM_ERROR_GEOMETRY, __VA_ARGS__), FALSE)

/* Every slice must describe the same plane orientation, size and pixel
 * spacing, and say where it lies: otherwise there is no one volume. */
static gboolean
check_consistency (GPtrArray      *headers,
                   Stack          *stack,
                   GError        **error)
{
  CalDicomHeader *first = g_ptr_array_index (headers, 0);
  guint n_no_position = 0;

  for (guint s = 0; s < headers->len; s++)
    {
      CalDicomHeader *h = g_ptr_array_index (headers, s);

      if (!cal_dicom_header_check (h, error))
        return FALSE;
      if (!h->has_position)
        n_no_position++;
      if (!h->has_orientation || !h->has_pixel_spacing)
        return geometry_error (error, "A slice lacks %s: its place in the patient is unknown",
                               !h->has_orientation ? "ImageOrientationPatient" : "PixelSpacing");
      if (!cal_dicom_geometry_is_finite (h))
        return geometry_error (error, "Slice %u (InstanceNumber %d) has a geometry that is not a "
                               "number (NaN or infinite ImagePositionPatient, "
                               "ImageOrientationPatient or PixelSpacing): geometry invalid",
                               s + 1, h->instance_number);
      if (h->rows != first->rows || h->columns != first->columns ||
          h->bits_allocated != first->bits_allocated)
        return geometry_error (error, "The series mixes image sizes (%u × %u and %u × %u)",
                               first->columns, first->rows, h->columns, h->rows);
      for (int c = 0; c < 6; c++)
        if (fabs (h->orientation[c] - first->orientation[c]) > ORIENTATION_EPSILON)
          return geometry_error (error, "The series mixes slice orientations (ImageOrientationPatient "
                                 "differs between slices); it is not one volume. Split it by "
                                 "orientation first");
      if (fabs (h->pixel_spacing[0] - first->pixel_spacing[0]) > 1e-4 ||
          fabs (h->pixel_spacing[1] - first->pixel_spacing[1]) > 1e-4)
        return geometry_error (error, "The series mixes pixel spacings");
    }
  if (n_no_position > 0)
    return geometry_error (error, "%u of %u slices lack ImagePositionPatient, so the slice order "
                           "and spacing cannot be known", n_no_position, headers->len);

  memcpy (stack->row, first->orientation, sizeof stack->row);
  memcpy (stack->col, first->orientation + 3, sizeof stack->col);
  if (fabs (sqrt (cal_vec3_dot (stack->row, stack->row)) - 1) > ORIENTATION_EPSILON ||
      fabs (sqrt (cal_vec3_dot (stack->col, stack->col)) - 1) > ORIENTATION_EPSILON ||
      fabs (cal_vec3_dot (stack->row, stack->col)) > ORIENTATION_EPSILON)
    return geometry_error (error, "ImageOrientationPatient does not hold two perpendicular unit "
                           "vectors (tolerance %g): geometry invalid", ORIENTATION_EPSILON);
  for (int a = 0; a < 2; a++)
    if (!(first->pixel_spacing[a] >= CAL_MIN_VOXEL_MM && first->pixel_spacing[a] <= CAL_MAX_VOXEL_MM))
      return geometry_error (error, "PixelSpacing %g\\%g mm is outside %g to %g mm: no CT has such "
                             "pixels, so the file's geometry cannot be trusted",
                             first->pixel_spacing[0], first->pixel_spacing[1],
                             CAL_MIN_VOXEL_MM, CAL_MAX_VOXEL_MM);
  cal_vec3_normalize (stack->row);
  cal_vec3_normalize (stack->col);
  cal_vec3_cross (stack->row, stack->col, stack->normal);
  stack->rows = first->rows;
  stack->cols = first->columns;
  stack->sy = first->pixel_spacing[0];
  stack->sx = first->pixel_spacing[1];
  return TRUE;
}

static gint
compare_slices (gconstpointer a,
                gconstpointer b)
{
  const Slice *sa = a, *sb = b;

  return sa->d < sb->d ? -1 : sa->d > sb->d ? 1 : 0;
}

/* Two images at one position: harmless when identical (a copied file),
 * a mixed-up series when not. */
static gboolean
drop_duplicates (Stack          *stack,
                 CalLoadReport  *report,
                 GError        **error)
{
  gsize n_pixels = (gsize) stack->rows * stack->cols;
  g_autofree gint32 *a = NULL, *b = NULL;
  guint kept = 0, dropped = 0;

  for (guint s = 0; s < stack->n; s++)
    {
      Slice *prev = kept ? &stack->slices[kept - 1] : NULL;
      Slice *cur = &stack->slices[s];

      if (prev && fabs (cur->d - prev->d) < SAME_POSITION_MM)
        {
          if (a == NULL)
            {
              a = g_new (gint32, n_pixels);
              b = g_new (gint32, n_pixels);
            }
          if (!cal_dicom_shim_read_pixels (prev->h, a, error) || !cal_dicom_shim_read_pixels (cur->h, b, error))
            return FALSE;
          if (memcmp (a, b, n_pixels * sizeof *a) != 0 ||
              prev->h->rescale_slope != cur->h->rescale_slope ||
              prev->h->rescale_intercept != cur->h->rescale_intercept)
            {
              g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_CONFLICTING_SLICES,
                           _("Two slices lie at the same position (%.2f mm along the slice normal) with "
                             "different pixels: the series mixes acquisitions, echoes or reconstructions. Split "
                             "it and load one"), cur->d);
              return FALSE;
            }
          dropped++;
          continue;
        }
      stack->slices[kept++] = *cur;
    }
  if (dropped > 0)
    cal_load_report_warn (report, g_dngettext (GETTEXT_PACKAGE,
                                               "%u duplicate slice (identical images at one position) was ignored",
                                               "%u duplicate slices (identical images at one position) were ignored",
                                               dropped), dropped);
  stack->n = kept;
  return TRUE;
}

static double
median_gap (const Stack *stack)
{
  g_autofree double *gaps = g_new (double, stack->n - 1);
  double median;

  for (guint s = 0; s + 1 < stack->n; s++)
    gaps[s] = stack->slices[s + 1].d - stack->slices[s].d;
  for (guint i = 1; i + 1 < stack->n; i++)   /* insertion sort: a few hundred gaps */
    for (guint j = i; j > 0 && gaps[j - 1] > gaps[j]; j--)
      {
        double t = gaps[j];
        gaps[j] = gaps[j - 1];
        gaps[j - 1] = t;
      }
  median = gaps[(stack->n - 1) / 2];
  return median;
}

/* Regular spacing and no tilt mean the slices can be copied as they are.
 * Gantry tilt is corrected with a shear, as the acquisition defines, and
 * reported.  Missing slices or uneven spacing would be interpolated: that
 * invents voxels, so it needs the caller's recorded consent. */
/* Whether the stack has gaps or uneven spacing, i.e. would need to be
 * interpolated onto a regular grid. */
static gboolean
is_irregular (const Stack *stack,
              double       tolerance)
{
  for (guint s = 0; s + 1 < stack->n; s++)
    if (fabs (stack->slices[s + 1].d - stack->slices[s].d - stack->dz) > tolerance)
      return TRUE;
  return FALSE;
}

/* The user's alternative to interpolation: keep the longest run of slices
 * at the regular spacing, leave out the rest of the scan (reported with
 * where it was), so no voxel is invented. */
static gboolean
keep_longest_regular_run (Stack         *stack,
                          double         tolerance,
                          CalLoadReport *report,
                          GError       **error)
{
  guint best_start = 0, best_n = 1, start = 0;
  double left_out_mm;

  for (guint s = 1; s <= stack->n; s++)
    {
      gboolean regular = s < stack->n && fabs (stack->slices[s].d - stack->slices[s - 1].d - stack->dz) <= tolerance;
      if (regular)
        continue;
      if (s - start > best_n)
        best_start = start, best_n = s - start;
      start = s;
    }
  if (best_n < 3)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TOO_FEW_SLICES,
                   _("No 3 neighbouring slices lie at the regular spacing of %.2f mm: nothing is left once the "
                     "irregular part is left out. Interpolate instead, or load a complete series"),
                   stack->dz);
      return FALSE;
    }
  left_out_mm = (stack->slices[stack->n - 1].d - stack->slices[0].d) -
                (stack->slices[best_start + best_n - 1].d - stack->slices[best_start].d);
  cal_load_report_warn (report, g_dngettext (GETTEXT_PACKAGE,
                                             "Kept the longest run of evenly spaced slices (%u of %u, %.1f mm along "
                                             "the slice normal from %.1f mm); %u slice and %.1f mm of the scan left "
                                             "out as requested, nothing interpolated",
                                             "Kept the longest run of evenly spaced slices (%u of %u, %.1f mm along "
                                             "the slice normal from %.1f mm); %u slices and %.1f mm of the scan left "
                                             "out as requested, nothing interpolated", stack->n - best_n),
                        best_n, stack->n,
                        stack->slices[best_start + best_n - 1].d - stack->slices[best_start].d,
                        stack->slices[best_start].d, stack->n - best_n,
                        left_out_mm);
  memmove (stack->slices, stack->slices + best_start, best_n * sizeof (Slice));
  stack->n = best_n;
  return TRUE;
}

static gboolean
analyse_spacing_and_tilt (Stack         *stack,
                          CalLoadFlags   flags,
                          CalLoadReport *report,
                          GError       **error)
{
  const double *p0;
  double tolerance, max_offset = 0;
  guint n_missing = 0;
  gboolean uneven = FALSE;
  double min_gap = G_MAXDOUBLE, max_gap = 0;

  stack->dz = median_gap (stack);
  tolerance = MAX (SAME_POSITION_MM, SPACING_TOLERANCE * stack->dz);
  if ((flags & CAL_LOAD_KEEP_LONGEST_RUN) && !(flags & CAL_LOAD_ACCEPT_RESAMPLING) &&
      is_irregular (stack, tolerance) && !keep_longest_regular_run (stack, tolerance, report, error))
    return FALSE;
  p0 = stack->slices[0].h->position;

  for (guint s = 0; s + 1 < stack->n; s++)
    {
      double gap = stack->slices[s + 1].d - stack->slices[s].d;

      min_gap = MIN (min_gap, gap);
      max_gap = MAX (max_gap, gap);
      if (fabs (gap - stack->dz) > tolerance)
        uneven = TRUE;
      if (gap > 1.5 * stack->dz)   /* in doubles: crafted gaps may be kilometres */
        n_missing = (guint) MIN ((double) n_missing + round (gap / stack->dz) - 1, (double) G_MAXUINT);
    }

  for (guint s = 0; s < stack->n; s++)
    {
      Slice *slice = &stack->slices[s];
      double delta[3], along, offset[3];

      for (int c = 0; c < 3; c++)
        delta[c] = slice->h->position[c] - p0[c];
      along = cal_vec3_dot (delta, stack->normal);
      for (int c = 0; c < 3; c++)
        offset[c] = delta[c] - along * stack->normal[c];
      slice->u = cal_vec3_dot (offset, stack->row) / stack->sx;
      slice->v = cal_vec3_dot (offset, stack->col) / stack->sy;
      max_offset = MAX (max_offset, sqrt (cal_vec3_dot (offset, offset)));
    }

  if ((n_missing > 0 || uneven) && !(flags & CAL_LOAD_ACCEPT_RESAMPLING))
    {
      if (n_missing > 0)
        g_set_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_RESAMPLING,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%u slice appears to be missing (gaps up to %.2f mm where the spacing is %.2f mm). "
                                  "Interpolating invents voxels: accept it explicitly (it is recorded; calvaria-cli: "
                                  "--accept-resampling), leave out the part beyond the gap (--keep-longest-run) or "
                                  "load a complete series",
                                  "%u slices appear to be missing (gaps up to %.2f mm where the spacing is %.2f mm). "
                                  "Interpolating invents voxels: accept it explicitly (it is recorded; calvaria-cli: "
                                  "--accept-resampling), leave out the part beyond the gap (--keep-longest-run) or "
                                  "load a complete series", n_missing),
                     n_missing, max_gap, stack->dz);
      else
        g_set_error (error, CAL_LOAD_ERROR, CAL_LOAD_ERROR_CONFIRM_RESAMPLING,
                     _("The slice spacing is uneven (%.3f to %.3f mm). Resampling to a regular %.3f mm grid "
                       "interpolates voxels: accept it explicitly (it is recorded; calvaria-cli: "
                       "--accept-resampling) or keep only the longest evenly spaced part (--keep-longest-run)"),
                     min_gap, max_gap, stack->dz);
      return FALSE;
    }
  if (n_missing > 0)
    cal_load_report_warn (report, g_dngettext (GETTEXT_PACKAGE,
                                               "%u slice appears to be missing (gaps up to %.2f mm where the "
                                               "spacing is %.2f mm); interpolated as accepted",
                                               "%u slices appear to be missing (gaps up to %.2f mm where the "
                                               "spacing is %.2f mm); interpolated as accepted", n_missing),
                          n_missing, max_gap, stack->dz);
  else if (uneven)
    cal_load_report_warn (report, _("Uneven slice spacing (%.3f to %.3f mm); resampled to %.3f mm as accepted"),
                          min_gap, max_gap, stack->dz);

  if (max_offset > TILT_TOLERANCE_MM)
    {
      const Slice *last = &stack->slices[stack->n - 1];
      double shift = hypot (last->u * stack->sx, last->v * stack->sy);

      report->gantry_tilt_deg = atan2 (shift, last->d - stack->slices[0].d) * 180.0 / G_PI;
      cal_load_report_warn (report, _("Gantry tilt of %.2f° corrected by resampling onto a "
                                      "rectangular grid"), report->gantry_tilt_deg);
    }
  stack->resample = uneven || n_missing > 0 || max_offset > TILT_TOLERANCE_MM;
  return TRUE;
}

/* Facts worth a line in the report that change nothing: slices numbered
 * in another order than they lie, and a SliceThickness that is not the
 * distance between positions (overlapping or gapped reconstructions). */
static void
note_order_and_thickness (const Stack   *stack,
                          CalLoadReport *report)
{
  guint rising = 0, falling = 0;
  double thickness = stack->slices[0].h->slice_thickness;

  for (guint s = 0; s + 1 < stack->n; s++)
    {
      int a = stack->slices[s].h->instance_number, b = stack->slices[s + 1].h->instance_number;
      rising += b > a;
      falling += b < a;
    }
  if (rising > 0 && falling > 0)
    cal_load_report_note (report, _("InstanceNumber order is not spatial; the slices were "
                                    "ordered by their positions along the slice normal"));
  if (thickness > 0 && fabs (thickness - stack->dz) > MAX (SAME_POSITION_MM, SPACING_TOLERANCE * stack->dz))
    cal_load_report_note (report, _("SliceThickness is %.3g mm but the slices lie %.3g mm apart; "
                                    "the positions' spacing is used"), thickness, stack->dz);
}

/* The volume (and, when resampling, the float slices beside it) must fit
 * the memory budget: refused here, before anything large is allocated. */
/* Where resampling puts the slices, planned before anything is decoded:
 * positions spread too far apart for any scan are refused here. */
static gboolean
plan_resampling (Stack   *stack,
                 GError **error)
{
  stack->d = g_new (double, stack->n);
  stack->u = g_new (double, stack->n);
  stack->v = g_new (double, stack->n);
  for (guint s = 0; s < stack->n; s++)
    {
      stack->d[s] = stack->slices[s].d;
      stack->u[s] = stack->slices[s].u;
      stack->v[s] = stack->slices[s].v;
    }
  stack->places = (CalSlicePlaces) { stack->n, stack->rows, stack->cols, stack->d, stack->u, stack->v,
                                     stack->dz };
  if (cal_dicom_resample_plan (&stack->places, &stack->plan))
    return TRUE;
  return geometry_error (error, "The slices' positions spread over more than %d voxels along an "
                         "axis at %.3g mm spacing (first at %.1f mm, last at %.1f mm along the "
                         "normal): geometry invalid", CAL_RESAMPLE_MAX_SIDE, stack->dz,
                         stack->d[0], stack->d[stack->n - 1]);
}

/* The volume (and, when resampling, the float slices beside it) must fit
 * the memory budget: refused here, before anything large is allocated. */
static gboolean
check_memory (const Stack  *stack,
              GError      **error)
{
  guint64 slice = (guint64) stack->rows * stack->cols;
  guint64 bytes = slice * stack->n * (stack->to_int16 ? 2 : 4);
  g_autofree char *what = NULL;

  if (stack->resample)
    bytes = slice * stack->n * sizeof (float) +
            (guint64) stack->plan.dims[0] * stack->plan.dims[1] * stack->plan.dims[2] *
            (stack->to_int16 ? 2 : 4);
  what = g_strdup_printf ("The series (%u slices of %u × %u)", stack->n, stack->cols, stack->rows);
  return cal_load_check_budget (bytes, what, error);
}

/* int16 can hold the result when every slice's rescale is integral; whether
 * the values really fit is checked while decoding (a 16-bit signed CT with
 * intercept -1024 could in theory leave the range, in practice never does). */
static gboolean
rescale_is_integral (const Stack *stack)
{
  for (guint s = 0; s < stack->n; s++)
    {
      const CalDicomHeader *h = stack->slices[s].h;

      if (h->rescale_slope != rint (h->rescale_slope) ||
          h->rescale_intercept != rint (h->rescale_intercept) ||
          fabs (h->rescale_slope) > 65536 || fabs (h->rescale_intercept) > 65536)
        return FALSE;
    }
  return TRUE;
}

static void
record_error (Stack  *stack,
              GError *error)
{
  g_mutex_lock (&stack->lock);
  if (stack->error == NULL)
    stack->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&stack->lock);
}

static void
report_progress (Stack *stack)
{
  gint done = g_atomic_int_add (&stack->n_done, 1) + 1;

  if (stack->progress)
    stack->progress ((double) done / stack->n, stack->progress_data);
}

typedef struct {
  Stack   *stack;
  gpointer out;       /* gint16 or float slices, rows*cols each */
  gboolean as_int16;
} DecodeJob;

static void
decode_into (guint    s,
             gpointer user_data)
{
  DecodeJob *job = user_data;
  Stack *stack = job->stack;
  const CalDicomHeader *h = stack->slices[s].h;
  gsize n = (gsize) stack->rows * stack->cols;
  g_autofree gint32 *raw = NULL;
  GError *error = NULL;

  if (stack->error || g_cancellable_is_cancelled (stack->cancellable))
    return;
  raw = g_new (gint32, n);
  if (!cal_dicom_shim_read_pixels (h, raw, &error))
    {
      record_error (stack, error);
      return;
    }
  if (job->as_int16)
    {
      gint16 *out = (gint16 *) job->out + n * s;
      gint32 slope = (gint32) h->rescale_slope, inter = (gint32) h->rescale_intercept;
      gboolean overflow = FALSE;
      for (gsize i = 0; i < n; i++)
        {
          gint32 v = raw[i] * slope + inter;
          overflow |= v < G_MININT16 || v > G_MAXINT16;
          out[i] = (gint16) v;
        }
      if (overflow)
        g_atomic_int_set (&stack->overflow, 1);
    }
  else
    {
      float *out = (float *) job->out + n * s;
      for (gsize i = 0; i < n; i++)
        out[i] = (float) (raw[i] * h->rescale_slope + h->rescale_intercept);
    }
  report_progress (stack);
}

static gboolean
decode_all (Stack    *stack,
            gpointer  out,
            gboolean  as_int16,
            GError  **error)
{
  DecodeJob job = { stack, out, as_int16 };

  cal_parallel_for (stack->n, decode_into, &job);
  if (g_cancellable_set_error_if_cancelled (stack->cancellable, error))
    return FALSE;
  if (stack->error)
    {
      g_propagate_error (error, g_steal_pointer (&stack->error));
      return FALSE;
    }
  return TRUE;
}

static void
set_grid (const Stack  *stack,
          CalGrid      *grid,
          const guint32 dims[3],
          double        i_off,
          double        j_off)
{
  double direction[3][3], spacing[3] = { stack->sx, stack->sy, stack->dz }, origin[3];
  const double *p0 = stack->slices[0].h->position;

  memcpy (direction[0], stack->row, sizeof direction[0]);
  memcpy (direction[1], stack->col, sizeof direction[1]);
  memcpy (direction[2], stack->normal, sizeof direction[2]);
  for (int c = 0; c < 3; c++)
    origin[c] = p0[c] + i_off * stack->sx * stack->row[c] + j_off * stack->sy * stack->col[c];
  cal_grid_init (grid, dims, spacing, direction, origin);
}

static CalVolume *
assemble (Stack          *stack,
          GError        **error)
{
  gsize slice_size = (gsize) stack->rows * stack->cols;
  CalVoxelType type = stack->to_int16 ? CAL_VOXEL_INT16 : CAL_VOXEL_FLOAT32;
  CalGrid grid;

  if (!stack->resample)
    {
      guint32 dims[3] = { stack->cols, stack->rows, stack->n };
      gsize size = slice_size * stack->n * cal_voxel_type_size (type);
      g_autofree gpointer out = g_try_malloc (size);
      g_autoptr(GBytes) bytes = NULL;

      if (out == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for the volume (%zu MB)"),
                                                               size >> 20);
          return NULL;
        }
      if (!decode_all (stack, out, stack->to_int16, error))
        return NULL;
      if (stack->to_int16 && g_atomic_int_get (&stack->overflow))
        {
          /* Rare: values beyond int16. Decode again, exactly, as float. */
          stack->to_int16 = FALSE;
          g_clear_pointer (&out, g_free);
          return assemble (stack, error);
        }
      set_grid (stack, &grid, dims, 0, 0);
      bytes = g_bytes_new_take (g_steal_pointer (&out), size);
      return cal_volume_new (&grid, type, bytes);
    }
  else
    {
      g_autofree float *slices = g_try_malloc (slice_size * stack->n * sizeof (float));
      g_autoptr(GBytes) bytes = NULL;

      if (slices == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory to resample"));
          return NULL;
        }
      if (!decode_all (stack, slices, FALSE, error))
        return NULL;
      bytes = cal_dicom_resample (slices, &stack->places, stack->to_int16, &stack->plan);
      set_grid (stack, &grid, stack->plan.dims, stack->plan.i_off, stack->plan.j_off);
      return cal_volume_new (&grid, type, bytes);
    }
}

CalVolume *
cal_dicom_series_load (CalDicomSeries   *series,
                       CalLoadFlags      flags,
                       CalLoadReport    *report,
                       CalProgressFunc   progress,
                       gpointer          progress_data,
                       GCancellable     *cancellable,
                       GError          **error)
{
  Stack stack = { 0 };
  g_autoptr(CalLoadReport) own_report = report ? NULL : cal_load_report_new ();
  g_autoptr(GPtrArray) usable = NULL;
  CalVolume *volume = NULL;

  if (report == NULL)
    report = own_report;
  g_mutex_init (&stack.lock);
  stack.cancellable = cancellable;
  stack.progress = progress;
  stack.progress_data = progress_data;

  usable = cal_dicom_usable_slices (series, flags, report, error);
  if (usable == NULL || !check_consistency (usable, &stack, error) ||
      !cal_dicom_check_acquisition (usable, flags, report, error))
    goto out;

  stack.n = usable->len;
  stack.slices = g_new0 (Slice, stack.n);
  for (guint s = 0; s < stack.n; s++)
    {
      stack.slices[s].h = g_ptr_array_index (usable, s);
      stack.slices[s].d = cal_vec3_dot (stack.slices[s].h->position, stack.normal);
    }
  qsort (stack.slices, stack.n, sizeof (Slice), (int (*)(const void *, const void *)) compare_slices);

  if (!drop_duplicates (&stack, report, error))
    goto out;
  if (stack.n < 3)
    {
      g_set_error (error, CAL_DICOM_ERROR, CAL_DICOM_ERROR_TOO_FEW_SLICES,
                   g_dngettext (GETTEXT_PACKAGE, "The series has %u slice; a volume needs at least 3",
                                "The series has %u slices; a volume needs at least 3", stack.n), stack.n);
      goto out;
    }

  if (!analyse_spacing_and_tilt (&stack, flags, report, error))
    goto out;
  note_order_and_thickness (&stack, report);
  stack.to_int16 = rescale_is_integral (&stack);
  if ((stack.resample && !plan_resampling (&stack, error)) || !check_memory (&stack, error))
    goto out;
  volume = assemble (&stack, error);
  if (volume != NULL)
    {
      g_free (report->format);
      g_free (report->details);
      report->format = g_strdup ("DICOM");
      /* TRANSLATORS: the DICOM modality (e.g. CT), the number of slices, the transfer syntax's UID */
      report->details = g_strdup_printf (_("%s series, %u slices, %s"),
                                         series->modality[0] ? series->modality : _("unknown modality"),
                                         stack.n, stack.slices[0].h->transfer_syntax);
    }

out:
  if (stack.error)
    g_error_free (stack.error);
  g_free (stack.slices);
  g_free (stack.d);
  g_free (stack.u);
  g_free (stack.v);
  g_mutex_clear (&stack.lock);
  return volume;
}

CalVolume *
cal_dicom_read_image (const char  *path,
                      GError     **error)
{
  CalDicomHeader header;
  Stack stack = { 0 };
  Slice slice;
  CalVolume *volume = NULL;

  if (!cal_dicom_shim_read_header (path, &header, error))
    goto out;
  if (header.problem != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&header.problem));
      goto out;
    }
  if (!cal_dicom_header_check (&header, error))
    goto out;

  g_mutex_init (&stack.lock);
  slice = (Slice) { &header, 0, 0, 0 };
  stack.slices = &slice;
  stack.n = 1;
  stack.rows = header.rows;
  stack.cols = header.columns;
  stack.sy = header.has_pixel_spacing ? header.pixel_spacing[0] : 1.0;
  stack.sx = header.has_pixel_spacing ? header.pixel_spacing[1] : 1.0;
  stack.dz = header.slice_thickness > 0 ? header.slice_thickness : 1.0;
  stack.to_int16 = rescale_is_integral (&stack);
  if (header.has_orientation)
    {
      memcpy (stack.row, header.orientation, sizeof stack.row);
      memcpy (stack.col, header.orientation + 3, sizeof stack.col);
    }
  else
    {
      stack.row[0] = 1;
      stack.col[1] = 1;
    }
  cal_vec3_cross (stack.row, stack.col, stack.normal);
  volume = assemble (&stack, error);
  g_mutex_clear (&stack.lock);

out:
  cal_dicom_header_clear (&header);
  return volume;
}
