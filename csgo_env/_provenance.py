"""Where a result was made: the code's git commit, the machine, the host name.

Light on purpose (no torch, no subprocess at import): every run record names the commit
and hardware it came from (``evaluation/protocol.md``).
"""

from __future__ import annotations

import functools
import os
import platform
import socket
import subprocess
from pathlib import Path


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    """The commit of the csgo_env checkout (``-dirty`` when modified), or ``unknown``."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"],
                             cwd=here, capture_output=True, text=True, timeout=10, check=True)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


@functools.lru_cache(maxsize=1)
def hardware() -> str:
    """A one-line description, e.g. ``"2 CPUs (Intel Xeon ...); no GPU; Linux x86_64"``."""
    gpu = "no GPU"
    if Path("/proc/driver/nvidia/gpus").is_dir():
        gpu = f"{len(list(Path('/proc/driver/nvidia/gpus').iterdir()))} NVIDIA GPU(s)"
    return (f"{os.cpu_count() or 1} CPUs ({_cpu_model()}); {gpu}; "
            f"{platform.system()} {platform.machine()}")


def host() -> str:
    """This machine's host name."""
    return socket.gethostname()


__all__ = ["git_commit", "hardware", "host"]
