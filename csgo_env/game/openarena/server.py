"""The local dedicated server: started with its config, its console read on a thread.

The server prints its console (the game log included) on its output; a reader thread
parses every line into a :mod:`~csgo_env.game.openarena.server_log` record, hands it to
``on_record`` and keeps the console in ``console.log`` in the server's home and its last
lines for error messages. Console commands (``addbot``, ``quit``) go to its stdin.
"""

from __future__ import annotations

import collections
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from csgo_env.errors import EnvTimeout, GameError, explain
from csgo_env.game.openarena import children
from csgo_env.game.openarena.commands import MatchSettings, bot_commands, server_argv
from csgo_env.game.openarena.install import OpenArenaInstall
from csgo_env.game.openarena.server_log import LogRecord, MapEvent, parse_line

OnRecord = Callable[[LogRecord, float], object]


class DedicatedServer:
    """``ioq3ded`` for one match (nothing runs before :meth:`start`)."""

    def __init__(self, install: OpenArenaInstall, settings: MatchSettings, home: Path,
                 on_record: OnRecord, env: Mapping[str, str]) -> None:
        self.argv = server_argv(install, settings, home)
        self.settings = settings
        self.home = home
        self.on_record = on_record
        self.env = dict(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.tail: collections.deque[str] = collections.deque(maxlen=60)
        self._map_up = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise GameError("the OpenArena server is not started")
        return self.proc.pid

    def start(self, timeout_s: float) -> None:
        """Start the server, wait for its map, add the bots."""
        self.proc = children.spawn(self.argv, env=self.env, cwd=self.home,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, name="openarena-server-log",
                                        daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout_s
        while not self._map_up.wait(0.05):
            if self.proc.poll() is not None:
                raise self.failure("exited while loading the map")
            if time.monotonic() >= deadline:
                raise EnvTimeout(explain(
                    "the OpenArena server did not load its map",
                    expected=f"InitGame within {timeout_s:g} s", got=self.tail_text(),
                    fix=f"check that map {self.settings.map_name!r} exists"))
        for line in bot_commands(self.settings):
            self.command(line)

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with open(self.home / "console.log", "ab") as log:
            for raw in iter(self.proc.stdout.readline, b""):
                t = time.monotonic()
                log.write(raw)
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.tail.append(line)
                record = parse_line(line)
                if record is None:
                    continue
                if isinstance(record, MapEvent) and record.kind == "InitGame":
                    self._map_up.set()
                try:
                    self.on_record(record, t)
                except Exception as exc:  # a consumer's bug must not stop the log
                    self.tail.append(f"(csgo_env: record handler failed: {exc!r})")

    def command(self, line: str) -> None:
        """Run one server console command."""
        if self.proc is None or not children.send_line(self.proc, line):
            raise self.failure(f"cannot take the command {line!r}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail_text(self) -> str:
        return "last server lines: " + " | ".join(list(self.tail)[-12:])

    def failure(self, what: str) -> GameError:
        code = None if self.proc is None else self.proc.poll()
        return GameError(explain(f"the OpenArena server {what}",
                                 got=f"exit code {code}; {self.tail_text()}",
                                 fix="see console.log in the server's home folder"))

    def stop(self) -> None:
        """Quit, then kill (idempotent); the reader thread ends with the output."""
        if self.proc is not None:
            children.stop_child(self.proc, quit_line="quit")
        if self._reader is not None:
            self._reader.join(2.0)
