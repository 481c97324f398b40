/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What every fuzz target shares: libFuzzer's set-up, and a private file the
 * input is written to, since Calvaria's readers (and dcmtk) take paths.
 * One folder per process, removed at exit.  Each target defines
 * LLVMFuzzerTestOneInput only. */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *cal_fuzz_dir;

static void
cal_fuzz_cleanup (void)
{
  g_autoptr(GDir) d = cal_fuzz_dir ? g_dir_open (cal_fuzz_dir, 0, NULL) : NULL;
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (cal_fuzz_dir, name, NULL);
      g_remove (path);
    }
  if (cal_fuzz_dir)
    g_rmdir (cal_fuzz_dir);
}

/* Quiet, single-threaded (the worker pool adds nothing under a fuzzer but
 * noise), and a memory budget that keeps each run small. */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_setenv ("CALVARIA_THREADS", "1", TRUE);
  g_setenv ("CALVARIA_MEMORY_LIMIT_MB", "256", TRUE);
  cal_fuzz_dir = g_dir_make_tmp ("calvaria-fuzz-XXXXXX", NULL);
  g_assert (cal_fuzz_dir != NULL);
  atexit (cal_fuzz_cleanup);
  return 0;
}

/* Writes `size` bytes to `name` in the private folder; returns its path. */
static inline char *
cal_fuzz_write (const char    *name,
                const uint8_t *data,
                size_t         size)
{
  char *path = g_build_filename (cal_fuzz_dir, name, NULL);

  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  return path;
}
