"""The offline driver on a real converted dataset, with predictors whose scores are known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from csgo_env.datasets.pearce.reader import Recording
from csgo_env.errors import DatasetNotFound, EvaluationError
from csgo_env.evaluation.dataset_arrays import iter_episodes, open_dataset
from csgo_env.evaluation.offline_eval import evaluate_offline, sequence_starts
from csgo_env.evaluation.offline_metrics import HeadProbs
from csgo_env.evaluation.reference_predictors import marginal_probs
from tests.support.evaluation import TEST, TRAIN


def test_sequences_cover_every_step_once() -> None:
    assert sequence_starts(10, 5) == [(0, 0), (5, 0)]
    assert sequence_starts(999, 100)[-1] == (899, 1)  # 0..899 scored, then step 999-100+1..
    covered = np.zeros(999, int)
    for start, skip in sequence_starts(999, 100):
        covered[start + skip:start + 100] += 1
    assert (covered == 1).all()
    with pytest.raises(EvaluationError, match="shorter"):
        sequence_starts(10, 11)


def oracle(root: Path, frame_stack: int = 1) -> Any:
    """A predictor that knows the recorded actions: certain and always right."""
    info = open_dataset(TEST, root)
    actions = [ep.actions for ep in iter_episodes(info)]
    seen: list[tuple[int, int]] = []

    def predict(batch: dict[str, Any]) -> HeadProbs:
        obs = batch["observations"]
        shape = (150, 280, 3) if frame_stack == 1 else (frame_stack, 150, 280, 3)
        assert obs.dtype == np.uint8 and obs.shape[1:] == shape
        assert "actions" not in batch  # the recorded answer is not handed to the model
        a = actions[batch["episode"]][batch["start"]:batch["start"] + obs.shape[0]]
        seen.append((batch["episode"], batch["start"]))
        return HeadProbs(a[:, :13].astype(float), np.eye(23)[a[:, 13]], np.eye(15)[a[:, 14]])

    predict.seen = seen  # type: ignore[attr-defined]
    return predict


def test_a_perfect_predictor_scores_one(converted: dict[str, Path]) -> None:
    predict = oracle(converted["root"])
    report = evaluate_offline(predict, TEST, root=converted["root"], seq_len=128)
    assert report["frames"] == 999 and report["synthetic"] is True
    assert report["datasets"][0]["id"] == TEST and report["datasets"][0]["version"]
    model = report["model"]
    assert model["nll_bits"] == 0.0 and model["mouse_x_top1"] == 1.0
    assert model["mouse_y_mae"] == 0.0 and model["fire_f1"] == 1.0
    for ref in ("vs_marginal", "vs_repeat_previous"):
        norm = report["normalised"][ref]
        assert norm["nll_bits"] == pytest.approx(1.0)
        assert norm["mouse_x_mae"] == pytest.approx(1.0)
    # the references are worse than perfect and differ from each other
    marginal, repeat = report["reference"]["marginal"], report["reference"]["repeat_previous"]
    assert marginal["nll_bits"] > 0 and repeat["nll_bits"] > 0
    assert marginal["nll_bits"] != repeat["nll_bits"]
    assert predict.seen[0] == (0, 0) and predict.seen[-1] == (0, 999 - 128)


def test_frame_stacking_scores_the_steps_with_a_full_stack(converted: dict[str, Path]) -> None:
    report = evaluate_offline(oracle(converted["root"], 3), [TEST], root=converted["root"],
                              seq_len=100, frame_stack=3)
    assert report["frames"] == 999 - 2 and report["model"]["nll_bits"] == 0.0


def test_the_marginal_as_a_model_scores_zero_against_itself(converted: dict[str, Path]
                                                             ) -> None:
    with Recording(converted["src"] / "hdf5_dm_july2021_expert_1.hdf5") as rec:
        train_actions = rec.actions(0, 999)

    def marginal(batch: dict[str, Any]) -> HeadProbs:
        return marginal_probs(train_actions, batch["observations"].shape[0])

    report = evaluate_offline(marginal, TEST, root=converted["root"], seq_len=333,
                              train_ids=[TRAIN])
    norm = report["normalised"]["vs_marginal"]
    assert norm["nll_bits"] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_equal(report["model"], report["reference"]["marginal"])  # NaN == NaN


def test_bad_predictors_and_missing_datasets(converted: dict[str, Path]) -> None:
    def short(batch: dict[str, Any]) -> HeadProbs:
        n = batch["observations"].shape[0] - 1
        return HeadProbs(np.zeros((n, 13)), np.full((n, 23), 1 / 23), np.full((n, 15), 1 / 15))

    with pytest.raises(EvaluationError, match="every step of the sequence"):
        evaluate_offline(short, TEST, root=converted["root"], seq_len=333)
    with pytest.raises(DatasetNotFound, match="csgo-env convert"):
        evaluate_offline(short, "csgo/nuke-expert-test-v0", root=converted["root"])
