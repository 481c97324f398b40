/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cal-mesh-renderer.h"

#include "cal-gl-shaders-resources.h"

#include <epoxy/gl.h>
#include <gio/gio.h>
#include <string.h>

#define SHADER_PREFIX "/org/calvaria/Calvaria/gl/"

/* Bone, slightly warm, as surgeons expect a skull to look. */
static const float bone_color[3] = { 0.93f, 0.89f, 0.80f };

typedef struct {
  gboolean visible;
  float    corners[4][3];
  float    rgba[4];
} Plane;

struct _CalMeshRenderer
{
  GLuint   mesh_program;
  GLuint   plane_program;
  GLuint   mesh_vao;
  GLuint   mesh_vbo;
  GLuint   mesh_ibo;
  GLuint   mesh_colour_vbo;
  gboolean has_colours;
  GLuint   plane_vao;
  GLuint   plane_vbo;
  GLsizei  n_indices;
  Plane    planes[3];
};

G_DEFINE_QUARK (cal-mesh-renderer-error-quark, cal_mesh_renderer_error)

static GLuint
compile_shader (GLenum       type,
                const char  *name,
                GError     **error)
{
  const char *header = epoxy_is_desktop_gl () ? "#version 330 core\n"
                                               : "#version 300 es\n";
  g_autofree char *path = g_strconcat (SHADER_PREFIX, name, NULL);
  /* Looked up in our own bundle: a static library's resource constructor
   * may be dropped by the linker. */
  g_autoptr (GBytes) body = g_resource_lookup_data (cal_gl_shaders_get_resource (), path, 0, error);
  const char *parts[2];
  GLint lengths[2], ok = 0;
  GLuint shader;

  if (!body)
    return 0;
  parts[0] = header;
  lengths[0] = (GLint) strlen (header);
  parts[1] = g_bytes_get_data (body, NULL);
  lengths[1] = (GLint) g_bytes_get_size (body);
  shader = glCreateShader (type);
  glShaderSource (shader, 2, parts, lengths);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";

      glGetShaderInfoLog (shader, sizeof log, NULL, log);
      g_set_error (error, CAL_MESH_RENDERER_ERROR, CAL_MESH_RENDERER_ERROR_SHADER,
                   "The graphics driver could not compile %s: %s", name, log);
      glDeleteShader (shader);
      return 0;
    }
  return shader;
}

static GLuint
link_program (const char  *vertex,
              const char  *fragment,
              GError     **error)
{
  GLuint vs = compile_shader (GL_VERTEX_SHADER, vertex, error), fs = 0, program;
  GLint ok = 0;

  if (vs)
    fs = compile_shader (GL_FRAGMENT_SHADER, fragment, error);
  if (!fs)
    {
      glDeleteShader (vs);
      return 0;
    }
  program = glCreateProgram ();
  glAttachShader (program, vs);
  glAttachShader (program, fs);
  glBindAttribLocation (program, 0, "position");
  glBindAttribLocation (program, 1, "normal");
  glBindAttribLocation (program, 2, "vertex_colour");
  glLinkProgram (program);
  glDeleteShader (vs);
  glDeleteShader (fs);
  glGetProgramiv (program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";

      glGetProgramInfoLog (program, sizeof log, NULL, log);
      g_set_error (error, CAL_MESH_RENDERER_ERROR, CAL_MESH_RENDERER_ERROR_SHADER,
                   "The graphics driver could not link the %s shaders: %s", vertex, log);
      glDeleteProgram (program);
      return 0;
    }
  return program;
}

/* Software drivers (llvmpipe) compile a shader for the GPU state at the
 * first draw, which takes tens of milliseconds: draw one triangle into a
 * scratch framebuffer now, while the view is being created, rather than
 * with the first real mesh. */
static void
warm_up (CalMeshRenderer *self)
{
  static const float triangle[18] = { 0, 0, 0, 0, 0, 1,  1, 0, 0, 0, 0, 1,  0, 1, 0, 0, 0, 1 };
  static const guint32 indices[3] = { 0, 1, 2 };
  static const double corners[4][3] = { { 0, 0, 0 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 1, 0 } };
  static const float rgba[4] = { 1, 1, 1, 0.5f };
  CalDisplayMesh mesh = { .vertices = (float *) triangle, .n_vertices = 3,
                          .indices = (guint32 *) indices, .n_triangles = 1 };
  CalCamera camera;
  GLint previous = 0;
  GLuint fbo, color, depth;

  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &previous);
  glGenFramebuffers (1, &fbo);
  glGenRenderbuffers (1, &color);
  glGenRenderbuffers (1, &depth);
  glBindRenderbuffer (GL_RENDERBUFFER, color);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_RGBA8, 4, 4);
  glBindRenderbuffer (GL_RENDERBUFFER, depth);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, 4, 4);
  glBindFramebuffer (GL_FRAMEBUFFER, fbo);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth);

  cal_camera_fit (&camera, corners[0], corners[2]);
  cal_mesh_renderer_set_mesh (self, &mesh);
  cal_mesh_renderer_set_plane (self, 0, TRUE, corners, rgba);
  cal_mesh_renderer_draw (self, &camera, 4, 4);
  glFinish ();
  cal_mesh_renderer_set_mesh (self, NULL);
  cal_mesh_renderer_set_plane (self, 0, FALSE, NULL, NULL);

  glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) previous);
  glDeleteFramebuffers (1, &fbo);
  glDeleteRenderbuffers (1, &color);
  glDeleteRenderbuffers (1, &depth);
}

CalMeshRenderer *
cal_mesh_renderer_new (GError **error)
{
  g_autoptr (CalMeshRenderer) self = g_new0 (CalMeshRenderer, 1);

  self->mesh_program = link_program ("mesh.vert", "mesh.frag", error);
  if (!self->mesh_program)
    return NULL;
  self->plane_program = link_program ("plane.vert", "plane.frag", error);
  if (!self->plane_program)
    return NULL;

  glGenVertexArrays (1, &self->mesh_vao);
  glGenBuffers (1, &self->mesh_vbo);
  glGenBuffers (1, &self->mesh_ibo);
  glGenBuffers (1, &self->mesh_colour_vbo);
  glBindVertexArray (self->mesh_vao);
  glBindBuffer (GL_ARRAY_BUFFER, self->mesh_vbo);
  glBindBuffer (GL_ELEMENT_ARRAY_BUFFER, self->mesh_ibo);
  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 3, GL_FLOAT, GL_FALSE, 6 * sizeof (float), (void *) 0);
  glEnableVertexAttribArray (1);
  glVertexAttribPointer (1, 3, GL_FLOAT, GL_FALSE, 6 * sizeof (float),
                         (void *) (3 * sizeof (float)));

  glGenVertexArrays (1, &self->plane_vao);
  glGenBuffers (1, &self->plane_vbo);
  glBindVertexArray (self->plane_vao);
  glBindBuffer (GL_ARRAY_BUFFER, self->plane_vbo);
  glBufferData (GL_ARRAY_BUFFER, 12 * sizeof (float), NULL, GL_DYNAMIC_DRAW);
  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 3, GL_FLOAT, GL_FALSE, 3 * sizeof (float), (void *) 0);
  glBindVertexArray (0);
  warm_up (self);
  return g_steal_pointer (&self);
}

void
cal_mesh_renderer_free (CalMeshRenderer *self)
{
  if (self == NULL)
    return;
  if (self->mesh_vao)
    {
      glDeleteBuffers (1, &self->mesh_vbo);
      glDeleteBuffers (1, &self->mesh_ibo);
      glDeleteBuffers (1, &self->mesh_colour_vbo);
      glDeleteBuffers (1, &self->plane_vbo);
      glDeleteVertexArrays (1, &self->mesh_vao);
      glDeleteVertexArrays (1, &self->plane_vao);
    }
  if (self->mesh_program)
    glDeleteProgram (self->mesh_program);
  if (self->plane_program)
    glDeleteProgram (self->plane_program);
  g_free (self);
}

void
cal_mesh_renderer_set_mesh (CalMeshRenderer      *self,
                            const CalDisplayMesh *mesh)
{
  g_return_if_fail (self != NULL);

  glBindVertexArray (self->mesh_vao);
  glBindBuffer (GL_ARRAY_BUFFER, self->mesh_vbo);
  glBufferData (GL_ARRAY_BUFFER,
                mesh ? (GLsizeiptr) (6 * sizeof (float) * (gsize) mesh->n_vertices) : 0,
                mesh ? mesh->vertices : NULL, GL_STATIC_DRAW);
  glBufferData (GL_ELEMENT_ARRAY_BUFFER,
                mesh ? (GLsizeiptr) (3 * sizeof (guint32) * (gsize) mesh->n_triangles) : 0,
                mesh ? mesh->indices : NULL, GL_STATIC_DRAW);
  self->has_colours = mesh != NULL && mesh->colours != NULL;
  glBindBuffer (GL_ARRAY_BUFFER, self->mesh_colour_vbo);
  glBufferData (GL_ARRAY_BUFFER,
                self->has_colours ? (GLsizeiptr) (3 * sizeof (float) * (gsize) mesh->n_vertices) : 0,
                self->has_colours ? mesh->colours : NULL, GL_STATIC_DRAW);
  if (self->has_colours)
    {
      glEnableVertexAttribArray (2);
      glVertexAttribPointer (2, 3, GL_FLOAT, GL_FALSE, 3 * sizeof (float), (void *) 0);
    }
  else
    glDisableVertexAttribArray (2);
  glBindVertexArray (0);
  self->n_indices = mesh ? (GLsizei) (3 * mesh->n_triangles) : 0;
}

void
cal_mesh_renderer_set_plane (CalMeshRenderer *self,
                             guint            index,
                             gboolean         visible,
                             const double     corners[4][3],
                             const float      rgba[4])
{
  Plane *plane;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < G_N_ELEMENTS (self->planes));

  plane = &self->planes[index];
  plane->visible = visible;
  if (!visible)
    return;
  for (int c = 0; c < 4; c++)
    for (int a = 0; a < 3; a++)
      plane->corners[c][a] = (float) corners[c][a];
  memcpy (plane->rgba, rgba, sizeof plane->rgba);
}

static void
set_camera_uniforms (GLuint           program,
                     const CalCamera *camera,
                     int              width,
                     int              height)
{
  float view[16], projection[16];

  cal_camera_view (camera, view);
  cal_camera_projection (camera, (double) width / MAX (height, 1), projection);
  glUniformMatrix4fv (glGetUniformLocation (program, "view"), 1, GL_FALSE, view);
  glUniformMatrix4fv (glGetUniformLocation (program, "projection"), 1, GL_FALSE, projection);
}

static void
draw_planes (CalMeshRenderer *self,
             const CalCamera *camera,
             int              width,
             int              height)
{
  /* Translucent and drawn last, without writing depth, so the bone shows
   * through them and they never hide each other. */
  glUseProgram (self->plane_program);
  set_camera_uniforms (self->plane_program, camera, width, height);
  glEnable (GL_BLEND);
  glBlendFunc (GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  glDepthMask (GL_FALSE);
  glBindVertexArray (self->plane_vao);
  glBindBuffer (GL_ARRAY_BUFFER, self->plane_vbo);
  for (guint i = 0; i < G_N_ELEMENTS (self->planes); i++)
    {
      const Plane *plane = &self->planes[i];

      if (!plane->visible)
        continue;
      glBufferSubData (GL_ARRAY_BUFFER, 0, sizeof plane->corners, plane->corners);
      glUniform4fv (glGetUniformLocation (self->plane_program, "color"), 1, plane->rgba);
      glDrawArrays (GL_TRIANGLE_FAN, 0, 4);
    }
  glDepthMask (GL_TRUE);
  glDisable (GL_BLEND);
}

void
cal_mesh_renderer_draw (CalMeshRenderer *self,
                        const CalCamera *camera,
                        int              width,
                        int              height)
{
  g_return_if_fail (self != NULL);

  glViewport (0, 0, width, height);
  glClearColor (0.14f, 0.15f, 0.17f, 1);
  glClearDepthf (1);
  glClear (GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  glEnable (GL_DEPTH_TEST);
  glDepthFunc (GL_LEQUAL);

  if (self->n_indices > 0)
    {
      glUseProgram (self->mesh_program);
      set_camera_uniforms (self->mesh_program, camera, width, height);
      glBindVertexArray (self->mesh_vao);
      /* Without a colour map every vertex is bone: the attribute's constant. */
      if (!self->has_colours)
        glVertexAttrib3fv (2, bone_color);
      /* The surface is closed and wound outward: its back faces are never
       * seen, and skipping them halves the rasterising. */
      glEnable (GL_CULL_FACE);
      glCullFace (GL_BACK);
      glDrawElements (GL_TRIANGLES, self->n_indices, GL_UNSIGNED_INT, NULL);
      glDisable (GL_CULL_FACE);
    }
  draw_planes (self, camera, width, height);
  glBindVertexArray (0);
  glUseProgram (0);
  glDisable (GL_DEPTH_TEST);
}
