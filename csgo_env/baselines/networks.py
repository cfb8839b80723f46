"""The factored-action network: frame stack -> image encoder -> optional GRU -> heads.

Input: uint8 observations of shape (B, L, k, H, W, 3) (B sequences of L steps, k stacked
RGB frames per step, oldest first; (B, L, H, W, 3) when k = 1), exactly what the sequence
loader yields. Output: a dict with the requested heads, each per step,

- ``logits`` (B, L, 64): policy logits, the 15 heads of :mod:`csgo_env.baselines.heads`;
- ``q`` (B, L, 64): per-head values Q_i(s, a_i); Q(s, a) = sum_i Q_i(s, a_i);
- ``v`` (B, L): state value V(s);

and the recurrent state after the last step, (B, core_size) float32 (None without a core).
A sequence starts from ``state`` (zeros when None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import torch
from torch import nn
from torch.nn import functional as F

from csgo_env.baselines.encoders import augment_brightness_contrast, build_encoder, frames_to_tensor
from csgo_env.baselines.heads import N_OUT
from csgo_env.errors import TrainConfigError, explain

CORES = ("none", "gru")
HEADS = ("logits", "q", "v")


@dataclass
class ModelConfig:
    """Network shape. ``encoder`` names a preset of :mod:`csgo_env.baselines.encoders`;
    ``input_size``/``channels``/``blocks``/``features`` override its fields when set."""

    encoder: str = "impala-small"
    """encoder preset: impala-small (default, CPU real time), impala-large, impala-tiny"""
    frame_stack: int = 1
    """k frames per step, stacked on the channel axis (oldest first)"""
    core: str = "none"
    """recurrent core over the sequence: none or gru"""
    core_size: int = 256
    """GRU hidden units"""
    augment: bool = False
    """brightness/contrast jitter x U(0.7, 1.3), p = 0.5 each, while training"""
    input_size: list[int] | None = None
    channels: list[int] | None = None
    blocks: int | None = None
    features: int | None = None

    def validate(self) -> None:
        """Raise :class:`TrainConfigError` for values no network can be built from."""
        if self.core not in CORES:
            raise TrainConfigError(explain("unknown recurrent core", expected=f"one of {CORES}",
                                           got=repr(self.core), fix="set model.core"))
        if int(self.frame_stack) < 1 or int(self.core_size) < 1:
            raise TrainConfigError(explain("model sizes must be positive",
                                           got=f"frame_stack={self.frame_stack}, "
                                           f"core_size={self.core_size}"))

    def overrides(self) -> list[tuple[str, object]]:
        """Encoder fields this config replaces."""
        names = ("input_size", "channels", "blocks", "features")
        return [(n, getattr(self, n)) for n in names if getattr(self, n) is not None]


def gru_step(gru: nn.GRU, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """One step of a one-layer ``nn.GRU`` written out (the same numbers as ``gru``):
    x (N, in) and h (N, hidden) -> new h (N, hidden). Exports without GRU kernels."""
    w_ih, b_ih = cast(torch.Tensor, gru.weight_ih_l0), cast(torch.Tensor, gru.bias_ih_l0)
    w_hh, b_hh = cast(torch.Tensor, gru.weight_hh_l0), cast(torch.Tensor, gru.bias_hh_l0)
    gi = F.linear(x, w_ih, b_ih)
    gh = F.linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1.0 - z) * n + z * h


class FactoredNet(nn.Module):
    """Encoder, optional GRU and the heads named in ``heads`` (module docstring)."""

    def __init__(self, config: ModelConfig, heads: tuple[str, ...] = ("logits",)) -> None:
        super().__init__()
        config.validate()
        unknown = sorted(set(heads) - set(HEADS))
        if unknown:
            raise TrainConfigError(explain("unknown network head", expected=str(HEADS),
                                           got=str(unknown)))
        self.config = config
        self.frame_stack = int(config.frame_stack)
        self.encoder = build_encoder(config.encoder, self.frame_stack, config.overrides())
        width = self.encoder.spec.features
        self.core: nn.GRU | None = None
        if config.core == "gru":
            self.core = nn.GRU(width, int(config.core_size), batch_first=True)
            width = int(config.core_size)
        self.heads = nn.ModuleDict({name: nn.Linear(width, 1 if name == "v" else N_OUT)
                                    for name in heads})

    @property
    def state_size(self) -> int:
        """Recurrent state width (0 without a core)."""
        return 0 if self.core is None else self.core.hidden_size

    def pixels(self, obs: torch.Tensor, augment: bool = False) -> torch.Tensor:
        """uint8 (B, L, [k,] H, W, 3) -> float32 (B, L, 3k, h, w) in 0..1 at the encoder's
        input size, brightness/contrast-jittered when ``augment``. Networks of one
        algorithm share this work: :meth:`forward` takes either form."""
        if obs.dim() == 5:
            obs = obs.unsqueeze(2)
        b, steps, k = obs.shape[:3]
        if k != self.frame_stack:
            raise TrainConfigError(explain("observation frame stack does not match the network",
                                           expected=f"{self.frame_stack} frames per step",
                                           got=f"{k}", fix="load sequences with the model's "
                                           "frame_stack"))
        x = frames_to_tensor(obs.reshape(b * steps, *obs.shape[2:]))
        x = F.interpolate(x, size=self.encoder.spec.input_size, mode="area")
        if augment:
            x = augment_brightness_contrast(x)
        return x.reshape(b, steps, *x.shape[1:])

    def encode(self, obs: torch.Tensor) -> torch.Tensor:
        """uint8 observations or float :meth:`pixels` -> features (B, L, F) float32."""
        if obs.dtype == torch.uint8:
            obs = self.pixels(obs, augment=self.training and self.config.augment)
        b, steps = obs.shape[:2]
        return self.encoder(obs.reshape(b * steps, *obs.shape[2:])).reshape(b, steps, -1)

    def forward(self, obs: torch.Tensor, state: torch.Tensor | None = None
                ) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        z = self.encode(obs)
        new_state = None
        if self.core is not None:
            h0 = None if state is None else state.unsqueeze(0).contiguous()
            z, h = self.core(z, h0)
            new_state = h.squeeze(0)
        out = {name: head(z) for name, head in self.heads.items()}
        if "v" in out:
            out["v"] = out["v"].squeeze(-1)
        return out, new_state

    def step(self, frames: torch.Tensor, state: torch.Tensor | None = None
             ) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """One step for acting: uint8 (N, k, H, W, 3) -> heads (N, 64)/(N,), new state."""
        x = frames_to_tensor(frames)
        z = self.encoder(x)
        new_state = None
        if self.core is not None:
            h = z.new_zeros(z.shape[0], self.state_size) if state is None else state
            z = new_state = gru_step(self.core, z, h)
        out = {name: head(z) for name, head in self.heads.items()}
        if "v" in out:
            out["v"] = out["v"].squeeze(-1)
        return out, new_state


def copy_frozen(net: nn.Module) -> nn.Module:
    """A copy of ``net`` with gradients off (a target network)."""
    import copy

    target = copy.deepcopy(net)
    for p in target.parameters():
        p.requires_grad_(False)
    return target


@torch.no_grad()
def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    """target <- (1 - tau) * target + tau * source, parameter by parameter (tau = 1 copies)."""
    for t, s in zip(target.parameters(), source.parameters(), strict=True):
        t.lerp_(s.detach(), float(tau))
