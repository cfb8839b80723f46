"""A benchmark's live evaluation: who plays, where, for how long, scored how.

Agents: the random policy, (arena) the privileged scripted expert (the demonstrator), the
plan's built-in references (e.g. the scripted sweep of :mod:`csgo_env.scripted_policy`) and
each trained algorithm (run ``i`` plays the policy of training seed ``i mod n``), in the
plan's env and settings (quick: ``CSGO-Deathmatch-v0`` on the arena with the plan's
opponents, unpaced: the same capture, input and GSI path, faster than real time, rates
per game minute, recorded so), ``live_runs`` runs per agent, seeds from
``first_live_seed`` (in the arena every agent meets the same worlds). Each run is scored
for coverage and outcomes against the train split (positions from the plan's metadata).
"""

from __future__ import annotations

from pathlib import Path

from csgo_env.benchmark.plan import BenchmarkPlan
from csgo_env.benchmark.training import checkpoint_of, run_dir
from csgo_env.evaluation.live_agents import AgentSpec
from csgo_env.evaluation.live_runner import LiveEvaluation

EXPERT = "scripted-expert"


def agents_for(plan: BenchmarkPlan, runs: Path, dataset_version: str) -> list[AgentSpec]:
    """The random policy, (arena) the scripted expert, the plan's references, one agent per
    trained algorithm."""
    agents = [AgentSpec("random", ("random",), notes="uniform over the action space")]
    if plan.expert:
        agents.append(AgentSpec(EXPERT, ("expert",), algorithm=EXPERT,
                                notes="privileged: decides from the arena's state, not "
                                      "pixels"))
    for name in plan.references:
        agents.append(AgentSpec(name, (name,), algorithm=name,
                                notes="built-in reference (csgo_env.evaluation.live_agents)"))
    for algo in plan.algorithms:
        folders = [run_dir(runs, algo, s) for s in plan.train_seeds]
        agents.append(AgentSpec(
            algo, tuple(str(f / "policy.pt2") for f in folders), algorithm=algo,
            config=plan.config_label(algo), checkpoint=checkpoint_of(folders[0]),
            dataset_id=plan.train_id, dataset_version=dataset_version,
            notes=f"run i plays training seed {list(plan.train_seeds)}[i mod "
                  f"{len(folders)}]"))
    return agents


def evaluation_for(plan: BenchmarkPlan, runs: Path, out: Path) -> LiveEvaluation:
    """The live evaluation of the plan (module docstring)."""
    from csgo_env.evaluation.live_reference import LiveReference

    reference = LiveReference.from_dataset(plan.train_id, plan.minari_root,
                                           metadata=plan.reference_metadata,
                                           frame=plan.reference_frame)
    return LiveEvaluation(
        agents=agents_for(plan, runs, reference.dataset_version), out=out,
        budget=plan.live_budget, runs=plan.live_runs, env_id=plan.env_id,
        env_kwargs=dict(plan.env_kwargs), first_seed=plan.first_live_seed,
        setting=plan.setting or None, synthetic=plan.synthetic, reference=reference)


__all__ = ["EXPERT", "agents_for", "evaluation_for"]
