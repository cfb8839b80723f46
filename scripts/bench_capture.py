"""Benchmark: observation capture (grab crop + resize + RGB) against a bare mss grab.

Starts its own Xvfb and the window program showing the known pattern at 1024x768, then
times, interleaved round by round (alternating order) so all see the same machine load:

* reference: ``mss.MSS().grab()`` of the same 824x498 crop rectangle: the pixels as BGRA
  bytes, what a user of mss gets for the same screen area;
* ours: ``Capturer.grab()`` -- grab of that crop, INTER_LINEAR resize to 280x150 of the
  BGRA array, BGRA->RGB, window re-checked every 16 grabs;
* for context: a bare grab of the whole 1024x768 client area.

Reports ms per grab (median over rounds) and the ratio ours / reference; the target is
<= 1.5 (the resize and colour conversion may cost at most half a grab). Before timing,
the observation is checked to be exactly the expected pixels, so a fast wrong image
cannot pass. Exit code 1 if the target is missed.

    python scripts/bench_capture.py [--rounds 7] [--grabs 100] [--busy 0] [--json out.json]
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
from bench_support import at_most, busy_cores, interleaved, machine_line, report

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--grabs", type=int, default=100, help="grabs per round and side")
    parser.add_argument("--busy", type=int, default=0,
                        help="busy-loop processes meanwhile (default 0: the target is idle)")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)

    with virtual_display((1280, 1024)), tempfile.TemporaryDirectory() as tmp, \
            WindowProcess("csgo_env capture benchmark", Path(tmp) / "log.jsonl",
                          position=(0, 0)) as win, \
            Capturer([win.title]) as cap:
        sct = open_mss()
        x0, y0, x1, y1 = cap.geometry.crop
        full = cap.client_region  # the whole 1024x768 client area
        crop = {"left": full["left"] + x0, "top": full["top"] + y0, "width": x1 - x0,
                "height": y1 - y0}

        # correctness first: the observation must be exactly the expected pixels, and the
        # reference must grab the very same pixels before resizing
        bgra = cv2.cvtColor(known_pattern(*WINDOW_SIZE), cv2.COLOR_RGB2BGRA)
        want_crop = np.ascontiguousarray(bgra[y0:y1, x0:x1])
        expected = cv2.cvtColor(cv2.resize(want_crop, cap.geometry.out_size,
                                           interpolation=cv2.INTER_LINEAR),
                                cv2.COLOR_BGRA2RGB)
        if not np.array_equal(cap.grab(), expected):
            sys.exit("the captured observation is not the expected image")
        ref_pixels = np.frombuffer(sct.grab(crop).raw, np.uint8).reshape(y1 - y0, x1 - x0, 4)
        if not np.array_equal(ref_pixels[..., :3], want_crop[..., :3]):
            sys.exit("the reference grab is not the crop's pixels")

        for _ in range(20):  # warm up every path
            sct.grab(crop)
            sct.grab(full)
            cap.grab()
        with busy_cores(args.busy):
            rounds = interleaved({
                "bare crop": lambda: per_grab_ms(lambda: sct.grab(crop), args.grabs),
                "ours": lambda: per_grab_ms(cap.grab, args.grabs),
                "bare full": lambda: per_grab_ms(lambda: sct.grab(full), args.grabs)},
                args.rounds)
        sct.close()

    med = {k: statistics.median(v) for k, v in rounds.items()}
    ratio = med["ours"] / med["bare crop"]
    result = {
        "reference": "mss grab of the same 824x498 crop",
        "ours": "Capturer.grab(): crop grab + INTER_LINEAR resize to 280x150 + RGB",
        "ms_per_grab": {k: round(v, 4) for k, v in med.items()},
        "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO, "busy": args.busy,
        "rounds_ms": {k: [round(x, 4) for x in v] for k, v in rounds.items()},
    }
    print(f"{args.rounds} interleaved rounds of {args.grabs} grabs; {args.busy} busy; "
          f"{machine_line()}")
    print(f"bare mss grab, same 824x498 crop : {med['bare crop']:7.3f} ms/grab  (reference)")
    print(f"Capturer.grab (obs 280x150)      : {med['ours']:7.3f} ms/grab")
    print(f"bare mss grab, whole 1024x768    : {med['bare full']:7.3f} ms/grab  (for context)")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return report([at_most("capture: Capturer.grab / bare mss grab of the same crop", ratio,
                           TARGET_RATIO, "x", f"{med['ours']:.3f} vs {med['bare crop']:.3f} "
                           "ms per grab")])


if __name__ == "__main__":
    sys.exit(main())
