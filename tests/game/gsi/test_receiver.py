"""The GSI receiver through real HTTP on loopback: quirks, bad senders, concurrency, shutdown."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from csgo_env.errors import ArgumentError, GSIError, GSISilent
from csgo_env.game.gsi.events import EventTracker
from csgo_env.game.gsi.receiver import GSIReceiver
from tests.support.gsi_payloads import (
    OWN,
    SCENARIOS,
    TOKEN,
    Scenario,
    encode,
    payload,
    real_size_payload,
)


def _conn(receiver: GSIReceiver) -> http.client.HTTPConnection:
    host, port = receiver.address
    return http.client.HTTPConnection(host, port, timeout=5)


def _post(conn: http.client.HTTPConnection, body: bytes) -> int:
    conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def _raw(receiver: GSIReceiver, head: str, body: bytes = b"") -> socket.socket:
    sock = socket.create_connection(receiver.address, timeout=5)
    sock.sendall(head.encode("ascii") + body)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def receiver() -> Iterator[GSIReceiver]:
    with GSIReceiver(port=0, token=TOKEN) as rcv:
        yield rcv


def test_keeps_latest_and_reports_freshness(receiver: GSIReceiver) -> None:
    assert receiver.latest is None and receiver.freshness().age_s is None
    conn = _conn(receiver)
    for seq in range(3):
        assert _post(conn, encode(real_size_payload(seq))) == 200
    assert receiver.latest is not None and receiver.latest["bench_seq"] == 2
    fresh = receiver.freshness()
    assert fresh.posts == 3 and fresh.rejected == 0
    assert fresh.age_s is not None and 0 <= fresh.age_s < 1.0
    assert fresh.rate_hz > 0
    assert receiver.url == f"http://127.0.0.1:{receiver.address[1]}/"


def test_a_2xx_means_the_payload_is_latest(receiver: GSIReceiver) -> None:
    conn = _conn(receiver)
    for seq in range(100):
        assert _post(conn, encode(real_size_payload(seq))) == 200
        assert receiver.latest is not None and receiver.latest["bench_seq"] == seq


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if not s.times], ids=lambda s: s.name)
def test_quirk_sequences_over_http(scenario: Scenario) -> None:
    tracker = EventTracker(mode=scenario.mode, target_steamid=scenario.target)
    with GSIReceiver(port=0, token=TOKEN, tracker=tracker) as rcv:
        conn = _conn(rcv)
        for body in scenario.payloads:
            assert _post(conn, encode(body)) == 200
        counts = rcv.tracker.drain()
    assert (counts.kills, counts.deaths, counts.suicides, counts.respawns) == scenario.expected


def test_silence_resets_baseline_over_http() -> None:
    with GSIReceiver(port=0, token=TOKEN,
                     tracker=EventTracker(silence_reset_s=0.3)) as rcv:
        conn = _conn(rcv)
        assert _post(conn, encode(payload(kills=1))) == 200
        time.sleep(0.45)
        assert _post(conn, encode(payload(kills=4))) == 200  # after silence: baseline
        assert _post(conn, encode(payload(kills=5))) == 200
        assert rcv.tracker.drain().kills == 1


@pytest.mark.parametrize("auth", [{"token": "wrong"}, None, "tok", {"token": 5},
                                  {"token": TOKEN + "x"}, {"token": "ünïcode"}])
def test_wrong_token_is_403_and_ignored(receiver: GSIReceiver, auth: object) -> None:
    body = payload(kills=3, token=None)
    if auth is not None:
        body["auth"] = auth
    assert _post(_conn(receiver), encode(body)) == 403
    assert receiver.latest is None
    assert receiver.freshness().rejected == 1 and receiver.tracker.state is None


def test_no_token_accepts_any_payload() -> None:
    with GSIReceiver(port=0) as rcv:
        assert _post(_conn(rcv), encode(payload(token=None))) == 200
        assert rcv.latest is not None and rcv.tracker.state is not None


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b"", b'"text"',
                                  b'{"a": 1} trailing'])
def test_garbage_is_400_logged_and_connection_survives(
        receiver: GSIReceiver, body: bytes, caplog: pytest.LogCaptureFixture) -> None:
    conn = _conn(receiver)
    with caplog.at_level(logging.WARNING, logger="csgo_env.game.gsi"):
        assert _post(conn, body) == 400
    assert any(r.name == "csgo_env.game.gsi" and "400" in r.getMessage() for r in caplog.records)
    assert receiver.latest is None
    assert _post(conn, encode(payload())) == 200  # same keep-alive connection still served
    fresh = receiver.freshness()
    assert (fresh.posts, fresh.rejected) == (1, 1)


def test_body_over_limit_is_413_before_reading() -> None:
    with GSIReceiver(port=0, token=TOKEN, max_body_bytes=1024) as rcv:
        sock = _raw(rcv, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n",
                    b"{" * 100)
        reply = _read_all(sock)  # the server closes the connection after its reply
        sock.close()
        assert reply.startswith(b"HTTP/1.1 413")
        assert b"Connection: close" in reply
        assert _post(_conn(rcv), encode(payload())) == 413  # ~3 KB > 1 KB limit
        small = json.dumps({"auth": {"token": TOKEN}}).encode()
        assert _post(_conn(rcv), small) == 200
        assert rcv.freshness().rejected == 2


@pytest.mark.parametrize(("head", "status"), [
    ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", b"411"),
    ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"400"),
    ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", b"400"),
    ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", b"411"),
    ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"405"),
    ("this is not http\r\n\r\n", b"400"),  # answered the HTTP/0.9 way: no status line
])
def test_malformed_requests_are_refused(receiver: GSIReceiver, head: str, status: bytes) -> None:
    sock = _raw(receiver, head)
    reply = _read_all(sock)
    sock.close()
    if reply.startswith(b"HTTP/"):
        assert reply.split(b" ")[1] == status
        assert (b"Allow: POST" in reply) == (status == b"405")
    else:
        assert b"Error code: " + status in reply
    assert _post(_conn(receiver), encode(payload())) == 200


def test_concurrent_senders_all_served(receiver: GSIReceiver) -> None:
    senders, each = 6, 40
    statuses: list[list[int]] = [[] for _ in range(senders)]

    def send(i: int) -> None:
        conn = _conn(receiver)
        for k in range(each):
            statuses[i].append(_post(conn, encode(real_size_payload(i * 1000 + k))))
        conn.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(s == [200] * each for s in statuses)
    assert receiver.freshness().posts == senders * each
    assert _post(_conn(receiver), encode(real_size_payload(99_999))) == 200
    assert receiver.latest is not None and receiver.latest["bench_seq"] == 99_999


def test_slow_sender_blocks_nobody_and_stop_returns() -> None:
    rcv = GSIReceiver(port=0, token=TOKEN, conn_timeout_s=30.0).start()
    slow = _raw(rcv, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n", b'{"auth":')
    time.sleep(0.1)  # the slow connection's thread is now blocked reading the body
    conn = _conn(rcv)
    for seq in range(20):
        t0 = time.perf_counter()
        assert _post(conn, encode(real_size_payload(seq))) == 200
        assert time.perf_counter() - t0 < 1.0
    assert rcv.latest is not None and rcv.latest["bench_seq"] == 19
    t0 = time.perf_counter()
    rcv.stop()  # cuts the slow connection instead of waiting 30 s for it
    assert time.perf_counter() - t0 < 3.0
    assert _read_all(slow) == b""
    slow.close()


def test_slow_sender_is_dropped_after_timeout() -> None:
    with GSIReceiver(port=0, token=TOKEN, conn_timeout_s=0.3) as rcv:
        slow = _raw(rcv, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n", b"{")
        slow.settimeout(5)
        t0 = time.perf_counter()
        assert _read_all(slow) == b""  # closed by the server without a reply
        assert time.perf_counter() - t0 < 3.0
        slow.close()
        assert rcv.freshness().rejected == 1 and rcv.latest is None


def test_connection_limit_refuses_extra_connections() -> None:
    with GSIReceiver(port=0, token=TOKEN, max_connections=2, conn_timeout_s=10) as rcv:
        idle = [socket.create_connection(rcv.address, timeout=5) for _ in range(2)]
        time.sleep(0.2)
        extra = socket.create_connection(rcv.address, timeout=5)
        assert _read_all(extra) == b""
        for s in [*idle, extra]:
            s.close()
        time.sleep(0.2)
        assert _post(_conn(rcv), encode(payload())) == 200


def test_stop_releases_port_and_joins_threads() -> None:
    rcv = GSIReceiver(port=0, token=TOKEN).start()
    port = rcv.address[1]
    conn = _conn(rcv)
    assert _post(conn, encode(payload())) == 200  # leaves an open keep-alive connection
    server_thread = rcv._thread
    assert server_thread is not None and server_thread.is_alive()
    before = {t.ident for t in threading.enumerate()}
    rcv.stop()
    rcv.stop()  # idempotent
    assert not server_thread.is_alive()
    assert not any(t.name.startswith("gsi-receiver") for t in threading.enumerate())
    assert len({t.ident for t in threading.enumerate()}) < len(before)
    probe = socket.socket()
    # the closed keep-alive connection may sit in TIME_WAIT, which SO_REUSEADDR allows;
    # a listening socket on the port would still make this bind + listen fail on Linux
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", port))
    probe.listen()
    probe.close()
    with GSIReceiver(port=port, token=TOKEN) as again:
        assert _post(_conn(again), encode(payload())) == 200
    conn.close()


def test_port_in_use_is_a_clear_error() -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        with pytest.raises(GSIError, match=r"Fix: .*gsi-config --port"):
            GSIReceiver(port=holder.getsockname()[1]).start()
    finally:
        holder.close()


def test_wait_for_payload(receiver: GSIReceiver) -> None:
    t0 = time.perf_counter()
    with pytest.raises(GSISilent, match="no payload since start"):
        receiver.wait_for_payload(0.2)
    assert 0.2 <= time.perf_counter() - t0 < 1.5

    def later() -> None:
        time.sleep(0.1)
        _post(_conn(receiver), encode(payload(kills=7)))

    sender = threading.Thread(target=later)
    sender.start()
    got = receiver.wait_for_payload(5.0)
    sender.join()
    assert got["player"]["match_stats"]["kills"] == 7 and got["provider"]["steamid"] == OWN
    seen = receiver.latest_t
    with pytest.raises(GSISilent, match="ago"):
        receiver.wait_for_payload(0.1, newer_than=seen)
    sender = threading.Thread(target=later)
    sender.start()
    assert receiver.wait_for_payload(5.0, newer_than=seen) is receiver.latest
    sender.join()


def test_not_started_and_bad_arguments() -> None:
    rcv = GSIReceiver(port=0)
    with pytest.raises(GSIError, match="not started"):
        _ = rcv.address
    with pytest.raises(GSIError, match="not started"):
        rcv.wait_for_payload(0.1)
    rcv.stop()  # stopping a never-started receiver is a no-op
    for kwargs in ({"port": 70000}, {"port": "3000"}, {"token": ""}, {"max_body_bytes": 0}):
        with pytest.raises(ArgumentError):
            GSIReceiver(**kwargs)  # type: ignore[arg-type]


def test_expect_100_continue_oversized_gets_413_not_100() -> None:
    with GSIReceiver(port=0, token=TOKEN, max_body_bytes=1024) as rcv:
        sock = _raw(rcv, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n"
                         "Expect: 100-continue\r\n\r\n")
        reply = _read_all(sock)
        sock.close()
        assert reply.startswith(b"HTTP/1.1 413") and b"100 Continue" not in reply
        body = encode({"auth": {"token": TOKEN}, "k": 1})
        sock = _raw(rcv, f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                         "Expect: 100-continue\r\nConnection: close\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 100")
        sock.sendall(body)
        assert b"HTTP/1.1 200" in _read_all(sock)
        sock.close()
        assert rcv.latest == {"auth": {"token": TOKEN}, "k": 1}
