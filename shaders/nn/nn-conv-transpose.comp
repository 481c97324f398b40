// SPDX-License-Identifier: GPL-3.0-or-later
// Transposed convolution as a gather: output o takes input i wherever
// o = i × stride − pad + k × dilation.  One invocation per output value;
// weights repacked on the host to [channel][c][kz][ky][kx] per group.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, w, b, y, slope;
  uint  in_d, in_h, in_w, out_d, out_h, out_w;
  uint  cin_g, cout_g, blocks, groups;   // blocks: unused here (the shared head, CalNnWindowPush)
  uint  kernel, stride, dilation;
  int   pad[3];
  uint  act;
  float act_a, act_b;
  uint  slope_count;
} pc;

// The input index along one axis for output o and tap k, or -1.
int source (uint o, uint k, uint s, uint d, int pad, uint size)
{
  int t = int (o) + pad - int (k * d);
  if (t < 0 || t % int (s) != 0)
    return -1;
  t /= int (s);
  return t < int (size) ? t : -1;
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
  uint cout = pc.cout_g * pc.groups;
  uint channel = idx % cout, n = idx / cout;
  uint g = channel / pc.cout_g;
  Acts X = Acts (pc.x);
  Floats W = Floats (pc.w);
  float acc = Floats (pc.b).v[channel];
  uint taps = k.x * k.y * k.z;

  for (uint kz = 0u; kz < k.z; kz++)
    {
      int iz = source (oz, kz, s.z, d.z, pc.pad[2], pc.in_d);
      if (iz < 0)
        continue;
      for (uint ky = 0u; ky < k.y; ky++)
        {
          int iy = source (oy, ky, s.y, d.y, pc.pad[1], pc.in_h);
          if (iy < 0)
            continue;
          for (uint kx = 0u; kx < k.x; kx++)
            {
              int ix = source (ox, kx, s.x, d.x, pc.pad[0], pc.in_w);
              if (ix < 0)
                continue;
              uint tap = (kz * k.y + ky) * k.x + kx;
              uint xi = ((((n * pc.groups + g) * pc.cin_g) * pc.in_d + uint (iz)) * pc.in_h + uint (iy)) * pc.in_w + uint (ix);
              uint plane = pc.in_d * pc.in_h * pc.in_w;
              uint wi = channel * pc.cin_g * taps + tap;
              for (uint c = 0u; c < pc.cin_g; c++)
                acc += LD (X, xi + c * plane) * W.v[wi + c * taps];
            }
        }
    }
  ST (Acts (pc.y), o, activate (acc, pc.act, pc.act_a, pc.act_b, pc.slope, pc.slope_count, channel));
}
