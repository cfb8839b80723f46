"""Record bot demos in OpenArena and build openarena/dm1-bots-{train,test}-v0, in one go.

    python scripts/openarena_demos.py --recordings 5 --seconds 120 --out runs/oa_bots

For each recording R = 1..N: a dedicated server with 3 bots on oa_dm1 and a spectator
client (offscreen) following bot 0 record a demo -> the demo is read (20 Hz poses) ->
resampled at 16 frames per game second -> actions inferred with the authors' rules and
OpenArena's constants -> frames rendered offline -> files in the public layout plus
``currvars_*.npy`` metadata -> quality report. Then every recording goes to its split
(R divisible by 5: test) and both Minari datasets are written under ``OUT/minari``.
Needs the Debian packages (scripts/setup_openarena.sh) and csgo-env[openarena].
Prints the quality table and per-recording timings.
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
    parser.add_argument("--recordings", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0, help="wall seconds each")
    parser.add_argument("--out", type=Path, default=Path("runs/openarena_bots"))
    args = parser.parse_args(argv)
    missing = openarena_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    files: dict[str, list[Path]] = {did: [] for did in DATASET_IDS}
    rows = []
    for number in range(1, args.recordings + 1):
        started = time.perf_counter()
        rec = record(args.out / f"rec{number}", seconds=args.seconds)
        recorded = time.perf_counter()
        built = build_demo(rec.demo, args.out / "recordings", number,
                           render_home=args.out / f"rec{number}" / "render")
        files[split_of_recording(number)].extend(built.files)
        rows.extend(built.quality)
        print(f"recording {number}: {built.frames.shape[0]} frames, record "
              f"{recorded - started:.0f} s, build {time.perf_counter() - recorded:.0f} s")
    print(quality_table(rows))
    for did, paths in files.items():
        if paths:
            print(did, "->", to_minari(paths, did, args.out / "minari"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
