# SPDX-License-Identifier: GPL-3.0-or-later
"""Atomic writes for the training tools, as Calvaria itself writes: a
temporary file beside the target, fsync, then rename, so that a crash or a
full disk leaves either the old file or the new one, never half of one."""

import os


def write_atomically(path, write):
    """Calls `write(temporary_path)` to write the content, then makes it `path`."""
    tmp = path + ".tmp"
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text_atomically(path, text):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)
    write_atomically(path, write)
