// SPDX-License-Identifier: GPL-3.0-or-later
// Eight neighbouring outputs × four channels per invocation, for the
// convolution kernels (include after the push block, which must have in_w).
// Accumulators as separate variables, not an array: lavapipe keeps arrays in
// memory, with a masked store per write.
vec4 acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7;

#define FMA8(w, v0, v1, v2, v3, v4, v5, v6, v7) \
  acc0 = fma (w, vec4 (v0), acc0); acc1 = fma (w, vec4 (v1), acc1); \
  acc2 = fma (w, vec4 (v2), acc2); acc3 = fma (w, vec4 (v3), acc3); \
  acc4 = fma (w, vec4 (v4), acc4); acc5 = fma (w, vec4 (v5), acc5); \
  acc6 = fma (w, vec4 (v6), acc6); acc7 = fma (w, vec4 (v7), acc7)

float input_at (Floats X, uint row, int ix, bool edge)
{
  return !edge || (ix >= 0 && ix < int (pc.in_w)) ? X.v[row + uint (max (ix, 0))] : 0.0;
}
