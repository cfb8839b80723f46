"""The GSI receiver: a local HTTP server on a background thread that takes the game's POSTs.

Each POST body is one JSON payload. A request is answered as soon as its body is checked:

- 200: accepted. Before the reply the payload becomes :attr:`GSIReceiver.latest` and is fed
  to the :class:`~csgo_env.game.gsi.events.EventTracker` (microseconds of work), so a 2xx
  means "visible to the environment". ``latest`` is always the newest payload by arrival.
- 400 malformed JSON or not a JSON object; 403 wrong or missing token (compared in
  constant time); 411 no ``Content-Length``; 413 body over ``max_body_bytes`` (refused
  before reading it, connection closed); 405 anything but POST.

Every connection has its own thread and a socket timeout (``conn_timeout_s``, also the
limit for a whole body), so a sender that never finishes its body blocks nobody else and
is dropped. Rejections are logged on the ``csgo_env.game.gsi`` logger; nothing a sender
does can stop the server. Times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

import collections
import contextlib
import hmac
import json
import logging
import socket
import socketserver
import sys
import threading
import time
import warnings
import weakref
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from csgo_env.errors import ArgumentError, GSIError, GSISilent, explain
from csgo_env.game.gsi.cfg import DEFAULT_GSI_PORT
from csgo_env.game.gsi.events import EventTracker

log = logging.getLogger("csgo_env.game.gsi")


@dataclass(frozen=True)
class GSIFreshness:
    """``age_s``: seconds since the last accepted POST (``None`` before the first);
    ``rate_hz``: accepted POSTs per second over the last ``rate_window_s``; ``posts`` and
    ``rejected``: totals since start."""

    age_s: float | None
    rate_hz: float
    posts: int
    rejected: int


class _State:
    """Everything the server threads share; holds no reference to the receiver."""

    def __init__(self, token: str | None, tracker: EventTracker, max_body_bytes: int,
                 conn_timeout_s: float, max_connections: int) -> None:
        self.token = None if token is None else token.encode("utf-8")
        self.tracker = tracker
        self.max_body_bytes = max_body_bytes
        self.conn_timeout_s = conn_timeout_s
        self.max_connections = max_connections
        self.cond = threading.Condition()
        self.latest: dict[str, Any] | None = None
        self.latest_t: float | None = None
        self.arrivals: collections.deque[float] = collections.deque(maxlen=8192)
        self.posts = 0
        self.rejected = 0
        self.conns: dict[socket.socket, threading.Thread] = {}
        self.conns_lock = threading.Lock()

    def accept(self, payload: dict[str, Any]) -> None:
        with self.cond:
            now = time.monotonic()
            self.latest, self.latest_t = payload, now
            self.posts += 1
            self.arrivals.append(now)
            try:
                self.tracker.feed(payload, now)
            except Exception:  # a tracker bug must not cost the game its 2xx
                log.exception("event tracker failed on a payload")
            self.cond.notify_all()

    def reject(self) -> None:
        with self.cond:
            self.rejected += 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "csgo_env-gsi"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        # socketserver reads the timeout per handler instance, though typeshed says ClassVar
        self.timeout = self.server.state.conn_timeout_s  # type: ignore[misc]  # see above
        super().setup()
        with self.server.state.conns_lock:
            self.server.state.conns[self.connection] = threading.current_thread()

    def finish(self) -> None:
        with self.server.state.conns_lock:
            self.server.state.conns.pop(self.connection, None)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.client_address[0], format % args)

    def _reply(self, code: int, *, close: bool = False, allow: str | None = None) -> None:
        self.send_response_only(code)
        self.send_header("Content-Length", "0")
        if allow:
            self.send_header("Allow", allow)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _refuse(self, code: int, why: str, *, close: bool = False,
                allow: str | None = None) -> None:
        self.server.state.reject()
        log.warning("GSI request refused with %d: %s", code, why)
        self._reply(code, close=close, allow=allow)

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before inviting the sender to send it."""
        length = self.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.server.state.max_body_bytes:
            self._refuse(413, f"body of {length} bytes is over the limit of "
                              f"{self.server.state.max_body_bytes}", close=True)
            return False
        return super().handle_expect_100()

    def _read_body(self, length: int) -> bytes | None:
        deadline = time.monotonic() + self.server.state.conn_timeout_s
        chunks, remaining = [], length
        try:
            while remaining > 0:
                chunk = self.rfile.read1(remaining)
                if not chunk or time.monotonic() > deadline:
                    return None
                chunks.append(chunk)
                remaining -= len(chunk)
        except OSError:
            return None
        return b"".join(chunks)

    def do_POST(self) -> None:
        state = self.server.state
        if self.headers.get("Transfer-Encoding"):
            return self._refuse(411, "chunked bodies are not accepted", close=True)
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return self._refuse(411, "no Content-Length header", close=True)
        try:
            length = int(raw_length)
            if length < 0:
                raise ValueError
        except ValueError:
            return self._refuse(400, f"bad Content-Length {raw_length[:32]!r}", close=True)
        if length > state.max_body_bytes:
            return self._refuse(413, f"body of {length} bytes is over the limit of "
                                     f"{state.max_body_bytes}", close=True)
        body = self._read_body(length)
        if body is None:
            state.reject()
            log.warning("GSI sender %s did not send its %d-byte body in time; dropped",
                        self.client_address[0], length)
            self.close_connection = True
            return None
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return self._refuse(400, f"malformed JSON ({exc}); body starts {body[:40]!r}")
        if not isinstance(payload, dict):
            return self._refuse(400, f"JSON {type(payload).__name__}, not an object")
        if state.token is not None:
            auth = payload.get("auth")
            sent = auth.get("token") if isinstance(auth, dict) else None
            if not isinstance(sent, str) or not hmac.compare_digest(sent.encode("utf-8"),
                                                                    state.token):
                return self._refuse(403, "wrong or missing auth token")
        state.accept(payload)
        self._reply(200)
        return None

    def _not_allowed(self) -> None:
        self._refuse(405, f"method {self.command}", close=True, allow="POST")

    do_GET = do_PUT = do_DELETE = do_HEAD = do_PATCH = _not_allowed


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = sys.platform != "win32"  # on Windows it would allow port theft
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        self.state = state
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind also resolves the host's FQDN, a DNS lookup that can stall
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.state.conns_lock:
            full = len(self.state.conns) >= self.state.max_connections
        if full:
            self.state.reject()
            log.warning("GSI connection from %s refused: %d connections open",
                        client_address[0], self.state.max_connections)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("GSI request from %s failed", client_address[0])


def _close(server: _Server, thread: threading.Thread, join_s: float) -> None:
    """Stop serving, close the listening socket, cut open connections, join the threads."""
    server.shutdown()
    server.server_close()
    with server.state.conns_lock:
        conns = dict(server.state.conns)
    for conn in conns:
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
    thread.join(join_s)
    deadline = time.monotonic() + join_s
    for handler_thread in conns.values():
        handler_thread.join(max(0.0, deadline - time.monotonic()))


def _finalize(server: _Server, thread: threading.Thread) -> None:
    warnings.warn("GSIReceiver was never stopped; stopping it now (call stop() or use "
                  "'with GSIReceiver(...)')", ResourceWarning, stacklevel=2)
    _close(server, thread, 1.0)


class GSIReceiver:
    """Receives GSI POSTs on ``host:port`` in the background (``port=0``: any free port).

    ``token``: the cfg's ``auth.token`` (``None`` accepts any payload). ``tracker``: fed
    every accepted payload (default: a fresh own-player :class:`EventTracker`).
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = DEFAULT_GSI_PORT,
                 token: str | None = None,
                 tracker: EventTracker | None = None, max_body_bytes: int = 1 << 20,
                 conn_timeout_s: float = 5.0, max_connections: int = 32,
                 rate_window_s: float = 2.0) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ArgumentError(explain("invalid GSI port", expected="an integer 0..65535",
                                        got=repr(port)))
        if token is not None and (not isinstance(token, str) or not token):
            raise ArgumentError(explain("invalid GSI token", expected="a non-empty str or None",
                                        got=repr(token)))
        for name, value in (("max_body_bytes", max_body_bytes),
                            ("conn_timeout_s", conn_timeout_s),
                            ("max_connections", max_connections),
                            ("rate_window_s", rate_window_s)):
            if not value > 0:
                raise ArgumentError(explain(f"invalid {name}", expected="> 0", got=repr(value)))
        self.host, self.port = host, port
        self.rate_window_s = float(rate_window_s)
        self.tracker = tracker if tracker is not None else EventTracker()
        self._state = _State(token, self.tracker, int(max_body_bytes), float(conn_timeout_s),
                             int(max_connections))
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._finalizer: weakref.finalize | None = None
        self._started_t = 0.0

    def start(self) -> GSIReceiver:
        """Bind and serve in a daemon thread; a second call does nothing."""
        if self._server is not None:
            return self
        try:
            server = _Server((self.host, self.port), self._state)
        except OSError as exc:
            raise GSIError(explain(
                f"cannot listen for GSI on {self.host}:{self.port}", got=str(exc),
                fix="close the program using that port, or pick another port and write the "
                    "cfg again with `csgo-env gsi-config --port P`")) from exc
        if self.host not in ("127.0.0.1", "localhost") and self._state.token is None:
            log.warning("GSI receiver on %s without a token accepts anyone's payloads",
                        self.host)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  name=f"gsi-receiver:{server.server_address[1]}", daemon=True)
        thread.start()
        self._server, self._thread = server, thread
        self._started_t = time.monotonic()
        self._finalizer = weakref.finalize(self, _finalize, server, thread)
        return self

    def stop(self) -> None:
        """Stop serving, release the port, end open connections and join the threads."""
        if self._server is None or self._thread is None:
            return
        if self._finalizer is not None:
            self._finalizer.detach()
        _close(self._server, self._thread, 2.0)
        self._server = self._thread = self._finalizer = None

    def __enter__(self) -> GSIReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` actually bound (the real port when constructed with 0)."""
        if self._server is None:
            raise GSIError("the GSI receiver is not started: call start() first")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        """The ``uri`` to put in the game's cfg, e.g. ``"http://127.0.0.1:3000/"``."""
        host, port = self.address
        return f"http://{host}:{port}/"

    @property
    def latest(self) -> dict[str, Any] | None:
        """The newest accepted payload (parsed JSON), ``None`` before the first."""
        with self._state.cond:
            return self._state.latest

    @property
    def latest_t(self) -> float | None:
        """Arrival time of :attr:`latest` (``time.monotonic()``), ``None`` before the first."""
        with self._state.cond:
            return self._state.latest_t

    def freshness(self) -> GSIFreshness:
        """How recent and how frequent the accepted payloads are."""
        state = self._state
        with state.cond:
            now = time.monotonic()
            age = None if state.latest_t is None else now - state.latest_t
            since = now - self.rate_window_s
            recent = 0
            for t in reversed(state.arrivals):
                if t < since:
                    break
                recent += 1
            span = min(self.rate_window_s, now - self._started_t) if self._server else 0.0
            rate = recent / span if span > 0 else 0.0
            return GSIFreshness(age, rate, state.posts, state.rejected)

    def wait_for_payload(self, timeout_s: float, newer_than: float | None = None
                         ) -> dict[str, Any]:
        """Block until a payload arrived after ``newer_than`` (any, if ``None``); return it.

        Raises :class:`~csgo_env.errors.GSISilent` after ``timeout_s`` seconds without one.
        """
        if self._server is None:
            raise GSIError("the GSI receiver is not started: call start() first")
        state = self._state
        deadline = time.monotonic() + timeout_s
        with state.cond:
            while state.latest is None or (newer_than is not None and state.latest_t is not None
                                           and state.latest_t <= newer_than):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    last = ("no payload since start" if state.latest_t is None else
                            f"the last one {time.monotonic() - state.latest_t:.1f} s ago")
                    raise GSISilent(explain(
                        f"no GSI payload on {self.url} within {timeout_s:g} s",
                        expected="the game to POST its state", got=f"{last} "
                        f"({state.rejected} refused)",
                        fix="run `csgo-env gsi-config` with this port and token, restart the "
                            "game (it reads the cfg at launch) and load into a map"))
                state.cond.wait(remaining)
            return state.latest
