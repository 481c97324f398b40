# SPDX-License-Identifier: GPL-3.0-or-later
"""Training data for the default skull model: synthetic head CTs from
`calvaria-cli phantom` (phantom/cal-phantom*), kept as NIfTI in a cache folder,
and 2.5-D crops drawn from them with augmentation.

Bone for training is the skull and loose fragments (both are bone; the
clean-up after the network keeps the skull's piece).  Defects, metal, the
head rest and the table are what the network must learn not to call bone.
"""

import os
import subprocess

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F

SKULL, DEFECT, METAL, FRAGMENT = 1, 2, 3, 4


def seed_range(text):
    """Seeds from "first-last" (or one seed)."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def phantom_paths(cache, seed, anatomy=1, scanner=1):
    """Anatomy 1 and scanner 1 keep the names they always had, so old caches stay valid."""
    name = f"phantom-{seed}" + (f"-a{anatomy}" if anatomy != 1 else "") + (f"-s{scanner}" if scanner != 1 else "")
    return (os.path.join(cache, f"{name}-ct.nii.gz"), os.path.join(cache, f"{name}-labels.nii.gz"))


def make_phantoms(cli, cache, seeds, anatomy=1, scanner=1, log=print):
    """Writes the phantoms not already in the cache (each takes ~10 s on two cores)."""
    os.makedirs(cache, exist_ok=True)
    for seed in seeds:
        ct, labels = phantom_paths(cache, seed, anatomy, scanner)
        if os.path.exists(ct) and os.path.exists(labels):
            continue
        out = subprocess.run([cli, "phantom", "--seed", str(seed), "--anatomy", str(anatomy),
                              "--scanner", str(scanner), ct, labels],
                             check=True, capture_output=True, text=True)
        log(out.stdout.strip().splitlines()[0])


class Phantom:
    """One phantom in memory, (z, y, x): HU as int16; bone, defect and metal as uint8."""

    def __init__(self, cache, seed, anatomy=1, scanner=1):
        ct_path, label_path = phantom_paths(cache, seed, anatomy, scanner)
        ct = np.asarray(nib.load(ct_path).dataobj, dtype=np.int16)
        labels = np.asarray(nib.load(label_path).dataobj, dtype=np.uint8)
        self.seed = seed
        self.ct = np.ascontiguousarray(ct.transpose(2, 1, 0))
        self.bone = np.ascontiguousarray(((labels == SKULL) | (labels == FRAGMENT)).transpose(2, 1, 0)).astype(np.uint8)
        self.defect = np.ascontiguousarray((labels == DEFECT).transpose(2, 1, 0)).astype(np.uint8)
        self.metal = np.ascontiguousarray((labels == METAL).transpose(2, 1, 0)).astype(np.uint8)
        self.slices_with_bone = np.flatnonzero(self.bone.reshape(self.bone.shape[0], -1).any(axis=1))
        self.slices_with_defect = np.flatnonzero(self.defect.reshape(self.defect.shape[0], -1).any(axis=1))
        self.slices_with_metal = np.flatnonzero(self.metal.reshape(self.metal.shape[0], -1).any(axis=1))


def window(hu, low, high):
    return np.clip((hu.astype(np.float32) - low) / (high - low), 0.0, 1.0)


class CropSampler:
    """Random 2.5-D crops: `context` neighbouring slices as channels
    (repeated at the scan's ends, as Calvaria does), the bone of the middle
    slice as target, and where its defects and metal are (for the loss's
    weights).
    Augmentation: left–right flip, zoom 0.85–1.2 (other
    pixel sizes), HU offset ±20 and gain ±3 %, extra noise up to 25 HU;
    with pose > 0, that share of crops also turned by one of the in-plane
    flips and transposes (the eight symmetries of the square): what
    reordering a CT into the model's orientation cannot remove, a head
    turned or lying prone in the scanner (issue 29).  pose = 0 draws
    nothing for it, so the shipped training command keeps its crops."""

    def __init__(self, phantoms, rng, crop=128, context=3, hu_window=(-1000.0, 2000.0), augment=True,
                 defect_focus=0.0, metal_focus=0.0, pose=0.0):
        self.phantoms, self.rng, self.crop, self.context = phantoms, rng, crop, context
        self.hu_window, self.augment, self.pose = hu_window, augment, pose
        # The share of crops centred on a defect: its rim, and metal streaks
        # across it, are where a filled-in defect comes from.
        self.defect_focus = defect_focus
        # The share centred on metal: a screw's or plate's streaks brighten
        # what lies around it, a defect included, to bone's level.
        self.metal_focus = metal_focus
        self.with_defects = [p for p in phantoms if len(p.slices_with_defect)]
        self.with_metal = [p for p in phantoms if len(p.slices_with_metal)]

    def _slice_index(self, p):
        if len(p.slices_with_bone) and self.rng.random() < 0.8:
            return int(self.rng.choice(p.slices_with_bone))
        return int(self.rng.integers(0, p.ct.shape[0]))

    def _stack(self, p, z):
        half = self.context // 2
        idx = np.clip(np.arange(z - half, z + half + 1), 0, p.ct.shape[0] - 1)
        target = np.stack([p.bone[z], p.defect[z], p.metal[z]]).astype(np.float32)
        return p.ct[idx].astype(np.float32), target

    def _turn(self, hu, target):
        """One of the eight in-plane symmetries, the same for the slices and
        the labels (axes 1 and 2: rows, columns)."""
        k = int(self.rng.integers(0, 8))
        if k & 1:
            hu, target = hu[:, ::-1, :], target[:, ::-1, :]
        if k & 2:
            hu, target = hu[:, :, ::-1], target[:, :, ::-1]
        if k & 4:
            hu, target = hu.transpose(0, 2, 1), target.transpose(0, 2, 1)
        return hu, target

    def _augment(self, hu, target):
        if self.pose > 0 and self.rng.random() < self.pose:
            hu, target = self._turn(hu, target)
        if self.rng.random() < 0.5:
            hu, target = hu[:, :, ::-1], target[:, :, ::-1]
        hu = hu * self.rng.uniform(0.97, 1.03) + self.rng.uniform(-20, 20)
        sigma = self.rng.uniform(0, 25)
        hu = hu + self.rng.normal(0, sigma, size=hu.shape).astype(np.float32)
        zoom = self.rng.uniform(0.85, 1.2)
        t_hu = torch.from_numpy(np.ascontiguousarray(hu))[None]
        t_target = torch.from_numpy(np.ascontiguousarray(target))[None]
        size = [int(round(hu.shape[1] * zoom)), int(round(hu.shape[2] * zoom))]
        t_hu = F.interpolate(t_hu, size=size, mode="bilinear", align_corners=False)[0]
        t_target = F.interpolate(t_target, size=size, mode="bilinear", align_corners=False)[0]
        return t_hu.numpy(), (t_target.numpy() >= 0.5).astype(np.float32)

    def _crop_origin(self, centre_on, shape, p_centre=0.6):
        c = self.crop
        if self.rng.random() < p_centre and centre_on.any():
            ys, xs = np.nonzero(centre_on)
            k = int(self.rng.integers(0, len(ys)))
            y0, x0 = ys[k] - c // 2 + int(self.rng.integers(-c // 4, c // 4 + 1)), xs[k] - c // 2
        else:
            y0, x0 = int(self.rng.integers(0, max(1, shape[0] - c + 1))), int(self.rng.integers(0, max(1, shape[1] - c + 1)))
        return int(np.clip(y0, 0, max(0, shape[0] - c))), int(np.clip(x0, 0, max(0, shape[1] - c)))

    def _focus(self):
        """What this crop centres on: "metal", "defect" or None (anywhere).
        No draw at all for a focus that is off, so the stages without it
        get the crops they always had."""
        if self.metal_focus > 0 and self.with_metal and self.rng.random() < self.metal_focus:
            return "metal"
        if self.defect_focus > 0 and self.with_defects and self.rng.random() < self.defect_focus:
            return "defect"
        return None

    def sample(self):
        focus = self._focus()
        pool = {"metal": self.with_metal, "defect": self.with_defects, None: self.phantoms}[focus]
        p = pool[int(self.rng.integers(0, len(pool)))]
        if focus:
            z = int(self.rng.choice(p.slices_with_metal if focus == "metal" else p.slices_with_defect))
        else:
            z = self._slice_index(p)
        hu, target = self._stack(p, z)
        if self.augment:
            hu, target = self._augment(hu, target)
        if focus:
            y0, x0 = self._crop_origin(target[2 if focus == "metal" else 1], target.shape[1:], p_centre=1.0)
        else:
            y0, x0 = self._crop_origin(target[0], target.shape[1:])
        c = self.crop
        hu, target = hu[:, y0:y0 + c, x0:x0 + c], target[:, y0:y0 + c, x0:x0 + c]
        pad = ((0, 0), (0, c - hu.shape[1]), (0, c - hu.shape[2]))
        hu = np.pad(hu, pad, constant_values=self.hu_window[0])
        target = np.pad(target, pad)
        return window(hu, *self.hu_window), target

    def batch(self, n):
        """Inputs (n, context, crop, crop); bone, defect and metal (n, 1, crop, crop) each."""
        xs, ts = zip(*(self.sample() for _ in range(n)))
        t = torch.from_numpy(np.stack(ts))
        return torch.from_numpy(np.stack(xs)), t[:, :1], t[:, 1:2], t[:, 2:]
