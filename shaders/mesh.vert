// SPDX-License-Identifier: GPL-3.0-or-later
// The 3D view's surface: positions in LPS mm, normals to eye space.
// (The #version line is prepended at run time: GL 3.3 core or GLES 3.0.)
in vec3 position;
in vec3 normal;
uniform mat4 view;
uniform mat4 projection;
out vec3 eye_normal;
out vec3 eye_position;

void main() {
  vec4 eye = view * vec4(position, 1.0);
  eye_position = eye.xyz;
  eye_normal = mat3(view) * normal;
  gl_Position = projection * eye;
}
