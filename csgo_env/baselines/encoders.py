"""Image encoders: uint8 frames -> feature vectors, with the early downsampling inside the net.

Every encoder takes a float32 tensor of shape (N, 3k, 150, 280) (k stacked RGB frames,
oldest first, values 0..1, see :func:`frames_to_tensor`), resamples it with area averaging
to its ``input_size`` and runs an IMPALA-style residual CNN (Espeholt et al. 2018): per
stage a 3x3 convolution, a 3x3 max-pool of stride 2 and ``blocks`` residual blocks, then a
ReLU, a flatten and a linear layer to ``features`` units (N, features).

Presets (measured per step on one CPU thread by ``scripts/bench_policy.py``; the small
one averages 2.5 x 2.5 pixel areas, keeping the aspect ratio):

=============  ===========  ===========  ======  ========  ===================================
name           input_size   channels     blocks  features  use
=============  ===========  ===========  ======  ========  ===================================
impala-small   60 x 112     16, 32, 32   1       256       default; real time on a laptop CPU
impala-large   112 x 208    32, 64, 64   2       512       authors-scale; trained on a GPU
impala-tiny    30 x 56      8, 16        1       64        tests (seconds on a CPU)
=============  ===========  ===========  ======  ========  ===================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from csgo_env.errors import TrainConfigError, explain


@dataclass(frozen=True)
class EncoderSpec:
    """Shape of an IMPALA encoder: area-resized input (H, W), channels per stage,
    residual blocks per stage, output features."""

    input_size: tuple[int, int]
    channels: tuple[int, ...]
    blocks: int
    features: int


ENCODER_PRESETS: dict[str, EncoderSpec] = {
    "impala-small": EncoderSpec((60, 112), (16, 32, 32), 1, 256),
    "impala-large": EncoderSpec((112, 208), (32, 64, 64), 2, 512),
    "impala-tiny": EncoderSpec((30, 56), (8, 16), 1, 64),
}
"""Named encoder shapes (module docstring)."""


def encoder_spec(name: str) -> EncoderSpec:
    """The preset ``name``; :class:`TrainConfigError` naming the presets otherwise."""
    if name not in ENCODER_PRESETS:
        raise TrainConfigError(explain("unknown encoder", expected=f"one of "
                                       f"{sorted(ENCODER_PRESETS)}", got=repr(name),
                                       fix="set model.encoder to a preset name"))
    return ENCODER_PRESETS[name]


class ResidualBlock(nn.Module):
    """x + conv(relu(conv(relu(x)))), both 3x3 convolutions keep (N, C, H, W)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv0 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv1(F.relu(self.conv0(F.relu(x))))


class ImpalaEncoder(nn.Module):
    """(N, in_channels, H, W) float in 0..1 -> (N, features) float (module docstring)."""

    def __init__(self, spec: EncoderSpec, in_channels: int = 3) -> None:
        super().__init__()
        self.spec = spec
        layers: list[nn.Module] = []
        c_in = in_channels
        h, w = spec.input_size
        for c in spec.channels:
            layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.MaxPool2d(3, 2, padding=1)]
            layers += [ResidualBlock(c) for _ in range(spec.blocks)]
            c_in, h, w = c, (h + 1) // 2, (w + 1) // 2
        self.stages = nn.Sequential(*layers)
        self.flat_size = c_in * h * w
        self.fc = nn.Linear(self.flat_size, spec.features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if tuple(x.shape[-2:]) != self.spec.input_size:
            x = F.interpolate(x, size=self.spec.input_size, mode="area")
        y = F.relu(self.stages(x)).flatten(1)
        return F.relu(self.fc(y))


def frames_to_tensor(frames: torch.Tensor) -> torch.Tensor:
    """uint8 (N, k, H, W, 3) RGB (HWC, oldest frame first) -> float32 (N, 3k, H, W) in 0..1."""
    n, k, h, w, c = frames.shape
    x = frames.permute(0, 1, 4, 2, 3).reshape(n, k * c, h, w)
    return x.float().mul_(1.0 / 255.0)


def augment_brightness_contrast(x: torch.Tensor, *, low: float = 0.7, high: float = 1.3,
                                p: float = 0.5, generator: torch.Generator | None = None
                                ) -> torch.Tensor:
    """Random brightness and contrast jitter of float (N, C, H, W) images in 0..1.

    Per sample, with probability ``p`` each: brightness multiplies every pixel by
    U(low, high); contrast scales the deviation from the sample's mean by U(low, high)
    (the dataset authors' recipe: x U(0.7, 1.3), p = 0.5 each). The result is clipped to
    0..1. The draws use the global torch generator unless ``generator`` is given, on the
    tensor's device.
    """
    n = x.shape[0]
    shape = (n, 1, 1, 1)

    def factor() -> torch.Tensor:
        on = torch.rand(shape, device=x.device, generator=generator) < p
        f = torch.rand(shape, device=x.device, generator=generator) * (high - low) + low
        return torch.where(on, f, torch.ones_like(f))

    brightness, contrast = factor(), factor()
    x = x * brightness
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return ((x - mean) * contrast + mean).clamp_(0.0, 1.0)


def build_encoder(name: str, frame_stack: int,
                  overrides: Sequence[tuple[str, object]] = ()) -> ImpalaEncoder:
    """An encoder from preset ``name`` for ``frame_stack`` RGB frames; ``overrides`` replace
    fields of the preset (e.g. ``[("channels", (16, 32))]``)."""
    spec = encoder_spec(name)
    if overrides:
        fields = dict(spec.__dict__)
        for key, value in overrides:
            if key not in fields:
                raise TrainConfigError(explain("unknown encoder field",
                                               expected=str(sorted(fields)), got=repr(key)))
            fields[key] = tuple(value) if isinstance(value, (list, tuple)) else value
        spec = EncoderSpec(**fields)
    return ImpalaEncoder(spec, in_channels=3 * int(frame_stack))
