"""Live evaluation: R seeded runs of every agent in a live env, resumable, one record each.

:func:`run_live` plays each :class:`~csgo_env.evaluation.live_agents.AgentSpec` for ``runs``
runs of one :class:`~csgo_env.evaluation.live_loop.Budget` in any registered live env
(``CSGO-Deathmatch-v0`` with ``game="csgo"``, ``"cs2"``, ``"replay"`` or ``"arena"``, and
any env with the same info contract). Run ``i`` of every agent uses seed
``first_seed + i`` (in the arena every agent meets the same worlds). The random policy is
always one of the agents (:func:`~csgo_env.evaluation.live_agents.with_random`).

Each finished run is appended to ``<out>/runs.jsonl``
(:class:`~csgo_env.evaluation.live_store.LiveStore`, atomic): agent, seed, policy (spec,
file, sha256), env id and settings (paced or not), budget, the trace of
:mod:`~csgo_env.evaluation.live_trace` (event timeline, per-step track, lives, lateness),
the metrics (plus coverage and outcome tests when a
:class:`~csgo_env.evaluation.live_reference.LiveReference` is given), provenance, and the
results-schema record that ``csgo-env publish`` reads. Started again with the same ``out``,
finished runs are kept and only the missing ones (a crashed run included) are played.

One env serves all runs; it is closed in a ``finally`` (every key released on any exit
Python sees; the env's release guardian covers SIGKILL and crashes).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env import _provenance
from csgo_env.evaluation.live_agents import AgentSpec, make_policy, policy_identity, with_random
from csgo_env.evaluation.live_loop import Budget, StepHook, env_settings, play_run
from csgo_env.evaluation.live_reference import LiveReference
from csgo_env.evaluation.live_store import LIVE_SCHEMA, LiveStore
from csgo_env.evaluation.results_schema import PROTOCOL_VERSION, RunRecord

RUNS_FILE = "runs.jsonl"
NEVER_TRUNCATE = 2 ** 62
"""``max_episode_steps`` of the env a run plays: a run is one episode, ended by its budget."""
STANDIN_GAMES = ("replay", "arena")
_SECRET = {"gsi_token"}


@dataclass
class LiveEvaluation:
    """What to evaluate (module docstring). ``env_kwargs`` go to ``gym.make``; ``setting``
    names the results' column (default from the env id, game and pacing); ``synthetic``
    defaults to True on the stand-in games and for policies trained on synthetic data."""

    agents: list[AgentSpec]
    out: Path
    budget: Budget
    runs: int = 5
    env_id: str = "CSGO-Deathmatch-v0"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    first_seed: int = 0
    setting: str | None = None
    synthetic: bool | None = None
    reference: LiveReference | None = None
    policy_threads: int | None = 1
    """torch threads while playing exported policies (1: the game keeps the other cores,
    as the policy benchmarks measure acting); None leaves torch's choice"""

    def seeds(self) -> list[int]:
        return [self.first_seed + i for i in range(self.runs)]


def default_setting(env_id: str, game: str, paced: bool) -> str:
    """E.g. ``"CSGO-Deathmatch-v0 arena, unpaced (per game minute)"``."""
    pace = "paced (per wall-clock minute)" if paced else "unpaced (per game minute)"
    return f"{env_id} {game}, {pace}"


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return str(value)


def env_record(env: Any, env_id: str) -> dict[str, Any]:
    """Env id and every setting of its config (paths as text; the GSI token left out)."""
    cfg = getattr(env.unwrapped, "config", None)
    settings = ({f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)
                 if f.name not in _SECRET} if dataclasses.is_dataclass(cfg) else {})
    paced, fps = env_settings(env)
    return {"id": env_id, "game": settings.get("game"), "paced": paced, "fps": fps,
            "settings": _json_safe(settings)}


def _is_synthetic(evaluation: LiveEvaluation, game: str | None,
                  policy: Mapping[str, Any]) -> bool:
    if evaluation.synthetic is not None:
        return bool(evaluation.synthetic)
    return game in STANDIN_GAMES or bool(policy.get("meta", {}).get("synthetic", False))


def build_record(evaluation: LiveEvaluation, agent: AgentSpec, run_index: int, seed: int,
                 env_info: dict[str, Any], policy: dict[str, Any], summary: dict[str, Any],
                 metrics: dict[str, float | None], details: dict[str, Any],
                 started: str) -> dict[str, Any]:
    """One line of the runs file (module docstring)."""
    setting = evaluation.setting or default_setting(evaluation.env_id, str(env_info["game"]),
                                                    bool(env_info["paced"]))
    synthetic = _is_synthetic(evaluation, env_info.get("game"), policy)
    notes = (f"live run {run_index} of {agent.name}; policy {policy['spec']}"
             f"{' sha256 ' + policy['sha256'][:16] if policy['sha256'] else ''}; "
             f"rates per {summary['time_basis']} minute"
             f"{'; SYNTHETIC game or data' if synthetic else ''}"
             f"{'; ' + agent.notes if agent.notes else ''}")
    result = RunRecord(algorithm=agent.algorithm, config=agent.config,
                       env_id=evaluation.env_id, dataset_id=agent.dataset_id,
                       dataset_version=agent.dataset_version, seed=seed,
                       checkpoint=agent.checkpoint, commit=_provenance.git_commit(),
                       hardware=_provenance.hardware(), synthetic=synthetic,
                       metrics=metrics, setting=setting, notes=notes)
    return {"schema": LIVE_SCHEMA, "agent": agent.name, "seed": seed, "run_index": run_index,
            "algorithm": agent.algorithm, "config": agent.config,
            "checkpoint": agent.checkpoint, "dataset_id": agent.dataset_id,
            "dataset_version": agent.dataset_version, "policy": policy, "env": env_info,
            "budget": evaluation.budget.to_json(), "setting": setting, "synthetic": synthetic,
            "started_utc": started, "host": _provenance.host(),
            "commit": result.commit, "hardware": result.hardware,
            "protocol_version": PROTOCOL_VERSION, **summary, "metrics": metrics,
            "scored": _json_safe(details), "result": result.to_json()}


Say = Callable[[str], None]


def run_live(evaluation: LiveEvaluation, *, say: Say = print,
             on_step: StepHook | None = None, make_env: Callable[[], Any] | None = None
             ) -> list[dict[str, Any]]:
    """Play every missing run (module docstring); returns all records of ``out``."""
    agents = with_random(list(evaluation.agents))
    store = LiveStore(Path(evaluation.out) / RUNS_FILE)
    done = store.finished()
    broken = store.interrupted()
    if broken is not None:
        say(f"run {broken[0]} seed {broken[1]} did not finish last time: redoing it")
    todo = [(a, i, s) for a in agents for i, s in enumerate(evaluation.seeds())
            if (a.name, s) not in done]
    kept = len(agents) * evaluation.runs - len(todo)
    say(f"live evaluation: {len(agents)} agents x {evaluation.runs} runs of "
        f"{evaluation.budget.describe(bool(evaluation.env_kwargs.get('paced', True)))}; "
        f"{kept} finished runs kept, {len(todo)} to play -> {store.path}")
    if evaluation.reference is not None:
        rescored = rescore_coverage(store, evaluation.reference)
        if rescored:
            say(f"coverage of {rescored} kept run(s) scored from their stored tracks "
                "(the reference has positions now)")
    if not todo:
        return store.records()
    env = make_env() if make_env is not None else _make_env(evaluation)
    try:
        env_info = env_record(env, evaluation.env_id)
        for n, (agent, index, seed) in enumerate(todo, 1):
            store.mark_running((agent.name, seed), run_index=index)
            spec = agent.policy_for(index)
            policy = make_policy(spec, env, seed=seed, sampling=agent.sampling)
            _limit_threads(spec, evaluation.policy_threads)
            identity = policy_identity(spec, policy)
            started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            t0 = time.perf_counter()
            trace, wall = play_run(env, policy, evaluation.budget, seed=seed, on_step=on_step)
            metrics = trace.metrics(wall)
            details: dict[str, Any] = {}
            if evaluation.reference is not None:
                scored, details = evaluation.reference.run_metrics(trace)
                metrics = {**metrics, **scored}
            store.append(build_record(evaluation, agent, index, seed, env_info, identity,
                                      trace.summary(wall), metrics, details, started))
            store.done()
            say(f"[{n}/{len(todo)}] {agent.name} seed {seed}: {trace.steps} steps "
                f"({time.perf_counter() - t0:.1f} s), kills {int(sum(trace.kills))}, "
                f"deaths {int(sum(trace.deaths))}, kills/min "
                f"{_fmt(metrics['kills_per_minute'])}")
    finally:
        env.close()  # releases every key before anything else
    return store.records()


def rescore_coverage(store: LiveStore, reference: LiveReference) -> int:
    """Score ``coverage_emd`` of the finished runs that have none, from the positions
    their records keep (``track``), when ``reference`` has positions (e.g. metadata found
    after the runs were played); returns how many were rescored. Nothing else changes."""
    if reference.occupancy is None:
        return 0
    records, changed = store.records(), 0
    for record in records:
        track = record.get("track") or {}
        if record["metrics"].get("coverage_emd") is not None or track.get("x") is None:
            continue
        alive = np.array([-1 if a == "-" else int(a) for a in track.get("alive", "")])
        x = np.array([np.nan if v is None else v for v in track["x"]], np.float64)
        y = np.array([np.nan if v is None else v for v in track["y"]], np.float64)
        emd, coverage = reference.coverage(x, y, alive if alive.size == x.size
                                           else np.ones(x.size))
        if emd is None:
            continue
        record["metrics"]["coverage_emd"] = emd
        record["result"]["metrics"]["coverage_emd"] = emd
        record["scored"] = {**record.get("scored", {}), "coverage": _json_safe(coverage),
                            "reference": reference.describe()}
        changed += 1
    if changed:
        store.rewrite(records)
    return changed


def _limit_threads(spec: str, threads: int | None) -> None:
    """One torch thread (by default) for exported policies (see ``policy_threads``)."""
    if threads and spec.endswith(".pt2"):
        import torch

        torch.set_num_threads(int(threads))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _make_env(evaluation: LiveEvaluation) -> Any:
    import gymnasium as gym

    import csgo_env  # noqa: F401 - registers the env ids

    return gym.make(evaluation.env_id, max_episode_steps=NEVER_TRUNCATE,
                    **evaluation.env_kwargs)


__all__ = ["NEVER_TRUNCATE", "RUNS_FILE", "LiveEvaluation", "build_record", "default_setting",
           "env_record", "run_live"]
