// SPDX-License-Identifier: GPL-3.0-or-later
precision highp float;
uniform vec4 color;
out vec4 frag_color;

void main() {
  frag_color = color;
}
