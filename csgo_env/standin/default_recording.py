"""The recording the stand-in game plays when none is given: a synthetic one, made once."""

from __future__ import annotations

from pathlib import Path


def default_recordings() -> list[Path]:
    """A synthetic dust2-expert recording for the stand-in, generated once under the data
    home (:func:`csgo_env._paths.data_home`)."""
    from csgo_env._paths import data_home
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

    folder = data_home() / "replay_sample"
    existing = sorted(folder.glob("*.hdf5"))
    if existing:
        return existing[:1]
    folder.mkdir(parents=True, exist_ok=True)
    return list(write_synthetic_recordings(folder, files=1, seed=0))
