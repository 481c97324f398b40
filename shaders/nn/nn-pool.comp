// SPDX-License-Identifier: GPL-3.0-or-later
// MaxPool and AveragePool, 1- to 3-D: one invocation per output value.
// Average divides by the taps inside the input, or with count_include_pad
// by those inside the padded input.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, y;
  uint  in_d, in_h, in_w, out_d, out_h, out_w;
  uint  kernel, stride, dilation;
  int   pad[3], pad_end[3];
  uint  is_max, count_include_pad;
} pc;

// Taps of one axis inside [lo, hi).
uint taps_inside (int start, uint k, uint d, int lo, int hi)
{
  uint n = 0u;
  for (uint t = 0u; t < k; t++)
    {
      int p = start + int (t * d);
      n += p >= lo && p < hi ? 1u : 0u;
    }
  return n;
}

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uvec3 k = unpack3 (pc.kernel), s = unpack3 (pc.stride), d = unpack3 (pc.dilation);
  uint o = idx;
  uint ox = idx % pc.out_w; idx /= pc.out_w;
  uint oy = idx % pc.out_h; idx /= pc.out_h;
  uint oz = idx % pc.out_d; idx /= pc.out_d;
  ivec3 start = ivec3 (uvec3 (ox, oy, oz) * uvec3 (s.x, s.y, s.z)) - ivec3 (pc.pad[0], pc.pad[1], pc.pad[2]);
  Acts X = Acts (pc.x);
  float acc = pc.is_max != 0u ? -3.402823466e38 : 0.0;
  uint counted = 0u;
  for (uint kz = 0u; kz < k.z; kz++)
    {
      int iz = start.z + int (kz * d.z);
      if (iz < 0 || iz >= int (pc.in_d))
        continue;
      for (uint ky = 0u; ky < k.y; ky++)
        {
          int iy = start.y + int (ky * d.y);
          if (iy < 0 || iy >= int (pc.in_h))
            continue;
          for (uint kx = 0u; kx < k.x; kx++)
            {
              int ix = start.x + int (kx * d.x);
              if (ix < 0 || ix >= int (pc.in_w))
                continue;
              float v = LD (X, ((idx * pc.in_d + uint (iz)) * pc.in_h + uint (iy)) * pc.in_w + uint (ix));
              acc = pc.is_max != 0u ? max (acc, v) : acc + v;
              counted++;
            }
        }
    }
  if (pc.is_max == 0u)
    {
      uint divisor = counted;
      if (pc.count_include_pad != 0u)
        divisor = taps_inside (start.x, k.x, d.x, -pc.pad[0], int (pc.in_w) + pc.pad_end[0]) *
                  taps_inside (start.y, k.y, d.y, -pc.pad[1], int (pc.in_h) + pc.pad_end[1]) *
                  taps_inside (start.z, k.z, d.z, -pc.pad[2], int (pc.in_d) + pc.pad_end[2]);
      acc /= float (max (divisor, 1u));
    }
  ST (Acts (pc.y), o, acc);
}
