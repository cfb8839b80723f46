"""Benchmark: the GSI receiver against the standard library's HTTP server, and the authors'.

Servers, all in this process; senders run in other processes (like the game), POSTing
~2.5 KB player payloads with a sequence number over loopback with keep-alive
``http.client`` connections:

- ours: :class:`~csgo_env.game.gsi_receiver.GSIReceiver`;
- reference: ``http.server.ThreadingHTTPServer`` serving in a background thread with an
  HTTP/1.1 (keep-alive) handler that keeps the JSON and answers 200 -- what a user would
  write instead;
- second row: the dataset authors' pattern, a plain ``HTTPServer`` whose blocking
  ``handle_request()`` is called once per 1/16 s tick of the agent loop.

Interleaved repetitions (alternating order) of:

1. flood: ``--procs`` x ``--threads`` senders POST as fast as 2xx replies allow.
   Throughput; for ours a final payload must then be what ``latest`` holds and every
   acknowledged payload must have been accepted (nothing lost).
2. serial: one sender POSTs, waits for the 2xx, POSTs again -- how the game sends.
   Request latency p50/p99.

Then a paced run (one POST every ``--pace-ms`` while a 16 Hz loop takes the GSI state once
per tick) shows what the GSI part costs each tick for ours and the authors' pattern.
Targets: ours >= 1,000 POSTs/s with nothing lost; ours >= 1.0x the reference's throughput.

    python scripts/bench_gsi.py            # ~40 s
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench_support import at_least, interleaved, machine_line, percentile, report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support
from csgo_env.game.clock import TickClock
from csgo_env.game.gsi.receiver import GSIReceiver
from tests.support.gsi_payloads import TOKEN, encode, real_size_payload

HZ = 16.0
MIN_POSTS_PER_S = 1000.0


def _template() -> bytes:
    body = real_size_payload(7)
    del body["bench_seq"]
    tail = encode(body)
    return b'{"bench_seq": %d, "sent_at": %.6f,' + tail[1:].replace(b"%", b"%%")


def _post(conn: http.client.HTTPConnection, body: bytes) -> int:
    conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def _sender(port: int, mode: str, seq0: int, threads: int, duration_s: float, pace_s: float,
            start: Any, out: Any) -> None:
    """One sender process: ``threads`` connections (flood) or one (serial, paced)."""
    template = _template()
    results: list[dict[str, Any]] = [{} for _ in range(threads)]

    def loop(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        seq, acks, last, lat = seq0 + i * 10_000_000, 0, -1, []
        start.wait()
        end = time.perf_counter() + duration_s
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            status = _post(conn, template % (seq, time.monotonic()))
            lat.append(time.perf_counter() - t0)
            if status == 200:
                acks, last = acks + 1, seq
            seq += 1
            if mode == "paced":
                time.sleep(max(0.0, pace_s - (time.perf_counter() - t0)))
        conn.close()
        results[i] = {"acks": acks, "last": last, "lat": lat if mode != "flood" else []}

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(results)


def _senders(port: int, mode: str, procs: int, threads: int, duration_s: float,
             pace_s: float = 0.0) -> tuple[list[dict[str, Any]], float, float]:
    """Run sender processes; return per-connection results, start time and seconds."""
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    ps = [ctx.Process(target=_sender, args=(port, mode, p * 100_000_000, threads, duration_s,
                                            pace_s, start, out)) for p in range(procs)]
    for p in ps:
        p.start()
    time.sleep(0.8)  # let the interpreters start and connect
    t0 = time.perf_counter()
    start.set()
    results = [r for _ in ps for r in out.get(timeout=duration_s + 120)]
    elapsed = time.perf_counter() - t0
    for p in ps:
        p.join()
    return results, t0, elapsed


class _Handler(BaseHTTPRequestHandler):
    """Read the body, keep the JSON, answer 200 with an empty body."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        payload = json.loads(body)
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.latest = payload  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"


class _Stdlib:
    """The reference: ThreadingHTTPServer with an HTTP/1.1 handler, serving in the background."""

    name = "stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive"

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveHandler)
        self.server.daemon_threads = True
        self.server.lock = threading.Lock()  # type: ignore[attr-defined]
        self.server.latest = None  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Authors:
    """``handle_request()`` once per 1/16 s tick on a loop thread; records per-tick cost."""

    name = "authors: handle_request() once per tick"

    def __init__(self) -> None:
        self.server = HTTPServer(("127.0.0.1", 0), _Handler)
        self.server.timeout = 1.0
        self.server.lock = threading.Lock()  # type: ignore[attr-defined]
        self.server.latest = None  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.stop = threading.Event()
        self.ticks: list[tuple[float, float, float]] = []  # (start, GSI seconds, lateness)
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        clock = TickClock(HZ)
        clock.start()
        while not self.stop.is_set():
            t0 = time.perf_counter()
            self.server.handle_request()
            gsi = time.perf_counter() - t0
            self.ticks.append((t0, gsi, clock.tick().lateness_s))
            clock.release()

    def window(self, t0: float, seconds: float) -> tuple[list[float], list[float]]:
        """Per-tick GSI seconds and lateness of the ticks that started in the window."""
        inside = [(g, late) for t, g, late in self.ticks if t0 <= t < t0 + seconds]
        return [g for g, _ in inside], [late for _, late in inside]

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.server_close()


class _Ours:
    name = "ours: GSIReceiver"

    def __init__(self) -> None:
        self.rcv = GSIReceiver(port=0, token=TOKEN).start()
        self.port = self.rcv.address[1]
        self.intact = True

    def close(self) -> None:
        self.rcv.stop()


def _flood(server: Any, args: argparse.Namespace, seconds: float) -> float:
    """POSTs/s of one flood run; for ours also checks that nothing was lost."""
    before = server.rcv.freshness().posts if isinstance(server, _Ours) else 0
    flood, _, secs = _senders(server.port, "flood", args.procs, args.threads, seconds)
    acks = sum(r["acks"] for r in flood)
    if isinstance(server, _Ours):
        final = 999_999_999
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        final_ok = _post(conn, _template() % (final, time.monotonic())) == 200
        conn.close()
        latest = server.rcv.latest or {}
        posts = server.rcv.freshness().posts - before
        server.intact &= final_ok and latest.get("bench_seq") == final and posts == acks + 1
    return acks / secs


def _serial(server: Any, seconds: float) -> list[float]:
    serial, _, _ = _senders(server.port, "serial", 1, 1, seconds)
    return serial[0]["lat"]


def _ours_loop(rcv: GSIReceiver, duration_s: float) -> tuple[list[float], list[float]]:
    clock, gsi_s, lateness = TickClock(HZ), [], []
    clock.start()
    end = time.perf_counter() + duration_s
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        _ = rcv.latest, rcv.tracker.drain(), rcv.freshness()
        gsi_s.append(time.perf_counter() - t0)
        lateness.append(clock.tick().lateness_s)
        clock.release()
    return gsi_s, lateness


def _ms(values: list[float], q: float) -> float:
    return 1e3 * percentile(values, q)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=2, help="flood sender processes")
    parser.add_argument("--threads", type=int, default=2, help="connections per process")
    parser.add_argument("--seconds", type=float, default=3.0, help="each flood run")
    parser.add_argument("--serial-seconds", type=float, default=2.0, help="each serial run")
    parser.add_argument("--authors-seconds", type=float, default=2.0,
                        help="each run of the authors' pattern (it takes 16 POSTs/s at most)")
    parser.add_argument("--reps", type=int, default=2, help="interleaved repetitions")
    parser.add_argument("--pace-ms", type=float, default=100.0)
    parser.add_argument("--json", type=str, default=None, help="also write results here")
    args = parser.parse_args(argv)
    size = len(_template() % (0, 0.0))
    servers: dict[str, Any] = {"ours": _Ours(), "stdlib": _Stdlib(), "authors": _Authors()}
    try:
        secs = {"ours": args.seconds, "stdlib": args.seconds, "authors": args.authors_seconds}
        runs: dict[str, Callable[[], tuple[float, list[float]]]] = {
            name: (lambda name=name: (_flood(servers[name], args, secs[name]),
                                      _serial(servers[name], min(secs[name],
                                                                 args.serial_seconds))))
            for name in servers}
        done = interleaved(runs, args.reps)
        rcv = servers["ours"].rcv
        pacer = threading.Thread(target=_senders, args=(servers["ours"].port, "paced", 1, 1,
                                                        args.serial_seconds, args.pace_ms / 1e3))
        pacer.start()
        time.sleep(0.8)  # the sender process starts; the loop then runs while it posts
        ours_gsi, ours_late = _ours_loop(rcv, args.serial_seconds)
        pacer.join()
        authors = servers["authors"]
        _, t0, _ = _senders(authors.port, "paced", 1, 1, args.serial_seconds, args.pace_ms / 1e3)
        ref_gsi, ref_late = authors.window(t0, args.serial_seconds)
        intact = servers["ours"].intact
    finally:
        for server in servers.values():
            server.close()

    res: dict[str, Any] = {"payload_bytes": size}
    for name, reps in done.items():
        lat = [v for _, lats in reps for v in lats]
        res[name] = {"posts_per_s": max(r for r, _ in reps),
                     "all_posts_per_s": [r for r, _ in reps],
                     "serial_p50_ms": _ms(lat, 50), "serial_p99_ms": _ms(lat, 99)}
    res["paced"] = {"ours": {"gsi_p99_ms": _ms(ours_gsi, 99), "lateness_p99_ms": _ms(ours_late, 99),
                             "loop_hz": len(ours_gsi) / args.serial_seconds},
                    "authors": {"gsi_p99_ms": _ms(ref_gsi, 99),
                                "lateness_p99_ms": _ms(ref_late, 99),
                                "loop_hz": len(ref_gsi) / args.serial_seconds}}
    print(f"payload {size} bytes; flood: {args.procs} processes x {args.threads} keep-alive "
          f"connections; {args.reps} interleaved repetitions (best kept); {machine_line()}")
    print(f"{'server':<50}{'POSTs/s':>10}{'serial p50':>11}{'p99 ms':>8}{'ours / it':>10}")
    for name in ("ours", "stdlib", "authors"):
        r = res[name]
        ratio = res["ours"]["posts_per_s"] / r["posts_per_s"] if r["posts_per_s"] else float("inf")
        print(f"{servers[name].name:<50}{r['posts_per_s']:>10.0f}{r['serial_p50_ms']:>11.3f}"
              f"{r['serial_p99_ms']:>8.3f}{ratio:>9.1f}x")
    for name, p in res["paced"].items():
        print(f"paced, 16 Hz loop, {name:<8}: GSI per tick p99 {p['gsi_p99_ms']:8.3f} ms, loop "
              f"{p['loop_hz']:6.2f} Hz, lateness p99 {p['lateness_p99_ms']:8.3f} ms")
    print(f"ours: every acknowledged payload accepted and the final one latest: {intact}")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": res}, indent=2))
    ours, ref = res["ours"]["posts_per_s"], res["stdlib"]["posts_per_s"]
    return report([
        at_least("gsi: ours flood throughput, nothing lost", ours if intact else 0.0,
                 MIN_POSTS_PER_S, " POSTs/s", "" if intact else "payloads were lost"),
        at_least("gsi: ours / stdlib ThreadingHTTPServer keep-alive, flood throughput",
                 ours / ref, 1.0, "x", f"{ours:.0f} vs {ref:.0f} POSTs/s; authors' pattern "
                 f"{res['authors']['posts_per_s']:.1f} POSTs/s")])


if __name__ == "__main__":
    raise SystemExit(main())
