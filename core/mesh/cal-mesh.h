/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <math.h>

#include <glib-object.h>

G_BEGIN_DECLS

/* Patient coordinate systems a mesh can be written in.  LPS is DICOM's
 * (x to the patient's left, y posterior, z superior); RAS is NIfTI's and
 * 3D Slicer's (x to the right, y anterior): x and y change sign. */
typedef enum {
  CAL_SPACE_LPS,
  CAL_SPACE_RAS,
} CalSpace;

const char *cal_space_to_string (CalSpace space);

#define CAL_TYPE_MESH (cal_mesh_get_type ())
G_DECLARE_FINAL_TYPE (CalMesh, cal_mesh, CAL, MESH, GObject)

/*
 * CalMesh: a triangle mesh in patient millimetres.  Vertices are float32
 * triples (what STL stores), triangles are vertex index triples wound
 * counter-clockwise seen from outside, so normals point out of the solid.
 * An optional per-vertex scalar carries e.g. signed surface deviation.
 */
CalMesh       *cal_mesh_new_take           (float         *vertices,
                                            guint32        n_vertices,
                                            guint32       *triangles,
                                            guint32        n_triangles,
                                            CalSpace       space);
CalMesh       *cal_mesh_copy               (CalMesh       *self);
guint32        cal_mesh_get_n_vertices     (CalMesh       *self);
guint32        cal_mesh_get_n_triangles    (CalMesh       *self);
const float   *cal_mesh_get_vertices       (CalMesh       *self);
float         *cal_mesh_get_vertices_mutable (CalMesh     *self);
const guint32 *cal_mesh_get_triangles      (CalMesh       *self);
CalSpace       cal_mesh_get_space          (CalMesh       *self);
void           cal_mesh_set_space          (CalMesh       *self,
                                            CalSpace       space);
const float   *cal_mesh_get_scalars        (CalMesh       *self);
void           cal_mesh_set_scalars_take   (CalMesh       *self,
                                            float         *scalars);

/* Unit normal of triangle a, b, c by the right-hand rule; zero when it
 * is degenerate. */
static inline void
cal_triangle_normal (const float *a,
                     const float *b,
                     const float *c,
                     double       normal[3])
{
  double u[3], w[3], len;

  for (int i = 0; i < 3; i++)
    {
      u[i] = (double) b[i] - a[i];
      w[i] = (double) c[i] - a[i];
    }
  normal[0] = u[1] * w[2] - u[2] * w[1];
  normal[1] = u[2] * w[0] - u[0] * w[2];
  normal[2] = u[0] * w[1] - u[1] * w[0];
  len = sqrt (normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
  for (int i = 0; i < 3; i++)
    normal[i] = len > 0 ? normal[i] / len : 0;
}

void           cal_mesh_triangle_normal    (CalMesh       *self,
                                            guint32        triangle,
                                            double         normal[3]);
double         cal_mesh_signed_volume      (CalMesh       *self);
void           cal_mesh_bounds             (CalMesh       *self,
                                            double         min[3],
                                            double         max[3]);

/* Connected components (triangles sharing a vertex).  Fills
 * component[n_triangles] and returns the number of components. */
guint32        cal_mesh_label_components   (CalMesh       *self,
                                            guint32       *component);
/* A new mesh with only the component of the largest enclosed volume (its
 * unused vertices dropped).  Walls of cavities inside the solid are
 * components of their own and are dropped with the rest: use the mask's
 * largest component (cal-mask-ops.h) to keep them. */
CalMesh       *cal_mesh_keep_largest_component (CalMesh   *self);
/* A new mesh with the triangles whose keep[] is TRUE, unused vertices
 * dropped, order kept. */
CalMesh       *cal_mesh_filter_triangles   (CalMesh       *self,
                                            const gboolean *keep);

G_END_DECLS
