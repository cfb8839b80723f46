"""Writing rendered frames as PNG contact sheets, an animated GIF or an MP4 video.

Frames are uint8 (n, H, W, 3) RGB. Every file is written atomically (a temporary file
beside it, renamed when complete). The format follows the output's suffix:

- ``.png``: contact sheets of ``columns`` x ``rows`` frames in reading order; one sheet is
  written to the given name, more go to ``NAME_000.png``, ``NAME_001.png``, ...;
- ``.gif``: one palette for the whole clip (median cut over a sample of frames, no
  dithering), 16 frames/s as GIF timing allows (60 ms per frame, GIF counts in 1/100 s);
- ``.mp4``: MPEG-4 Part 2 (``mp4v``) through OpenCV at 16 frames/s.

Pillow draws GIF and PNG, OpenCV the MP4 (``pip install "csgo-env[viz]"``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_target, atomic_write_bytes
from csgo_env._optional import require
from csgo_env.errors import DatasetError, UsageError, explain

FORMATS = (".png", ".gif", ".mp4")
FPS = 16
CHUNK = 50
"""Frames rendered at a time for GIF and MP4 (PNG: one sheet at a time)."""


def chunk_frames(path: str | os.PathLike[str], columns: int = 10, rows: int = 10) -> int:
    """How many frames to render per chunk for ``path``'s format (a whole PNG sheet)."""
    return columns * rows if Path(path).suffix.lower() == ".png" else CHUNK


def check_output(path: str | os.PathLike[str]) -> Path:
    """``path`` if its suffix names a known format; UsageError otherwise."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(explain(f"cannot write {path.name}: unknown output format",
                                   expected=f"a name ending in {', '.join(FORMATS)}",
                                   got=repr(path.suffix)))
    return path


def write_frames(path: str | os.PathLike[str], chunks: Iterable[np.ndarray], *, total: int,
                 columns: int = 10, rows: int = 10,
                 sample: np.ndarray | None = None) -> list[Path]:
    """Write frames given as chunks (uint8 (k, H, W, 3) RGB each, ``total`` frames in all;
    PNG chunks of :func:`chunk_frames` frames) in the format of ``path``'s suffix.

    ``sample``: some rendered frames to draw the GIF palette from (default: the first
    chunk). Returns the files written.
    """
    path = check_output(path)
    if total < 1:
        raise DatasetError("no frames to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".png":
        return write_png_sheets(path, chunks, total=total, columns=columns, rows=rows)
    if suffix == ".gif":
        return [write_gif(path, chunks, sample=sample)]
    return [write_mp4(path, chunks)]


def contact_sheet(frames: np.ndarray, columns: int, gap: int = 2) -> np.ndarray:
    """One image of ``frames`` laid out ``columns`` wide with ``gap`` px between them."""
    n, h, w = frames.shape[:3]
    cols = min(columns, n)
    rows = -(-n // cols)
    sheet = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), 255, np.uint8)
    for k in range(n):
        r, c = divmod(k, cols)
        sheet[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = frames[k]
    return sheet


def write_png_sheets(path: Path, chunks: Iterable[np.ndarray], *, total: int,
                     columns: int = 10, rows: int = 10) -> list[Path]:
    """One contact sheet per chunk of at most ``columns * rows`` frames (module doc)."""
    cv2 = require("cv2", extra="viz", package="opencv-python-headless",
                  purpose="writing PNG sheets")
    if columns < 1 or rows < 1:
        raise ValueError(f"columns and rows must be >= 1, got {columns}, {rows}")
    sheets = -(-total // (columns * rows))
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1]
    if hasattr(cv2, "IMWRITE_PNG_FILTER"):  # one filter ("up"): as small, twice as fast
        params += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]

    def encode(name: Path, chunk: np.ndarray) -> Path:
        sheet = np.ascontiguousarray(contact_sheet(chunk, columns)[..., ::-1])
        ok, encoded = cv2.imencode(".png", sheet, params)
        if not ok:
            raise DatasetError(f"OpenCV could not encode {name.name} as PNG")
        return atomic_write_bytes(name, encoded.tobytes())

    # OpenCV encodes without holding the GIL: sheets are encoded while the next renders,
    # at most two in flight.
    names: list[Path] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list[Future[Path]] = []
        for k, chunk in enumerate(chunks):
            name = path if sheets == 1 else path.with_name(f"{path.stem}_{k:03d}{path.suffix}")
            pending.append(pool.submit(encode, name, chunk))
            if len(pending) >= 2:
                names.append(pending.pop(0).result())
        names.extend(f.result() for f in pending)
    return names


def clip_palette(frames: np.ndarray, samples: int = 16) -> Any:
    """A 256-colour Pillow palette image from ``samples`` frames spread over ``frames``."""
    image = require("PIL.Image", extra="viz", package="pillow", purpose="writing GIFs")
    picks = frames[np.linspace(0, len(frames) - 1, min(samples, len(frames))).astype(int)]
    mosaic = image.fromarray(np.ascontiguousarray(picks.reshape(-1, *frames.shape[2:])))
    return mosaic.quantize(colors=256, method=image.Quantize.MEDIANCUT)


def write_gif(path: Path, chunks: Iterable[np.ndarray], *,
              sample: np.ndarray | None = None) -> Path:
    """An animated GIF that loops, with one palette from ``sample`` (default: the first
    chunk), atomically. Holds the whole clip in memory as 8-bit images."""
    image = require("PIL.Image", extra="viz", package="pillow", purpose="writing GIFs")
    palette = None if sample is None else clip_palette(sample)
    pictures: list[Any] = []
    for chunk in chunks:
        if palette is None:
            palette = clip_palette(chunk)
        pictures.extend(image.fromarray(f).quantize(palette=palette, dither=image.Dither.NONE)
                        for f in chunk)
    with atomic_target(path) as tmp:
        pictures[0].save(tmp, format="GIF", save_all=True, append_images=pictures[1:],
                         duration=int(1000 / FPS) // 10 * 10, loop=0, optimize=False)
    return path


def write_mp4(path: Path, chunks: Iterable[np.ndarray], fps: int = FPS) -> Path:
    """An MP4 video (``mp4v``) of the frames, streamed, atomically."""
    cv2 = require("cv2", extra="viz", package="opencv-python-headless", purpose="writing MP4")
    with atomic_target(path) as tmp:
        staged = tmp.with_name(tmp.name + ".mp4")  # OpenCV picks the container by suffix
        writer = None
        try:
            for chunk in chunks:
                if writer is None:
                    h, w = chunk.shape[1:3]
                    writer = cv2.VideoWriter(str(staged), cv2.VideoWriter_fourcc(*"mp4v"),
                                             fps, (w, h))
                    if not writer.isOpened():
                        raise DatasetError(explain("this OpenCV build cannot write MP4 (mp4v)",
                                                   fix="write a .gif or .png instead"))
                for frame in chunk:
                    writer.write(np.ascontiguousarray(frame[..., ::-1]))
            if writer is None:
                raise DatasetError("no frames to write")
            writer.release()
            os.replace(staged, tmp)
        finally:
            if writer is not None:
                writer.release()
            staged.unlink(missing_ok=True)
    return path


def parse_frames(spec: str | None, num_frames: int) -> tuple[int, int]:
    """``A:B`` (either side may be empty, negatives count from the end) as a checked
    half-open range ``[start, stop)`` of ``num_frames``."""
    if spec is None:
        return 0, num_frames
    parts: Sequence[str] = spec.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        start, stop, _ = slice(*(int(p) if p.strip() else None for p in parts)).indices(
            num_frames)
    except ValueError:
        raise UsageError(explain("--frames must be A:B", expected="e.g. 0:200, 500:, :-100",
                                   got=repr(spec))) from None
    if stop <= start:
        raise UsageError(explain(f"--frames {spec} selects no frames", expected=
                                   f"a range inside 0..{num_frames}"))
    return start, stop


__all__ = ["FORMATS", "check_output", "chunk_frames", "contact_sheet", "parse_frames",
           "write_frames", "write_gif", "write_mp4", "write_png_sheets"]
