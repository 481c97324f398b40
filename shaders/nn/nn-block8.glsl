// SPDX-License-Identifier: GPL-3.0-or-later
// Eight neighbouring outputs × four channels per invocation, for the
// convolution kernels (include after the push block, which must have in_w
// and the activation fields).
// Accumulators as separate variables, not an array: lavapipe keeps arrays in
// memory, with a masked store per write.
vec4 acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7;

// Built twice: with TEXELS the inputs and weights come from uniform texel
// buffers (set 0: binding 0 the input as floats, binding 1 the weights as
// vec4), which lavapipe loads as vectors; else through buffer addresses,
// which it loads one lane at a time.
#ifdef TEXELS
layout(set = 0, binding = 0) uniform samplerBuffer input_texels;
layout(set = 0, binding = 1) uniform samplerBuffer weight_texels;
#define INPUT(X, i) texelFetch (input_texels, int (i)).x
#define WEIGHT(W, i) texelFetch (weight_texels, int (i))
#else
#define INPUT(X, i) LD (X, i)
#define WEIGHT(W, i) W.v[i]
#endif

#define FMA8(w, v0, v1, v2, v3, v4, v5, v6, v7) \
  acc0 = fma (w, vec4 (v0), acc0); acc1 = fma (w, vec4 (v1), acc1); \
  acc2 = fma (w, vec4 (v2), acc2); acc3 = fma (w, vec4 (v3), acc3); \
  acc4 = fma (w, vec4 (v4), acc4); acc5 = fma (w, vec4 (v5), acc5); \
  acc6 = fma (w, vec4 (v6), acc6); acc7 = fma (w, vec4 (v7), acc7)

float input_at (Acts X, uint row, int ix, bool edge)
{
  return !edge || (ix >= 0 && ix < int (pc.in_w)) ? INPUT (X, row + uint (max (ix, 0))) : 0.0;
}

// One weight vector times the inputs i, i + step, … i + 7 step of a row.
void fma_strided (Acts X, uint row, vec4 w, int i, int step, bool edge)
{
  FMA8 (w, input_at (X, row, i, edge), input_at (X, row, i + step, edge),
        input_at (X, row, i + 2 * step, edge), input_at (X, row, i + 3 * step, edge),
        input_at (X, row, i + 4 * step, edge), input_at (X, row, i + 5 * step, edge),
        input_at (X, row, i + 6 * step, edge), input_at (X, row, i + 7 * step, edge));
}

void block_init (vec4 bias)
{
  acc0 = bias; acc1 = bias; acc2 = bias; acc3 = bias; acc4 = bias; acc5 = bias; acc6 = bias; acc7 = bias;
}

// Output p of the block in its channel j, with the fused activation.
float block_output (uint p, uint j, uint channel)
{
  vec4 r = p < 4u ? vec4 (acc0[j], acc1[j], acc2[j], acc3[j]) : vec4 (acc4[j], acc5[j], acc6[j], acc7[j]);
  return activate (r[p % 4u], pc.act, pc.act_a, pc.act_b, pc.slope, pc.slope_count, channel);
}
