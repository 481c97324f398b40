// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the surface-metric kernels: one push constant block for all of
// them (compute/cal-gpu-metrics.c mirrors it).
// Masks arrive as bytes packed four to a uint (no 8-bit storage needed).

layout(local_size_x = 64) in;

#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require

// Volumes outgrow the storage-buffer range of many drivers (128 MiB on
// lavapipe), so kernels reach their buffers by device address.
layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Words { uint v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Uints { uint v[]; };

layout(push_constant) uniform Push {
  uvec4 dims;          // nx, ny, nz, 1 if a region of interest is given
  uint  first;         // first row (or line) of this dispatch
  uint  count;         // rows (or lines) in this dispatch
  uint  axis;          // edt-lines: 1 = y, 2 = z
  uint  which;         // 0 = the reference (A), 1 = the test (B)
  float spacing;       // mm along the pass's axis
  uint  scratch_lines; // lines per dispatch in the scratch layout
  uvec2 a;             // labels of A, bytes packed four to a uint
  uvec2 b;             // labels of B
  uvec2 roi;           // region of interest (labels), or A when none
  uvec2 dist2;         // squared mm to the nearest surface voxel
  uvec2 scratch;       // parabola envelopes of edt-lines
  uvec2 row_counts;    // five counts per x-row (metrics-rows)
  uvec2 offsets;       // output offset per x-row (metrics-gather)
  uvec2 out_dist2;     // gathered squared distances, signed for A
  uvec2 out_index;     // their voxel indices
  uvec2 columns;       // per z-column (i, j): bit 0 / bit 1 = has a surface voxel of A / B in the ROI
} pc;

// Stands in for +infinity: finite squared distances stay below ~1e12 mm².
const float FAR = 1.0e30;

uint invocation_index ()
{
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

uint byte_of (uint word, uint idx)
{
  return (word >> ((idx & 3u) * 8u)) & 0xffu;
}

bool inside (uint which, uint idx)
{
  uint word = Words (which == 0u ? pc.a : pc.b).v[idx >> 2];
  return byte_of (word, idx) != 0u;
}

bool in_roi (uint idx)
{
  return pc.dims.w == 0u || byte_of (Words (pc.roi).v[idx >> 2], idx) != 0u;
}

// Foreground with a background 6-neighbour; outside the volume is background.
bool on_surface (uint which, uint i, uint j, uint k)
{
  uint nx = pc.dims.x, ny = pc.dims.y, nz = pc.dims.z, plane = nx * ny;
  uint idx = i + nx * (j + ny * k);

  if (!inside (which, idx))
    return false;
  if (i == 0u || j == 0u || k == 0u || i == nx - 1u || j == ny - 1u || k == nz - 1u)
    return true;
  return !inside (which, idx - 1u) || !inside (which, idx + 1u) ||
         !inside (which, idx - nx) || !inside (which, idx + nx) ||
         !inside (which, idx - plane) || !inside (which, idx + plane);
}
