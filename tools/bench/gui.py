#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The views' speed, ours against VTK (what 3D Slicer draws with), on the
same 512 x 512 x 300 CT (the sample resampled, see make_metrics_pair.py)
and the same 2.6-million-triangle skull mesh, in one run:

  slice  Calvaria: the axial view's render of a 512 x 512 slice with the
         mask overlay (nearest-neighbour, window/level, blend, texture);
         VTK: vtkImageReslice + vtkImageMapToWindowLevelColors +
         vtkImageMapToColors + vtkImageBlend for the same slice.
  3D     frames per second orbiting at 1280 x 800: Calvaria's reduced
         display mesh and its full mesh, VTK's vtkPolyDataMapper with the
         full mesh (normals computed once, as Slicer does).

Runs under the current display, or starts Xvfb (xvfb-run) when there is
none.  Goals from issue 5: slice <= 8 ms, 3D >= 20 fps with the reduced
mesh.

Usage: gui.py --build BUILD_DIR [--out DIR]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import nibabel
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_metrics_pair  # noqa: E402


def make_inputs(out):
    """ct512.nii (int16 HU) and the reference skull mask beside it."""
    mask = make_metrics_pair.main_paths(out)[0]
    ct_path = os.path.join(out, "ct512.nii")
    if not os.path.exists(ct_path):
        from scipy import ndimage
        ct = make_metrics_pair.sample_ct().astype(np.float32)
        zoom = [n / o for n, o in zip(make_metrics_pair.SHAPE, ct.shape)]
        big = np.rint(ndimage.zoom(ct, zoom, order=1)).astype(np.int16)
        affine = np.diag([*make_metrics_pair.SPACING, 1.0])
        image = nibabel.Nifti1Image(big, affine)
        image.set_qform(affine, 1)
        image.set_sform(affine, 1)
        nibabel.save(image, ct_path + ".tmp.nii")
        os.replace(ct_path + ".tmp.nii", ct_path)
    return ct_path, mask


def with_display(cmd):
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return cmd
    return ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"] + cmd


def calvaria(build, ct, mask, stl):
    env = dict(os.environ, GDK_BACKEND="x11", GTK_A11Y="none")
    r = subprocess.run(with_display([os.path.join(build, "tools/bench/gui/bench-gui"), ct, mask, stl]),
                       capture_output=True, text=True, env=env, check=True)
    return dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)


PEER = r'''
import statistics, sys, time
import vtk
ct_path, mask_path, stl_path = sys.argv[1:4]

def read(path):
    r = vtk.vtkNIFTIImageReader(); r.SetFileName(path); r.Update(); return r

ct, mask = read(ct_path), read(mask_path)
nz = ct.GetOutput().GetDimensions()[2]
reslice = {}
for name, reader in (("ct", ct), ("mask", mask)):
    s = vtk.vtkImageReslice(); s.SetInputConnection(reader.GetOutputPort())
    s.SetOutputDimensionality(2); s.SetInterpolationModeToNearestNeighbor()
    reslice[name] = s
grey = vtk.vtkImageMapToWindowLevelColors(); grey.SetInputConnection(reslice["ct"].GetOutputPort())
grey.SetWindow(2000); grey.SetLevel(400); grey.SetOutputFormatToRGBA()
lut = vtk.vtkLookupTable(); lut.SetNumberOfTableValues(2); lut.SetTableRange(0, 1)
lut.SetTableValue(0, 0, 0, 0, 0); lut.SetTableValue(1, 1, 0.69, 0.13, 1); lut.Build()
colour = vtk.vtkImageMapToColors(); colour.SetInputConnection(reslice["mask"].GetOutputPort())
colour.SetLookupTable(lut); colour.SetOutputFormatToRGBA()
blend = vtk.vtkImageBlend(); blend.AddInputConnection(grey.GetOutputPort())
blend.AddInputConnection(colour.GetOutputPort()); blend.SetOpacity(1, 0.5)
spacing = ct.GetOutput().GetSpacing(); origin = ct.GetOutput().GetOrigin()
times = []
for i in range(120):
    k = nz // 2 - 30 + (i if i < 60 else 120 - i)
    for s in reslice.values():
        s.SetResliceAxesOrigin(0, 0, origin[2] + k * spacing[2])
    t = time.perf_counter(); blend.Update(); times.append(time.perf_counter() - t)
print("slice_ms=%.2f" % (statistics.median(times) * 1000))

stl = vtk.vtkSTLReader(); stl.SetFileName(stl_path)
normals = vtk.vtkPolyDataNormals(); normals.SetInputConnection(stl.GetOutputPort())
normals.SplittingOff(); normals.Update()
mapper = vtk.vtkPolyDataMapper(); mapper.SetInputConnection(normals.GetOutputPort())
actor = vtk.vtkActor(); actor.SetMapper(mapper)
renderer = vtk.vtkRenderer(); renderer.AddActor(actor)
window = vtk.vtkRenderWindow(); window.SetSize(1280, 800); window.AddRenderer(renderer)
renderer.ResetCamera(); window.Render()
for _ in range(5):
    renderer.GetActiveCamera().Azimuth(1.7); window.Render()
frames, start = 0, time.perf_counter()
while time.perf_counter() - start < 4:
    renderer.GetActiveCamera().Azimuth(1.7); window.Render(); frames += 1
print("fps_full=%.1f" % (frames / (time.perf_counter() - start)))
print("triangles=%d" % normals.GetOutput().GetNumberOfPolys())
'''


def vtk_peer(ct, mask, stl):
    r = subprocess.run(with_display([sys.executable, "-c", PEER, ct, mask, stl]),
                       capture_output=True, text=True, check=True)
    return dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "metrics"))
    a = ap.parse_args()
    ct, mask = make_inputs(a.out)
    stl = os.path.join(a.out, "skull-full.stl")
    ours = calvaria(a.build, ct, mask, stl)
    peer = vtk_peer(ct, mask, stl)
    slice_ours, slice_vtk = float(ours["slice_render_ms"]), float(peer["slice_ms"])
    fps_reduced, fps_full, fps_vtk = float(ours["fps_reduced"]), float(ours["fps_full"]), float(peer["fps_full"])
    print(f"# GL: software={ours['software_gl']}, UI renderer {ours['ui_renderer']}")
    print(f"slice {ours['slice_size']} with overlay: Calvaria {slice_ours:.2f} ms, VTK {slice_vtk:.2f} ms "
          f"-> {slice_vtk / slice_ours:.2f}x  (goal <= 8 ms: {'met' if slice_ours <= 8 else 'MISSED'})")
    dab, dab_max = float(ours["dab_to_frame_ms"]), float(ours["dab_to_frame_max_ms"])
    print(f"brush dab on the {ours['slice_size']} slice, event to the frame showing it: {dab:.1f} ms median, "
          f"{dab_max:.1f} ms worst of 60 (goal <= 16 ms: {'met' if dab_max <= 16 else 'MISSED'})")
    print(f"3D orbit at 1280x800, {ours['mesh_triangles']} triangles: "
          f"Calvaria reduced ({ours['display_triangles']}) {fps_reduced:.1f} fps, "
          f"Calvaria full {fps_full:.1f} fps, VTK full ({peer['triangles']}) {fps_vtk:.1f} fps "
          f"-> reduced/VTK {fps_reduced / fps_vtk:.2f}x, full/VTK {fps_full / fps_vtk:.2f}x  "
          f"(goal >= 20 fps reduced: {'met' if fps_reduced >= 20 else 'MISSED'})")


if __name__ == "__main__":
    main()
