# SPDX-License-Identifier: GPL-3.0-or-later
"""The bad-input table (shared/bad-inputs.md) as builders: each case writes
its crafted input under a folder and says what calvaria-cli must do with it.

A case is a dict: number, what (the table's words), cmd (arguments after
the CLI, with {in} for the input and {out} for an output path), rc, err
(substrings stderr must hold), and optionally out_absent, then (a second
run that accepts what the first refused), env and check (a function of the
finished runs for what words cannot say)."""
import importlib.util
import os
import struct
import tarfile
import zlib

import numpy as np
import pydicom
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomBytesIO
from pydicom.uid import generate_uid

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "make_dicom_cases", os.path.join(HERE, "..", "data", "make-dicom-cases.py"))
mdc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mdc)

HFS = ([1, 0, 0], [0, 1, 0])
PYDICOM_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def series(folder, n=6, tweak=None, **kw):
    mdc.random.seed(99)
    return mdc.write_series(folder, *HFS, mdc.centred_positions(*HFS, [0, 0, 1], n=n),
                            tweak=tweak, **kw)


def files_of(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder))


def patch(path, old, new):
    data = open(path, "rb").read()
    assert data.count(old) >= 1, (path, old)
    open(path, "wb").write(data.replace(old, new))


# DICOM ---------------------------------------------------------------------

def raw_dataset(folder):
    """Case 2: every slice a bare implicit-VR data set, no preamble or meta."""
    series(folder, n=4)
    for path in files_of(folder):
        ds = pydicom.dcmread(path)
        ds.file_meta = pydicom.dataset.FileMetaDataset()
        ds.is_implicit_VR, ds.is_little_endian = True, True
        fp = DicomBytesIO()
        fp.is_implicit_VR, fp.is_little_endian = True, True
        pydicom.filewriter.write_dataset(fp, ds)
        open(path, "wb").write(fp.getvalue())


def pe_preamble(folder):
    series(folder, n=4)
    for path in files_of(folder):
        data = bytearray(open(path, "rb").read())
        data[0:64] = b"MZ" + b"\x90" * 58 + struct.pack("<I", 0x80)
        open(path, "wb").write(bytes(data))


def truncated_slice(folder):
    series(folder, n=6)
    victim = files_of(folder)[2]
    data = open(victim, "rb").read()
    open(victim, "wb").write(data[:-300])


def giant_length(folder):
    """Case 5: an OB element whose length says 0xFFFFFFFE bytes."""
    def tweak(ds, s, img):
        ds.add_new(0x00420011, "OB", b"MARKMARK")   # EncapsulatedDocument
        return img
    series(folder, n=4, tweak=tweak)
    for path in files_of(folder):
        patch(path, struct.pack("<I", 8) + b"MARKMARK", struct.pack("<I", 0xFFFFFFFE) + b"MARKMARK")


def nested_sequences(path, depth):
    """Case 6: `depth` sequences nested in one another, explicit VR LE."""
    def element(tag, vr, value):
        g, e = tag
        if vr in (b"OB", b"SQ", b"UN", b"UT"):
            return struct.pack("<HH2sHI", g, e, vr, 0, len(value)) + value
        return struct.pack("<HH2sH", g, e, vr, len(value)) + value
    uid = b"1.2.840.10008.1.2.1\x00"
    meta_body = element((2, 1), b"OB", b"\x00\x01") + element((2, 2), b"UI", b"1.2.840.10008.5.1.4.1.1.2\x00") \
        + element((2, 3), b"UI", b"1.2.3.4\x00") + element((2, 0x10), b"UI", uid)
    meta = element((2, 0), b"UL", struct.pack("<I", len(meta_body))) + meta_body
    head = element((8, 0x16), b"UI", b"1.2.840.10008.5.1.4.1.1.2\x00") + element((8, 0x60), b"CS", b"CT")
    opening = struct.pack("<HH2sHI", 8, 0x1115, b"SQ", 0, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    closing = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    with open(path, "wb") as f:
        f.write(b"\x00" * 128 + b"DICM" + meta + head + opening * depth + closing * depth)


def one_file_series(folder, tweak, n=4):
    series(folder, n=n, tweak=tweak)


def set_attr(**attrs):
    def tweak(ds, s, img):
        for k, v in attrs.items():
            setattr(ds, k, v)
        return img
    return tweak


def per_slice(index, **attrs):
    def tweak(ds, s, img):
        if s == index:
            for k, v in attrs.items():
                setattr(ds, k, v)
        return img
    return tweak


def monochrome1(folder):
    def tweak(ds, s, img):
        ds.PhotometricInterpretation = "MONOCHROME1"
        return img
    series(folder, n=4, tweak=tweak)


def no_rescale(folder):
    def tweak(ds, s, img):
        del ds.RescaleSlope
        del ds.RescaleIntercept
        return img + np.int16(-1024)      # stored values are HU already
    series(folder, n=4, tweak=tweak)


def rescale_per_slice(folder):
    def tweak(ds, s, img):
        if s % 2:                          # HU = 2 * stored - 1024
            ds.RescaleSlope = 2
            return (img // 2).astype(np.int16)
        return img
    series(folder, n=6, tweak=tweak)


def compressed(folder, ts_uid):
    """One encapsulated slice per file under a transfer syntax nobody here
    decodes.  pydicom does not know HTJ2K: the files are written as MPEG-2
    (a UID of the same length) and the UID's bytes patched."""
    stand_in = "1.2.840.10008.1.2.4.100"
    assert len(stand_in) == len(ts_uid)

    def tweak(ds, s, img):
        ds.file_meta.TransferSyntaxUID = stand_in
        ds.PixelData = encapsulate([b"\xff\x4f\xff\x51" + bytes(64)])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        return None
    series(folder, n=4, tweak=tweak)
    for path in files_of(folder):
        patch(path, stand_in.encode(), ts_uid.encode())


def corrupt_codec(path, source):
    data = bytearray(open(source, "rb").read())
    start = data.rfind(b"\xfe\xff\x00\xe0", 0, len(data) - 64)   # last fragment
    for i in range(start + 40, len(data) - 8, 7):
        data[i] ^= 0x5A
    open(path, "wb").write(bytes(data))


def frames_missing(folder):
    series(folder, n=1, tweak=set_attr(NumberOfFrames=5))


def localizer(folder):
    uid = series(folder, n=6)
    study = pydicom.dcmread(files_of(folder)[0]).StudyInstanceUID
    frame = pydicom.dcmread(files_of(folder)[0]).FrameOfReferenceUID

    def scout(ds, s, img):
        ds.ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
        ds.StudyInstanceUID, ds.FrameOfReferenceUID = study, frame
        ds.ImageOrientationPatient = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0]
        ds.SliceThickness = 5
        return img
    mdc.write_series(folder, [0, 1, 0], [0, 0, -1], [np.zeros(3)], tweak=scout,
                     series_uid=uid, prefix="scout")


def nan_position(folder):
    series(folder, n=6, tweak=per_slice(2, ImagePositionPatient=[-9.875, 1.25, 2.5]))
    for path in files_of(folder):
        data = open(path, "rb").read()
        if b"-9.875" in data:
            open(path, "wb").write(data.replace(b"-9.875", b"NaN   "))


def shuffled_numbers(folder):
    series(folder, n=6)


def differing_uid(folder, attr):
    series(folder, n=6, tweak=per_slice(3, **{attr: generate_uid()}))


def far_apart(folder):
    """Six slices, the last ten kilometres beyond the others."""
    positions = mdc.centred_positions(*HFS, [0, 0, 1], n=6)
    positions[-1] = positions[-1] + np.array([0, 0, 1e7])
    mdc.random.seed(99)
    mdc.write_series(folder, *HFS, positions)


def sizes_vary(folder):
    def tweak(ds, s, img):
        if s == 2:
            ds.Rows, ds.Columns = mdc.ROWS + 2, mdc.COLS
            return np.zeros((mdc.ROWS + 2, mdc.COLS), np.int16)
        return img
    series(folder, n=6, tweak=tweak)


def big_series(folder):
    def tweak(ds, s, img):
        ds.Rows = ds.Columns = 256
        return np.zeros((256, 256), np.int16)
    series(folder, n=12, tweak=tweak)


def odd_text(folder):
    """Case 43: path-like, escape and invalid-UTF-8 bytes in text attributes."""
    series(folder, n=4, tweak=set_attr(SeriesDescription="../../etc/passwd", PatientName="../x/y^Z"))
    for path in files_of(folder):
        patch(path, b"../../etc/passwd", b"..\x1b[2J\x1b]0;\xff\xfe\x00/ab")


def deep_folders(folder, depth):
    """A series at the bottom of `depth` nested folders."""
    path = folder
    for i in range(depth):
        path = os.path.join(path, "d")
    series(path, n=4)


def linked_to_itself(folder):
    """A series beside two links back to its own folder (a loop)."""
    series(folder, n=6)
    os.symlink(".", os.path.join(folder, "loop-a"))
    os.symlink(folder, os.path.join(folder, "loop-b"))


def full_slice(folder):
    """One 9000 × 9000 slice whose pixel data is really there (a sparse file)."""
    def tweak(ds, s, img):
        ds.Rows = ds.Columns = 9000
        ds.PixelData = b"\0\0"
        return None
    series(folder, n=1, tweak=tweak)
    path = files_of(folder)[0]
    data = bytearray(open(path, "rb").read())
    at = data.rfind(b"\xe0\x7f\x10\x00")
    struct.pack_into("<I", data, at + 8, 9000 * 9000 * 2)
    with open(path, "wb") as f:
        f.write(bytes(data[:at + 12]))
        f.truncate(at + 12 + 9000 * 9000 * 2)


# NIfTI ---------------------------------------------------------------------

def nifti1(path, shape=(8, 8, 8), dtype="<i2", code=4, data=None, pixdim=(1, 1, 1), qform=1,
           sform=1, srow=None, vox_offset=352.0, slope=0.0, inter=0.0, dim0=3, extension=b"",
           quatern=(0, 0, 0), qoffset=(0, 0, 0), gz=False, tail=b""):
    if data is None:
        data = (np.arange(np.prod(shape)) % 200).astype(dtype)
    h = bytearray(348)
    struct.pack_into("<i", h, 0, 348)
    struct.pack_into("<8h", h, 40, dim0, *shape, 1, 1, 1, 1)
    bits = np.dtype(dtype).itemsize * 8
    struct.pack_into("<hh", h, 70, code, bits)
    struct.pack_into("<8f", h, 76, 1.0, *pixdim, 0, 0, 0, 0)
    struct.pack_into("<fff", h, 108, vox_offset, slope, inter)
    struct.pack_into("<B", h, 123, 2)                        # xyzt_units: mm
    struct.pack_into("<hh", h, 252, qform, sform)
    struct.pack_into("<6f", h, 256, *quatern, *qoffset)
    srow = srow or [[pixdim[0], 0, 0, 0], [0, pixdim[1], 0, 0], [0, 0, pixdim[2], 0]]
    struct.pack_into("<12f", h, 280, *[v for row in srow for v in row])
    h[344:348] = b"n+1\x00"
    ext = extension or b"\x00\x00\x00\x00"
    body = bytes(h) + ext
    body += b"\x00" * max(0, int(vox_offset) - len(body)) if vox_offset == vox_offset and 0 <= vox_offset < 1e7 else b""
    body += np.ascontiguousarray(data).tobytes() + tail
    if gz:
        import gzip
        body = gzip.compress(body)
    open(path, "wb").write(body)


def nifti2_dim0(path, dim0):
    import nibabel
    img = nibabel.Nifti2Image(np.zeros((4, 4, 4), np.int16), np.eye(4))
    img.header.set_qform(np.eye(4), 1)
    nibabel.save(img, path)
    data = bytearray(open(path, "rb").read())
    struct.pack_into("<q", data, 16, dim0)
    open(path, "wb").write(bytes(data))


def nifti2_dims(path, dims):
    nifti2_dim0(path, 3)
    data = bytearray(open(path, "rb").read())
    struct.pack_into("<3q", data, 24, *dims)
    open(path, "wb").write(bytes(data))


def gzip_bomb(path):
    """Case 41: a header that declares 8³ voxels in front of a stream that
    inflates to 64 MB."""
    import gzip
    h = open(path + ".tmp", "wb")
    h.close()
    nifti1(path + ".tmp")
    body = open(path + ".tmp", "rb").read() + b"\x00" * (64 << 20)
    os.remove(path + ".tmp")
    open(path, "wb").write(gzip.compress(body, 9))


def corrupt_crc(path):
    """Crash 1: a .nii.gz whose deflate stream is damaged in its first block."""
    import gzip
    nifti1(path + ".tmp")
    raw = gzip.compress(open(path + ".tmp", "rb").read())
    os.remove(path + ".tmp")
    data = bytearray(raw)
    data[12] ^= 0xFF
    open(path, "wb").write(bytes(data))


def inv3_project(path, shape, tar_format=None, folder="project"):
    """An InVesalius 3 project of `shape` (slices, rows, columns) with one
    mask, laid out as InVesalius writes it (tar_format: tarfile's, the
    default pax; folder: the members' folder inside the archive)."""
    import io
    import tarfile
    nz, ny, nx = shape
    matrix = (np.arange(nz * ny * nx) * 37 % 2000 - 1000).astype("<i2")
    mask = np.zeros((nz + 1, ny + 1, nx + 1), np.uint8)
    mask[1:, 1:, 1:] = (matrix.reshape(nz, ny, nx) > 226) * 255
    main = f"""<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>format_version</key><integer>1</integer>
<key>masks</key><dict><key>0</key><string>mask_0.plist</string></dict>
<key>matrix</key><dict><key>dtype</key><string>int16</string><key>filename</key><string>matrix.dat</string>
<key>shape</key><array><integer>{nz}</integer><integer>{ny}</integer><integer>{nx}</integer></array></dict>
<key>modality</key><string>CT</string><key>name</key><string>seed</string>
<key>orientation</key><integer>1</integer>
<key>scalar_range</key><array><integer>-1000</integer><integer>999</integer></array>
<key>spacing</key><array><real>0.5</real><real>0.5</real><real>1.25</real></array>
</dict></plist>
"""
    mask_plist = f"""<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>index</key><integer>0</integer>
<key>mask_file</key><string>mask_0.dat</string>
<key>mask_shape</key><array><integer>{nz + 1}</integer><integer>{ny + 1}</integer><integer>{nx + 1}</integer></array>
<key>name</key><string>Bone</string>
<key>threshold_range</key><array><integer>226</integer><integer>3071</integer></array>
</dict></plist>
"""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tar_format or tarfile.PAX_FORMAT) as tar:
        for name, data in (("main.plist", main.encode()), ("matrix.dat", matrix.tobytes()),
                           ("mask_0.plist", mask_plist.encode()), ("mask_0.dat", mask.tobytes())):
            info = tarfile.TarInfo(folder + "/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    open(path, "wb").write(buffer.getvalue())


def build(root, cases_dir):
    """Writes every case's input under root; returns the case list."""
    D = lambda name: os.path.join(root, name)
    C = lambda name: os.path.join(cases_dir, name)
    cases = []

    def case(number, what, build_fn, cmd, rc, err=(), **extra):
        path = build_fn() if build_fn else None
        cases.append(dict(number=number, what=what, input=path, cmd=cmd, rc=rc, err=list(err), **extra))

    def folder(name, fn, *args):
        path = D(name)
        fn(path, *args)
        return path

    def file(name, fn, *args, **kw):
        path = D(name)
        fn(path, *args, **kw)
        return path

    os.makedirs(root, exist_ok=True)
    info = ["info", "{in}"]
    convert = ["convert", "{in}", "{out}"]
    convert_nii = convert

    def png():
        p = D("image.dcm")
        open(p, "wb").write(b"\x89PNG\r\n\x1a\n" + zlib.compress(bytes(900)))
        return p
    case(1, "random bytes named .dcm", lambda: C("random/noise.dcm"), info, 1, ["Not a DICOM file"])
    case(1, "a PNG named .dcm", png, info, 1, ["Not a DICOM file"])
    case(2, "raw implicit-VR data sets, no Part-10 header", lambda: folder("raw", raw_dataset), info, 0,
         ["no Part-10 header"])
    case(3, "PE executable in the preamble", lambda: folder("pe", pe_preamble), convert, 0,
         ["executable"], out_has_no=b"MZ\x90\x90")
    case(4, "one slice of six with truncated pixel data", lambda: folder("trunc", truncated_slice), convert, 4,
         ["InstanceNumber 3", "(one of 6)", "truncated", "--exclude-bad-slices"], out_absent=True,
         then=dict(extra=["--exclude-bad-slices", "--accept-resampling"], rc=0, err=["excluded"]))
    case(5, "VL 0xFFFFFFFE on a non-SQ element", lambda: folder("giant", giant_length), info, 1,
         ["runs past the end of the file"])
    case(6, "10 000 nested sequence items", lambda: file("deep.dcm", nested_sequences, 10000), info, 1,
         ["nesting depth > 64"])
    case(6, "65 nested sequences (one past the limit)", lambda: file("deep65.dcm", nested_sequences, 65), info, 1,
         ["nesting depth > 64"])
    case(7, "Rows = 0", lambda: C("rows-zero"), info, 1, ["Rows × Columns is 0"])
    case(7, "65535 × 65535", lambda: C("huge-size"), info, 1, ["65535 × 65535"])
    case(8, "BitsAllocated 12", lambda: folder("bits12", one_file_series, set_attr(BitsAllocated=12)), info, 1,
         ["BitsAllocated is 12"])
    case(8, "BitsStored > BitsAllocated", lambda: C("bits-stored"), info, 1, ["BitsStored (17)"])
    case(8, "HighBit ≥ BitsAllocated", lambda: folder("highbit", one_file_series, set_attr(HighBit=16)), info, 1,
         ["HighBit is 16"])
    case(9, "RGB samples on a CT", lambda: C("rgb"), info, 1, ["colour image"])
    case(10, "MONOCHROME1 CT", lambda: folder("mono1", monochrome1), ["info", "--json", "{in}"], 0,
         json_same_as=(folder("plain4", series, 4), ("hu_min", "hu_max", "dims")))
    case(11, "missing RescaleSlope/Intercept on CT", lambda: folder("norescale", no_rescale), info, 4,
         ["RescaleSlope", "--accept-missing-rescale"],
         then=dict(extra=["--accept-missing-rescale"], rc=0, err=["HU unverified"]))
    case(12, "rescale differing per slice", lambda: folder("rescale", rescale_per_slice), ["convert", "{in}", "{out}"], 0,
         nifti_same_as=folder("plain6", series, 6))
    case(13, "HTJ2K without a codec", lambda: folder("htj2k", compressed, "1.2.840.10008.1.2.4.201"), info, 1,
         ["1.2.840.10008.1.2.4.201"], err_absent=["truncated"])
    for codec in ("rle", "jpeg-lossless", "jpeg-ls"):
        src = C(f"codecs/CT_small_{codec}.dcm")
        case(14, f"corrupt {codec} stream", lambda src=src, codec=codec: file(f"corrupt-{codec}.dcm", corrupt_codec, src),
             info, 1, [], err_absent=["not one Calvaria can decode", "Cannot decode pixel data compressed"],
             max_seconds=25)
    case(15, "NumberOfFrames beyond the frames present", lambda: folder("frames", frames_missing), info, 1,
         ["frames"])
    case(16, "two series in one folder", lambda: C("two-series"), ["info", "--json", "{in}"], 0,
         json_len=("series", 2))
    case(17, "a localizer inside the series", lambda: folder("localizer", localizer), info, 0,
         ["1 localizer image"], out_has="Dimensions:   24×20×6 voxels")
    case(18, "orientation varies within the series", lambda: C("mixed-orientation"), info, 1, ["orientation"])
    case(19, "ImagePositionPatient missing", lambda: C("no-position"), info, 1, ["ImagePositionPatient"])
    case(19, "ImagePositionPatient NaN", lambda: folder("nanipp", nan_position), info, 1, ["geometry invalid"])
    case(19, "ImageOrientationPatient not orthonormal",
         lambda: folder("iop", one_file_series, set_attr(ImageOrientationPatient=[1, 0.01, 0, 0, 1, 0])), info, 1,
         ["perpendicular unit vectors"])
    case(20, "duplicate slices, identical", lambda: C("duplicate-same"), info, 0, ["duplicate"])
    case(21, "duplicate slices, different pixels", lambda: C("duplicate-different"), info, 1, ["same position"])
    case(22, "InstanceNumber order not spatial", lambda: folder("shuffled", shuffled_numbers), info, 0,
         ["InstanceNumber order is not spatial"])
    case(23, "one slice missing", lambda: C("missing-slice"), convert, 4, ["missing", "--accept-resampling",
         "--keep-longest-run"],
         out_absent=True, then=dict(extra=["--accept-resampling"], rc=0, err=["interpolated"]))
    case(23, "one slice missing, the other way out: the longest complete part, nothing interpolated",
         lambda: C("missing-slice"), info + ["--keep-longest-run"], 0,
         ["Kept the longest run of evenly spaced slices (6 of 11", "5 slices and 7.5 mm of the scan left out"],
         out_has="Dimensions:   24×20×6 voxels")
    case(24, "non-uniform spacing", lambda: C("uneven"), convert, 4, ["uneven", "--accept-resampling",
         "--keep-longest-run"], out_absent=True, then=dict(extra=["--accept-resampling"], rc=0, err=["resampled"]))
    case(24, "non-uniform spacing, the other way out", lambda: C("uneven"), info + ["--keep-longest-run"], 0,
         ["Kept the longest run of evenly spaced slices (6 of 12"], out_has="Dimensions:   24×20×6 voxels")
    case(24, "one slice 10 km from the others", lambda: folder("far", far_apart), convert, 4, ["appear to be missing"],
         out_absent=True, then=dict(extra=["--accept-resampling"], rc=1, err=["spread over more than 65536 voxels"]))
    case(25, "gantry tilt", lambda: C("tilt"), info, 0, [], out_has="Gantry tilt:  15.00°")
    case(26, "SliceThickness differs from the positions' spacing",
         lambda: folder("thick", one_file_series, set_attr(SliceThickness=3.0), 6), info, 0, ["SliceThickness is 3"])
    case(27, "Rows differ across slices", lambda: folder("sizes", sizes_vary), info, 1, ["mixes image sizes"])
    case(28, "FrameOfReferenceUID differs", lambda: folder("for", differing_uid, "FrameOfReferenceUID"), info, 1,
         ["FrameOfReferenceUID"])
    case(28, "StudyInstanceUID differs", lambda: folder("study", differing_uid, "StudyInstanceUID"), info, 1,
         ["StudyInstanceUID"])
    case(29, "two slices", lambda: C("two-slices"), info, 1, ["at least 3"])
    case(30, "DERIVED\\SECONDARY images",
         lambda: folder("derived", one_file_series, set_attr(ImageType=["DERIVED", "SECONDARY", "MPR"])), info, 4,
         ["DERIVED", "--accept-derived"], then=dict(extra=["--accept-derived"], rc=0, err=["Not the original"]))
    case(31, "feet first supine", lambda: C("ffs"), info, 0, [], out_has="Orientation:  RPI")
    case(31, "QUADRUPED", lambda: folder("quad", one_file_series, set_attr(AnatomicalOrientationType="QUADRUPED")),
         info, 0, ["QUADRUPED"])
    case(7, "9000 × 9000 slice with all its pixels", lambda: folder("vast-slice", full_slice), info, 1,
         ["slice limit"])
    case(0, "a series 100 folders deep", lambda: folder("deep", deep_folders, 100), info, 1,
         ["deeper than 16 levels", "not searched"])
    case(0, "a folder with two links to itself", lambda: folder("loop", linked_to_itself), info, 0,
         ["links back to folders already searched"], err_absent=["duplicate"], max_seconds=10,
         out_has="Dimensions:   24×20×6 voxels")
    case(0, "an honest .nii.gz over the memory budget", lambda: file("honest.nii.gz", nifti1, shape=(128, 128, 64),
                                                                  gz=True),
         convert_nii, 1, ["would need", "limit for one scan is 1 MB"], env={"CALVARIA_MEMORY_LIMIT_MB": "1"},
         out_absent=True)
    case(0, "an InVesalius project over the memory budget",
         lambda: file("big.inv3", inv3_project, (40, 128, 128)), convert, 1,
         ["would need 2 MB", "limit for one scan is 1 MB"], env={"CALVARIA_MEMORY_LIMIT_MB": "1"}, out_absent=True)
    case(0, "an InVesalius project within it", lambda: file("small.inv3", inv3_project, (3, 5, 6)), info, 0, [],
         out_has="Dimensions:   6×5×3 voxels")
    long_folder = "a-folder-name-longer-than-the-hundred-bytes-a-plain-ustar-name-field-holds/" * 2 + "project"
    case(0, "an InVesalius project, GNU tar with long member names",
         lambda: file("gnu.inv3", inv3_project, (3, 5, 6), tarfile.GNU_FORMAT, long_folder), info, 0, [],
         out_has="Dimensions:   6×5×3 voxels")
    case(0, "an InVesalius project, ustar with names split into prefix and name",
         lambda: file("ustar.inv3", inv3_project, (3, 5, 6), tarfile.USTAR_FORMAT, "p" * 120 + "/project"), info, 0,
         [], out_has="Dimensions:   6×5×3 voxels")
    case(32, "series over the memory budget", lambda: folder("big", big_series), convert, 1,
         ["would need 2 MB", "limit for one scan is 1 MB"], env={"CALVARIA_MEMORY_LIMIT_MB": "1"}, out_absent=True)

    case(33, "NIfTI dim[0] = 200", lambda: file("dim0.nii", nifti1, dim0=200), convert_nii, 1, ["dim[0] is 200"])
    case(33, "NIfTI-2 dim[0] = -1", lambda: file("dim0m1.nii", nifti2_dim0, -1), convert_nii, 1, ["dim[0] is -1"])
    case(34, "NIfTI dims beyond the file", lambda: file("short.nii", nifti1, shape=(512, 512, 400),
                                                    data=np.zeros(10, np.int16)), convert_nii, 1, ["truncated"])
    case(35, "NIfTI dims overflowing 64 bits",
         lambda: file("overflow.nii", nifti1, shape=(32767, 32767, 32767), data=np.zeros(8, np.int16)),
         convert_nii, 1, ["truncated"])
    case(35, "NIfTI-2 dims whose product overflows 64 bits",
         lambda: file("overflow2.nii", nifti2_dims, (1 << 40, 1 << 40, 1 << 40)), convert_nii, 1, ["overflow"])
    for label, value in (("NaN", float("nan")), ("inf", float("inf")), ("-1", -1.0), ("100", 100.0), ("1e9", 1e9)):
        case(36, f"vox_offset {label}", lambda value=value, label=label: file(f"voxoff-{label}.nii", nifti1, vox_offset=value),
             convert_nii, 1, ["vox_offset"], err_absent=["vox_offset -1 "])
    for label, pd in (("0", (1, 0, 1)), ("NaN", (1, float("nan"), 1)), ("500", (1, 1, 500))):
        case(37, f"pixdim {label}", lambda pd=pd, label=label: file(f"pixdim-{label}.nii", nifti1, pixdim=pd),
             convert_nii, 1, ["pixdim"])
    case(38, "no qform or sform", lambda: file("noform.nii", nifti1, qform=0, sform=0), convert_nii, 4,
         ["left and right"])
    case(39, "qform and sform 100 mm apart",
         lambda: file("apart.nii", nifti1, qoffset=(100, 0, 0)), convert_nii, 0, ["qform and the sform disagree"])
    case(40, "sheared sform", lambda: file("shear.nii", nifti1, srow=[[1, 0.5, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]),
         convert_nii, 1, ["sheared"])
    case(40, "singular sform", lambda: file("singular.nii", nifti1, srow=[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]]),
         convert_nii, 1, ["singular"])
    case(41, "gzip bomb", lambda: file("bomb.nii.gz", gzip_bomb), convert_nii, 1, ["more than"])
    case(42, "extension with esize not a multiple of 16",
         lambda: file("ext.nii", nifti1, extension=b"\x01\x00\x00\x00" + struct.pack("<ii", 13, 0) + b"abcde",
                      vox_offset=400.0), convert_nii, 0, [])
    case(43, "escape codes, NUL and invalid UTF-8 in SeriesDescription", lambda: folder("text", odd_text), info, 0, [],
         no_raw_escape=True)
    case(0, "crash: .nii.gz with a damaged deflate stream", lambda: file("crc.nii.gz", corrupt_crc), convert_nii, 1,
         ["corrupt"])
    case(0, "crash: scl_slope 1e38 (every voxel infinite)", lambda: file("slope.nii", nifti1, slope=1e38),
         convert_nii, 1, ["not finite"])
    case(0, "NaN voxels", lambda: file("nanvox.nii", nifti1, dtype="<f4", code=16,
                                       data=np.full((8, 8, 8), np.nan, np.float32)), convert_nii, 1, ["not finite"])
    case(0, "PixelSpacing 1e-30 mm", lambda: folder("tiny", one_file_series, set_attr(PixelSpacing=[1e-30, 1e-30])),
         info, 1, ["PixelSpacing"])
    case(0, "PixelSpacing 1e30 mm", lambda: folder("vast", one_file_series, set_attr(PixelSpacing=[1e30, 1e30])),
         info, 1, ["PixelSpacing"])
    return cases


# ONNX models ---------------------------------------------------------------

def _varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def nested_subgraphs(path, depth):
    """Crash 3: a graph whose node's attribute holds a graph whose node ...
    `depth` times (ModelProto.graph=7, GraphProto.node=1, NodeProto.attribute=5,
    AttributeProto.g=6), written inside out without building it in memory
    twice."""
    inner = b""
    prefixes = []
    size = 0
    for _ in range(depth):
        for field in (6, 5, 1):                # g in attribute in node, wrapping a graph
            head = _varint(field << 3 | 2) + _varint(size)
            prefixes.append(head)
            size += len(head)
    head = _varint(7 << 3 | 2) + _varint(size)
    with open(path, "wb") as f:
        f.write(_varint(1 << 3) + _varint(8))  # ir_version 8
        f.write(head)
        for p in reversed(prefixes):
            f.write(p)
        f.write(inner)


def relu_model(path, dims, metadata=None):
    import onnx
    from onnx import TensorProto, helper
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, dims)
    graph = helper.make_graph([helper.make_node("Sigmoid", ["x"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, path)


def model_cases(root, ct):
    """Crashes 3 and 4 and the device rules, through `segment`."""
    cases = []

    def case(what, build_fn, cmd, rc, err, **extra):
        path = build_fn()
        cases.append(dict(number=0, what=what, input=ct, cmd=[c.replace("{model}", path or "") for c in cmd],
                          rc=rc, err=list(err), **extra))

    def file(name, fn, *args, **kw):
        path = os.path.join(root, name)
        fn(path, *args, **kw)
        return path

    segment = ["segment", "{in}", "{out}", "--model", "{model}"]
    case("crash: ONNX with 100 000 nested subgraphs", lambda: file("nested.onnx", nested_subgraphs, 100000),
         segment, 1, ["nests messages more than 100 deep"], out_absent=True)
    case("crash: ONNX input shape 1×1e9×1e6×1e6",
         lambda: file("huge.onnx", relu_model, [1, 1000000000, 1000000, 1000000]), segment, 1,
         ["huge.onnx", "more than 2^34 values"],
         out_absent=True)
    case("crash: calvaria.spacing_mm = 1e-9",
         lambda: file("tiny.onnx", relu_model, [1, 1, "h", "w"], {"calvaria.spacing_mm": "1e-9,1e-9"}),
         segment, 1, ["calvaria.spacing_mm", "0.05 to 20 mm"], out_absent=True)
    case("--device gpu: no such device, named with the way out", lambda: None,
         ["segment", "{in}", "{out}", "--device", "gpu"], 2, ["No Vulkan device matches “gpu”", "devices"],
         out_absent=True)
    case("CALVARIA_VK_DEVICE=99: a wrong argument (segment)", lambda: None, ["segment", "{in}", "{out}"], 2,
         ["No Vulkan device matches “99”"], env={"CALVARIA_VK_DEVICE": "99"}, out_absent=True)
    return cases
