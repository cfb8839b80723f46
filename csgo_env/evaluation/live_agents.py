"""The agents a live evaluation plays: who they are, and their policy for each run.

An :class:`AgentSpec` names one row of the results table (``name``, the ``algorithm``,
``config``, ``checkpoint``, the dataset it was trained on) and its policy files. Run ``i``
of an agent plays ``policies[i % len(policies)]``, so an algorithm trained with 3 seeds and
evaluated for 6 runs plays each seed's policy twice. A policy is named by a spec:

- ``"random"``: :class:`csgo_env.policy.RandomPolicy`, seeded with the run's seed;
- ``"expert"``: the arena's privileged scripted expert
  (:class:`csgo_env.standin.arena_expert.ArenaExpert`, the arena only), seeded likewise;
- ``"scripted"``: :class:`csgo_env.scripted_policy.SweepPolicy` (runs forward firing,
  sweeping and strafing; no pixels, no game state; any game), seeded likewise;
- a ``.pt2`` file: :func:`csgo_env.policy.load_policy` (``sampling`` as given, else the
  file's own mode).

:func:`policy_identity` is what a run record keeps of its policy: the spec, the file's
absolute path and sha256 (None for the built-in policies) and the file's own description.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csgo_env.errors import PolicyFileError, UsageError, explain
from csgo_env.policy import Policy, RandomPolicy, load_policy

BUILTIN = ("random", "expert", "scripted")
NO_DATASET = "-"
"""Dataset id (and version) of agents trained on nothing (random, the scripted expert)."""


@dataclass(frozen=True)
class AgentSpec:
    """One agent of a live evaluation (module docstring)."""

    name: str
    policies: tuple[str, ...]
    algorithm: str = ""
    config: str = ""
    checkpoint: str = "last"
    dataset_id: str = NO_DATASET
    dataset_version: str = NO_DATASET
    sampling: str | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in "/\\\n"):
            raise UsageError(explain("bad agent name", expected="a short label without '/'",
                                     got=repr(self.name)))
        if not self.policies:
            raise UsageError(explain(f"agent {self.name} has no policy",
                                     expected="'random', 'expert', 'scripted' or .pt2 files"))
        for spec in self.policies:
            if spec not in BUILTIN and not Path(spec).expanduser().is_file():
                raise PolicyFileError(explain(
                    f"policy of agent {self.name} not found",
                    expected="'random', 'expert', 'scripted' or an existing .pt2 file",
                    got=repr(spec),
                    fix="train and export it first (csgo-env train writes policy.pt2)"))
        if not self.algorithm:
            object.__setattr__(self, "algorithm", self.name)

    def policy_for(self, run_index: int) -> str:
        """The policy spec of run ``run_index``."""
        return self.policies[run_index % len(self.policies)]


def parse_agent(text: str) -> AgentSpec:
    """``random`` | ``expert`` | ``scripted`` | ``NAME=SPEC[,SPEC...]`` | a bare ``.pt2``
    path (named by its file's stem) -> :class:`AgentSpec` (the command line's ``--agent``)."""
    if text in BUILTIN:
        return AgentSpec(text, (text,))
    name, sep, specs = text.partition("=")
    if not sep:
        path = Path(text)
        return AgentSpec(path.parent.name or path.stem, (text,))
    policies = tuple(s.strip() for s in specs.split(",") if s.strip())
    return AgentSpec(name.strip(), policies)


def with_random(agents: list[AgentSpec]) -> list[AgentSpec]:
    """``agents`` with the random policy added (first) when no agent plays it: the
    protocol's normalisation needs it in every evaluation."""
    if any(a.policies == ("random",) for a in agents):
        return agents
    if any(a.name == "random" for a in agents):
        raise UsageError(explain("an agent named 'random' must play the random policy",
                                 fix="rename that agent"))
    return [AgentSpec("random", ("random",)), *agents]


def make_policy(spec: str, env: Any, *, seed: int, sampling: str | None = None) -> Policy:
    """The policy of ``spec`` for one run in ``env`` (module docstring)."""
    if spec == "random":
        return RandomPolicy(seed)
    if spec == "expert":
        from csgo_env.standin.arena_expert import ArenaExpert, snapshot_from_env

        return ArenaExpert(snapshot_from_env(env), seed=seed)
    if spec == "scripted":
        from csgo_env.scripted_policy import SweepPolicy

        return SweepPolicy(seed)
    return load_policy(spec, seed=seed, sampling=sampling)


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def policy_identity(spec: str, policy: Policy) -> dict[str, Any]:
    """What a run record keeps of its policy (module docstring)."""
    if spec in BUILTIN:
        return {"spec": spec, "file": None, "sha256": None,
                "kind": type(policy).__name__, "meta": {}}
    path = Path(spec).expanduser().resolve()
    meta = getattr(policy, "meta", None) or {}
    keep = {k: meta[k] for k in ("format", "algo", "step", "commit", "synthetic", "datasets",
                                 "frame_stack", "state_size", "sampling") if k in meta}
    return {"spec": spec, "file": str(path), "sha256": file_sha256(path),
            "kind": type(policy).__name__, "sampling": getattr(policy, "sampling", None),
            "meta": keep}


__all__ = ["BUILTIN", "NO_DATASET", "AgentSpec", "file_sha256", "make_policy", "parse_agent",
           "policy_identity", "with_random"]
