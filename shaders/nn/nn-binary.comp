// SPDX-License-Identifier: GPL-3.0-or-later
// Add, Mul and PRelu with NumPy broadcasting: the output index is split
// into up to six coordinates, and each operand has its own strides (0
// along the axes it broadcasts).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

const uint OP_ADD = 0u, OP_MUL = 1u, OP_PRELU = 2u;

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 a, b, y;
  uint  op, rank;
  uint  dims[6];
  uint  a_strides[6];
  uint  b_strides[6];
} pc;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  uint rest = idx, ia = 0u, ib = 0u;
  for (int i = int (pc.rank) - 1; i >= 0; i--)
    {
      uint c = rest % pc.dims[i];
      rest /= pc.dims[i];
      ia += c * pc.a_strides[i];
      ib += c * pc.b_strides[i];
    }
  float va = LD (Acts (pc.a), ia), vb = LD (Acts (pc.b), ib);
  ST (Acts (pc.y), idx, pc.op == OP_ADD ? va + vb : pc.op == OP_MUL ? va * vb : (va >= 0.0 ? va : va * vb));
}
