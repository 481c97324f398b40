// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the network kernels: buffers by device address (tensors
// outgrow the storage-buffer range of many drivers), the workgroup size
// as specialization constant 0 (chosen on the host from device limits),
// and the activations that fuse into a producing operator.
// Every push block starts with `first, count`: the host splits long
// dispatches into chunks (compute/nn/cal-nn-engine.c).
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require

layout(local_size_x_id = 0) in;

layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) readonly buffer Vec4s { vec4 v[]; };

// Activations (tensors computed by the network, and constants that stand
// in for them): float, or with HALF, 16-bit floats in storage only; all
// arithmetic stays 32-bit.  LD and ST convert.  Weights and parameters
// stay Floats.
#ifdef HALF
#extension GL_EXT_shader_16bit_storage : require
layout(buffer_reference, std430, buffer_reference_align = 2) buffer Acts { float16_t v[]; };
#define LD(A, i) float ((A).v[i])
#define ST(A, i, x) (A).v[i] = float16_t (x)
#else
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Acts { float v[]; };
#define LD(A, i) (A).v[i]
#define ST(A, i, x) (A).v[i] = (x)
#endif

const uint ACT_NONE = 0u, ACT_RELU = 1u, ACT_LEAKY_RELU = 2u, ACT_PRELU = 3u, ACT_SIGMOID = 4u, ACT_CLIP = 5u;

uint invocation_index ()
{
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

// act: the activation; a, b: its parameters; slope: PRelu slopes (one, or
// one per channel: slope_count tells).
float activate (float v, uint act, float a, float b, uvec2 slope, uint slope_count, uint channel)
{
  if (act == ACT_RELU)
    return max (v, 0.0);
  if (act == ACT_LEAKY_RELU)
    return v >= 0.0 ? v : v * a;
  if (act == ACT_PRELU)
    return v >= 0.0 ? v : v * Floats (slope).v[slope_count == 1u ? 0u : channel];
  if (act == ACT_SIGMOID)
    return 1.0 / (1.0 + exp (-v));
  if (act == ACT_CLIP)
    return min (max (v, a), b);
  return v;
}

// Unpacks three bytes (x | y << 8 | z << 16), for small per-axis values.
uvec3 unpack3 (uint packed)
{
  return uvec3 (packed & 0xffu, (packed >> 8) & 0xffu, (packed >> 16) & 0xffu);
}
