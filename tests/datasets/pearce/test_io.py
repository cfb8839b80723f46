"""Reading and writing the public HDF5 layout, checked against plain h5py on real files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import h5py
import numpy as np
import pytest

from csgo_env.actions import NOOP, vectors_to_multidiscrete
from csgo_env.datasets.pearce.reader import (
    FRAME_SHAPE,
    FRAMES_PER_FILE,
    Recording,
    RecordingArrays,
    frame_keys,
)
from csgo_env.datasets.pearce.validate import validate_recording
from csgo_env.datasets.pearce.write import write_recording

PUBLIC_FILE_BYTES = 128_406_464


def read_like_the_authors(path: Path) -> RecordingArrays:
    """The way the authors' training code and DIAMOND's loader read a file: key by key."""
    with h5py.File(path, "r") as f:
        n = 0
        while f"frame_{n}_x" in f:
            n += 1
        bgr = np.stack([f[f"frame_{i}_x"][:] for i in range(n)])
        return RecordingArrays(frames=bgr[..., ::-1],
                               action_vectors=np.stack([f[f"frame_{i}_y"][:] for i in range(n)]),
                               xaux=np.stack([f[f"frame_{i}_xaux"][:] for i in range(n)]),
                               helper=np.stack([f[f"frame_{i}_helperarr"][:]
                                                for i in range(n)]))


def test_frame_keys() -> None:
    assert frame_keys(0) == ("frame_0_x", "frame_0_xaux", "frame_0_y", "frame_0_helperarr")
    assert frame_keys(537)[2] == "frame_537_y"


def test_writer_output_reads_back_through_plain_h5py(small_master: Path,
                                                     small_arrays: RecordingArrays) -> None:
    got = read_like_the_authors(small_master)
    for name in ("frames", "action_vectors", "xaux", "helper"):
        np.testing.assert_array_equal(getattr(got, name), getattr(small_arrays, name),
                                      err_msg=name)
    with h5py.File(small_master, "r") as f:
        assert len(f) == 4 * 60
        x = f["frame_3_x"]
        assert x.dtype == np.uint8 and x.shape == FRAME_SHAPE
        # stored BGR: channel 0 on disk is the blue channel of the RGB input
        np.testing.assert_array_equal(x[..., 0], small_arrays.frames[3, ..., 2])
        for kind, shape in (("xaux", (54,)), ("y", (51,)), ("helperarr", (2,))):
            d = f[f"frame_3_{kind}"]
            assert d.dtype == np.dtype("<f8") and d.shape == shape
            assert d.chunks is None and d.compression is None  # contiguous, unfiltered
    assert Path(small_master).read_bytes()[8] == 0  # superblock version 0


def test_public_size_and_layout_for_1000_frames(full_file: Path) -> None:
    assert full_file.stat().st_size == PUBLIC_FILE_BYTES
    with h5py.File(full_file, "r") as f:
        assert len(f) == 4 * FRAMES_PER_FILE
        assert all(f[k].id.get_create_plist().get_layout() == h5py.h5d.CONTIGUOUS
                   for k in frame_keys(999))


def test_writer_is_deterministic(tmp_path: Path, small_arrays: RecordingArrays) -> None:
    a = small_arrays
    digests = {hashlib.sha256(write_recording(tmp_path / f"r{k}.hdf5", a.frames,
                                              a.action_vectors, a.xaux, a.helper,
                                              durable=False).read_bytes()).hexdigest()
               for k in range(2)}
    assert len(digests) == 1


def write_independently(path: Path, bgr: np.ndarray, y: np.ndarray, xaux: np.ndarray,
                        helper: np.ndarray) -> None:
    """Another writer of the public layout: plain h5py, keys in a different order."""
    n = len(bgr)
    with h5py.File(path, "w") as f:
        for i in reversed(range(n)):
            f.create_dataset(f"frame_{i}_y", data=y[i])
            f.create_dataset(f"frame_{i}_helperarr", data=helper[i])
        for i in range(n):
            f.create_dataset(f"frame_{i}_xaux", data=xaux[i])
            f.create_dataset(f"frame_{i}_x", data=bgr[i])


def test_reads_an_independently_written_file(tmp_path: Path,
                                             small_arrays: RecordingArrays) -> None:
    a = small_arrays
    bgr = np.ascontiguousarray(a.frames[..., ::-1])
    path = tmp_path / "independent.hdf5"
    write_independently(path, bgr, a.action_vectors, a.xaux, a.helper)
    with Recording(path) as rec:
        assert rec.num_frames == 60
        got = rec.read_all()
        np.testing.assert_array_equal(got.frames, a.frames)  # BGR on disk -> RGB
        np.testing.assert_array_equal(rec.frames_bgr(), bgr)
        np.testing.assert_array_equal(rec.actions(), vectors_to_multidiscrete(a.action_vectors))
        np.testing.assert_array_equal(got.xaux, a.xaux)
        np.testing.assert_array_equal(got.helper, a.helper)
    assert validate_recording(path, expected_frames=60).ok


def test_reads_chunked_compressed_and_big_endian_datasets(tmp_path: Path,
                                                         small_arrays: RecordingArrays) -> None:
    """Datasets without a plain byte offset are read through h5py with the same result."""
    a = small_arrays
    path = tmp_path / "odd.hdf5"
    with h5py.File(path, "w") as f:
        for i in range(10):
            f.create_dataset(f"frame_{i}_x", data=a.frames[i, ..., ::-1], chunks=(50, 280, 3),
                             compression="gzip")
            f.create_dataset(f"frame_{i}_y", data=a.action_vectors[i].astype(">f8"))
            f.create_dataset(f"frame_{i}_xaux", data=a.xaux[i])
            f.create_dataset(f"frame_{i}_helperarr", data=a.helper[i])
    with Recording(path) as rec:
        np.testing.assert_array_equal(rec.frames(), a.frames[:10])
        vectors = rec.action_vectors()
        assert vectors.dtype == np.dtype("<f8")
        np.testing.assert_array_equal(vectors, a.action_vectors[:10])


def test_random_access_ranges(small_file: Path, small_arrays: RecordingArrays) -> None:
    a = small_arrays
    with Recording(small_file) as rec:
        for start, stop in ((0, 1), (17, 45), (59, 60), (30, 30)):
            np.testing.assert_array_equal(rec.frames(start, stop), a.frames[start:stop])
            np.testing.assert_array_equal(rec.action_vectors(start, stop),
                                          a.action_vectors[start:stop])
            np.testing.assert_array_equal(rec.xaux(start, stop), a.xaux[start:stop])
            np.testing.assert_array_equal(rec.helper(start, stop), a.helper[start:stop])
        assert rec.frames(5, 5).shape == (0, *FRAME_SHAPE)
        for start, stop in ((-1, 5), (0, 61), (10, 5), (61, None)):
            with pytest.raises(ValueError, match="out of range"):
                rec.frames(start, stop)
        with pytest.raises(TypeError):
            rec.helper(1.5, 3)  # type: ignore[arg-type]
        assert len(rec) == 60 and "60 frames" in repr(rec)
    assert rec.closed
    rec.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        rec.frames(0, 1)


def test_unclosed_recording_warns(small_file: Path) -> None:
    rec = Recording(small_file)
    rec.frames(0, 1)
    with pytest.warns(ResourceWarning, match="not closed"):
        rec._finalizer()


def test_writer_defaults_and_input_checks(tmp_path: Path) -> None:
    frames = np.zeros((3, *FRAME_SHAPE), np.uint8)
    vectors = np.tile(NOOP.to_vector(), (3, 1))
    vectors[2, 11] = 1  # fire on the last frame
    path = write_recording(tmp_path / "sub" / "r.hdf5", frames, vectors, durable=False)
    with Recording(path) as rec:
        np.testing.assert_array_equal(rec.helper(), np.zeros((3, 2)))
        xaux = rec.xaux()
    assert xaux[0].sum() == 0 and xaux[1, 11] == 0  # frame 0 has no history
    assert xaux[2, 13] == 0.0 and xaux[2, 14] == 0.0  # zero mouse bins -> 0 counts
    bad = vectors.copy()
    bad[1, 20] = 1  # a second mouse_x bin
    target = tmp_path / "never.hdf5"
    with pytest.raises(ValueError, match="one-hot"):
        write_recording(target, frames, bad)
    with pytest.raises(TypeError, match="uint8"):
        write_recording(target, frames.astype(np.float32), vectors)
    with pytest.raises(ValueError, match="shape"):
        write_recording(target, frames[:, :100], vectors)
    with pytest.raises(ValueError, match="0/1"):
        write_recording(target, frames, vectors, helper=np.full((3, 2), 0.5))
    assert not target.exists() and not list(tmp_path.glob(".never*"))


def test_header_decoder_agrees_with_hdf5(small_master: Path) -> None:
    from csgo_env.datasets.pearce.index import HeaderDecoder, link_addresses

    with h5py.File(small_master, "r") as f, open(small_master, "rb") as raw:
        decoder = HeaderDecoder.open(raw, small_master.stat().st_size)
        assert decoder is not None
        links = link_addresses(f.id)
        assert len(links) == 240
        for name, address in links.items():
            extent = decoder.extent(address)
            dset = f[name]
            assert extent is not None, name
            assert (extent.shape, extent.dtype) == (dset.shape, dset.dtype)
            assert extent.address == dset.id.get_offset()
            assert extent.size == dset.id.get_storage_size()


def test_other_hdf5_formats_fall_back_to_h5py(tmp_path: Path,
                                              small_arrays: RecordingArrays) -> None:
    """Superblock v3 / version-2 object headers are not decoded but read all the same."""
    a = small_arrays
    path = tmp_path / "latest.hdf5"
    with h5py.File(path, "w", libver="latest") as f:
        for i in range(5):
            for name, value in zip(frame_keys(i), (a.frames[i, ..., ::-1], a.xaux[i],
                                                   a.action_vectors[i], a.helper[i]),
                                   strict=True):
                f.create_dataset(name, data=value)
    with Recording(path) as rec:
        assert rec._decoder is None
        np.testing.assert_array_equal(rec.frames(), a.frames[:5])
        np.testing.assert_array_equal(rec.actions(), vectors_to_multidiscrete(
            a.action_vectors[:5]))


def test_a_decoder_that_disagrees_with_hdf5_is_dropped(small_file: Path,
                                                       small_arrays: RecordingArrays,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from csgo_env.datasets.pearce import index as pearce_index

    real = pearce_index.HeaderDecoder.extent

    def off_by_eight(self, address: int):
        extent = real(self, address)
        return extent and pearce_index.DatasetExtent(extent.shape, extent.dtype,
                                                     extent.address + 8, extent.size)

    monkeypatch.setattr(pearce_index.HeaderDecoder, "extent", off_by_eight)
    with Recording(small_file) as rec:
        np.testing.assert_array_equal(rec.frames(), small_arrays.frames)
        assert rec._decoder is None


def test_channel_swap_is_the_same_with_and_without_opencv() -> None:
    """Frames come out RGB whichever swap runs (OpenCV's when installed, else numpy's)."""
    from csgo_env.datasets.pearce import reader as pearce

    rng = np.random.default_rng(5)
    bgr = rng.integers(0, 256, (11, *pearce.FRAME_SHAPE), dtype=np.uint8)
    want = np.ascontiguousarray(bgr[..., ::-1])
    fast = np.empty_like(bgr)
    pearce._pick_swap()(bgr, fast)
    plain = np.empty_like(bgr)
    pearce._swap_numpy(bgr, plain)
    np.testing.assert_array_equal(fast, want)
    np.testing.assert_array_equal(plain, want)
    np.testing.assert_array_equal(pearce.bgr_to_rgb(bgr, np.empty_like(bgr)), want)
