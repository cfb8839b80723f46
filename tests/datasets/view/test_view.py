"""Drawing actions over frames and writing PNG sheets, GIF and MP4; statistics figures."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from csgo_env.actions import NOOP, Action
from csgo_env.datasets.view.figures import RecordingStats, write_figures
from csgo_env.datasets.view.output import parse_frames, write_frames
from csgo_env.datasets.view.overlay import (
    BOXES,
    DEATH,
    KEY_ON,
    KILL,
    PANEL_HEIGHT,
    OverlayStyle,
    event_ages,
    overlay_frames,
)
from csgo_env.errors import UsageError
from tests.support.kinematics import K

H, W = 150, 280


def gray_frames(n: int) -> np.ndarray:
    return np.full((n, H, W, 3), 100, dtype=np.uint8)


def box_centre(label: str, s: int) -> tuple[int, int]:
    x = 2
    for name, _, width in BOXES:
        if name == label:
            return (H + 11) * s, (x + (width - 2) // 2) * s
        x += width
    raise KeyError(label)


def test_event_ages_count_frames_since_the_last_flag() -> None:
    assert event_ages(np.array([0, 1, 0, 0, 1, 0])).tolist() == [-1, 0, 1, 2, 0, 1]


def test_pressed_keys_light_their_boxes_and_the_mouse_draws_an_arrow() -> None:
    actions = np.stack([NOOP.to_multidiscrete(),
                        Action.from_mouse(300, 0, keys={"w", "shift"}).to_multidiscrete()])
    none = np.full(2, -1)
    out = overlay_frames(gray_frames(2), actions, none, none, style=OverlayStyle(scale=2))
    assert out.shape == (2, (H + PANEL_HEIGHT) * 2, W * 2, 3) and out.dtype == np.uint8
    for label in ("W", "SHF"):
        r, c = box_centre(label, 2)
        assert tuple(out[1, r, c - 6]) == KEY_ON and tuple(out[0, r, c - 6]) != KEY_ON
    r, c = box_centre("A", 2)
    assert tuple(out[1, r, c - 6]) != KEY_ON
    centre_row = H  # scaled crosshair row
    right = out[1, centre_row - 2:centre_row + 3, W + 20:W + 40]
    left = out[1, centre_row - 2:centre_row + 3, W - 40:W - 20]
    assert (right != 100).any(axis=-1).sum() > 10  # the arrow points right (+x)
    assert (left == 100).all()


def test_kill_and_death_marks_last_eight_frames() -> None:
    n = 12
    helper = np.zeros((n, 2))
    helper[2, 0] = 1
    actions = np.tile(NOOP.to_multidiscrete(), (n, 1))
    out = overlay_frames(gray_frames(n), actions, event_ages(helper[:, 0]),
                         np.full(n, -1), style=OverlayStyle(scale=1))
    marked = [tuple(out[k, 0, W // 2]) == KILL for k in range(n)]
    assert marked == [False, False] + [True] * 8 + [False, False]
    out = overlay_frames(gray_frames(1), actions[:1], np.full(1, -1), np.zeros(1, int),
                         style=OverlayStyle(scale=1))
    assert tuple(out[0, 0, W // 2]) == DEATH


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_videos_hold_every_frame(tmp_path: Path, suffix: str) -> None:
    frames = np.zeros((40, 60, 80, 3), dtype=np.uint8)
    frames[np.arange(40), :, np.arange(40) * 2] = 255  # a bar moving right
    out = tmp_path / f"clip{suffix}"
    written = write_frames(out, (frames[i:i + 16] for i in range(0, 40, 16)), total=40)
    assert written == [out] and not list(tmp_path.glob(".*"))
    if suffix == ".gif":
        with Image.open(out) as im:
            assert im.n_frames == 40 and im.info["duration"] == 60
            im.seek(10)
            picture = np.asarray(im.convert("RGB"))
        assert picture[:, 20].min() > 200 and picture[:, 60].max() < 50
    else:
        capture = cv2.VideoCapture(str(out))
        decoded = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            decoded.append(frame)
        assert len(decoded) == 40 and capture.get(cv2.CAP_PROP_FPS) == 16
        assert decoded[10][:, 20].mean() > 150 and decoded[10][:, 60].mean() < 60


def test_png_sheets_split_into_numbered_files(tmp_path: Path) -> None:
    frames = np.arange(25, dtype=np.uint8)[:, None, None, None] * np.ones((1, 10, 20, 3),
                                                                          np.uint8)
    written = write_frames(tmp_path / "s.png", (frames[i:i + 12] for i in range(0, 25, 12)),
                           total=25, columns=4, rows=3)
    assert [p.name for p in written] == ["s_000.png", "s_001.png", "s_002.png"]
    first = cv2.imread(str(written[0]))
    assert first.shape == (3 * 12 - 2, 4 * 22 - 2, 3)
    assert first[0, 0, 0] == 0 and first[24, 66, 0] == 11  # frame 11: row 2, column 3
    one = write_frames(tmp_path / "one.png", iter([frames[:5]]), total=5, columns=5, rows=1)
    assert [p.name for p in one] == ["one.png"]


def test_frame_ranges_and_formats_are_checked(tmp_path: Path) -> None:
    assert parse_frames(None, 1000) == (0, 1000)
    assert parse_frames("100:200", 1000) == (100, 200)
    assert parse_frames(":-100", 1000) == (0, 900)
    assert parse_frames("990:", 1000) == (990, 1000)
    for bad in ("5", "a:b", "200:100", "1000:"):
        with pytest.raises(UsageError, match="--frames"):
            parse_frames(bad, 1000)
    with pytest.raises(UsageError, match=r"unknown output format.*\.avi"):
        write_frames(tmp_path / "x.avi", iter([gray_frames(1)]), total=1)


def test_statistics_figures(tmp_path: Path) -> None:
    n = 200
    actions = np.tile(NOOP.to_multidiscrete(), (n, 1))
    actions[:100, K["w"]] = 1
    helper = np.zeros((n, 2))
    helper[50, 0] = helper[150, 1] = 1
    weapons = np.array(["weapon_ak47"] * 120 + [None] * 20 + ["weapon_glock"] * 60, object)
    positions = np.cumsum(np.ones((n, 2)), axis=0)
    stats = [RecordingStats("a", actions, helper, positions, weapons, "de_dust2"),
             RecordingStats("b", actions, helper)]
    written = write_figures(stats, tmp_path / "figs", synthetic=True)
    assert [p.name for p in written] == ["actions.png", "weapons.png", "trajectories.png"]
    for path in written:
        with Image.open(path) as im:
            assert im.format == "PNG" and im.size[0] > 300
    only_actions = write_figures(stats[1:], tmp_path / "plain", synthetic=False)
    assert [p.name for p in only_actions] == ["actions.png"]
