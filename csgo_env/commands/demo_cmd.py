"""``csgo-env demo``: the whole pipeline on the embedded default, end to end.

On synthetic recordings (generated here, labelled synthetic everywhere) it runs what a
user runs on the real data: write recordings in the public layout, validate them, convert
them into Minari datasets (train and test split), open them with ``minari.load_dataset``
and check them against the sources, draw 96-step training sequences, and play a short
episode of ``CSGO-Deathmatch-v0`` on the replay game (a real window under an X server:
the current ``DISPLAY``, or a private Xvfb when one is installed).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

NAME = "demo"
HELP = "run the pipeline on synthetic recordings: synthesize, inspect, convert, load, play"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env demo``."""
    parser.add_argument("--work-dir", type=Path, default=Path("csgo_env_demo"),
                        help="folder for recordings and datasets (default: ./csgo_env_demo)")
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
    work: Path = args.work_dir
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
    return 0 if ok else 1


def _play(recording: Path, steps: int, seed: int) -> bool:
    """Play ``steps`` random steps on the replay game of ``recording``; True on success.

    Uses the current ``DISPLAY`` or, without one, a private Xvfb. Prints the episode's
    return, events and the 16 Hz loop's lateness.
    """
    import os
    from contextlib import nullcontext

    import gymnasium as gym
    import numpy as np

    from csgo_env.game.screen.xvfb import virtual_display
    from csgo_env.observations import OBS_SHAPE

    display = nullcontext(os.environ["DISPLAY"]) if os.environ.get("DISPLAY") \
        else virtual_display((1280, 1024))
    with display as name:
        env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[recording])
        try:
            obs, info = env.reset(seed=seed)
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
