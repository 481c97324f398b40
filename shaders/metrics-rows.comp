// SPDX-License-Identifier: GPL-3.0-or-later
// Per x-row (j, k): voxels of A, of B, of A∩B, and surface voxels of A and
// of B inside the region of interest.  The host sums rows into slices
// (per-slice DSC) and prefix-sums surface counts into output offsets.
// Columns along z that hold a surface voxel are flagged: the last
// distance-transform pass skips the others, whose distances nobody reads.
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
  uint na = 0u, nb = 0u, nab = 0u, sa = 0u, sb = 0u;

  for (uint i = 0u; i < nx; i++)
    {
      uint idx = i + nx * row;
      bool a = inside (0u, idx), b = inside (1u, idx);
      na += uint (a);
      nb += uint (b);
      nab += uint (a && b);
      if ((a || b) && in_roi (idx))
        {
          uint flags = uint (a && on_surface (0u, i, j, k)) | (uint (b && on_surface (1u, i, j, k)) << 1);
          sa += flags & 1u;
          sb += flags >> 1;
          if (flags != 0u)
            atomicOr (Uints (pc.columns).v[i + nx * j], flags);
        }
    }
  Uints counts = Uints (pc.row_counts);
  counts.v[5u * row + 0u] = na;
  counts.v[5u * row + 1u] = nb;
  counts.v[5u * row + 2u] = nab;
  counts.v[5u * row + 3u] = sa;
  counts.v[5u * row + 4u] = sb;
}
