"""Benchmark plans (quick, tiny, the real one's settings file) and resumable stages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from csgo_env.benchmark.config_file import load_plan, plan_from_mapping
from csgo_env.benchmark.plan import quick_plan, repo_root, tiny_plan
from csgo_env.benchmark.stages import Stage, run_stages
from csgo_env.errors import UsageError
from csgo_env.evaluation.maps import ARENA_FRAME


def test_quick_plan_is_the_arena_with_three_seeds_and_five_runs_or_more() -> None:
    plan = quick_plan(Path("/tmp/q"))
    assert plan.algorithms == ("bc", "cql", "iql") and plan.train_seeds == (0, 1, 2)
    assert plan.live_runs >= 5 and plan.expert and plan.synthetic
    assert plan.env_kwargs["game"] == "arena" and plan.env_kwargs["paced"] is False
    assert plan.demos is not None and 10 in range(plan.demos.first_number,
                                                  plan.demos.first_number + plan.demos.files)
    assert plan.reference_frame == ARENA_FRAME and plan.minari_root == Path("/tmp/q/minari")
    for algo in plan.algorithms:
        assert plan.config_file(algo).is_file()
        assert plan.config_label(algo) == f"baselines/quick/{algo}.yaml"
    tiny = tiny_plan(Path("/tmp/t"))
    assert tiny.demos is not None and tiny.demos.first_number == 9  # files 9 and 10
    json.dumps(plan.describe())  # plain data


def test_the_published_settings_file_reads() -> None:
    plan = load_plan(repo_root() / "baselines" / "benchmark.yaml", Path("/tmp/b"))
    assert plan.train_id == "csgo/dust2-expert-train-v0"
    assert plan.test_id == "csgo/dust2-expert-test-v0" and plan.demos is None
    assert plan.live_runs >= 5 and plan.live_budget.minutes == 10
    assert plan.env_kwargs["game"] == "csgo" and plan.expert is False
    assert all(plan.config_file(a).is_file() for a in plan.algorithms)
    assert plan.reps == 50_000 and len(plan.train_seeds) == 5


def test_the_openarena_settings_file_reads_with_the_scripted_reference() -> None:
    plan = load_plan(repo_root() / "baselines" / "openarena.yaml", Path("/tmp/oa"))
    assert plan.train_id == "openarena/dm1-bots-train-v0" and plan.demos is None
    assert plan.env_id == "OpenArena-Deathmatch-v0" and plan.references == ("scripted",)
    assert plan.live_runs >= 5 and plan.env_kwargs["openarena_bot_skill"] == 2.0
    assert all(plan.config_file(a).is_file() for a in plan.algorithms)
    assert plan.describe()["references"] == ["scripted"]


def _raw(**extra: Any) -> dict[str, Any]:
    return {"name": "x", "datasets": {"train": "a-train-v0", "test": "a-test-v0"},
            "algorithms": {"bc": "baselines/bc/dust2-expert.yaml"}, **extra}


@pytest.mark.parametrize(("raw", "message"), [
    (_raw(seed=[1]), "unknown key"),
    (_raw(live={"minutes": 1, "steps": 5}), "minutes or steps, not both"),
    (_raw(live={"run": 5}), "unknown key.*in live"),
    (_raw(seeds="0"), "seeds must be a list"),
    ({"name": "x", "algorithms": {"bc": "b.yaml"}}, "missing datasets.train"),
    (_raw(algorithms=[]), "algorithms must map"),
    (_raw(live={"references": ["expert"]}), "live.references must list"),
])
def test_bad_settings_are_refused_with_the_reason(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        plan_from_mapping(raw, "test.yaml")


def test_stages_run_once_and_are_kept_after(tmp_path: Path) -> None:
    calls: list[str] = []

    def make(name: str, fail: bool = False) -> Stage:
        def run(ctx: object) -> dict[str, Any]:
            calls.append(name)
            if fail:
                raise RuntimeError(f"{name} broke")
            return {"made": name}
        return Stage(name, f"stage {name}", run)

    lines: list[str] = []
    with pytest.raises(RuntimeError, match="b broke"):
        run_stages([make("a"), make("b", fail=True), make("c")], None, tmp_path,
                   say=lines.append)
    assert calls == ["a", "b"] and (tmp_path / "stages" / "a.json").is_file()
    assert not (tmp_path / "stages" / "b.json").exists()
    done = run_stages([make("a"), make("b"), make("c")], None, tmp_path, say=lines.append)
    assert calls == ["a", "b", "b", "c"]  # a kept, the broken b redone, c run
    assert done["a"]["kept"] and not done["b"]["kept"] and done["c"]["made"] == "c"
    assert any("done before" in line and "a:" in line for line in lines)
