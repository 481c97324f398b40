// SPDX-License-Identifier: GPL-3.0-or-later
// Softmax along one axis (or, before opset 13, over all axes from it on):
// one invocation per line of `len` values `inner` apart; max subtracted
// for range.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;    // count: outer × inner lines
  uvec2 x, y;
  uint  len, inner;
} pc;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uint outer = idx / pc.inner, in_line = idx % pc.inner;
  uint base = outer * pc.len * pc.inner + in_line;
  Acts X = Acts (pc.x), Y = Acts (pc.y);
  float top = -3.402823466e38;
  for (uint k = 0u; k < pc.len; k++)
    top = max (top, LD (X, base + k * pc.inner));
  float sum = 0.0;
  for (uint k = 0u; k < pc.len; k++)
    sum += exp (LD (X, base + k * pc.inner) - top);
  for (uint k = 0u; k < pc.len; k++)
    ST (Y, base + k * pc.inner, exp (LD (X, base + k * pc.inner) - top) / sum);
}
