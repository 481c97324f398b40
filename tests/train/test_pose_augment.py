#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/train/skull_data.py's pose augmentation (issue 29): the crops a
sampler with pose > 0 draws are turned by all eight in-plane symmetries,
the labels always turned with the slices; pose = 0 never turns a crop and
draws no random number for it (the shipped model's training command
keeps its crops).  A phantom made of a numbered grid, so every turn can be
recognised.  TAP output."""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402


class GridPhantom:
    """A 5-slice CT whose voxels count up (distinct in every turn) and a
    'bone' label on an asymmetric L shape."""
    def __init__(self):
        z, n = 5, 16
        self.ct = (np.arange(z * n * n, dtype=np.int16).reshape(z, n, n) - 600)
        self.bone = np.zeros((z, n, n), np.uint8)
        self.bone[:, 2:12, 3] = 1
        self.bone[:, 11, 3:9] = 1
        self.defect = np.zeros_like(self.bone)
        self.metal = np.zeros_like(self.bone)
        self.slices_with_bone = np.arange(z)
        self.slices_with_defect = np.array([], int)
        self.slices_with_metal = np.array([], int)


def turns(a):
    """The eight in-plane symmetries of a 2-D array."""
    out = []
    for k in range(4):
        r = np.rot90(a, k)
        out += [r, r.T]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", required=True)
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    from skull_data import CropSampler
    t = Tap()
    p = GridPhantom()
    mid = p.ct[2].astype(np.float32)
    shapes = turns(mid)

    seen, consistent = set(), True
    rng = np.random.default_rng(5)
    s = CropSampler([p], rng, crop=16, context=3, hu_window=(-1000.0, 2000.0), pose=1.0)
    for _ in range(400):
        z = 2
        hu, target = s._stack(p, z)
        hu, target = s._turn(hu, target)
        k = next((i for i, shape in enumerate(shapes) if np.array_equal(hu[1], shape)), -1)
        seen.add(k)
        bone_turn = turns(p.bone[2].astype(np.float32))[k] if k >= 0 else None
        consistent &= k >= 0 and np.array_equal(target[0], bone_turn)
    t.check(seen == set(range(8)), f"pose augmentation reaches all eight in-plane symmetries (seen {sorted(seen)})")
    t.check(consistent, "the labels are always turned with the slices")

    # pose = 0: no turn, and no draw for one: the random stream is the one
    # the augmentation without the option consumed.
    off_rng = np.random.default_rng(9)
    draws = []
    real_random = off_rng.random
    off = CropSampler([p], off_rng, crop=16, context=3, pose=0.0)
    off.rng = type("R", (), {"random": lambda self_, *a_, **k: draws.append("random") or real_random(*a_, **k),
                             "__getattr__": lambda self_, name: getattr(off_rng, name)})()
    turned_calls = []
    off._turn = lambda hu, target: turned_calls.append(1) or (hu, target)
    off.batch(6)
    on = CropSampler([p], np.random.default_rng(9), crop=16, context=3, pose=0.5)
    on_draws = []
    on_real = on.rng.random
    on_rng = on.rng
    on.rng = type("R", (), {"random": lambda self_, *a_, **k: on_draws.append("random") or on_real(*a_, **k),
                            "__getattr__": lambda self_, name: getattr(on_rng, name)})()
    on.batch(6)
    t.check(not turned_calls and len(on_draws) == len(draws) + 6,
            f"pose = 0 turns nothing and draws nothing for it ({len(draws)} draws; pose 0.5: one more per crop, "
            f"{len(on_draws)})")
    turned = CropSampler([p], np.random.default_rng(9), crop=16, context=3, pose=1.0)
    t.check(not all(np.array_equal(x, y) for x, y in zip(CropSampler([p], np.random.default_rng(9), crop=16,
                                                                      context=3).batch(6), turned.batch(6))),
            "pose = 1 changes the crops")
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
