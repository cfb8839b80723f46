"""Where csgo_env keeps its own files (generated stand-in recordings and the like)."""

from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    """``$CSGO_ENV_HOME``, else ``~/.cache/csgo_env``."""
    return Path(os.environ.get("CSGO_ENV_HOME") or Path.home() / ".cache" / "csgo_env")
