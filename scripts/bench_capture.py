"""Benchmark: observation capture (grab crop + resize + RGB) against a bare mss grab.

Starts its own Xvfb and the window program showing the known pattern at 1024x768, then
times, interleaved round by round so both see the same machine load:

* reference: ``mss.MSS().grab()`` of the full 1024x768 client area (bytes only);
* ours: ``Capturer.grab()`` — grab of the 824x498 crop, INTER_LINEAR resize to 280x150 of
  the BGRA array, BGRA->RGB, window re-checked every 16 grabs.

Reports ms per grab (median over rounds) for both and the ratio ours / reference; the
target is <= 1.5. Before timing, the observation is checked to be exactly the expected
pixels, so a fast wrong image cannot pass. Exit code 1 if the ratio misses the target.

    python scripts/bench_capture.py [--rounds 7] [--grabs 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from csgo_env.game.screen.capture import Capturer, open_mss
from csgo_env.game.screen.xvfb import virtual_display
from csgo_env.observations import WINDOW_SIZE
from csgo_env.standin.window import known_pattern
from csgo_env.standin.window_process import WindowProcess

TARGET_RATIO = 1.5


def per_grab_ms(grab: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        grab()
    return (time.perf_counter() - start) * 1000.0 / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--grabs", type=int, default=100, help="grabs per round and side")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()

    with virtual_display((1280, 1024)), tempfile.TemporaryDirectory() as tmp, \
                WindowProcess("csgo_env capture benchmark", Path(tmp) / "log.jsonl",
                          position=(0, 0)) as win, \
                Capturer([win.title]) as cap:
        sct = open_mss()
        region = cap.client_region  # the whole 1024x768 client area

        # correctness first: the observation must be exactly the expected pixels
        x0, y0, x1, y1 = cap.geometry.crop
        bgra = cv2.cvtColor(known_pattern(*WINDOW_SIZE), cv2.COLOR_RGB2BGRA)
        crop = np.ascontiguousarray(bgra[y0:y1, x0:x1])
        expected = cv2.cvtColor(cv2.resize(crop, cap.geometry.out_size,
                                           interpolation=cv2.INTER_LINEAR),
                                cv2.COLOR_BGRA2RGB)
        if not np.array_equal(cap.grab(), expected):
            sys.exit("the captured observation is not the expected image")

        for _ in range(20):  # warm up both paths
            sct.grab(region)
            cap.grab()
        bare, ours = [], []
        for _ in range(args.rounds):
            bare.append(per_grab_ms(lambda: sct.grab(region), args.grabs))
            ours.append(per_grab_ms(cap.grab, args.grabs))
        sct.close()

    bare_ms, ours_ms = statistics.median(bare), statistics.median(ours)
    ratio = ours_ms / bare_ms
    result = {
        "reference": "mss grab of the full 1024x768 client area",
        "ours": "Capturer.grab(): crop grab + INTER_LINEAR resize to 280x150 + RGB",
        "reference_ms_per_grab": round(bare_ms, 4), "ours_ms_per_grab": round(ours_ms, 4),
        "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO,
        "rounds": args.rounds, "grabs_per_round": args.grabs,
        "reference_rounds_ms": [round(v, 4) for v in bare],
        "ours_rounds_ms": [round(v, 4) for v in ours],
    }
    print(f"bare mss grab 1024x768      : {bare_ms:7.3f} ms/grab")
    print(f"Capturer.grab (obs 280x150) : {ours_ms:7.3f} ms/grab")
    print(f"ratio ours / reference      : {ratio:7.3f}  (target <= {TARGET_RATIO})")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
