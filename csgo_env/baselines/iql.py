"""Implicit Q-learning (Kostrikov et al. 2022) on the factored discrete action.

The same Q decomposition as :mod:`csgo_env.baselines.cql`, Q(s, a) = sum_i Q_i(s, a_i).
Per transition (s, a, r, s') of a sequence:

- V(s) by expectile regression on the target Q of the data action:
  |expectile - 1(u < 0)| * u^2 with u = Q_target(s, a) - V(s);
- Q by (Q(s, a) - r - gamma * (1 - done) * V(s'))^2, V(s') not differentiated;
- the policy by advantage-weighted factored behavioural cloning:
  min(exp((Q_target(s, a) - V(s)) / temperature), max_weight) * sum_i -log pi_i(a_i | s).

The critic (Q and V heads on one network) and the policy are separate networks; the
target critic follows by Polyak averaging with ``tau``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from csgo_env.baselines import heads
from csgo_env.baselines.algorithm import AlgoConfig, Algorithm, Batch, masked_mean, transitions
from csgo_env.baselines.networks import FactoredNet, copy_frozen, soft_update


@dataclass
class IQLConfig(AlgoConfig):
    """Factored discrete IQL."""

    gamma: float = 0.99
    """discount per 1/16 s step"""
    expectile: float = 0.7
    """expectile of the V regression (0.5: mean; towards 1: max over data actions)"""
    temperature: float = 0.33
    """advantage weight exp(A / temperature)"""
    max_weight: float = 100.0
    """clip of the advantage weight"""
    tau: float = 0.005
    """target critic update rate"""


class IQL(Algorithm):
    """Factored discrete IQL (module docstring)."""

    name = "iql"
    config_class = IQLConfig
    acting_net_name = "policy"
    config: IQLConfig

    def build(self) -> dict[str, nn.Module]:
        return {"critic": FactoredNet(self.model, heads=("q", "v")),
                "policy": FactoredNet(self.model, heads=("logits",))}

    def build_targets(self) -> dict[str, nn.Module]:
        return {"critic": copy_frozen(self.unwrapped("critic"))}

    def losses(self, batch: Batch) -> dict[str, torch.Tensor]:
        cfg = self.config
        obs = self.pixels(batch)
        actions, rewards, not_done, mask = transitions(batch)
        critic, _ = self.nets["critic"](obs)
        q, v = critic["q"].float(), critic["v"].float()
        with torch.no_grad():
            q_target = self.targets["critic"](obs)[0]["q"].float()[:, :-1]
            q_target_sa = heads.action_values(q_target, actions)  # (B, L-1)
            y = rewards + cfg.gamma * not_done * v[:, 1:].detach()
        u = q_target_sa - v[:, :-1]
        weight_v = torch.abs(cfg.expectile - (u < 0).float())
        value_loss = masked_mean(weight_v * u.pow(2), mask)
        q_loss = masked_mean((heads.action_values(q[:, :-1], actions) - y).pow(2), mask)
        advantage = (q_target_sa - v[:, :-1]).detach()
        weight = torch.exp(advantage / cfg.temperature).clamp(max=cfg.max_weight)
        logits = self.nets["policy"](obs)[0]["logits"][:, :-1]
        nll = heads.nll(logits, actions).sum(-1)
        policy_loss = masked_mean(weight * nll, mask)
        return {"loss": value_loss + q_loss + policy_loss, "value": value_loss, "q": q_loss,
                "policy": policy_loss, "advantage": masked_mean(advantage, mask),
                "weight": masked_mean(weight, mask)}

    def after_step(self, step: int) -> None:
        soft_update(self.targets["critic"], self.unwrapped("critic"), self.config.tau)

    def acting_logits(self, out: dict[str, torch.Tensor]) -> torch.Tensor:
        return out["logits"]
