"""Benchmark: ``csgo-env view`` rendering 1000 frames with actions overlaid, per format.

Writes one synthetic 1000-frame recording (kinematic play, public layout; or use
``--recording``), checks that each output really holds every frame (MP4 frame count read
back with OpenCV, GIF frames with Pillow, PNG sheets x frames per sheet), then times,
interleaved round by round so both sides see the same machine load:

* reference: reading the 1000 frames and actions (``Recording.frames()`` + ``actions()``);
* ours: :func:`csgo_env.commands.view_cmd.render_recording` to ``.mp4``, ``.gif`` and
  ``.png`` (read + overlay + encode + atomic write), scale 2.

Reports seconds (median over rounds) per side and the ratio ours / reference; the target
is 1000 frames in under 10 s for each format. Exit code 1 if any format misses it.

    python scripts/bench_view.py [--rounds 3] [--recording PATH] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from csgo_env.commands.view_cmd import render_recording
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.synthetic.kinematics_files import write_kinematic_recording
from csgo_env.datasets.synthetic.kinematics_play import random_play

TARGET_S = 10.0
FORMATS = (".mp4", ".gif", ".png")


def frames_in(paths: list[Path], suffix: str, per_sheet: int) -> int:
    """Frames actually held by the written output."""
    if suffix == ".mp4":
        import cv2

        capture = cv2.VideoCapture(str(paths[0]))
        count = 0
        while capture.read()[0]:
            count += 1
        capture.release()
        return count
    if suffix == ".gif":
        from PIL import Image

        with Image.open(paths[0]) as im:
            return int(im.n_frames)
    return len(paths) * per_sheet


def reference(path: Path) -> None:
    with Recording(path) as rec:
        rec.frames()
        rec.actions()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--recording", type=Path, default=None,
                        help="a 1000-frame recording to render (default: a synthetic one)")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_view_") as tmp:
        work = Path(tmp)
        path = args.recording
        if path is None:
            path, _ = write_kinematic_recording(work / "rec",
                                                random_play(np.random.default_rng(0), 1000))
        with Recording(path) as rec:
            n = rec.num_frames
        for suffix in FORMATS:  # correctness first: a fast wrong output cannot pass
            written = render_recording(path, work / f"check{suffix}")
            got = frames_in(written, suffix, 100)
            if got != n:
                print(f"FAIL {suffix}: output holds {got} frames, expected {n}")
                return 1
        times: dict[str, list[float]] = {"reference": [], **{s: [] for s in FORMATS}}
        for r in range(args.rounds):
            t = time.perf_counter()
            reference(path)
            times["reference"].append(time.perf_counter() - t)
            for suffix in FORMATS:
                t = time.perf_counter()
                render_recording(path, work / f"round{r}{suffix}")
                times[suffix].append(time.perf_counter() - t)
    ref = statistics.median(times["reference"])
    print(f"{n} frames, {args.rounds} rounds (synthetic recording unless --recording)")
    print(f"reference (read frames + actions): {ref:.2f} s")
    results, missed = {"frames": n, "reference_s": ref, "formats": {}}, False
    for suffix in FORMATS:
        med = statistics.median(times[suffix])
        ok = med < TARGET_S
        missed |= not ok
        print(f"view {suffix}: {med:.2f} s ({1000 * med / n:.2f} ms/frame), "
              f"x{med / ref:.1f} the reference; target < {TARGET_S:.0f} s: "
              f"{'PASS' if ok else 'MISS'}")
        results["formats"][suffix] = {"seconds": med, "ratio": med / ref, "pass": ok,
                                      "rounds": times[suffix]}
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
