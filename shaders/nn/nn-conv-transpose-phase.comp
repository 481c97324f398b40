// SPDX-License-Identifier: GPL-3.0-or-later
// Transposed convolution with unit dilation and no negative padding (every
// PyTorch and MONAI up-sampler), split by output phase.  Along an axis of
// stride s, output o = s × m + r − pad takes the taps k = r, r + s, … with
// input m, m − 1, …: for a fixed phase r, XB neighbouring m read XB
// neighbouring inputs, so the blocked accumulation of the convolution applies
// (nn-block8.glsl) and no division is left in the loops.  One invocation:
// phase r along x, XB values of m, 4 output channels.  Weights packed on the
// host as vec4 over output channels: [group][channel block][c][kz][ky][kx].
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, w, b, y, slope;
  uint  in_d, in_h, in_w, out_d, out_h, out_w;
  uint  cin_g, cout_g, blocks, groups;
  uint  kernel, stride;
  int   pad[3];
  uint  m_blocks;                        // along x: blocks of XB values of m, from pad / s
  uint  act;
  float act_a, act_b;
  uint  slope_count;
} pc;

const uint XB = 8u;   // values of m per invocation (X_BLOCK on the host)

#include "nn-block8.glsl"

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uvec3 k = unpack3 (pc.kernel), s = unpack3 (pc.stride);
  uint mb = idx % pc.m_blocks; idx /= pc.m_blocks;
  uint r = idx % s.x; idx /= s.x;
  uint oy = idx % pc.out_h; idx /= pc.out_h;
  uint oz = idx % pc.out_d; idx /= pc.out_d;
  uint blk = idx % pc.blocks; idx /= pc.blocks;
  uint g = idx % pc.groups, n = idx / pc.groups;
  uint cin = pc.cin_g * pc.groups;
  Acts X = Acts (pc.x);
  Vec4s W = Vec4s (pc.w);

  vec4 bias = Vec4s (pc.b).v[g * pc.blocks + blk];
  block_init (bias);
  int m0 = int (uint (pc.pad[0]) / s.x + mb * XB);
  uint uz = oz + uint (pc.pad[2]), uy = oy + uint (pc.pad[1]);
  uint wbase = (g * pc.blocks + blk) * pc.cin_g * k.x * k.y * k.z;

  // Taps of this output's phase on each axis: k = phase + s × j reads input m − j.
  for (uint kz = uz % s.z, jz = 0u; kz < k.z; kz += s.z, jz++)
    {
      int iz = int (uz / s.z) - int (jz);
      if (iz < 0 || iz >= int (pc.in_d))
        continue;
      for (uint ky = uy % s.y, jy = 0u; ky < k.y; ky += s.y, jy++)
        {
          int iy = int (uy / s.y) - int (jy);
          if (iy < 0 || iy >= int (pc.in_h))
            continue;
          for (uint kx = r, jx = 0u; kx < k.x; kx += s.x, jx++)
            {
              int i = m0 - int (jx);
              for (uint c = 0u; c < pc.cin_g; c++)
                {
                  uint row = (((n * cin + g * pc.cin_g + c) * pc.in_d + uint (iz)) * pc.in_h + uint (iy)) * pc.in_w;
                  fma_strided (X, row, WEIGHT (W, wbase + ((c * k.z + kz) * k.y + ky) * k.x + kx), i, 1, true);
                }
            }
        }
    }

  Acts Y = Acts (pc.y);
  uint cout = pc.cout_g * pc.groups;
  int ox0 = int (s.x) * m0 + int (r) - pc.pad[0];
  for (uint j = 0u; j < 4u && blk * 4u + j < pc.cout_g; j++)
    {
      uint channel = g * pc.cout_g + blk * 4u + j;
      uint base = (((n * cout + channel) * pc.out_d + oz) * pc.out_h + oy) * pc.out_w;
      for (uint p = 0u; p < XB; p++)
        {
          int ox = ox0 + int (p * s.x);   // outputs of one phase lie s apart
          if (ox >= 0 && ox < int (pc.out_w))
            ST (Y, base + uint (ox), block_output (p, j, channel));
        }
    }
}
