/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* GFLOP/s of a C multiply-add loop on every core; *isa: the vectors it used. */
double cal_bench_cpu_fma_peak (const char **isa);
