// SPDX-License-Identifier: GPL-3.0-or-later
// Resize / Upsample of the spatial axes (batch and channels kept), nearest
// or linear, with the ONNX coordinate modes.  Source positions per axis
// are precomputed on the host: for each output coordinate, the lower and
// upper input index and the weight of the upper one, in a table.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Taps { uvec2 v[]; };

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, y, taps;      // taps: (lower | upper << 16, weight bits) per output coordinate, z then y then x
  uint  in_d, in_h, in_w, out_d, out_h, out_w;
} pc;

void tap (uint at, out uint lo, out uint hi, out float w)
{
  uvec2 t = Taps (pc.taps).v[at];
  lo = t.x & 0xffffu;
  hi = t.x >> 16;
  w = uintBitsToFloat (t.y);
}

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uint o = idx;
  uint ox = idx % pc.out_w; idx /= pc.out_w;
  uint oy = idx % pc.out_h; idx /= pc.out_h;
  uint oz = idx % pc.out_d; idx /= pc.out_d;
  uint z0, z1, y0, y1, x0, x1;
  float wz, wy, wx;
  tap (oz, z0, z1, wz);
  tap (pc.out_d + oy, y0, y1, wy);
  tap (pc.out_d + pc.out_h + ox, x0, x1, wx);
  Acts X = Acts (pc.x);
  uint plane = idx * pc.in_d;
  uint r00 = ((plane + z0) * pc.in_h + y0) * pc.in_w, r01 = ((plane + z0) * pc.in_h + y1) * pc.in_w;
  uint r10 = ((plane + z1) * pc.in_h + y0) * pc.in_w, r11 = ((plane + z1) * pc.in_h + y1) * pc.in_w;
  float a = mix (LD (X, r00 + x0), LD (X, r00 + x1), wx), b = mix (LD (X, r01 + x0), LD (X, r01 + x1), wx);
  float c = mix (LD (X, r10 + x0), LD (X, r10 + x1), wx), e = mix (LD (X, r11 + x0), LD (X, r11 + x1), wx);
  ST (Acts (pc.y), o, mix (mix (a, b, wy), mix (c, e, wy), wz));
}
