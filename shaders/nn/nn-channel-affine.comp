// SPDX-License-Identifier: GPL-3.0-or-later
// y = x × a + b with one (a, b) per channel, or per (batch, channel):
// BatchNormalization (constants folded on the host) and the second pass of
// InstanceNormalization (a, b from nn-instance-stats).  Activation fused.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, ab, y, slope;
  uint  inner, channels;
  uint  per_batch;       // 1: ab holds batch × channels pairs
  uint  act;
  float act_a, act_b;
  uint  slope_count;
} pc;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uint nc = idx / pc.inner, channel = nc % pc.channels;
  uint pair = pc.per_batch != 0u ? nc : channel;
  Floats AB = Floats (pc.ab);
  float v = LD (Acts (pc.x), idx) * AB.v[2u * pair] + AB.v[2u * pair + 1u];
  ST (Acts (pc.y), idx, activate (v, pc.act, pc.act_a, pc.act_b, pc.slope, pc.slope_count, channel));
}
