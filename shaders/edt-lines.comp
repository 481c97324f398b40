// SPDX-License-Identifier: GPL-3.0-or-later
// Second and third passes of the exact distance transform (Felzenszwalb &
// Huttenlocher): along y or z, each line's squared distances become the
// lower envelope of parabolas f(v) + ((q - v) s)².  One invocation per
// line; the envelope (v, z, f(v)) lives in scratch, interleaved by line so
// neighbouring invocations touch neighbouring words.
//
// Parabola intersections are computed relative to the two sites,
// (f(q) - f(v)) / (2 s (q - v)) + s (q + v) / 2, rather than from
// f + x², which in single precision would lose ~1e-2 mm² to cancellation
// at 250 mm from the origin.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "metrics-common.glsl"

uint slot (uint field, uint n, uint k, uint t)
{
  return ((field * n) + k) * pc.scratch_lines + t;
}

void main ()
{
  uint t = invocation_index ();
  if (t >= pc.count)
    return;
  uint line = pc.first + t;
  uint nx = pc.dims.x, ny = pc.dims.y, n, stride, base;
  float s = pc.spacing;
  Floats dist2 = Floats (pc.dist2);
  Uints scratch = Uints (pc.scratch);

  if (pc.axis == 1u)
    {
      n = ny;
      stride = nx;
      base = (line % nx) + nx * ny * (line / nx);
    }
  else
    {
      // Distances are read only at the other mask's surface voxels.
      uint queried = pc.which == 0u ? 2u : 1u;
      if ((Uints (pc.columns).v[line] & queried) == 0u)
        return;
      n = pc.dims.z;
      stride = nx * ny;
      base = line;
    }

  // Envelope: site v (field 0), start of its interval z (field 1, as
  // float bits; the first interval starts at -infinity), f(v) (field 2).
  int k = -1;
  for (uint q = 0u; q < n; q++)
    {
      float fq = dist2.v[base + q * stride];
      if (fq >= FAR)
        continue;
      float zq = -FAR;   // the first site's interval starts at -infinity
      while (k >= 0)
        {
          uint v = scratch.v[slot (0u, n, uint (k), t)];
          float fv = uintBitsToFloat (scratch.v[slot (2u, n, uint (k), t)]);
          zq = (fq - fv) / (2.0 * s * float (q - v)) + 0.5 * s * float (q + v);
          if (k == 0 || zq > uintBitsToFloat (scratch.v[slot (1u, n, uint (k), t)]))
            break;
          k--;
        }
      // Site 0's interval starts at -infinity, so the loop stops there.
      k++;
      scratch.v[slot (0u, n, uint (k), t)] = q;
      scratch.v[slot (1u, n, uint (k), t)] = floatBitsToUint (zq);
      scratch.v[slot (2u, n, uint (k), t)] = floatBitsToUint (fq);
    }
  if (k < 0)
    return;   // no finite value on this line: it stays far

  int top = k;
  k = 0;
  for (uint q = 0u; q < n; q++)
    {
      float xq = float (q) * s;
      while (k < top && uintBitsToFloat (scratch.v[slot (1u, n, uint (k + 1), t)]) < xq)
        k++;
      uint v = scratch.v[slot (0u, n, uint (k), t)];
      float dx = float (int (q) - int (v)) * s;
      dist2.v[base + q * stride] = dx * dx + uintBitsToFloat (scratch.v[slot (2u, n, uint (k), t)]);
    }
}
