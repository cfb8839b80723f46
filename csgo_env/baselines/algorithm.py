"""The algorithm interface shared by BC, CQL and IQL: a typed config plus an implementation.

As in d3rlpy, each algorithm is a config dataclass (hyper-parameters, saved with every
checkpoint) and an implementation built from it. An implementation owns its networks
(``nets``: trained; ``targets``: slow copies), one Adam optimiser over every trained
parameter (Adam is per-parameter, so one optimiser over independent losses equals one per
network) and three methods: ``losses`` (differentiable), ``update`` (one gradient step)
and ``acting_logits`` (what a policy file plays).

A batch is the loader's dict moved to the device, plus two entries the trainer adds:

==============  =====================  =================================================
key             shape, dtype           meaning
==============  =====================  =================================================
observations    (B, L, [k,] H, W, 3)   uint8 RGB frames (k stacked frames per step)
actions         (B, L, 15) int64       factored actions
rewards         (B, L) float32         reward of each step, from the reward spec
terminations    (B, L) bool            episode ended by the game after the step
mask            (B, L) bool            steps that count in the losses (after burn-in)
==============  =====================  =================================================

Value-based losses use the L - 1 transitions (t, t + 1) inside each sequence.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import torch
from torch import nn

from csgo_env.baselines import heads
from csgo_env.baselines.networks import FactoredNet, ModelConfig

Batch = dict[str, torch.Tensor]


@dataclass
class AlgoConfig:
    """Optimiser settings every algorithm has."""

    lr: float = 3e-4
    """Adam learning rate"""
    weight_decay: float = 0.0
    """Adam weight decay (L2)"""
    grad_clip: float = 10.0
    """clip the global gradient norm to this (0: no clipping)"""


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` over the True entries of ``mask`` (same shape); 0 when none."""
    m = mask.to(values.dtype)
    return (values * m).sum() / m.sum().clamp(min=1.0)


class Algorithm(ABC):
    """Base class of the offline algorithms (module docstring)."""

    name: ClassVar[str]
    config_class: ClassVar[type[AlgoConfig]]
    acting_net_name: ClassVar[str]
    """key of ``nets`` whose ``acting_logits`` a policy plays"""

    def __init__(self, config: AlgoConfig, model: ModelConfig, device: torch.device) -> None:
        self.config = config
        self.model = model
        self.device = device
        self.nets: dict[str, nn.Module] = {k: v.to(device) for k, v in self.build().items()}
        self.targets: dict[str, nn.Module] = {k: v.to(device)
                                              for k, v in self.build_targets().items()}
        self.optimizer = torch.optim.Adam(list(self.parameters()), lr=config.lr,
                                          weight_decay=config.weight_decay)

    @abstractmethod
    def build(self) -> dict[str, nn.Module]:
        """The trained networks."""

    def build_targets(self) -> dict[str, nn.Module]:
        """Target networks (none by default)."""
        return {}

    @abstractmethod
    def losses(self, batch: Batch) -> dict[str, torch.Tensor]:
        """Scalar losses; ``"loss"`` is the one minimised, the others are reported."""

    @abstractmethod
    def acting_logits(self, out: dict[str, torch.Tensor]) -> torch.Tensor:
        """(..., 64) logits the policy samples from, given the acting net's outputs."""

    def pixels(self, batch: Batch) -> torch.Tensor:
        """The batch's frames preprocessed once for every network (augmented while
        training when ``model.augment``): float32 (B, L, 3k, h, w)."""
        if "pixels" not in batch:
            net = cast(FactoredNet, self.unwrapped(self.acting_net_name))
            training = net.training and bool(self.model.augment)
            batch["pixels"] = net.pixels(batch["observations"], augment=training)
        return batch["pixels"]

    def after_step(self, step: int) -> None:  # noqa: B027 - an optional hook
        """Hook after each optimiser step (target updates); nothing by default."""

    def parameters(self) -> Iterator[nn.Parameter]:
        for net in self.nets.values():
            yield from net.parameters()

    def unwrapped(self, name: str) -> nn.Module:
        """``nets[name]`` without a DistributedDataParallel wrapper."""
        net = self.nets[name]
        inner = getattr(net, "module", net)
        return cast(nn.Module, inner)

    def train(self, mode: bool = True) -> None:
        for net in self.nets.values():
            net.train(mode)
        for net in self.targets.values():
            net.train(False)

    def update(self, batch: Batch, step: int, autocast: Any) -> dict[str, float]:
        """One gradient step on ``batch``; returns the losses as floats."""
        self.train(True)
        self.optimizer.zero_grad(set_to_none=True)
        with autocast():
            losses = self.losses(batch)
        losses["loss"].backward()
        if self.config.grad_clip > 0:
            norm = torch.nn.utils.clip_grad_norm_(list(self.parameters()), self.config.grad_clip)
            losses["grad_norm"] = norm
        self.optimizer.step()
        self.after_step(step)
        return {k: float(v.detach()) for k, v in losses.items()}

    @torch.no_grad()
    def evaluate(self, batch: Batch, autocast: Any) -> dict[str, float]:
        """Losses plus the acting policy's per-step imitation metrics on ``batch``:
        ``nll`` (nats per step, summed over the 15 heads), ``acc_keys`` (mean over the 13
        binary heads), ``acc_mouse_x`` and ``acc_mouse_y`` (top-1 of the greedy action)."""
        self.train(False)
        wrapped, self.nets = self.nets, {k: self.unwrapped(k) for k in self.nets}
        try:
            with autocast():
                losses = self.losses(batch)
                out, _ = self.nets[self.acting_net_name](self.pixels(batch))
                logits = self.acting_logits(out).float()
        finally:
            self.nets = wrapped
        mask = batch["mask"]
        metrics = {k: float(v) for k, v in losses.items()}
        metrics["nll"] = float(masked_mean(heads.nll(logits, batch["actions"]).sum(-1), mask))
        acc = heads.accuracy(logits[mask], batch["actions"][mask])
        metrics["acc_keys"] = float(acc[:13].mean())
        metrics["acc_mouse_x"], metrics["acc_mouse_y"] = float(acc[13]), float(acc[14])
        return metrics

    def state_dict(self) -> dict[str, Any]:
        """Weights of every network (unwrapped) and the optimiser state."""
        return {"nets": {k: self.unwrapped(k).state_dict() for k in self.nets},
                "targets": {k: v.state_dict() for k, v in self.targets.items()},
                "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any], *, optimizer: bool = True) -> None:
        for k in self.nets:
            self.unwrapped(k).load_state_dict(state["nets"][k])
        for k, v in self.targets.items():
            v.load_state_dict(state["targets"][k])
        if optimizer:
            self.optimizer.load_state_dict(state["optimizer"])


def transitions(batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(actions, rewards, not_done, mask) of the L - 1 transitions of each sequence:
    (B, L-1, 15) int64, (B, L-1) float32, (B, L-1) float32, (B, L-1) bool."""
    actions = batch["actions"][:, :-1]
    rewards = batch["rewards"][:, :-1].float()
    not_done = 1.0 - batch["terminations"][:, :-1].float()
    return actions, rewards, not_done, batch["mask"][:, :-1]
