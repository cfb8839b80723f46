"""Benchmark: the GSI receiver against the per-tick blocking ``handle_request()`` loop.

Both run in this process; senders run in other processes (like the game), POSTing
~2.5 KB player payloads with a sequence number over loopback with keep-alive
``http.client`` connections. The reference is the dataset authors' approach: a plain
``HTTPServer`` whose ``handle_request()`` is called once per 1/16 s tick of the agent loop
(its timeout set to 1 s only so the benchmark can end).

1. flood: ``--procs`` x ``--threads`` senders POST as fast as 2xx replies allow.
   Throughput; then a final payload is sent and must be what ``latest`` holds, and every
   acknowledged payload must have been accepted (nothing lost). Target >= 1,000 POSTs/s.
2. serial: one sender POSTs, waits for the 2xx, POSTs again -- how the game sends.
   Request latency p50/p99.
3. paced: one sender POSTs every ``--pace-ms`` (state changes slower than 16 Hz) while a
   16 Hz loop takes the GSI state once per tick. Time the GSI part costs each tick and the
   loop's lateness.

    python scripts/bench_gsi.py            # ~25 s
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support
from csgo_env.game.clock import TickClock, _percentile
from csgo_env.game.gsi.receiver import GSIReceiver
from tests.support.gsi_payloads import TOKEN, encode, real_size_payload

HZ = 16.0


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


class _RefHandler(BaseHTTPRequestHandler):
    """The reference handler: read the body, keep the JSON, answer 200 (HTTP/1.0)."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.latest = json.loads(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Reference:
    """``handle_request()`` once per 1/16 s tick on a loop thread; records per-tick cost."""

    def __init__(self) -> None:
        self.server = HTTPServer(("127.0.0.1", 0), _RefHandler)
        self.server.timeout = 1.0
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

    def window(self, t0: float, seconds: float) -> tuple[list[float], list[float]]:
        """Per-tick GSI seconds and lateness of the ticks that started in the window."""
        inside = [(g, late) for t, g, late in self.ticks if t0 <= t < t0 + seconds]
        return [g for g, _ in inside], [late for _, late in inside]

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.server_close()


def _ours_loop(rcv: GSIReceiver, duration_s: float) -> tuple[list[float], list[float]]:
    clock, gsi_s, lateness = TickClock(HZ), [], []
    clock.start()
    end = time.perf_counter() + duration_s
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        _ = rcv.latest, rcv.tracker.drain(), rcv.freshness()
        gsi_s.append(time.perf_counter() - t0)
        lateness.append(clock.tick().lateness_s)
    return gsi_s, lateness


def _ms(values: list[float], q: float) -> float:
    return 1e3 * _percentile(sorted(values), q) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=2, help="flood sender processes")
    parser.add_argument("--threads", type=int, default=2, help="connections per process")
    parser.add_argument("--seconds", type=float, default=4.0, help="flood time (ours)")
    parser.add_argument("--ref-seconds", type=float, default=3.0, help="each reference run")
    parser.add_argument("--pace-ms", type=float, default=100.0)
    parser.add_argument("--json", type=str, default=None, help="also write results here")
    args = parser.parse_args(argv)
    size = len(_template() % (0, 0.0))
    res: dict[str, Any] = {"payload_bytes": size}
    ok = True

    with GSIReceiver(port=0, token=TOKEN) as rcv:
        port = rcv.address[1]
        flood, _, secs = _senders(port, "flood", args.procs, args.threads, args.seconds)
        acks = sum(r["acks"] for r in flood)
        final = 999_999_999
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        final_ok = _post(conn, _template() % (final, time.monotonic())) == 200
        latest = rcv.latest or {}
        fresh = rcv.freshness()
        intact = final_ok and latest.get("bench_seq") == final and fresh.posts == acks + 1
        res["ours_flood"] = {"posts_per_s": acks / secs, "acks": acks, "seconds": secs,
                             "latest_is_final": latest.get("bench_seq") == final,
                             "posts_accepted": fresh.posts, "rejected": fresh.rejected}
        ok &= intact and acks / secs >= 1000
        serial, _, _ = _senders(port, "serial", 1, 1, args.ref_seconds)
        res["ours_serial"] = {"p50_ms": _ms(serial[0]["lat"], 50),
                              "p99_ms": _ms(serial[0]["lat"], 99), "n": len(serial[0]["lat"])}
        pacer = threading.Thread(target=_senders, args=(port, "paced", 1, 1, args.ref_seconds,
                                                        args.pace_ms / 1e3))
        pacer.start()
        time.sleep(0.8)  # the sender process starts; the loop then runs while it posts
        gsi_s, lateness = _ours_loop(rcv, args.ref_seconds)
        pacer.join()
        res["ours_paced"] = {"gsi_p50_ms": _ms(gsi_s, 50), "gsi_p99_ms": _ms(gsi_s, 99),
                             "gsi_max_ms": 1e3 * max(gsi_s),
                             "lateness_p99_ms": _ms(lateness, 99),
                             "loop_hz": len(gsi_s) / args.ref_seconds}

    ref = _Reference()
    flood, _, secs = _senders(ref.port, "flood", args.procs, args.threads, args.ref_seconds)
    res["ref_flood"] = {"posts_per_s": sum(r["acks"] for r in flood) / secs, "seconds": secs}
    serial, _, _ = _senders(ref.port, "serial", 1, 1, args.ref_seconds)
    res["ref_serial"] = {"p50_ms": _ms(serial[0]["lat"], 50), "p99_ms": _ms(serial[0]["lat"], 99),
                         "n": len(serial[0]["lat"])}
    _, t0, _ = _senders(ref.port, "paced", 1, 1, args.ref_seconds, args.pace_ms / 1e3)
    gsi_s, lateness = ref.window(t0, args.ref_seconds)
    res["ref_paced"] = {"gsi_p50_ms": _ms(gsi_s, 50), "gsi_p99_ms": _ms(gsi_s, 99),
                        "gsi_max_ms": 1e3 * max(gsi_s), "lateness_p99_ms": _ms(lateness, 99),
                        "loop_hz": len(gsi_s) / args.ref_seconds}
    ref.close()

    o, r = res["ours_flood"], res["ref_flood"]
    print(f"payload {size} bytes; flood: {args.procs} processes x {args.threads} keep-alive "
          f"connections; paced: one POST every {args.pace_ms:g} ms")
    print(f"{'':<34}{'ours':>12}{'reference':>12}{'ratio':>10}")
    rows = [("flood throughput (POSTs/s)", o["posts_per_s"], r["posts_per_s"], "ours/ref"),
            ("serial latency p50 (ms)", res["ours_serial"]["p50_ms"],
             res["ref_serial"]["p50_ms"], "ref/ours"),
            ("serial latency p99 (ms)", res["ours_serial"]["p99_ms"],
             res["ref_serial"]["p99_ms"], "ref/ours"),
            ("GSI time per tick p50 (ms)",
             res["ours_paced"]["gsi_p50_ms"], res["ref_paced"]["gsi_p50_ms"], "ref/ours"),
            ("GSI time per tick p99 (ms)", res["ours_paced"]["gsi_p99_ms"],
             res["ref_paced"]["gsi_p99_ms"], "ref/ours"),
            ("16 Hz loop rate (Hz)", res["ours_paced"]["loop_hz"],
             res["ref_paced"]["loop_hz"], "ours/ref"),
            ("16 Hz loop lateness p99 (ms)", res["ours_paced"]["lateness_p99_ms"],
             res["ref_paced"]["lateness_p99_ms"], "ref/ours")]
    for name, ours, refv, how in rows:
        ratio = ours / refv if how == "ours/ref" else refv / ours
        print(f"{name:<34}{ours:>12.3f}{refv:>12.3f}{ratio:>9.1f}x  ({how})")
    print(f"latest holds the final payload: {o['latest_is_final']}; accepted {o['posts_accepted']}"
          f" = {o['acks']} acknowledged + 1 final; refused {o['rejected']}")
    print(f"target >= 1,000 POSTs/s with nothing lost: {'met' if ok else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": res}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
