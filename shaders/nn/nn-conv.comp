// SPDX-License-Identifier: GPL-3.0-or-later
// Convolution (1-, 2- or 3-D, any kernel, stride, padding, dilation and
// groups; bias and activation fused).  One invocation computes 4 output
// channels at 4 neighbouring x positions: 16 independent FMA chains, each
// vec4 weight load feeding 4 of them.  Weights are packed on the host as
// vec4 over output channels: [group][channel block][c][kz][ky][kx].
// Neighbouring invocations take neighbouring x blocks of one row, so a
// subgroup reads the same weights.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 x, w, b, y, slope;
  uint  in_d, in_h, in_w, out_d, out_h, out_w;
  uint  cin_g, cout_g, blocks, groups;   // blocks: channel blocks of 4 per group
  uint  kernel, stride, dilation;        // packed per axis (z, y, x)
  int   pad[3];                           // padding before, per axis (z, y, x)
  uint  act;
  float act_a, act_b;
  uint  slope_count;
} pc;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uvec3 k = unpack3 (pc.kernel), s = unpack3 (pc.stride), d = unpack3 (pc.dilation);
  uint xblocks = (pc.out_w + 3u) / 4u;
  uint xb = idx % xblocks; idx /= xblocks;
  uint oy = idx % pc.out_h; idx /= pc.out_h;
  uint oz = idx % pc.out_d; idx /= pc.out_d;
  uint blk = idx % pc.blocks; idx /= pc.blocks;
  uint g = idx % pc.groups, n = idx / pc.groups;

  Floats X = Floats (pc.x);
  Vec4s W = Vec4s (pc.w);
  vec4 bias = Vec4s (pc.b).v[g * pc.blocks + blk];
  vec4 acc0 = bias, acc1 = bias, acc2 = bias, acc3 = bias;
  int ix0 = int (xb * 4u * s.x) - pc.pad[0];
  int sx = int (s.x);
  bool interior = ix0 >= 0 && ix0 + 3 * sx + int ((k.x - 1u) * d.x) < int (pc.in_w);
  uint cin = pc.cin_g * pc.groups;
  uint taps = k.x * k.y * k.z;
  uint wbase = (g * pc.blocks + blk) * pc.cin_g * taps;

  for (uint c = 0u; c < pc.cin_g; c++)
    {
      uint plane = (n * cin + g * pc.cin_g + c) * pc.in_d;
      for (uint kz = 0u; kz < k.z; kz++)
        {
          int iz = int (oz * s.z + kz * d.z) - pc.pad[2];
          if (iz < 0 || iz >= int (pc.in_d))
            continue;
          for (uint ky = 0u; ky < k.y; ky++)
            {
              int iy = int (oy * s.y + ky * d.y) - pc.pad[1];
              if (iy < 0 || iy >= int (pc.in_h))
                continue;
              uint row = ((plane + uint (iz)) * pc.in_h + uint (iy)) * pc.in_w;
              uint wi = wbase + ((c * k.z + kz) * k.y + ky) * k.x;
              if (interior)
                {
                  for (uint kx = 0u; kx < k.x; kx++)
                    {
                      uint xi = row + uint (ix0) + kx * d.x;
                      vec4 wv = W.v[wi + kx];
                      acc0 = fma (wv, vec4 (X.v[xi]), acc0);
                      acc1 = fma (wv, vec4 (X.v[xi + s.x]), acc1);
                      acc2 = fma (wv, vec4 (X.v[xi + 2u * s.x]), acc2);
                      acc3 = fma (wv, vec4 (X.v[xi + 3u * s.x]), acc3);
                    }
                }
              else
                {
                  for (uint kx = 0u; kx < k.x; kx++)
                    {
                      vec4 wv = W.v[wi + kx];
                      int ix = ix0 + int (kx * d.x);
                      float v0 = ix >= 0 && ix < int (pc.in_w) ? X.v[row + uint (ix)] : 0.0;
                      ix += sx;
                      float v1 = ix >= 0 && ix < int (pc.in_w) ? X.v[row + uint (ix)] : 0.0;
                      ix += sx;
                      float v2 = ix >= 0 && ix < int (pc.in_w) ? X.v[row + uint (ix)] : 0.0;
                      ix += sx;
                      float v3 = ix >= 0 && ix < int (pc.in_w) ? X.v[row + uint (ix)] : 0.0;
                      acc0 = fma (wv, vec4 (v0), acc0);
                      acc1 = fma (wv, vec4 (v1), acc1);
                      acc2 = fma (wv, vec4 (v2), acc2);
                      acc3 = fma (wv, vec4 (v3), acc3);
                    }
                }
            }
        }
    }

  Floats Y = Floats (pc.y);
  uint cout = pc.cout_g * pc.groups;
  for (uint j = 0u; j < 4u; j++)
    {
      uint m = blk * 4u + j;
      if (m >= pc.cout_g)
        break;
      uint channel = g * pc.cout_g + m;
      uint base = (((n * cout + channel) * pc.out_d + oz) * pc.out_h + oy) * pc.out_w + xb * 4u;
      vec4 r = vec4 (acc0[j], acc1[j], acc2[j], acc3[j]);
      for (uint p = 0u; p < 4u && xb * 4u + p < pc.out_w; p++)
        Y.v[base + p] = activate (r[p], pc.act, pc.act_a, pc.act_b, pc.slope, pc.slope_count, channel);
    }
}
