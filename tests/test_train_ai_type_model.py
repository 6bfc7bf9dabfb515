"""The AI-type model experiment: the regression learns and is deterministic, folds are fixed,
every candidate is scored out of fold, and a missing checkout is a one-line error."""

from __future__ import annotations

from analysis import reading_split
from analysis import train_ai_type_model as experiment
from analysis.evaluate import SAMPLE
from analysis.evaluate_categories import FIELDGUIDE, fieldguide_root
from analysis.train_ai_type_model import (
    AI_TYPES,
    Example,
    SoftmaxRegression,
    cross_validate,
    cv_table,
    fold_of,
    load_examples,
    rule_features,
    text_features,
)
from tests.helpers import needs_shared

MODEL_WORK = ["Fine-tune LLMs and build RAG agents", "Train and evaluate language models", "Ship LLM agents with prompts"]
ENABLING = ["Run Kubernetes clusters for the ML team", "Build data pipelines feeding training", "Operate the GPU platform"]


def synthetic(count: int = 60) -> list[Example]:
    """Postings whose role text says the type plainly; the rules get every third one wrong."""
    examples = []
    for n in range(count):
        first = n % 2 == 0
        lines = MODEL_WORK if first else ENABLING
        truth = "ai-first" if first else "ai-support"
        wrong = "ai-support" if first else "ai-first"
        examples.append(Example(
            job=f"job{n}", title="AI Engineer", role_text="\n".join(lines[n % 3:] + lines[: n % 3]),
            rules_value=wrong if n % 3 == 0 else truth, rules_rule="some rule", share=0.5 if first else 0.1,
            kinds={"model_work": 3 if first else 0, "enabling": 0 if first else 3}, truth=truth,
            reading_set="category_reading_4.jsonl", published=truth,
        ))  # fmt: skip
    return examples


def test_features_are_words_pairs_title_words_and_what_the_rules_found():
    example = synthetic(1)[0]
    words = text_features(example)
    assert {"fine-tune", "llms", "fine-tune llms", "title: ai", "title: engineer"} <= words
    assert rule_features(example) == {"rules say: ai-support", "deciding rule: some rule", "model-work share >=0.45",
                                      "model_work lines: 2-3", "enabling lines: 0"}  # fmt: skip


def test_the_regression_learns_a_plain_split_and_two_fits_are_identical():
    examples = synthetic()
    rows = [(text_features(e), e.truth, 1.0, e.job) for e in examples]
    first, second = SoftmaxRegression().fit(rows), SoftmaxRegression().fit(rows)
    assert first.weights == second.weights and first.bias == second.bias
    unseen = Example("new", "AI Engineer", "Fine-tune LLMs for search", "ai-support", "r", 0.0, {}, "ai-first", "x")
    probabilities = first.probabilities(text_features(unseen))
    assert max(probabilities, key=probabilities.get) == "ai-first"
    assert abs(sum(probabilities.values()) - 1) < 1e-9


def test_folds_are_fixed_by_the_job_id_and_differ_between_repeats():
    jobs = [f"job{n}" for n in range(200)]
    assert [fold_of(j, 0) for j in jobs] == [fold_of(j, 0) for j in jobs]
    assert {fold_of(j, 0) for j in jobs} == set(range(experiment.FOLDS))
    assert [fold_of(j, 0) for j in jobs] != [fold_of(j, 1) for j in jobs]


def test_every_candidate_is_scored_out_of_fold_and_the_model_beats_rules_that_are_wrong_a_third_of_the_time():
    examples = synthetic()
    hits = cross_validate(examples, repeats=1)
    assert all(len(by_job) == len(examples) and all(len(v) == 1 for v in by_job.values()) for by_job in hits.values())
    rules = sum(v[0] for v in hits["rules"].values()) / len(examples)
    assert rules == sum(e.rules_value == e.truth for e in examples) / len(examples)
    words = sum(v[0] for v in hits["words"].values()) / len(examples)
    assert words > rules
    assert cross_validate(examples, repeats=1) == hits  # deterministic
    assert set(hits) == set(experiment.candidate_names()) and experiment.CHOSEN_OVERRIDE in hits


def test_the_inner_cross_validation_picks_the_override_that_agrees_most():
    examples = synthetic()  # the rules are wrong on a third, the model is sure and right: let it decide
    below, at_least = experiment.chosen_override(examples, experiment.feature_sets(examples), experiment.Fit())
    rules_confidence = experiment.rule_confidence(examples).of("some rule", 0.5)[0]
    assert rules_confidence < below and at_least <= 0.7  # the model is consulted wherever it is fairly sure


def test_a_missing_checkout_is_a_one_line_error(tmp_path, capsys):
    assert experiment.main(["--pages", str(tmp_path / "none"), "--fieldguide", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1


def test_the_table_scores_each_candidate_against_the_rules_on_the_same_jobs():
    examples = synthetic(10)
    for e in examples[:4]:
        e.reading_set = "category_reading.jsonl"  # the first set: counted in "all" only
    hits = {"rules": {e.job: [e.rules_value == e.truth] for e in examples},
            "words": {e.job: [True, False] for e in examples}}  # fmt: skip
    rules_line, words_line = cv_table(examples, hits)[1:]
    assert rules_line.split()[1:] == ["0.600", "0.667"]  # 6 of 10 right; 4 of the later 6
    assert words_line.split()[1:3] == ["0.500", "-0.100"] and words_line.split()[6:8] == ["0.500", "-0.167"]


@needs_shared("fieldguide")
@needs_shared("builtin-sample")
def test_the_tuning_readings_hold_no_validation_job():
    tuning, validation = load_examples(SAMPLE / "pages", fieldguide_root(FIELDGUIDE))
    assert len({e.job for e in tuning}) == len(tuning) and not {e.job for e in tuning} & {e.job for e in validation}
    second = [e.job for e in tuning if e.reading_set == "category_reading_2.jsonl"]
    assert second and not any(reading_split.in_validation(job) for job in second)
    assert "category_reading_3.jsonl" not in {e.reading_set for e in tuning}
    assert all(e.rules_value in AI_TYPES for e in tuning)
    assert sum(bool(e.role_text) for e in tuning) > 0.95 * len(tuning)  # a few postings have no role section
