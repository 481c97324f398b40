// SPDX-License-Identifier: GPL-3.0-or-later
// Convolution (1-, 2- or 3-D, any kernel, stride, padding, dilation and
// groups; bias and activation fused).  One invocation computes 4 output
// channels at 8 neighbouring x positions (nn-block8.glsl): 32 independent
// FMA chains, each vec4 weight load feeding 8 of them.  Weights are packed on the host as
// vec4 over output channels: [group][channel block][c][kz][ky][kx].
// Neighbouring invocations take neighbouring x blocks of one row, so a
// subgroup reads the same weights.  The window's size comes in as
// specialization constants 1-3 (x, y, z; 0: read it from the push block) so
// that its loops unroll: on lavapipe every loop iteration costs a mask
// update per invocation, which otherwise outweighs the arithmetic.
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

layout(constant_id = 1) const uint KX = 0u;
layout(constant_id = 2) const uint KY = 0u;
layout(constant_id = 3) const uint KZ = 0u;
// 1 where stride and dilation along x are 1: neighbouring outputs then
// share their inputs, and each input value is read once per row.
layout(constant_id = 4) const uint UNIT_X = 0u;

const uint XB = 8u;   // output x positions per invocation (X_BLOCK on the host)

#include "nn-block8.glsl"

// One row of a window specialised to KX taps with unit stride and dilation
// along x: the XB + KX - 1 inputs it covers are each read once.
void row_unit (Floats X, Vec4s W, uint row, uint wi, int i, bool edge)
{
  float x0 = input_at (X, row, i, edge), x1 = input_at (X, row, i + 1, edge);
  float x2 = input_at (X, row, i + 2, edge), x3 = input_at (X, row, i + 3, edge);
  float x4 = input_at (X, row, i + 4, edge), x5 = input_at (X, row, i + 5, edge);
  float x6 = input_at (X, row, i + 6, edge), x7 = input_at (X, row, i + 7, edge);
  float x8 = KX > 1u ? input_at (X, row, i + 8, edge) : 0.0;
  float x9 = KX > 2u ? input_at (X, row, i + 9, edge) : 0.0;
  float x10 = KX > 3u ? input_at (X, row, i + 10, edge) : 0.0;
  float x11 = KX > 4u ? input_at (X, row, i + 11, edge) : 0.0;
  float x12 = KX > 5u ? input_at (X, row, i + 12, edge) : 0.0;
  float x13 = KX > 6u ? input_at (X, row, i + 13, edge) : 0.0;

  FMA8 (W.v[wi], x0, x1, x2, x3, x4, x5, x6, x7);
  if (KX > 1u) { FMA8 (W.v[wi + 1u], x1, x2, x3, x4, x5, x6, x7, x8); }
  if (KX > 2u) { FMA8 (W.v[wi + 2u], x2, x3, x4, x5, x6, x7, x8, x9); }
  if (KX > 3u) { FMA8 (W.v[wi + 3u], x3, x4, x5, x6, x7, x8, x9, x10); }
  if (KX > 4u) { FMA8 (W.v[wi + 4u], x4, x5, x6, x7, x8, x9, x10, x11); }
  if (KX > 5u) { FMA8 (W.v[wi + 5u], x5, x6, x7, x8, x9, x10, x11, x12); }
  if (KX > 6u) { FMA8 (W.v[wi + 6u], x6, x7, x8, x9, x10, x11, x12, x13); }
}

// Any other row: k.x taps, each reading its XB inputs.
void row_any (Floats X, Vec4s W, uint row, uint wi, int ix0, uint kx_taps, int sx, int dx, bool edge)
{
  for (uint kx = 0u; kx < kx_taps; kx++)
    fma_strided (X, row, W.v[wi + kx], ix0 + int (kx) * dx, sx, edge);
}

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uvec3 k = unpack3 (pc.kernel), s = unpack3 (pc.stride), d = unpack3 (pc.dilation);
  k = uvec3 (KX != 0u ? KX : k.x, KY != 0u ? KY : k.y, KZ != 0u ? KZ : k.z);
  uint xblocks = (pc.out_w + XB - 1u) / XB;
  uint xb = idx % xblocks; idx /= xblocks;
  uint oy = idx % pc.out_h; idx /= pc.out_h;
  uint oz = idx % pc.out_d; idx /= pc.out_d;
  uint blk = idx % pc.blocks; idx /= pc.blocks;
  uint g = idx % pc.groups, n = idx / pc.groups;
  uint cin = pc.cin_g * pc.groups;
  Floats X = Floats (pc.x);
  Vec4s W = Vec4s (pc.w);

  vec4 bias = Vec4s (pc.b).v[g * pc.blocks + blk];
  block_init (bias);
  int ix0 = int (xb * XB * s.x) - pc.pad[0];
  uint wbase = (g * pc.blocks + blk) * pc.cin_g * k.x * k.y * k.z;
  // Blocks away from the left and right borders skip the bounds checks on x.
  bool edge = ix0 < 0 || ix0 + int ((XB - 1u) * s.x + (k.x - 1u) * d.x) >= int (pc.in_w);

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
              if (UNIT_X != 0u && KX != 0u)
                row_unit (X, W, row, wi, ix0, edge);
              else
                row_any (X, W, row, wi, ix0, k.x, int (s.x), int (d.x), edge);
            }
        }
    }

  Floats Y = Floats (pc.y);
  uint cout = pc.cout_g * pc.groups;
  uint valid = min (XB, pc.out_w - xb * XB);
  for (uint j = 0u; j < 4u && blk * 4u + j < pc.cout_g; j++)
    {
      uint channel = g * pc.cout_g + blk * 4u + j;
      uint base = (((n * cout + channel) * pc.out_d + oz) * pc.out_h + oy) * pc.out_w + xb * XB;
      for (uint p = 0u; p < valid; p++)
        Y.v[base + p] = block_output (p, j, channel);
    }
}
