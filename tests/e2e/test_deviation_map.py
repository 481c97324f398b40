#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The signed-deviation map of `calvaria-cli evaluate` (--deviation-map,
and "surface_deviation" in --json) against what it must be:
- a sphere of radius 23 mm around one of 20 mm: every vertex 3 mm out
  (to within the voxel steps), −3 mm the other way round;
- on masks from the real sample CT, an independent computation in NumPy
  for sampled vertices: the exact distance to the triangles of the
  reference's STL (`calvaria-cli mesh`, found near each vertex with a
  k-d tree), signed by the reference mask interpolated at the vertex; the
  two must agree to 1e-3 mm.  TAP output."""
import argparse
import csv
import json
import os
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from tap import Tap, require_modules, run  # noqa: E402

require_modules("numpy", "scipy", "nibabel")
import nibabel  # noqa: E402
import numpy as np  # noqa: E402
from scipy import ndimage, spatial  # noqa: E402

SAMPLE_SPACING = (0.9570312, 0.9570312, 1.5)


def save_mask(path, mask, spacing):
    affine = np.diag([spacing[0], spacing[1], spacing[2], 1.0])
    nibabel.save(nibabel.Nifti1Image(mask.astype(np.uint8), affine), path)


def ball(n, spacing, centre, radius):
    g = np.indices((n, n, n)).astype(float) * spacing
    return ((g[0] - centre[0]) ** 2 + (g[1] - centre[1]) ** 2 + (g[2] - centre[2]) ** 2) <= radius ** 2


def read_map(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["x_mm", "y_mm", "z_mm", "deviation_mm"], rows[0]
    data = np.array(rows[1:], dtype=float)
    return data[:, :3], data[:, 3]


def read_stl(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[80:84], "little")
    rec = np.frombuffer(raw, dtype=np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")]),
                        count=n, offset=84)
    return rec["v"].astype(float)


def point_triangle_distance(p, tris):
    """Exact distance from p to each triangle: to the plane where the
    foot point falls inside, else to the nearest of the three edges."""
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
    n = np.cross(b - a, c - a)
    n /= np.linalg.norm(n, axis=1)[:, None]
    h = np.einsum("ij,ij->i", p - a, n)
    foot = p - h[:, None] * n
    inside = np.ones(len(tris), bool)
    for u, v in ((a, b), (b, c), (c, a)):
        inside &= np.einsum("ij,ij->i", np.cross(v - u, foot - u), n) >= 0
    best = np.where(inside, np.abs(h), np.inf)
    for u, v in ((a, b), (b, c), (c, a)):
        e = v - u
        t = np.clip(np.einsum("ij,ij->i", p - u, e) / np.einsum("ij,ij->i", e, e), 0, 1)
        best = np.minimum(best, np.linalg.norm(p - (u + t[:, None] * e), axis=1))
    return best


def sample_ct(path):
    with tarfile.open(path, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("matrix.dat"))
        raw = tar.extractfile(member).read()
    return np.frombuffer(raw, "<i2").reshape(108, 256, 256).transpose(2, 1, 0)


def check_spheres(tap, cli, tmp):
    spacing, centre = 0.5, (32.25, 31.75, 32.0)
    small, big = ball(130, spacing, centre, 20.0), ball(130, spacing, centre, 23.0)
    for name, m in (("small", small), ("big", big)):
        save_mask(os.path.join(tmp, name + ".nii"), m, (spacing,) * 3)
    slack = 2 * 0.5 * spacing * 3 ** 0.5
    for ref, test, expected in (("small", "big", 3.0), ("big", "small", -3.0)):
        out = os.path.join(tmp, f"map-{ref}.csv")
        r = run(cli, "evaluate", os.path.join(tmp, ref + ".nii"), os.path.join(tmp, test + ".nii"),
                "--device", "cpu", "--json", "--deviation-map", out)
        tap.check(r.returncode == 0, f"evaluate {ref} vs {test} runs", r.stderr)
        if r.returncode != 0:
            continue
        sd = json.loads(r.stdout)["surface_deviation"]
        _, values = read_map(out)
        worst = float(np.max(np.abs(values - expected)))
        tap.check(worst <= slack, f"every vertex at {expected:+} mm to within the voxel steps",
                  f"worst {worst:.4f} > {slack:.4f}")
        tap.check(abs(sd["mean"] - expected) < spacing / 2 and sd["within_tolerance"] == 0,
                  f"mean {sd['mean']:.4f} mm near {expected:+} mm, nothing within ±1 mm", sd)
        tap.check(sd["vertices"] == len(values) and abs(sd["min"] - values.min()) < 1e-5
                  and abs(sd["max"] - values.max()) < 1e-5,
                  "the JSON summary and the CSV describe the same vertices", sd)


def check_sample(tap, cli, sample, tmp):
    ct = sample_ct(sample)
    ref = ct >= 226
    test = ndimage.binary_dilation(ct >= 300, ndimage.generate_binary_structure(3, 1))
    ref_path, test_path = os.path.join(tmp, "ref.nii"), os.path.join(tmp, "test.nii")
    save_mask(ref_path, ref, SAMPLE_SPACING)
    save_mask(test_path, test, SAMPLE_SPACING)
    out, stl = os.path.join(tmp, "map.csv"), os.path.join(tmp, "ref.stl")
    r = run(cli, "evaluate", ref_path, test_path, "--device", "cpu", "--deviation-map", out)
    tap.check(r.returncode == 0, "evaluate on the sample's masks runs", r.stderr)
    m = run(cli, "mesh", ref_path, stl, "--force", "-q")
    tap.check(m.returncode == 0, "the reference's surface as STL", m.stderr)
    if r.returncode != 0 or m.returncode != 0:
        return
    fast = run(cli, "evaluate", ref_path, test_path, "--device", "cpu", "--json", "--no-surface-map")
    tap.check(fast.returncode == 0 and "surface_deviation" not in json.loads(fast.stdout)
              and "dsc" in json.loads(fast.stdout), "--no-surface-map: the voxel metrics only", fast.stderr)
    points, values = read_map(out)
    tris = read_stl(stl)
    corners = tris.reshape(-1, 3)
    tree = spatial.cKDTree(corners)
    centroids = tris.mean(axis=1)
    reach = float(np.max(np.linalg.norm(tris - centroids[:, None, :], axis=2)))
    ctree = spatial.cKDTree(centroids)
    rng = np.random.default_rng(5)
    picks = rng.choice(len(points), 400, replace=False)
    # Some far from the reference too: the map's largest values.
    picks = np.concatenate([picks, np.argsort(np.abs(values))[-40:]])
    worst, inv = 0.0, np.diag([1 / s for s in SAMPLE_SPACING])
    for i in picks:
        p = points[i]
        upper, _ = tree.query(p)
        near = ctree.query_ball_point(p, upper + reach + 1e-6)
        d = float(np.min(point_triangle_distance(p, tris[near])))
        ras = np.array([-p[0], -p[1], p[2]])   # the masks were saved with a RAS affine
        inside = ndimage.map_coordinates(ref.astype(float), (inv @ ras)[:, None], order=1, cval=0)[0] > 0.5
        worst = max(worst, abs((-d if inside else d) - values[i]))
    tap.check(worst <= 1e-3, f"{len(picks)} vertices agree with NumPy's exact distance and sign to 1e-3 mm",
              f"worst difference {worst:.6f} mm")
    tap.check(values.max() > 1.0 and values.min() < 0, "the sample's map has both signs",
              f"{values.min()} … {values.max()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-devmap-") as tmp:
        check_spheres(tap, a.cli, tmp)
        check_sample(tap, a.cli, a.sample, tmp)
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
