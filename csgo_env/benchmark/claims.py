"""The benchmark's claim: an agent's kills per minute lie above the random policy's.

:func:`claim_for` checks it two ways on the per-run kills per minute (one value per live
run, same seeds for every agent):

- **interval** (the claim): the agent's 95% interval of the mean (rliable's stratified
  bootstrap, the protocol's interval) lies above the random policy's mean, i.e. it
  excludes it;
- **Welch** (stricter with few runs, given beside it): the 95% t interval of the
  difference of the means (unequal variances) excludes 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean difference a - b and Welch's 95% interval (exact when neither sample varies)."""
    from scipy import stats

    diff = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2 or float(a.var(ddof=1) + b.var(ddof=1)) == 0.0:
        return diff, diff, diff
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    return diff, float(ci.low), float(ci.high)


def claim_for(agent: np.ndarray, random: np.ndarray,
              interval: dict[str, float] | None) -> dict[str, Any]:
    """Both checks for one agent (``interval``: its rliable mean estimate or None)."""
    diff, low, high = welch(agent, random)
    random_mean = float(random.mean())
    return {"mean": float(agent.mean()), "random_mean": random_mean,
            "interval": interval,
            "above_random": bool(interval is not None and interval["low"] > random_mean),
            "welch_difference": diff, "welch_low": low, "welch_high": high,
            "welch_excludes_0": bool(low > 0)}


def claim_line(agent: str, claim: dict[str, Any]) -> str:
    """One Markdown line: the verdict and both numbers."""
    interval = claim["interval"]
    shown = "n/a" if interval is None else f"[{interval['low']:.1f}, {interval['high']:.1f}]"
    verdict = "holds" if claim["above_random"] else "DOES NOT hold"
    welch_verdict = "excludes 0" if claim["welch_excludes_0"] else "includes 0"
    return (f"- {agent} above random: 95% interval of its mean kills/min {shown} vs random's "
            f"mean {claim['random_mean']:.2f}: {verdict} (Welch 95% interval of the "
            f"difference [{claim['welch_low']:+.1f}, {claim['welch_high']:+.1f}], "
            f"{welch_verdict})")


__all__ = ["claim_for", "claim_line", "welch"]
