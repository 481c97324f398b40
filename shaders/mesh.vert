// SPDX-License-Identifier: GPL-3.0-or-later
// The 3D view's surface: positions in LPS mm, normals to eye space.
// (The #version line is prepended at run time: GL 3.3 core or GLES 3.0.)
in vec3 position;
in vec3 normal;
in vec3 vertex_colour;    // per vertex (a colour map), or one constant: bone
uniform mat4 view;
uniform mat4 projection;
out vec3 eye_normal;
out vec3 eye_position;
out vec3 surface_colour;

void main() {
  vec4 eye = view * vec4(position, 1.0);
  eye_position = eye.xyz;
  eye_normal = mat3(view) * normal;
  surface_colour = vertex_colour;
  gl_Position = projection * eye;
}
