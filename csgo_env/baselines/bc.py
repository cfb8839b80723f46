"""Behavioural cloning on the factored action: the sum of the 15 per-head NLLs.

loss = mean over steps of sum_i -log pi_i(a_i | s) (13 two-way key/button heads, the
23-way mouse-x and the 15-way mouse-y head). Feed-forward with a frame stack, or recurrent
with ``model.core: gru`` over the loader's sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from csgo_env.baselines import heads
from csgo_env.baselines.algorithm import AlgoConfig, Algorithm, Batch, masked_mean
from csgo_env.baselines.networks import FactoredNet


@dataclass
class BCConfig(AlgoConfig):
    """Behavioural cloning: only the optimiser settings."""


class BC(Algorithm):
    """Factored behavioural cloning (module docstring)."""

    name = "bc"
    config_class = BCConfig
    acting_net_name = "policy"

    def build(self) -> dict[str, nn.Module]:
        return {"policy": FactoredNet(self.model, heads=("logits",))}

    def losses(self, batch: Batch) -> dict[str, torch.Tensor]:
        out, _ = self.nets["policy"](self.pixels(batch))
        per_step = heads.nll(out["logits"], batch["actions"]).sum(-1)  # (B, L)
        return {"loss": masked_mean(per_step, batch["mask"])}

    def acting_logits(self, out: dict[str, torch.Tensor]) -> torch.Tensor:
        return out["logits"]
