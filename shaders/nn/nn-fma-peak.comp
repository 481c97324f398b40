// SPDX-License-Identifier: GPL-3.0-or-later
// The device's FMA roofline (tools/bench/unet): 16 independent chains of
// multiply-adds per invocation, nothing read from memory inside the loop,
// so the arithmetic units are the only limit.  One result per invocation
// is written so the compiler cannot drop the work.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "nn-common.glsl"

layout(push_constant) uniform Push {
  uint  first, count;
  uvec2 y;
  uint  iterations;
  float seed;
} pc;

// Eight multiply-adds per chain per loop iteration: on lavapipe every loop
// iteration costs a mask update per invocation, which an unrolled body
// hides; longer bodies are not unrolled by the compiler, and lose.  The host
// rounds iterations to a multiple.
const uint UNROLL = 8u;

void main ()
{
  uint idx = invocation_index () + pc.first;
  if (idx >= pc.count)
    return;
  vec4 a = vec4 (float (idx) * 1e-9 + pc.seed), b = a + 0.25, c = a + 0.5, d = a + 0.75;
  const vec4 m = vec4 (0.999999), k = vec4 (1e-7);
  for (uint i = 0u; i < pc.iterations; i += UNROLL)
    {
      for (uint u = 0u; u < UNROLL; u++)
        {
          a = fma (a, m, k);
          b = fma (b, m, k);
          c = fma (c, m, k);
          d = fma (d, m, k);
        }
    }
  vec4 r = a + b + c + d;
  Floats (pc.y).v[idx] = r.x + r.y + r.z + r.w;
}
