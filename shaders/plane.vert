// SPDX-License-Identifier: GPL-3.0-or-later
// The slice planes shown in the 3D view.
in vec3 position;
uniform mat4 view;
uniform mat4 projection;

void main() {
  gl_Position = projection * view * vec4(position, 1.0);
}
