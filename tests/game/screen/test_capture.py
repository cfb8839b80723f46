"""Screen capture of a real window (Xvfb) showing known pixels: exact values, crop, resize."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from csgo_env.errors import ArgumentError, CaptureError, WindowNotFound
from csgo_env.game.screen.capture import CaptureGeometry, Capturer
from csgo_env.standin.window import known_pattern
from csgo_env.standin.window_process import WindowProcess

StartWindow = Callable[..., WindowProcess]

PATTERN = known_pattern(1024, 768)  # RGB
PATTERN_BGRA = cv2.cvtColor(PATTERN, cv2.COLOR_RGB2BGRA)


def expected_obs(bgra: np.ndarray) -> np.ndarray:
    """What the observation of a client area ``bgra`` must be: crop, resize BGRA, to RGB."""
    geometry = CaptureGeometry()
    x0, y0, x1, y1 = geometry.crop
    crop = np.ascontiguousarray(bgra[y0:y1, x0:x1])
    small = cv2.resize(crop, geometry.out_size, interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(small, cv2.COLOR_BGRA2RGB)


def move(window_id: int, x: int, y: int) -> None:
    from Xlib.display import Display

    d = Display()
    try:
        d.create_resource_object("window", window_id).configure(x=x, y=y)
        d.sync()
    finally:
        d.close()


def grab_until(cap: Capturer, expected: np.ndarray, timeout: float = 3.0) -> np.ndarray:
    """Grab until the image equals ``expected`` (the window redraws after a move)."""
    deadline = time.monotonic() + timeout
    while True:
        image = cap.grab()
        if np.array_equal(image, expected) or time.monotonic() > deadline:
            return image
        time.sleep(0.02)


# --- geometry --------------------------------------------------------------------------

def test_default_geometry_is_the_authors() -> None:
    g = CaptureGeometry()
    assert (g.window_size, g.crop, g.out_size, g.interpolation) == (
        (1024, 768), (100, 135, 924, 633), (280, 150), "linear")
    assert g.crop_size == (824, 498) and g.obs_shape == (150, 280, 3)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"crop": (100, 135, 1025, 633)}, "crop must lie inside the window"),
    ({"crop": (500, 135, 400, 633)}, "crop must lie inside the window"),
    ({"crop": (-1, 0, 10, 10)}, "crop must lie inside the window"),
    ({"crop": (0, 0, 10)}, "crop must be 4 integers"),
    ({"out_size": (0, 150)}, "sizes must be positive"),
    ({"window_size": (1024.0, 768)}, "window_size must be 2 integers"),
    ({"interpolation": "bilinear"}, "unknown interpolation"),
])
def test_bad_geometry_is_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        CaptureGeometry(**kwargs)


# --- real window -----------------------------------------------------------------------


@pytest.mark.xvfb
def test_grab_is_exactly_the_cropped_resized_pattern(start_window: StartWindow) -> None:
    win = start_window(position=(40, 50))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # mss.mss() would warn on mss >= 10.2
        cap = Capturer([win.title])
    with cap:
        assert (cap.window.left, cap.window.top, cap.window.size) == (40, 50, (1024, 768))
        raw = cap.grab_raw()
        assert raw.shape == (768, 1024, 4) and raw.dtype == np.uint8
        np.testing.assert_array_equal(raw[..., :3], PATTERN_BGRA[..., :3])
        obs = cap.grab()
        assert obs.shape == (150, 280, 3) and obs.dtype == np.uint8
        assert obs.flags.c_contiguous
        np.testing.assert_array_equal(obs, expected_obs(PATTERN_BGRA))
        # the check can fail: a crop one pixel off gives another image
        shifted = np.roll(PATTERN_BGRA, 1, axis=1)
        assert not np.array_equal(obs, expected_obs(shifted))


@pytest.mark.xvfb
def test_crop_without_resize_is_pixel_exact(start_window: StartWindow) -> None:
    win = start_window(position=(5, 7))
    geometry = CaptureGeometry(crop=(100, 135, 924, 633), out_size=(824, 498))
    with Capturer([win.title], geometry=geometry) as cap:
        np.testing.assert_array_equal(cap.grab(), PATTERN[135:633, 100:924])


@pytest.mark.xvfb
def test_frames_file_is_shown_exactly(start_window: StartWindow, tmp_path: Path) -> None:
    frame = np.random.default_rng(0).integers(0, 256, (1, 240, 320, 3), dtype=np.uint8)
    np.save(tmp_path / "frames.npy", frame)
    win = start_window(size=(320, 240), frames=tmp_path / "frames.npy")
    geometry = CaptureGeometry(window_size=(320, 240), crop=(0, 0, 320, 240),
                               out_size=(320, 240))
    with Capturer([win.title], geometry=geometry) as cap:
        np.testing.assert_array_equal(cap.grab(), frame[0])


@pytest.mark.xvfb
def test_moved_window_is_followed(start_window: StartWindow) -> None:
    win = start_window(position=(0, 0))
    expected = expected_obs(PATTERN_BGRA)
    with Capturer([win.title], check_every=1) as cap:
        np.testing.assert_array_equal(cap.grab(), expected)
        move(win.window_id, 200, 150)
        np.testing.assert_array_equal(grab_until(cap, expected), expected)
        assert (cap.window.left, cap.window.top) == (200, 150)


@pytest.mark.xvfb
def test_moved_window_without_follow_is_an_error(start_window: StartWindow) -> None:
    win = start_window(position=(0, 0))
    with Capturer([win.title], follow=False, check_every=1) as cap:
        cap.grab()
        move(win.window_id, 30, 30)
        with pytest.raises(CaptureError, match=r"moved.*follow=True"):
            for _ in range(100):
                cap.grab()
                time.sleep(0.02)


@pytest.mark.xvfb
def test_wrong_client_size_says_expected_got_fix(start_window: StartWindow) -> None:
    win = start_window(size=(800, 600))
    with pytest.raises(CaptureError) as err:
        Capturer([win.title])
    assert "expected 1024x768, got 800x600" in str(err.value)
    assert "Fix: set the game to windowed 1024x768" in str(err.value)


@pytest.mark.xvfb
def test_window_partly_off_screen_is_an_error(start_window: StartWindow) -> None:
    win = start_window(position=(600, 0))  # the screen is 1280 wide
    with pytest.raises(CaptureError, match="partly off screen"):
        Capturer([win.title])


@pytest.mark.xvfb
def test_missing_and_unmapped_windows(start_window: StartWindow) -> None:
    with pytest.raises(WindowNotFound, match="game window not found"):
        Capturer(["Counter-Strike: Global Offensive - Direct3D 9"])
    win = start_window()
    with Capturer([win.title], check_every=1) as cap:
        cap.grab()
        from Xlib.display import Display

        d = Display()
        d.create_resource_object("window", win.window_id).unmap()
        d.sync()
        d.close()
        with pytest.raises(WindowNotFound, match="minimised or unmapped"):
            cap.grab()


@pytest.mark.xvfb
def test_close_is_idempotent_and_final(start_window: StartWindow) -> None:
    win = start_window()
    cap = Capturer([win.title])
    cap.close()
    cap.close()
    with pytest.raises(CaptureError, match="closed"):
        cap.grab()
