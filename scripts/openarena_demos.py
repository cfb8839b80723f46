"""Record bot demos in OpenArena and build openarena/dm1-bots-{train,test}-v0, in one go.

    python scripts/openarena_demos.py --recordings 5 --seconds 40 --spectators 3 --out runs/oa_bots

For each recording (one match) R = 1..N: a dedicated server with 3 bots on oa_dm1 and
``--spectators`` S spectator clients (offscreen), spectator k following bot k, each record
a demo -> every demo is read (20 Hz poses) -> resampled at 16 frames per game second ->
actions inferred with the authors' rules and OpenArena's constants -> frames rendered
offline -> files in the public layout (file number (R-1)*S + k + 1) plus ``currvars_*.npy``
metadata -> quality report. Every demo of a match goes to the match's split (R divisible
by 5: test; the bots of one match meet each other, so a match is never split) and both
Minari datasets are written under ``OUT/minari``. Resumable: a demo whose files exist is
kept. Needs the Debian packages (scripts/setup_openarena.sh) and csgo-env[openarena].
Prints the quality table and per-demo timings (rendering at 1024x768 with software OpenGL
dominates: about 2.5 s of machine time per second of play on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csgo_env.datasets.openarena.build import build_demo, to_minari  # noqa: E402
from csgo_env.datasets.openarena.catalog import DATASET_IDS, split_of_recording  # noqa: E402
from csgo_env.datasets.pearce.quality import quality_table  # noqa: E402
from tests.datasets.openarena.record_demo import openarena_missing, record  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=5, help="matches to record")
    parser.add_argument("--seconds", type=float, default=40.0, help="wall seconds each")
    parser.add_argument("--spectators", type=int, default=3,
                        help="bots followed at once in each match (at most 3)")
    parser.add_argument("--out", type=Path, default=Path("runs/openarena_bots"))
    args = parser.parse_args(argv)
    missing = openarena_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    files: dict[str, list[Path]] = {did: [] for did in DATASET_IDS}
    rows = []
    recordings = args.out / "recordings"
    for match in range(1, args.recordings + 1):
        numbers = [(match - 1) * args.spectators + k + 1 for k in range(args.spectators)]
        done = {n: sorted(recordings.glob(f"*_r{n}_*.hdf5")) for n in numbers}
        folder = args.out / f"rec{match}"
        if all(done.values()):
            for n in numbers:
                files[split_of_recording(match)].extend(done[n])
            print(f"match {match}: kept")
            continue
        started = time.perf_counter()
        rec = record(folder, seconds=args.seconds, follow=tuple(range(args.spectators)))
        print(f"match {match}: recorded in {time.perf_counter() - started:.0f} s")
        for k, (number, demo) in enumerate(zip(numbers, rec.demos, strict=True)):
            started = time.perf_counter()
            built = build_demo(demo, recordings, number, render_home=folder / f"render{k}")
            files[split_of_recording(match)].extend(built.files)
            rows.extend(built.quality)
            print(f"  bot {k} -> file {number}: {built.frames.shape[0]} frames, built in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    print(quality_table(rows))
    for did, paths in files.items():
        if paths:
            print(did, "->", to_minari(paths, did, args.out / "minari"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
