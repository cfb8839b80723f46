"""``csgo-env demo``: the whole pipeline on the embedded default, end to end.

On synthetic recordings (generated here, labelled synthetic everywhere) it runs what a
user runs on the real data: write recordings in the public layout, validate them, convert
them into Minari datasets (train and test split), open them with ``minari.load_dataset``
and check them against the sources, draw 96-step training sequences, and play a short
episode of ``CSGO-Deathmatch-v0`` on the replay game (a real window under an X server:
the current ``DISPLAY``, or a private Xvfb when one is installed). Everything goes under
the data home (``$CSGO_ENV_HOME``, else ``~/.cache/csgo_env``) unless ``--work-dir`` names
a folder; the closing summary says what was made, where, how to load it and what next.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

NAME = "demo"
HELP = "run the pipeline on synthetic recordings: synthesize, inspect, convert, load, play"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env demo``."""
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="folder for recordings and datasets (default: demo/ in the data "
                             "home, $CSGO_ENV_HOME, else ~/.cache/csgo_env)")
    parser.add_argument("--files", type=int, default=3,
                        help="synthetic recordings to write (default: 3; file 10 is test split)")
    parser.add_argument("--steps", type=int, default=64,
                        help="steps of the replay-game episode (default: 64; 0 skips it)")
    parser.add_argument("--seed", type=int, default=0, help="seed of recordings and policy")


def _say(step: str, text: str) -> None:
    print(f"[{step}] {text}", flush=True)


def run(args: argparse.Namespace) -> int:
    """Run every stage; 0 when all pass, 1 when a check fails."""
    import numpy as np

    from csgo_env.datasets.pearce.families import get_family
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.datasets.pearce.validate import validate_recording
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings
    from csgo_env.errors import UsageError, explain

    if args.files < 1 or args.steps < 0:
        raise UsageError(explain("--files must be >= 1 and --steps >= 0",
                                 got=f"{args.files}, {args.steps}"))
    from csgo_env._paths import data_home

    work: Path = (args.work_dir or data_home() / "demo").expanduser().resolve()
    recordings, minari_root = work / "recordings", work / "minari"
    family = get_family("dust2-expert")

    # 1. recordings in the public layout (numbers 8, 9, 10...: file 10 is in the test split)
    first = max(1, 11 - args.files)
    paths = [recordings / family.file_name(n) for n in range(first, first + args.files)]
    if all(p.exists() for p in paths):
        _say("synthesize", f"reusing {len(paths)} synthetic recordings in {recordings}")
    else:
        t = time.perf_counter()
        paths = write_synthetic_recordings(recordings, family=family.name, files=args.files,
                                        seed=args.seed, first_number=first)
        _say("synthesize", f"wrote {len(paths)} SYNTHETIC recordings to {recordings} "
                       f"({time.perf_counter() - t:.1f} s)")

    # 2. validation
    reports = [validate_recording(p) for p in paths]
    bad = [r for r in reports if not r.ok]
    _say("inspect", f"{len(reports) - len(bad)}/{len(reports)} files valid")
    for report in bad:
        _say("inspect", f"{report.path.name}: {report.problems[:3]}")

    # 3. conversion into Minari datasets
    from csgo_env.datasets.minari.export import convert

    t = time.perf_counter()
    result = convert([recordings], out_dir=minari_root, progress=False)
    _say("convert", f"{result.summary()} ({time.perf_counter() - t:.1f} s)")

    # 4. load with plain minari and compare with the sources
    import os

    os.environ["MINARI_DATASETS_PATH"] = str(minari_root.resolve())
    import minari

    identical = True
    for dataset_id in sorted(minari.list_local_datasets()):
        dataset = minari.load_dataset(dataset_id)
        metas = dataset.storage.get_episode_metadata(dataset.episode_indices)
        for episode, meta in zip(dataset.iterate_episodes(), metas, strict=True):
            with Recording(recordings / str(meta["source_file"])) as rec:
                same = (np.array_equal(episode.observations, rec.frames())
                        and np.array_equal(episode.actions, rec.actions(0, rec.num_frames - 1)))
            identical &= same
        _say("load", f"{dataset_id}: {dataset.total_episodes} episodes, "
                     f"{dataset.total_steps} steps, identical to sources: {identical}")

    # 5. training windows
    from csgo_env.datasets.loader import SequenceDataset, make_loader

    sequences = SequenceDataset(sorted(minari.list_local_datasets()), seq_len=96, seed=args.seed,
                            root=minari_root)
    batch = next(iter(make_loader(sequences, batch_size=4, num_workers=0)))
    _say("loader", "batch of 96-step windows: " + ", ".join(
        f"{k} {tuple(v.shape)}" for k, v in batch.items() if hasattr(v, "shape")))

    ok = not bad and result.ok and identical
    if args.steps:
        ok &= _play(paths[0], args.steps, args.seed)
    _say("done", "all stages passed" if ok else "a stage FAILED (see above)")
    print(summary(work, recordings, minari_root, sorted(minari.list_local_datasets())),
          flush=True)
    return 0 if ok else 1


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _command_names() -> tuple[str, str]:
    """How to call this interpreter and ``csgo-env`` from a shell (an inactive virtual
    environment's ``bin/`` is not on ``PATH``)."""
    import shutil
    import sys

    here = Path(sys.executable).parent / "csgo-env"
    on_path = shutil.which("csgo-env")
    cli = "csgo-env" if (on_path and Path(on_path).resolve() == here.resolve()) \
        or not here.exists() else str(here)
    return sys.executable, cli


def summary(work: Path, recordings: Path, minari_root: Path, dataset_ids: list[str]) -> str:
    """The closing note: what the demo made, where, how to load it, what to do next."""
    python, cli = _command_names()
    first = dataset_ids[0] if dataset_ids else "csgo/dust2-expert-train-v0"
    n_files = len(list(recordings.glob("*.hdf5")))
    return "\n".join([
        f"\nWhat the demo made ({_size_mb(work):,.0f} MB in {work}), all of it SYNTHETIC: "
        "for trying the pipeline, not for training",
        f"  recordings ({n_files} file{'' if n_files == 1 else 's'}, public layout): "
        f"{recordings}",
        f"  Minari datasets: {', '.join(dataset_ids) or 'none'}",
        f"    under the Minari root {minari_root}",
        "Load a dataset with plain Minari (it looks under $MINARI_DATASETS_PATH):",
        f"  MINARI_DATASETS_PATH={minari_root} {python} -c \"import minari; "
        f"print(minari.load_dataset('{first}'))\"",
        f"  in Python: os.environ['MINARI_DATASETS_PATH'] = '{minari_root}', then "
        f"minari.load_dataset('{first}')",
        "Next steps:",
        f"  {cli} datasets --out-dir {minari_root}",
        "      the catalog, and what is converted there",
        f"  {cli} convert PATH/TO/RECORDINGS",
        "      convert the real recordings (where to get them: datasets/README.md) into "
        "$MINARI_DATASETS_PATH, else ~/.minari/datasets",
        f"  {cli} play --policy random --game replay",
        "      the environment on the replay game, with a live status line",
        f"  rm -r {work}",
        "      remove the demo's files"])


def _play(recording: Path, steps: int, seed: int) -> bool:
    """Play ``steps`` random steps on the replay game of ``recording``; True on success.

    The env uses the current ``DISPLAY`` or, without one, a private Xvfb. Prints the
    episode's return, events and the 16 Hz loop's lateness.
    """
    import os

    import gymnasium as gym
    import numpy as np

    from csgo_env.observations import OBS_SHAPE

    env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[recording])
    try:
        obs, info = env.reset(seed=seed)
        name = os.environ.get("DISPLAY", "the desktop")
        env.action_space.seed(seed)
        total, lateness = 0.0, []
        for _ in range(steps):
            obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
            total += float(reward)
            lateness.append(info["tick_lateness_s"])
            if terminated or truncated:
                break
    finally:
        env.close()
    late = np.array(lateness) * 1e3
    _say("play", f"replay game on {name}: {len(late)} steps, return {total:+.2f}, "
                 f"kills {info['kills']}, deaths {info['deaths']}, observation {obs.shape} "
                 f"{obs.dtype}, tick lateness p50 {np.percentile(late, 50):.2f} ms "
                 f"p99 {np.percentile(late, 99):.2f} ms")
    return obs.shape == OBS_SHAPE and len(late) == steps
