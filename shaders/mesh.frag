// SPDX-License-Identifier: GPL-3.0-or-later
// A headlight: the light sits at the eye, so the side looked at is lit
// whatever the orbit.  Back faces (inside a cut skull) are shaded darker.
precision highp float;
in vec3 eye_normal;
in vec3 eye_position;
in vec3 surface_colour;
out vec4 frag_color;

void main() {
  vec3 n = normalize(eye_normal);
  vec3 to_eye = normalize(-eye_position);
  float facing = dot(n, to_eye);
  float diffuse = abs(facing);
  float specular = pow(max(facing, 0.0), 40.0);
  vec3 base = facing >= 0.0 ? surface_colour : surface_colour * 0.55;
  frag_color = vec4(base * (0.22 + 0.72 * diffuse) + vec3(0.25 * specular), 1.0);
}
