// SPDX-License-Identifier: GPL-3.0-or-later
// Per x-row: for each surface voxel of `which` inside the region of
// interest, in voxel order, the squared distance to the other surface (from
// the distance transform) and the voxel's index.  From the reference (A),
// the value is negated where the voxel lies outside the test (B): the sign
// of the surface deviation.  Offsets are the host's prefix sum of row counts.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "metrics-common.glsl"

void main ()
{
  uint t = invocation_index ();
  if (t >= pc.count)
    return;
  uint row = pc.first + t;
  uint nx = pc.dims.x, j = row % pc.dims.y, k = row / pc.dims.y;
  uint at = Uints (pc.offsets).v[row];
  Floats dist2 = Floats (pc.dist2), out_dist2 = Floats (pc.out_dist2);
  Uints out_index = Uints (pc.out_index);

  for (uint i = 0u; i < nx; i++)
    {
      uint idx = i + nx * row;
      if (!inside (pc.which, idx) || !in_roi (idx) || !on_surface (pc.which, i, j, k))
        continue;
      float d2 = dist2.v[idx];
      out_dist2.v[at] = pc.which == 0u && !inside (1u, idx) ? -d2 : d2;
      out_index.v[at] = idx;
      at++;
    }
}
