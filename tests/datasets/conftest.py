"""Fixtures for the dataset tests: real HDF5 recordings in the exact public layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csgo_env.datasets.pearce.reader import RecordingArrays
from csgo_env.datasets.pearce.write import write_recording
from csgo_env.datasets.synthetic.recordings import generate_recording, write_synthetic_recordings


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one synthetic 1000-frame dust2-expert recording (#1) and its metadata."""
    out = tmp_path_factory.mktemp("synthetic_recordings")
    write_synthetic_recordings(out, family="dust2-expert", files=1, seed=0)
    return out


@pytest.fixture(scope="session")
def full_file(sample_dir: Path) -> Path:
    """The 1000-frame recording of :func:`sample_dir` (do not modify: copy it first)."""
    return sample_dir / "hdf5_dm_july2021_expert_1.hdf5"


@pytest.fixture(scope="session")
def small_arrays() -> RecordingArrays:
    """Arrays of a 60-frame synthetic recording (seed 7)."""
    return generate_recording(7, num_frames=60)


@pytest.fixture(scope="session")
def small_master(tmp_path_factory: pytest.TempPathFactory, small_arrays: RecordingArrays) -> Path:
    """A 60-frame recording written by our writer (do not modify: use ``small_file``)."""
    path = tmp_path_factory.mktemp("small") / "hdf5_dm_july2021_expert_9.hdf5"
    a = small_arrays
    return write_recording(path, a.frames, a.action_vectors, a.xaux, a.helper)


@pytest.fixture
def small_file(small_master: Path, tmp_path: Path) -> Path:
    """A private copy of the 60-frame recording, free to damage."""
    return Path(shutil.copy(small_master, tmp_path / small_master.name))
