/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CPU's multiply-add roofline, measured by a C loop on every core:
 * independent accumulator chains of the widest vectors the CPU has
 * (AVX-512 where present, else AVX2 with FMA), enough of them to hide the
 * FMA latency on two ports.  What the CPU executor's GFLOP/s are compared
 * against. */
#include "cpu-peak.h"

#include <glib.h>
#include <immintrin.h>

#include "cal-parallel.h"

#define CHAINS 12

/* Explicit FMA intrinsics: in ISO C mode GCC does not contract a * b + c. */
__attribute__ ((target ("avx2,fma"))) static float
chains_avx2 (guint64 iterations)
{
  __m256 acc[CHAINS], m = _mm256_set1_ps (0.999999f), add = _mm256_set1_ps (1e-7f);
  float lanes[8], sum = 0;

  for (int c = 0; c < CHAINS; c++)
    acc[c] = _mm256_set1_ps (1e-7f * (float) c);
  for (guint64 i = 0; i < iterations; i++)
    for (int c = 0; c < CHAINS; c++)
      acc[c] = _mm256_fmadd_ps (acc[c], m, add);
  for (int c = 0; c < CHAINS; c++)
    {
      _mm256_storeu_ps (lanes, acc[c]);
      for (int i = 0; i < 8; i++)
        sum += lanes[i];
    }
  return sum;
}

__attribute__ ((target ("avx512f"))) static float
chains_avx512 (guint64 iterations)
{
  __m512 acc[CHAINS], m = _mm512_set1_ps (0.999999f), add = _mm512_set1_ps (1e-7f);
  float lanes[16], sum = 0;

  for (int c = 0; c < CHAINS; c++)
    acc[c] = _mm512_set1_ps (1e-7f * (float) c);
  for (guint64 i = 0; i < iterations; i++)
    for (int c = 0; c < CHAINS; c++)
      acc[c] = _mm512_fmadd_ps (acc[c], m, add);
  for (int c = 0; c < CHAINS; c++)
    {
      _mm512_storeu_ps (lanes, acc[c]);
      for (int i = 0; i < 16; i++)
        sum += lanes[i];
    }
  return sum;
}

typedef struct {
  guint64  iterations;
  gboolean wide;
  float    sink;
} PeakJob;

static void
run_chains (guint    index,
            gpointer data)
{
  PeakJob *job = data;
  float s = job->wide ? chains_avx512 (job->iterations) : chains_avx2 (job->iterations);

  (void) index;
  job->sink += s;   /* racy on purpose and harmless: only keeps the result alive */
}

double
cal_bench_cpu_fma_peak (const char **isa)
{
  PeakJob job = { .iterations = 20000000 };
  guint threads = cal_parallel_n_threads ();
  double best = 0;

  __builtin_cpu_init ();
  job.wide = __builtin_cpu_supports ("avx512f");
  if (!job.wide && !(__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma")))
    {
      *isa = "none";
      return 0;
    }
  *isa = job.wide ? "AVX-512" : "AVX2+FMA";
  for (int rep = 0; rep < 3; rep++)   /* the best of three: the machine is shared */
    {
      gint64 start = g_get_monotonic_time ();
      double seconds;

      cal_parallel_for (threads, run_chains, &job);
      seconds = (g_get_monotonic_time () - start) / 1e6;
      best = MAX (best, 2.0 * (job.wide ? 16 : 8) * CHAINS * (double) job.iterations * threads / seconds / 1e9);
    }
  return best;
}
