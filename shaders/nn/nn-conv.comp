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
// Built twice (nn-block8.glsl): nn-conv-texels reads input and weights as
// texels, and whole rows as vec4 texels where SHIFT says they line up.
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

#ifdef TEXELS
// 1 + the first input x of a block, modulo 4, where rows start on whole
// vec4 texels (width a multiple of 4) and x blocks step by 8: a block's
// inputs then come as at most four vec4 texels (binding 2) instead of
// 8 + KX - 1 floats.  0: floats.
layout(constant_id = 5) const uint SHIFT = 0u;
layout(set = 0, binding = 2) uniform samplerBuffer input_vec4;

// Input x0 + k of the 16 floats a, b, c, d that start at x0 - SHIFT + 1
// (k a constant once specialised); 0 outside the row, the padding.  No
// branch on the row's borders: lavapipe runs both sides of a branch that
// its lanes take differently.
float pick16 (vec4 a, vec4 b, vec4 c, vec4 d, int x0, uint k)
{
  uint e = SHIFT - 1u + k;
  vec4 v = e < 4u ? a : e < 8u ? b : e < 12u ? c : d;
  uint j = e % 4u;
  float f = j == 0u ? v.x : j == 1u ? v.y : j == 2u ? v.z : v.w;
  return uint (x0 + int (k)) < pc.in_w ? f : 0.0;
}
#endif

// One row of a window specialised to KX taps with unit stride and dilation
// along x: the XB + KX - 1 inputs it covers are each read once.
void row_unit (Acts X, Vec4s W, uint row, uint wi, int i, bool edge)
{
  float x0, x1, x2, x3, x4, x5, x6, x7, x8 = 0.0, x9 = 0.0, x10 = 0.0, x11 = 0.0, x12 = 0.0, x13 = 0.0;
#ifdef TEXELS
  if (SHIFT != 0u)
    {
      // Texels outside the buffer clamp to its ends (what they hold then
      // lies outside the row, and pick16() masks it off).
      const uint n = (SHIFT - 1u + XB + KX - 1u + 3u) / 4u;
      int t = (int (row) + i - int (SHIFT - 1u)) / 4;   // exact: row and i - SHIFT + 1 are multiples of 4
      int last = textureSize (input_vec4) - 1;
      vec4 a = texelFetch (input_vec4, clamp (t, 0, last)), b = texelFetch (input_vec4, clamp (t + 1, 0, last));
      vec4 c = n > 2u ? texelFetch (input_vec4, clamp (t + 2, 0, last)) : vec4 (0.0);
      vec4 d = n > 3u ? texelFetch (input_vec4, clamp (t + 3, 0, last)) : vec4 (0.0);
      x0 = pick16 (a, b, c, d, i, 0u); x1 = pick16 (a, b, c, d, i, 1u);
      x2 = pick16 (a, b, c, d, i, 2u); x3 = pick16 (a, b, c, d, i, 3u);
      x4 = pick16 (a, b, c, d, i, 4u); x5 = pick16 (a, b, c, d, i, 5u);
      x6 = pick16 (a, b, c, d, i, 6u); x7 = pick16 (a, b, c, d, i, 7u);
      if (KX > 1u) x8 = pick16 (a, b, c, d, i, 8u);
      if (KX > 2u) x9 = pick16 (a, b, c, d, i, 9u);
      if (KX > 3u) x10 = pick16 (a, b, c, d, i, 10u);
      if (KX > 4u) x11 = pick16 (a, b, c, d, i, 11u);
      if (KX > 5u) x12 = pick16 (a, b, c, d, i, 12u);
      if (KX > 6u) x13 = pick16 (a, b, c, d, i, 13u);
    }
  else
#endif
    {
      x0 = input_at (X, row, i, edge); x1 = input_at (X, row, i + 1, edge);
      x2 = input_at (X, row, i + 2, edge); x3 = input_at (X, row, i + 3, edge);
      x4 = input_at (X, row, i + 4, edge); x5 = input_at (X, row, i + 5, edge);
      x6 = input_at (X, row, i + 6, edge); x7 = input_at (X, row, i + 7, edge);
      if (KX > 1u) x8 = input_at (X, row, i + 8, edge);
      if (KX > 2u) x9 = input_at (X, row, i + 9, edge);
      if (KX > 3u) x10 = input_at (X, row, i + 10, edge);
      if (KX > 4u) x11 = input_at (X, row, i + 11, edge);
      if (KX > 5u) x12 = input_at (X, row, i + 12, edge);
      if (KX > 6u) x13 = input_at (X, row, i + 13, edge);
    }

  FMA8 (WEIGHT (W, wi), x0, x1, x2, x3, x4, x5, x6, x7);
  if (KX > 1u) { FMA8 (WEIGHT (W, wi + 1u), x1, x2, x3, x4, x5, x6, x7, x8); }
  if (KX > 2u) { FMA8 (WEIGHT (W, wi + 2u), x2, x3, x4, x5, x6, x7, x8, x9); }
  if (KX > 3u) { FMA8 (WEIGHT (W, wi + 3u), x3, x4, x5, x6, x7, x8, x9, x10); }
  if (KX > 4u) { FMA8 (WEIGHT (W, wi + 4u), x4, x5, x6, x7, x8, x9, x10, x11); }
  if (KX > 5u) { FMA8 (WEIGHT (W, wi + 5u), x5, x6, x7, x8, x9, x10, x11, x12); }
  if (KX > 6u) { FMA8 (WEIGHT (W, wi + 6u), x6, x7, x8, x9, x10, x11, x12, x13); }
}

// Any other row: k.x taps, each reading its XB inputs.
void row_any (Acts X, Vec4s W, uint row, uint wi, int ix0, uint kx_taps, int sx, int dx, bool edge)
{
  for (uint kx = 0u; kx < kx_taps; kx++)
    fma_strided (X, row, WEIGHT (W, wi + kx), ix0 + int (kx) * dx, sx, edge);
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
  Acts X = Acts (pc.x);
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

  Acts Y = Acts (pc.y);
  uint cout = pc.cout_g * pc.groups;
  uint valid = min (XB, pc.out_w - xb * XB);
  for (uint j = 0u; j < 4u && blk * 4u + j < pc.cout_g; j++)
    {
      uint channel = g * pc.cout_g + blk * 4u + j;
      uint base = (((n * cout + channel) * pc.out_d + oz) * pc.out_h + oy) * pc.out_w + xb * XB;
      for (uint p = 0u; p < valid; p++)
        ST (Y, base + p, block_output (p, j, channel));
    }
}
