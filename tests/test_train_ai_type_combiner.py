"""The combiner experiment: models read the rules' evidence, every posting is decided by a model
that never saw it, settings are chosen inside the training postings, the check part is the fourth
reading set, and a missing checkout is a one-line error."""

from __future__ import annotations

from analysis import reading_split
from analysis import train_ai_type_combiner as experiment
from analysis.evaluate import SAMPLE
from analysis.evaluate_categories import FIELDGUIDE, FOURTH_READING_PATH, fieldguide_root, read_reading
from analysis.train_ai_type_combiner import Candidate, Example, cross_fitted, fold_of, predict
from jobcrawler.tagging.ai_type_features import AI_TYPES, FEATURE_NAMES
from tests.helpers import needs_shared


def synthetic(count: int = 80, start: int = 0) -> list[Example]:
    """Postings whose line counts say the type plainly; the rules get every third one wrong."""
    examples = []
    for n in range(start, start + count):
        first = n % 2 == 0
        truth, wrong = ("ai-first", "ai-support") if first else ("ai-support", "ai-first")
        value = wrong if n % 3 == 0 else truth
        rule = "model work outweighs enabling work" if value == "ai-first" else "model work is a small part of the role"
        features = dict.fromkeys(FEATURE_NAMES, 0.0)
        features.update({"kind:model_work": 3.0 + n % 2 if first else n % 2,
                         "kind:enabling": 0.0 if first else 3.0 + n % 4,
                         f"rule:{rule}": 1.0, f"rules say:{value}": 1.0})
        examples.append(Example(f"job{n}", features, value, rule, 0.4, truth, "category_reading_4.jsonl"))
    return examples


def test_folds_are_fixed_by_the_job_id():
    jobs = [f"job{n}" for n in range(200)]
    assert [fold_of(j, experiment.OUTER_SALT) for j in jobs] == [fold_of(j, experiment.OUTER_SALT) for j in jobs]
    assert {fold_of(j, experiment.OUTER_SALT) for j in jobs} == set(range(experiment.FOLDS))
    assert [fold_of(j, experiment.OUTER_SALT) for j in jobs] != [fold_of(j, experiment.INNER_SALT) for j in jobs]


def test_evidence_models_beat_rules_that_are_wrong_a_third_of_the_time_on_postings_they_never_saw(monkeypatch):
    monkeypatch.setitem(experiment.GRIDS, "boosted", [{"n_estimators": 20, "max_depth": 2, "learning_rate": 0.1}])
    monkeypatch.setitem(experiment.GRIDS, "sparse logistic", [{"C": 1.0}])  # one setting each: the path, quickly
    train, check = synthetic(), synthetic(60, start=1000)
    rules = sum(e.rules_value == e.truth for e in check) / len(check)
    for family in experiment.GRIDS:
        hits = cross_fitted(Candidate(family, "evidence", False), train, check, experiment.OUTER_SALT)
        assert len(hits) == len(check) and sum(hits) / len(check) > rules + 0.2
    again = cross_fitted(Candidate("logistic", "evidence", False), train, check, experiment.OUTER_SALT)
    assert again == cross_fitted(Candidate("logistic", "evidence", False), train, check, experiment.OUTER_SALT)


def test_where_the_rules_are_unsure_the_model_decides_only_below_the_chosen_thresholds():
    train, check = synthetic(), synthetic(60, start=1000)
    decided, choice = predict(Candidate("logistic", "evidence", True), train, check)
    assert choice.thresholds is not None and set(decided) <= set(AI_TYPES)
    # the rules, a third wrong, score 0.67 in every cell: the inner cross-validation lets the sure model decide
    below, _ = choice.thresholds
    assert below > 0.67
    assert sum(d == e.truth for d, e in zip(decided, check)) > sum(e.rules_value == e.truth for e in check)
    _, choice_all = predict(Candidate("logistic", "evidence", False), train, check)
    assert choice_all.thresholds is None


def test_the_evidence_features_leave_out_the_rules_decision():
    assert not any(name.startswith(("rule:", "rules say:")) for name in experiment.FEATURE_SETS["evidence"])
    assert set(experiment.FEATURE_SETS["all"]) == set(FEATURE_NAMES)


def test_a_missing_checkout_is_a_one_line_error(tmp_path, capsys):
    assert experiment.main(["--pages", str(tmp_path / "none"), "--fieldguide", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1


@needs_shared("fieldguide")
@needs_shared("builtin-sample")
def test_the_check_part_is_the_fourth_set_and_no_validation_job_is_read():
    train, check = experiment.load_examples(SAMPLE / "pages", fieldguide_root(FIELDGUIDE))
    assert {e.job for e in check} == set(read_reading(FOURTH_READING_PATH).values["ai_type"])
    assert not {e.job for e in train} & {e.job for e in check}
    second = [e.job for e in train if e.reading_set == "category_reading_2.jsonl"]
    assert second and not any(reading_split.in_validation(job) for job in second)
    assert {e.reading_set for e in train} == {"category_reading.jsonl", "category_reading_2.jsonl"}
    assert all(list(e.features) == list(FEATURE_NAMES) and e.rules_value in AI_TYPES for e in train + check)
