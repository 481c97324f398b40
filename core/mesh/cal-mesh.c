/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh.h"

#include <math.h>
#include <string.h>

#include "cal-grid.h"

struct _CalMesh
{
  GObject   parent_instance;

  /* owned */
  float    *vertices;     /* 3 * n_vertices, patient mm in `space` */
  guint32  *triangles;    /* 3 * n_triangles */
  float    *scalars;      /* n_vertices or NULL */
  guint32   n_vertices;
  guint32   n_triangles;
  CalSpace  space;
};

G_DEFINE_FINAL_TYPE (CalMesh, cal_mesh, G_TYPE_OBJECT)

const char *
cal_space_to_string (CalSpace space)
{
  return space == CAL_SPACE_RAS ? "RAS" : "LPS";
}

static void
cal_mesh_finalize (GObject *object)
{
  CalMesh *self = CAL_MESH (object);

  g_free (self->vertices);
  g_free (self->triangles);
  g_free (self->scalars);
  G_OBJECT_CLASS (cal_mesh_parent_class)->finalize (object);
}

static void
cal_mesh_class_init (CalMeshClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cal_mesh_finalize;
}

static void
cal_mesh_init (CalMesh *self)
{
}

/**
 * cal_mesh_new_take:
 * @vertices: (transfer full): 3 * n_vertices floats from g_malloc
 * @triangles: (transfer full): 3 * n_triangles indices from g_malloc
 */
CalMesh *
cal_mesh_new_take (float    *vertices,
                   guint32   n_vertices,
                   guint32  *triangles,
                   guint32   n_triangles,
                   CalSpace  space)
{
  CalMesh *self = g_object_new (CAL_TYPE_MESH, NULL);

  self->vertices = vertices;
  self->triangles = triangles;
  self->n_vertices = n_vertices;
  self->n_triangles = n_triangles;
  self->space = space;
  return self;
}

CalMesh *
cal_mesh_copy (CalMesh *self)
{
  CalMesh *copy;

  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  copy = cal_mesh_new_take (g_memdup2 (self->vertices, sizeof (float) * 3 * self->n_vertices),
                            self->n_vertices,
                            g_memdup2 (self->triangles, sizeof (guint32) * 3 * self->n_triangles),
                            self->n_triangles, self->space);
  if (self->scalars != NULL)
    copy->scalars = g_memdup2 (self->scalars, sizeof (float) * self->n_vertices);
  return copy;
}

guint32
cal_mesh_get_n_vertices (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), 0);
  return self->n_vertices;
}

guint32
cal_mesh_get_n_triangles (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), 0);
  return self->n_triangles;
}

const float *
cal_mesh_get_vertices (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  return self->vertices;
}

float *
cal_mesh_get_vertices_mutable (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  return self->vertices;
}

const guint32 *
cal_mesh_get_triangles (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  return self->triangles;
}

CalSpace
cal_mesh_get_space (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), CAL_SPACE_LPS);
  return self->space;
}

/* LPS <-> RAS negates x and y: a rotation by 180° about z, so windings and
 * normals stay outward. */
void
cal_mesh_set_space (CalMesh  *self,
                    CalSpace  space)
{
  g_return_if_fail (CAL_IS_MESH (self));
  if (space == self->space)
    return;
  for (guint32 v = 0; v < self->n_vertices; v++)
    {
      self->vertices[3 * v] = -self->vertices[3 * v];
      self->vertices[3 * v + 1] = -self->vertices[3 * v + 1];
    }
  self->space = space;
}

const float *
cal_mesh_get_scalars (CalMesh *self)
{
  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  return self->scalars;
}

void
cal_mesh_set_scalars_take (CalMesh *self,
                           float   *scalars)
{
  g_return_if_fail (CAL_IS_MESH (self));
  g_free (self->scalars);
  self->scalars = scalars;
}

static void
load_vertex (CalMesh *self,
             guint32  v,
             double   p[3])
{
  for (int a = 0; a < 3; a++)
    p[a] = self->vertices[3 * v + a];
}

void
cal_mesh_triangle_normal (CalMesh *self,
                          guint32  triangle,
                          double   normal[3])
{
  const guint32 *t = self->triangles + 3 * (gsize) triangle;

  cal_triangle_normal (self->vertices + 3 * (gsize) t[0], self->vertices + 3 * (gsize) t[1],
                       self->vertices + 3 * (gsize) t[2], normal);
}

void
cal_mesh_bounds (CalMesh *self,
                 double   min[3],
                 double   max[3])
{
  for (int a = 0; a < 3; a++)
    {
      min[a] = self->n_vertices ? INFINITY : 0;
      max[a] = self->n_vertices ? -INFINITY : 0;
    }
  for (guint32 v = 0; v < self->n_vertices; v++)
    for (int a = 0; a < 3; a++)
      {
        min[a] = MIN (min[a], self->vertices[3 * v + a]);
        max[a] = MAX (max[a], self->vertices[3 * v + a]);
      }
}

/* Sums of signed tetrahedra against the bounding-box centre (not the
 * origin: patient coordinates can be hundreds of mm away from it, which
 * would cost digits), one sum per component (all in one when component is
 * NULL).  Positive for an outward-wound closed surface. */
static void
signed_volumes (CalMesh        *self,
                const guint32  *component,
                double         *volumes)
{
  double min[3], max[3], o[3];

  cal_mesh_bounds (self, min, max);
  for (int a = 0; a < 3; a++)
    o[a] = (min[a] + max[a]) / 2;
  for (guint32 t = 0; t < self->n_triangles; t++)
    {
      const guint32 *tri = self->triangles + 3 * (gsize) t;
      double p[3][3];

      for (int k = 0; k < 3; k++)
        {
          load_vertex (self, tri[k], p[k]);
          for (int a = 0; a < 3; a++)
            p[k][a] -= o[a];
        }
      volumes[component != NULL ? component[t] : 0] += cal_mat3_determinant (p) / 6;
    }
}

double
cal_mesh_signed_volume (CalMesh *self)
{
  double volume = 0;

  g_return_val_if_fail (CAL_IS_MESH (self), 0);
  signed_volumes (self, NULL, &volume);
  return volume;
}

static guint32
find_root (guint32 *parent,
           guint32  v)
{
  while (parent[v] != v)
    {
      parent[v] = parent[parent[v]];   /* path halving */
      v = parent[v];
    }
  return v;
}

static void
unite (guint32 *parent,
       guint32  a,
       guint32  b)
{
  a = find_root (parent, a);
  b = find_root (parent, b);
  if (a != b)
    parent[MAX (a, b)] = MIN (a, b);
}

guint32
cal_mesh_label_components (CalMesh *self,
                           guint32 *component)
{
  g_autofree guint32 *parent = NULL;
  g_autofree guint32 *label_of_root = NULL;
  guint32 n = 0;

  g_return_val_if_fail (CAL_IS_MESH (self), 0);
  parent = g_new (guint32, MAX (self->n_vertices, 1));
  label_of_root = g_new (guint32, MAX (self->n_vertices, 1));
  for (guint32 v = 0; v < self->n_vertices; v++)
    {
      parent[v] = v;
      label_of_root[v] = G_MAXUINT32;
    }
  for (guint32 t = 0; t < self->n_triangles; t++)
    {
      const guint32 *tri = self->triangles + 3 * (gsize) t;
      unite (parent, tri[0], tri[1]);
      unite (parent, tri[0], tri[2]);
    }
  for (guint32 t = 0; t < self->n_triangles; t++)
    {
      guint32 root = find_root (parent, self->triangles[3 * (gsize) t]);
      if (label_of_root[root] == G_MAXUINT32)
        label_of_root[root] = n++;
      component[t] = label_of_root[root];
    }
  return n;
}

CalMesh *
cal_mesh_filter_triangles (CalMesh        *self,
                           const gboolean *keep)
{
  g_autofree guint32 *new_index = NULL;
  float *vertices, *scalars = NULL;
  guint32 *triangles, n_vertices = 0, n_triangles = 0;
  CalMesh *result;

  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  new_index = g_new (guint32, MAX (self->n_vertices, 1));
  memset (new_index, 0xff, sizeof (guint32) * self->n_vertices);
  for (guint32 t = 0; t < self->n_triangles; t++)
    if (keep[t])
      {
        n_triangles++;
        for (int k = 0; k < 3; k++)
          {
            guint32 v = self->triangles[3 * (gsize) t + k];
            if (new_index[v] == G_MAXUINT32)
              new_index[v] = n_vertices++;
          }
      }

  vertices = g_new (float, 3 * (gsize) MAX (n_vertices, 1));
  triangles = g_new (guint32, 3 * (gsize) MAX (n_triangles, 1));
  if (self->scalars != NULL)
    scalars = g_new (float, MAX (n_vertices, 1));
  for (guint32 v = 0; v < self->n_vertices; v++)
    if (new_index[v] != G_MAXUINT32)
      {
        memcpy (vertices + 3 * (gsize) new_index[v], self->vertices + 3 * (gsize) v,
                3 * sizeof (float));
        if (scalars != NULL)
          scalars[new_index[v]] = self->scalars[v];
      }
  n_triangles = 0;
  for (guint32 t = 0; t < self->n_triangles; t++)
    if (keep[t])
      {
        for (int k = 0; k < 3; k++)
          triangles[3 * (gsize) n_triangles + k] = new_index[self->triangles[3 * (gsize) t + k]];
        n_triangles++;
      }
  result = cal_mesh_new_take (vertices, n_vertices, triangles, n_triangles, self->space);
  result->scalars = scalars;
  return result;
}

CalMesh *
cal_mesh_keep_largest_component (CalMesh *self)
{
  g_autofree guint32 *component = NULL;
  g_autofree gboolean *keep = NULL;
  g_autofree double *volumes = NULL;
  guint32 n, best = 0;
  double best_volume = -INFINITY;

  g_return_val_if_fail (CAL_IS_MESH (self), NULL);
  component = g_new (guint32, MAX (self->n_triangles, 1));
  n = cal_mesh_label_components (self, component);
  volumes = g_new0 (double, MAX (n, 1));
  signed_volumes (self, component, volumes);
  for (guint32 c = 0; c < n; c++)
    if (volumes[c] > best_volume)
      {
        best_volume = volumes[c];
        best = c;
      }
  keep = g_new (gboolean, MAX (self->n_triangles, 1));
  for (guint32 t = 0; t < self->n_triangles; t++)
    keep[t] = component[t] == best;
  return cal_mesh_filter_triangles (self, keep);
}
