// SPDX-License-Identifier: GPL-3.0-or-later
// Concat: copies one input into its slot of the output along the axis
// (one dispatch per input).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, y;
  uint  len, inner;       // this input's extent along the axis, and the size of what follows
  uint  out_len, offset;  // the output's extent, and where this input starts
} pc;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uint slab = pc.len * pc.inner;
  uint outer = idx / slab, within = idx % slab;
  ST (Acts (pc.y), (outer * pc.out_len + pc.offset) * pc.inner + within, LD (Acts (pc.x), idx));
}
