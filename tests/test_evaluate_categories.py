"""The category evaluator: reading files checked row by row, agreement, and scores on tiny data."""

from __future__ import annotations

import json

import pytest

from analysis.evaluate import LabelAliases, LabelError
from analysis.evaluate_categories import READING_PATH, main, read_reading, report
from tests.helpers import needs_shared
from jobcrawler.tagging import Tags


def write(path, rows) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def row(job="1", field="ai_type", reading="ai-first", readings=("ai-first", "ai-first"), **extra) -> dict:
    return {"job_id": job, "field": field, "reading": reading, "readings": list(readings), "reason": "builds agents", **extra}


@pytest.mark.parametrize(
    "bad, message",
    [
        (row(field="colour"), "field must be one of"),
        (row(reading="ai-ish"), "reading of ai_type"),
        (row(field="is_management", reading="yes", readings=()), "reading of is_management"),
        (row(field="is_management", reading=1, readings=()), "reading of is_management"),
        (row(reading="ai-support"), "what the two readings agree on"),
        (row(readings=("ai-first", "maybe")), "readings of ai_type"),
        ({**row(), "reason": " "}, "short reason"),
        ({"field": "ai_type"}, "job_id"),
    ],
)
def test_a_row_that_cannot_be_scored_stops_the_run_with_its_line(tmp_path, bad, message):
    path = tmp_path / "reading.jsonl"
    write(path, [row(job="0"), bad])
    with pytest.raises(LabelError, match=rf"reading.jsonl:2: .*{message}"):
        read_reading(path)


def test_duplicates_are_refused_and_settled_rows_accepted(tmp_path):
    path = tmp_path / "reading.jsonl"
    write(path, [row(), row()])
    with pytest.raises(LabelError, match="earlier line"):
        read_reading(path)
    write(path, [row(reading="ai-support", settled_by="third reading of the whole posting")])
    assert read_reading(path).values["ai_type"] == {"1": "ai-support"}


def test_agreement_and_kappa(tmp_path):
    path = tmp_path / "reading.jsonl"
    write(path, [
        row(job="1"), row(job="2", reading="ml", readings=("ml", "ml")),
        row(job="3", reading="ml", readings=("ai-first", "ml"), settled_by="third reading"),
        row(job="1", field="is_management", reading=False, readings=(False, False)),
        row(job="2", field="is_management", reading=False, readings=(False, False)),
    ])  # fmt: skip
    reading = read_reading(path)
    rows, observed, kappa = reading.agreement("ai_type")
    assert rows == 3 and observed == pytest.approx(2 / 3)
    assert kappa == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))  # chance: (1*2 + 2*1) / 9
    assert reading.agreement("is_management")[2] is None  # every reading said no: kappa undefined


def test_report_scores_ours_against_the_reading_and_the_labels(tmp_path):
    path = tmp_path / "reading.jsonl"
    write(path, [
        row(job="1"), row(job="2", reading="ai-support", readings=("ai-support", "ai-support")),
        row(job="1", field="is_customer_facing", reading=True, readings=(True, True)),
        row(job="2", field="is_customer_facing", reading=False, readings=(False, False)),
    ])  # fmt: skip
    evidence = {"ai_type": [{"rule": "model work", "condition": "lines", "matched": "RAG pipelines", "section": "role"}]}
    tagged = {
        "1": Tags(categories={"ai_type": "ai-first", "is_customer_facing": True}, evidence=evidence),
        "2": Tags(categories={"ai_type": "ai-first", "is_customer_facing": False}, evidence=evidence),
    }
    labels = {"1": {"ai_type": "ai-first", "is_customer_facing": False, "title": "AI Engineer"},
              "2": {"ai_type": "ai-support", "is_customer_facing": False, "title": "Data Engineer"}}  # fmt: skip
    text = report(read_reading(path), tagged, labels, LabelAliases.load(), errors_for=["ai_type"])
    lines = text.splitlines()
    ai_type = next(line for line in lines if line.startswith("ai_type "))
    assert ai_type.split()[1] == "0.500" and ai_type.split()[3] == "0.500" and ai_type.split()[5] == "1.000"
    facing = next(line for line in lines if line.startswith("is_customer_facing "))
    assert facing.split()[1] == "1.000" and facing.split()[3] == "0.500"
    assert "ai-first share, ours minus read: +50.0 points" in text
    assert "2 'Data Engineer': ours 'ai-first', read 'ai-support' <- model work [lines] 'RAG pipelines' in role" in text


def test_main_reports_bad_input_as_an_error(tmp_path, capsys):
    path = tmp_path / "reading.jsonl"
    write(path, [row(reading="nope")])
    assert main(["--reading", str(path), "--labels", str(path), "--pages", str(tmp_path)]) == 1
    assert "error:" in capsys.readouterr().err


def test_the_committed_reading_is_valid():
    reading = read_reading(READING_PATH)
    assert {len(values) for values in reading.values.values()} == {154}


def test_agreement_record_scores_each_source_as_the_report_prints_it(tmp_path):
    from analysis.evaluate_categories import agreement_record, write_agreement

    path = tmp_path / "reading.jsonl"
    write(path, [row(job="1"), row(job="2", reading="ai-support", readings=("ai-support", "ai-support"))])
    tagged = {"1": Tags(categories={"ai_type": "ai-first"}), "2": Tags(categories={"ai_type": "ai-first"})}
    labels = {"1": {"ai_type": "ai-first"}, "2": {"ai_type": "ai-support"}}
    record = agreement_record(read_reading(path), tagged, labels, LabelAliases.load())
    assert record["jobs"] == 2 and record["readers_agree"]["ai_type"] == 1.0
    assert record["sources"]["rules"]["ai_type"]["accuracy"] == 0.5 and record["sources"]["rules"]["ai_type"]["jobs"] == 2
    assert record["sources"]["fieldguide"]["ai_type"]["accuracy"] == 1.0
    write_agreement(record, tmp_path / "agreement.yaml")
    import yaml

    assert yaml.safe_load((tmp_path / "agreement.yaml").read_text()) == record


@needs_shared("builtin-sample", "pages")
def test_the_committed_agreement_is_what_the_sample_measures(tmp_path, capsys):
    """analysis/label_agreement.yaml (printed by the report) is a fresh measurement, not a stale copy."""
    import yaml

    from analysis.evaluate import SAMPLE
    from analysis.evaluate_categories import AGREEMENT_PATH

    written = tmp_path / "agreement.yaml"
    assert main(["--labels", str(SAMPLE / "labels.jsonl"), "--pages", str(SAMPLE / "pages"), "--write", str(written)]) == 0
    assert yaml.safe_load(written.read_text()) == yaml.safe_load(AGREEMENT_PATH.read_text())
