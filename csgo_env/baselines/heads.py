"""Per-head operations on the factored action ``MultiDiscrete([2]*13 + [23, 15])``.

A head output is a float tensor of shape (..., 64): the 15 heads' values concatenated in
:data:`csgo_env.actions.NVEC` order (13 binary heads of 2 values — off, on — then 23
mouse-x and 15 mouse-y bins). The same layout holds policy logits, per-head Q values
Q_i(s, a_i) and the exported policy's output. Every operation pads the heads to a
(..., 15, 23) block (values beyond a head's size set to -inf or 0) and works on all heads
at once.

Actions are int64 tensors of shape (..., 15) (the factored action).
"""

from __future__ import annotations

import torch

from csgo_env.actions import NVEC

N_HEADS = len(NVEC)  # 15
N_OUT = int(sum(NVEC))  # 64
MAX_BINS = int(max(NVEC))  # 23
_OFFSETS = [int(sum(NVEC[:i])) for i in range(N_HEADS)]


def _pad_index() -> tuple[torch.Tensor, torch.Tensor]:
    index = torch.full((N_HEADS, MAX_BINS), N_OUT, dtype=torch.int64)
    valid = torch.zeros((N_HEADS, MAX_BINS), dtype=torch.bool)
    for head, (offset, size) in enumerate(zip(_OFFSETS, NVEC, strict=True)):
        index[head, :size] = torch.arange(offset, offset + size)
        valid[head, :size] = True
    return index, valid


PAD_INDEX, VALID = _pad_index()
"""(15, 23) int64 column of each (head, bin) in the 64 outputs (64 = padding), and
(15, 23) bool mask of the real bins."""


def padded(values: torch.Tensor, fill: float) -> torch.Tensor:
    """(..., 64) -> (..., 15, 23), bins beyond each head's size set to ``fill``."""
    ext = torch.cat([values, values.new_full((*values.shape[:-1], 1), fill)], dim=-1)
    return ext[..., PAD_INDEX.to(values.device)]


def log_probs(logits: torch.Tensor) -> torch.Tensor:
    """Per-head log-softmax: (..., 64) logits -> (..., 15, 23) log-probabilities (-inf pad)."""
    return torch.log_softmax(padded(logits.float(), float("-inf")), dim=-1)


def gather(per_head: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Pick each head's entry at the action: (..., 15, 23) and (..., 15) -> (..., 15)."""
    return per_head.gather(-1, actions.long().unsqueeze(-1)).squeeze(-1)


def nll(logits: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood per head, nats: (..., 64), (..., 15) -> (..., 15)."""
    return -gather(log_probs(logits), actions)


def action_values(q: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q(s, a) = sum_i Q_i(s, a_i): (..., 64) per-head values, (..., 15) -> (...)."""
    return gather(padded(q.float(), 0.0), actions).sum(-1)


def head_logsumexp(q: torch.Tensor) -> torch.Tensor:
    """logsumexp over each head's bins: (..., 64) -> (..., 15)."""
    return torch.logsumexp(padded(q.float(), float("-inf")), dim=-1)


def greedy(values: torch.Tensor) -> torch.Tensor:
    """Argmax of every head: (..., 64) -> (..., 15) int64 (the joint argmax under Q's
    linear decomposition)."""
    return padded(values.float(), float("-inf")).argmax(-1)


def head_max(q: torch.Tensor) -> torch.Tensor:
    """max_a Q(s, a) = sum_i max_j Q_i(s, j): (..., 64) -> (...)."""
    return padded(q.float(), float("-inf")).amax(-1).sum(-1)


def accuracy(logits: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Per-head top-1 agreement of the greedy action with ``actions``: -> (15,) float in 0..1,
    averaged over every leading axis."""
    hits = (greedy(logits) == actions.long()).float()
    return hits.reshape(-1, N_HEADS).mean(0)
