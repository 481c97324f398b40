/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-edit-tools.h"

#include <math.h>
#include <string.h>


#include "cal-edit-islands.h"
#include "cal-edit-scissors.h"
#include "cal-threshold.h"

struct _CalEditTools
{
  GObject         parent_instance;

  CalEditSession *session;
  CalEditTool     tool;
  double          radius_mm;
  gboolean        sphere;
  gboolean        limit_hu;
  double          min_hu, max_hu;

  /* the stroke being drawn */
  gboolean        painting;
  gboolean        working;        /* a whole-mask operation runs in its worker */
  CalBrush        stroke_brush;
  double          last[3];
};

G_DEFINE_FINAL_TYPE (CalEditTools, cal_edit_tools, G_TYPE_OBJECT)

enum { PROP_0, PROP_TOOL, PROP_RADIUS, PROP_SPHERE, PROP_LIMIT_HU, PROP_SESSION, N_PROPS };
enum { MASK_EDITED, EDIT_FAILED, N_SIGNALS };
static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
session_mask_changed_cb (CalEditSession *session,
                         gpointer        box,
                         CalEditTools   *self)
{
  g_signal_emit (self, signals[MASK_EDITED], 0, box);
}

static void
cal_edit_tools_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CalEditTools *self = CAL_EDIT_TOOLS (object);

  switch (prop_id)
    {
    case PROP_TOOL: g_value_set_int (value, self->tool); break;
    case PROP_RADIUS: g_value_set_double (value, self->radius_mm); break;
    case PROP_SPHERE: g_value_set_boolean (value, self->sphere); break;
    case PROP_LIMIT_HU: g_value_set_boolean (value, self->limit_hu); break;
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_edit_tools_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CalEditTools *self = CAL_EDIT_TOOLS (object);

  switch (prop_id)
    {
    case PROP_TOOL: cal_edit_tools_set_tool (self, g_value_get_int (value)); break;
    case PROP_RADIUS: cal_edit_tools_set_radius (self, g_value_get_double (value)); break;
    case PROP_SPHERE: cal_edit_tools_set_sphere (self, g_value_get_boolean (value)); break;
    case PROP_LIMIT_HU: cal_edit_tools_set_limit_hu (self, g_value_get_boolean (value)); break;
    case PROP_SESSION: cal_edit_tools_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cal_edit_tools_dispose (GObject *object)
{
  cal_edit_tools_set_session (CAL_EDIT_TOOLS (object), NULL);
  G_OBJECT_CLASS (cal_edit_tools_parent_class)->dispose (object);
}

static void
cal_edit_tools_class_init (CalEditToolsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cal_edit_tools_get_property;
  object_class->set_property = cal_edit_tools_set_property;
  object_class->dispose = cal_edit_tools_dispose;

  properties[PROP_TOOL] = g_param_spec_int ("tool", NULL, NULL, CAL_EDIT_TOOL_NAVIGATE, CAL_EDIT_TOOL_ELLIPSE,
                                            CAL_EDIT_TOOL_NAVIGATE,
                                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RADIUS] = g_param_spec_double ("radius", NULL, NULL, CAL_BRUSH_MIN_RADIUS_MM, CAL_BRUSH_MAX_RADIUS_MM,
                                                 3.0, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPHERE] = g_param_spec_boolean ("sphere", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIMIT_HU] = g_param_spec_boolean ("limit-hu", NULL, NULL, FALSE,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, CAL_TYPE_EDIT_SESSION,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MASK_EDITED] = g_signal_new ("mask-edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[EDIT_FAILED] = g_signal_new ("edit-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cal_edit_tools_init (CalEditTools *self)
{
  const CalThresholdPreset *bone = cal_threshold_preset_find ("bone");

  self->radius_mm = 3.0;
  self->min_hu = bone->min_hu;
  self->max_hu = bone->max_hu;
}

CalEditTools *
cal_edit_tools_new (void)
{
  return g_object_new (CAL_TYPE_EDIT_TOOLS, NULL);
}

CalEditSession *
cal_edit_tools_get_session (CalEditTools *self)
{
  return self->session;
}

void
cal_edit_tools_set_session (CalEditTools   *self,
                            CalEditSession *session)
{
  if (self->session == session)
    return;
  cal_edit_tools_stroke_cancel (self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect (session, "mask-changed", G_CALLBACK (session_mask_changed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

CalEditTool cal_edit_tools_get_tool (CalEditTools *self) { return self->tool; }
double cal_edit_tools_get_radius (CalEditTools *self) { return self->radius_mm; }
gboolean cal_edit_tools_get_sphere (CalEditTools *self) { return self->sphere; }
gboolean cal_edit_tools_get_limit_hu (CalEditTools *self) { return self->limit_hu; }
gboolean cal_edit_tools_is_painting (CalEditTools *self) { return self->painting; }

void
cal_edit_tools_set_tool (CalEditTools *self,
                         CalEditTool   tool)
{
  if (self->tool == tool)
    return;
  cal_edit_tools_stroke_end (self);
  self->tool = tool;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

void
cal_edit_tools_set_radius (CalEditTools *self,
                           double        radius_mm)
{
  radius_mm = CLAMP (radius_mm, CAL_BRUSH_MIN_RADIUS_MM, CAL_BRUSH_MAX_RADIUS_MM);
  if (radius_mm == self->radius_mm)
    return;
  self->radius_mm = radius_mm;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RADIUS]);
}

void
cal_edit_tools_step_radius (CalEditTools *self,
                            int           steps)
{
  static const double sizes[] = { 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50 };
  int i = 0, n = G_N_ELEMENTS (sizes);

  /* From the nearest size at or below the current one. */
  while (i + 1 < n && sizes[i + 1] <= self->radius_mm + 1e-9)
    i++;
  if (steps < 0 && sizes[i] < self->radius_mm - 1e-9)
    steps++;
  cal_edit_tools_set_radius (self, sizes[CLAMP (i + steps, 0, n - 1)]);
}

void
cal_edit_tools_set_sphere (CalEditTools *self,
                           gboolean      sphere)
{
  if (self->sphere == !!sphere)
    return;
  self->sphere = !!sphere;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPHERE]);
}

void
cal_edit_tools_set_limit_hu (CalEditTools *self,
                             gboolean      limit)
{
  if (self->limit_hu == !!limit)
    return;
  self->limit_hu = !!limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT_HU]);
}

void
cal_edit_tools_set_hu_range (CalEditTools *self,
                             double        min_hu,
                             double        max_hu)
{
  self->min_hu = MIN (min_hu, max_hu);
  self->max_hu = MAX (min_hu, max_hu);
}

void
cal_edit_tools_get_brush (CalEditTools *self,
                          int           axis,
                          CalBrush     *brush)
{
  cal_brush_init (brush);
  brush->radius_mm = self->radius_mm;
  brush->shape = self->sphere ? CAL_BRUSH_SPHERE : CAL_BRUSH_DISC;
  brush->axis = axis;
  brush->erase = self->tool == CAL_EDIT_TOOL_ERASER;
  brush->limit_hu = self->limit_hu;
  brush->min_hu = self->min_hu;
  brush->max_hu = self->max_hu;
}

/* ---- strokes ---- */

static void
paint (CalEditTools *self,
       const double  from[3],
       const double  to[3],
       double        pressure)
{
  CalEditTransaction *tx = cal_edit_session_get_transaction (self->session);
  CalBrush brush = self->stroke_brush;
  CalBox box;

  if (pressure >= 0)
    brush.radius_mm = MAX (CAL_BRUSH_MIN_RADIUS_MM, brush.radius_mm * (0.5 + 0.5 * CLAMP (pressure, 0, 1)));
  /* Redraw only what the segment covered. */
  if (cal_brush_paint_segment (&brush, tx, cal_edit_session_get_volume (self->session), from, to, &box) == 0)
    return;
  g_signal_emit (self, signals[MASK_EDITED], 0, &box);
}

gboolean
cal_edit_tools_stroke_begin (CalEditTools *self,
                             const double  ijk[3],
                             int           axis,
                             double        pressure)
{
  if (self->session == NULL || self->painting
      || (self->tool != CAL_EDIT_TOOL_BRUSH && self->tool != CAL_EDIT_TOOL_ERASER)
      || cal_edit_session_get_transaction (self->session) != NULL)
    return FALSE;
  cal_edit_tools_get_brush (self, axis, &self->stroke_brush);
  cal_edit_session_begin (self->session);
  self->painting = TRUE;
  for (int a = 0; a < 3; a++)
    self->last[a] = ijk[a];
  paint (self, ijk, ijk, pressure);
  return TRUE;
}

void
cal_edit_tools_stroke_to (CalEditTools *self,
                          const double  ijk[3],
                          double        pressure)
{
  if (!self->painting)
    return;
  /* Discs stay on the slice the stroke began on. */
  paint (self, self->last, ijk, pressure);
  for (int a = 0; a < 3; a++)
    self->last[a] = ijk[a];
}

static void
commit (CalEditTools *self,
        const char   *name,
        CalEditKind   kind)
{
  g_autoptr(GError) error = NULL;

  if (!cal_edit_session_commit (self->session, name, kind, NULL, &error))
    g_signal_emit (self, signals[EDIT_FAILED], 0, error);
}

void
cal_edit_tools_stroke_end (CalEditTools *self)
{
  g_autofree char *what = NULL;

  if (!self->painting)
    return;
  self->painting = FALSE;
  what = cal_brush_describe (&self->stroke_brush);
  commit (self, what, CAL_EDIT_KIND_STROKE);
}

void
cal_edit_tools_stroke_cancel (CalEditTools *self)
{
  if (!self->painting)
    return;
  self->painting = FALSE;
  cal_edit_session_revert (self->session);
}

typedef enum {
  OP_KEEP_PIECE,
  OP_REMOVE_PIECE,
  OP_REMOVE_SMALL,
  OP_CUT,
} OpKind;

typedef struct {
  CalEditTools *tools;
  OpKind        kind;
  char         *name;          /* the step's, English (the journal's) */
  guint32       voxel[3];      /* pieces */
  double        mm3;           /* small pieces */
  double        clip[4][4];    /* scissors */
  double        width, height;
  double       *outline;
  guint         n_points;
  gboolean      keep_inside, front_only;
} OpJob;

static void
op_job_free (OpJob *job)
{
  g_clear_object (&job->tools);
  g_free (job->outline);
  g_free (job->name);
  g_free (job);
}

/* In the worker, on the copy. */
static CalEditStep *
run_op (CalMask  *copy,
        gpointer  data)
{
  OpJob *job = data;
  g_autoptr(CalEditTransaction) tx = cal_edit_transaction_new (copy);

  switch (job->kind)
    {
    case OP_KEEP_PIECE:
      cal_edit_islands_keep_at (tx, CAL_LABEL_BONE, job->voxel);
      break;
    case OP_REMOVE_PIECE:
      cal_edit_islands_remove_at (tx, CAL_LABEL_BONE, job->voxel);
      break;
    case OP_REMOVE_SMALL:
      cal_edit_islands_remove_small (tx, CAL_LABEL_BONE, job->mm3);
      break;
    case OP_CUT:
    default:
      cal_edit_scissors (tx, 0, job->clip, job->width, job->height, job->outline, job->n_points, job->keep_inside,
                         job->front_only);
      break;
    }
  return cal_edit_transaction_commit (tx, job->name, CAL_EDIT_KIND_REGION);
}

static void
op_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  OpJob *job = data;
  CalEditTools *self = job->tools;
  g_autoptr(GError) error = NULL;
  g_autoptr(CalEditStep) step = cal_edit_session_step_finish (CAL_EDIT_SESSION (source), result, &error);

  self->working = FALSE;
  if (g_error_matches (error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING))
    {
      g_clear_error (&error);
      g_set_error (&error, CAL_EDIT_ERROR, CAL_EDIT_ERROR_NOTHING,
                   "The mask changed while “%s” was worked out: nothing was changed, try again", job->name);
    }
  if (error != NULL)
    g_signal_emit (self, signals[EDIT_FAILED], 0, error);
  op_job_free (job);
}

/* Operations that read the whole mask (a piece's flood, every piece's size,
 * the scissors) are worked out in a worker on a copy of it; the step lands
 * when the mask has not changed meanwhile.  The window never waits. */
static gboolean
start_op (CalEditTools *self,
          OpJob        *job)
{
  if (self->session == NULL || self->painting || self->working
      || cal_edit_session_get_transaction (self->session) != NULL)
    {
      op_job_free (job);
      return FALSE;
    }
  job->tools = g_object_ref (self);
  self->working = TRUE;
  cal_edit_session_step_async (self->session, NULL, 0, run_op, job, NULL, op_done_cb, job);
  return TRUE;
}

gboolean
cal_edit_tools_is_working (CalEditTools *self)
{
  return self->working;
}

gboolean
cal_edit_tools_pick_island (CalEditTools *self,
                            const double  ijk[3])
{
  const guint32 *dims;
  gboolean keep = self->tool == CAL_EDIT_TOOL_KEEP_ISLAND;
  OpJob *job;

  if (self->session == NULL
      || (self->tool != CAL_EDIT_TOOL_KEEP_ISLAND && self->tool != CAL_EDIT_TOOL_REMOVE_ISLAND))
    return FALSE;
  dims = cal_mask_get_grid (cal_edit_session_get_mask (self->session))->dims;
  job = g_new0 (OpJob, 1);
  for (int a = 0; a < 3; a++)
    {
      double r = floor (ijk[a] + 0.5);
      if (r < 0 || r >= dims[a])
        {
          op_job_free (job);
          return FALSE;
        }
      job->voxel[a] = (guint32) r;
    }
  job->kind = keep ? OP_KEEP_PIECE : OP_REMOVE_PIECE;
  /* The history names are English in the journal; the list translates them. */
  job->name = g_strdup (keep ? "Keep island" : "Remove island");
  return start_op (self, job);
}

gboolean
cal_edit_tools_remove_small (CalEditTools *self,
                             double        mm3)
{
  OpJob *job = g_new0 (OpJob, 1);

  job->kind = OP_REMOVE_SMALL;
  job->mm3 = mm3;
  job->name = g_strdup_printf ("Remove islands under %g mm³", mm3);
  return start_op (self, job);
}

gboolean
cal_edit_tools_cut (CalEditTools  *self,
                    const double   clip[4][4],
                    double         width,
                    double         height,
                    const double  *outline,
                    guint          n_points,
                    gboolean       keep_inside,
                    gboolean       front_only)
{
  OpJob *job;

  if (n_points < 3)
    return FALSE;
  job = g_new0 (OpJob, 1);
  job->kind = OP_CUT;
  memcpy (job->clip, clip, sizeof job->clip);
  job->width = width;
  job->height = height;
  job->outline = g_memdup2 (outline, sizeof (double) * 2 * n_points);
  job->n_points = n_points;
  job->keep_inside = keep_inside;
  job->front_only = front_only;
  job->name = g_strdup (keep_inside ? "Scissors, keep inside" : front_only ? "Scissors, in front" : "Scissors");
  return start_op (self, job);
}
