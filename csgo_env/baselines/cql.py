"""Conservative Q-learning (Kumar et al. 2020) on the factored discrete action.

Q(s, a) = sum_i Q_i(s, a_i) over the 15 heads (the linear decomposition for factored
actions of Tang et al., NeurIPS 2022), so max_a Q(s, a) = sum_i max_j Q_i(s, j) and the
greedy joint action is the per-head argmax. Per transition (s, a, r, s') of a sequence:

- TD: Huber(Q(s, a) - y), y = r + gamma * (1 - done) * Q_target(s', a*), with
  a* = argmax of the online Q at s' (double Q-learning) or of the target when
  ``double`` is false;
- conservative term: ``alpha`` * sum_i [logsumexp_j Q_i(s, j) - Q_i(s, a_i)];
- target network: Polyak averaging with ``tau`` every ``target_update_interval`` steps.

The policy plays softmax(Q_i / ``policy_temperature``) per head (greedy: per-head argmax).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from csgo_env.baselines import heads
from csgo_env.baselines.algorithm import AlgoConfig, Algorithm, Batch, masked_mean, transitions
from csgo_env.baselines.networks import FactoredNet, copy_frozen, soft_update


@dataclass
class CQLConfig(AlgoConfig):
    """Factored discrete CQL."""

    gamma: float = 0.99
    """discount per 1/16 s step"""
    alpha: float = 1.0
    """weight of the conservative term"""
    tau: float = 0.005
    """target network update rate (1.0: hard copy)"""
    target_update_interval: int = 1
    """steps between target updates"""
    double: bool = True
    """choose a* with the online network (double Q-learning)"""
    policy_temperature: float = 1.0
    """the policy's logits are Q_i / policy_temperature"""


class CQL(Algorithm):
    """Factored discrete CQL (module docstring)."""

    name = "cql"
    config_class = CQLConfig
    acting_net_name = "q"
    config: CQLConfig

    def build(self) -> dict[str, nn.Module]:
        return {"q": FactoredNet(self.model, heads=("q",))}

    def build_targets(self) -> dict[str, nn.Module]:
        return {"q": copy_frozen(self.unwrapped("q"))}

    def losses(self, batch: Batch) -> dict[str, torch.Tensor]:
        cfg = self.config
        obs = self.pixels(batch)
        actions, rewards, not_done, mask = transitions(batch)
        q = self.nets["q"](obs)[0]["q"].float()  # (B, L, 64)
        with torch.no_grad():
            q_target = self.targets["q"](obs)[0]["q"].float()[:, 1:]
            a_next = heads.greedy(q[:, 1:].detach() if cfg.double else q_target)
            y = rewards + cfg.gamma * not_done * heads.action_values(q_target, a_next)
        q_now = q[:, :-1]
        q_sa = heads.action_values(q_now, actions)
        td = masked_mean(F.smooth_l1_loss(q_sa, y, reduction="none"), mask)
        data_q = heads.gather(heads.padded(q_now, 0.0), actions)  # (B, L-1, 15)
        gap = (heads.head_logsumexp(q_now) - data_q).sum(-1)
        conservative = masked_mean(gap, mask)
        return {"loss": td + cfg.alpha * conservative, "td": td,
                "conservative": conservative, "q_data": masked_mean(q_sa.detach(), mask)}

    def after_step(self, step: int) -> None:
        if (step + 1) % max(1, self.config.target_update_interval) == 0:
            soft_update(self.targets["q"], self.unwrapped("q"), self.config.tau)

    def acting_logits(self, out: dict[str, torch.Tensor]) -> torch.Tensor:
        return out["q"] / self.config.policy_temperature
