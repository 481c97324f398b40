// SPDX-License-Identifier: GPL-3.0-or-later
// InstanceNormalization, first pass: one workgroup per (batch, channel)
// reduces mean and variance (two passes over the values, in shared
// memory, for accuracy) and writes a = scale / sqrt(var + eps) and
// b = bias − mean × a for nn-channel-affine.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;    // count: batch × channels workgroups
  uvec2 x, scale, bias, ab;
  uint  inner, channels;
  float epsilon;
} pc;

shared float partial[1024];

float workgroup_sum (float v)
{
  uint lane = gl_LocalInvocationID.x;
  partial[lane] = v;
  barrier ();
  for (uint half_size = gl_WorkGroupSize.x / 2u; half_size > 0u; half_size /= 2u)
    {
      if (lane < half_size)
        partial[lane] += partial[lane + half_size];
      barrier ();
    }
  float total = partial[0];
  barrier ();
  return total;
}

void main ()
{
  uint nc = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x + pc.first;
  if (nc >= pc.count)
    return;
  uint lane = gl_LocalInvocationID.x, size = gl_WorkGroupSize.x;
  Acts X = Acts (pc.x);
  uint base = nc * pc.inner;
  float sum = 0.0;
  for (uint i = lane; i < pc.inner; i += size)
    sum += LD (X, base + i);
  float mean = workgroup_sum (sum) / float (pc.inner);
  float squares = 0.0;
  for (uint i = lane; i < pc.inner; i += size)
    {
      float t = LD (X, base + i) - mean;
      squares += t * t;
    }
  float variance = workgroup_sum (squares) / float (pc.inner);
  if (lane == 0u)
    {
      uint channel = nc % pc.channels;
      float a = Floats (pc.scale).v[channel] / sqrt (variance + pc.epsilon);
      Floats (pc.ab).v[2u * nc] = a;
      Floats (pc.ab).v[2u * nc + 1u] = Floats (pc.bias).v[channel] - mean * a;
    }
}
