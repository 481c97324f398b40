// SPDX-License-Identifier: GPL-3.0-or-later
// First pass of the exact distance transform, along x: the distance to the
// nearest surface voxel of `which` in the same row, found by one sweep each
// way in whole voxels (exact), stored squared in mm².
#version 450
#extension GL_GOOGLE_include_directive : require
#include "metrics-common.glsl"

void main ()
{
  uint t = invocation_index ();
  if (t >= pc.count)
    return;
  uint row = pc.first + t;
  uint nx = pc.dims.x, j = row % pc.dims.y, k = row / pc.dims.y, base = nx * row;
  Floats dist2 = Floats (pc.dist2);
  int last = -1;

  for (uint i = 0u; i < nx; i++)
    {
      if (on_surface (pc.which, i, j, k))
        last = int (i);
      dist2.v[base + i] = last < 0 ? FAR : float (int (i) - last);
    }
  last = -1;
  for (int i = int (nx) - 1; i >= 0; i--)
    {
      float left = dist2.v[base + uint (i)];
      if (left == 0.0)
        last = i;
      float voxels = last < 0 ? left : min (left, float (last - i));
      float mm = voxels * pc.spacing;
      dist2.v[base + uint (i)] = voxels >= FAR ? FAR : mm * mm;
    }
}
