// SPDX-License-Identifier: GPL-3.0-or-later
// A standalone activation (Relu, LeakyRelu, Sigmoid, Clip), where no
// producing operator could take it.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, y;
  uint  act;
  float act_a, act_b;
} pc;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  ST (Acts (pc.y), idx, activate (LD (Acts (pc.x), idx), pc.act, pc.act_a, pc.act_b, uvec2 (0u), 1u, 0u));
}
