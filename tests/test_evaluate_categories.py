"""The category evaluator: reading files checked row by row, agreement, and scores on tiny data."""

from __future__ import annotations

import json

import pytest

from analysis.evaluate import LabelAliases, LabelError
from analysis.evaluate_categories import READING_PATH, main, read_reading, report, second_reader_lines
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


def test_the_committed_readings_are_valid():
    reading = read_reading(READING_PATH)
    assert {len(values) for values in reading.values.values()} == {154}


def test_the_second_reading_set_is_the_stated_sample_and_split():
    from analysis.reading_split import SAMPLE_SIZE, TUNING, VALIDATION, in_validation, reading_sample
    from analysis.evaluate_categories import SECOND_READING_PATH

    second = read_reading(SECOND_READING_PATH, held_out=True)
    jobs = set(second.values["ai_type"])
    assert {len(values) for values in second.values.values()} == {SAMPLE_SIZE}
    assert not jobs & set(read_reading(READING_PATH).values["ai_type"])
    parts = [second.parts[job] for job in jobs]
    assert parts.count(VALIDATION) == 187 and parts.count(TUNING) == 143
    assert all((second.parts[job] == VALIDATION) == in_validation(job) for job in jobs)
    # the first set is all tuning, whatever its ids hash to
    assert set(read_reading(READING_PATH).parts.values()) == {TUNING}
    # the sample rule: salted-hash order of the candidates, the first SAMPLE_SIZE
    assert reading_sample(["3", "1", "2"], ["2"], size=1) == reading_sample(["1", "3"], [], size=1)


def test_the_third_reading_set_is_the_next_of_the_draw_and_all_validation():
    from analysis.evaluate_categories import SECOND_READING_PATH, THIRD_READING_PATH
    from analysis.reading_split import SAMPLE_SIZE, THIRD_SET_END, VALIDATION

    third = read_reading(THIRD_READING_PATH, validation=True)
    jobs = set(third.values["ai_type"])
    assert {len(values) for values in third.values.values()} == {THIRD_SET_END - SAMPLE_SIZE}
    assert not jobs & (set(read_reading(READING_PATH).values["ai_type"])
                       | set(read_reading(SECOND_READING_PATH).values["ai_type"]))
    assert set(third.parts.values()) == {VALIDATION}


def test_the_reading_sets_are_the_stated_draw_of_the_published_jobs():
    """Re-drawn from the Field Guide's index: the second set is the draw's first 330, the third the
    next 200, the fourth the remaining 365."""
    import csv

    from analysis.evaluate_categories import FIELDGUIDE, FOURTH_READING_PATH, SECOND_READING_PATH, THIRD_READING_PATH
    from analysis.reading_split import PUBLISHED_BATCH, SAMPLE_SIZE, THIRD_SET_END, reading_sample

    index = FIELDGUIDE / "job-market" / "_internal" / "all_jobs_dedup.csv"
    if not index.is_file():
        pytest.skip(f"needs the Field Guide checkout ({index})")
    with index.open(encoding="utf-8") as handle:
        published = [row["id"] for row in csv.DictReader(handle) if row["scraped_date"] == PUBLISHED_BATCH]
    draw = reading_sample(published, read_reading(READING_PATH).values["ai_type"], size=THIRD_SET_END)
    assert set(draw[:SAMPLE_SIZE]) == set(read_reading(SECOND_READING_PATH).values["ai_type"])
    assert set(draw[SAMPLE_SIZE:]) == set(read_reading(THIRD_READING_PATH).values["ai_type"])
    rest = reading_sample(published, read_reading(READING_PATH).values["ai_type"], size=len(published))[THIRD_SET_END:]
    assert set(rest) == set(read_reading(FOURTH_READING_PATH).values["ai_type"]) and len(rest) == 365


def test_errors_are_listed_for_the_tuning_part_only(tmp_path):
    from analysis.reading_split import in_validation

    held_out = next(str(n) for n in range(100) if in_validation(str(n)))
    tuned = next(str(n) for n in range(100) if not in_validation(str(n)))
    path = tmp_path / "reading.jsonl"
    write(path, [row(job=held_out), row(job=tuned)])
    reading = read_reading(path, held_out=True)
    tagged = {job: Tags(categories={"ai_type": "ml"}, evidence={"ai_type": [{"rule": "r"}]}) for job in (held_out, tuned)}
    text = report(reading, tagged, {}, LabelAliases.load(), errors_for=["ai_type"])
    assert "--- tuning part" in text and "--- validation part" in text
    listed = text.split("disagreements with the reading on ai_type (tuning part only):")[1]
    assert f"  {tuned} " in listed and f"  {held_out} " not in listed


def test_the_uncertain_path_takes_the_llm_label_below_the_confidence(tmp_path):
    path = tmp_path / "reading.jsonl"
    write(path, [row(job="1"), row(job="2")])
    tagged = {
        "1": Tags(categories={"ai_type": "ai-support", "ai_type_confidence": 0.6}, evidence={"ai_type": [{"rule": "r"}]}),
        "2": Tags(categories={"ai_type": "ai-first", "ai_type_confidence": 0.95}, evidence={"ai_type": [{"rule": "r"}]}),
    }
    labels = {"1": {"ai_type": "ai-first"}, "2": {"ai_type": "ai-support"}}
    text = report(read_reading(path), tagged, labels, LabelAliases.load())
    assert "AI-type confidence: mean 0.775, rules right on 0.500" in text
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.strip().startswith(("0.70", "0.90"))}
    assert rows["0.70"][1] == "1" and rows["0.70"][4] == "1.000"  # job 1 from its label, job 2 kept: both right
    assert rows["0.90"][4] == "1.000"
    assert rows["0.70"][-3:] == ["0", "of", "1"]  # the rules were wrong on the one sent


def test_postings_are_read_from_a_field_guide_checkout_and_bad_files_skipped(tmp_path, capsys):
    from analysis.evaluate_categories import fieldguide_postings, fieldguide_root

    root = tmp_path / "job-market"
    (root / "_internal").mkdir(parents=True)
    (root / "_internal" / "all_jobs_dedup.csv").write_text(
        "title,company,location,work_type,level,compensation,link,id,scraped_date\n"
        "AI Engineer,Acme,USA,,,,/job/a/1,1,2026-02-04\nAI Engineer,Acme,USA,,,,/job/a/2,2,2026-02-04\n")
    (root / "data_raw").mkdir()
    (root / "data_structured").mkdir()
    (root / "data_raw" / "1_Acme.yaml").write_text("job_id: 1\ntitle: [not, a, title]\ndescription: x\n")
    (root / "data_raw" / "2_Acme.yaml").write_text(
        "job_id: 2\ntitle: AI Engineer\ncompany: Acme\ndescription: |\n  Build LLM agents for our\n  customers.\n")
    (root / "data_structured" / "2_Acme.yaml").write_text(
        "position:\n  ai_type: {type: ai-first, reasoning: agents}\n  is_customer_facing: false\n  is_management: false\n")
    assert fieldguide_root(tmp_path) == root and fieldguide_root(tmp_path / "nowhere") is None
    postings = fieldguide_postings({"1", "2", "3"}, root)
    assert list(postings) == ["2"]
    assert postings["2"]["description"] == "Build LLM agents for our\ncustomers."
    assert postings["2"]["label"] == {"title": "AI Engineer", "ai_type": "ai-first", "is_customer_facing": False,
                                      "is_management": False}
    assert "skipped 1_Acme.yaml: title" in capsys.readouterr().err


def test_agreement_is_told_per_part(tmp_path):
    from analysis.reading_split import TUNING, VALIDATION, in_validation

    held_out = [str(n) for n in range(100) if in_validation(str(n))][:2]
    tuned = [str(n) for n in range(100) if not in_validation(str(n))][:2]
    path = tmp_path / "reading.jsonl"
    write(path, [row(job=held_out[0]), row(job=held_out[1], reading="ml", readings=("ai-first", "ml"), settled_by="third"),
                 row(job=tuned[0]), row(job=tuned[1], reading="ml", readings=("ml", "ml"))])  # fmt: skip
    reading = read_reading(path, held_out=True)
    assert reading.agreement("ai_type", VALIDATION)[:2] == (2, 0.5)
    assert reading.agreement("ai_type", TUNING)[:2] == (2, 1.0)
    assert reading.agreement("ai_type")[:2] == (4, 0.75)
    tagged = {job: Tags(categories={"ai_type": "ml"}, evidence={"ai_type": [{"rule": "r"}]}) for job in held_out + tuned}
    text = report(reading, tagged, {}, LabelAliases.load())
    validation = text.split("--- validation part")[1]
    assert "ai_type, postings read twice (the reader was unsure)   0.500" in validation  # both read twice, one read ml


def test_agreement_record_scores_each_source_as_the_report_prints_it(tmp_path):
    from analysis.evaluate_categories import agreement_record, write_agreement

    path = tmp_path / "reading.jsonl"
    write(path, [row(job="1"), row(job="2", reading="ai-support", readings=("ai-support", "ai-support"))])
    tagged = {"1": Tags(categories={"ai_type": "ai-first"}), "2": Tags(categories={"ai_type": "ai-first"})}
    labels = {"1": {"ai_type": "ai-first"}, "2": {"ai_type": "ai-support"}}
    record = agreement_record(read_reading(path), tagged, labels, LabelAliases.load())
    tuning = record["tuning"]  # a file read without held_out is all tuning
    assert record["validation"]["jobs"] == 0 and record["validation"]["sources"] == {"rules": {}, "fieldguide": {}}
    assert tuning["jobs"] == 2 and tuning["readers_agree"]["ai_type"] == 1.0
    assert tuning["sources"]["rules"]["ai_type"]["accuracy"] == 0.5 and tuning["sources"]["rules"]["ai_type"]["jobs"] == 2
    assert tuning["sources"]["fieldguide"]["ai_type"]["accuracy"] == 1.0
    write_agreement(record, tmp_path / "agreement.yaml")
    import yaml

    assert yaml.safe_load((tmp_path / "agreement.yaml").read_text()) == record


@needs_shared("builtin-sample", "pages")
@needs_shared("fieldguide", "job-market")
def test_the_committed_agreement_is_what_the_sample_measures(tmp_path, capsys):
    """analysis/label_agreement.yaml (printed by the report) is a fresh measurement, not a stale copy."""
    import yaml

    from analysis.evaluate import SAMPLE
    from analysis.evaluate_categories import AGREEMENT_PATH

    written = tmp_path / "agreement.yaml"
    assert main(["--labels", str(SAMPLE / "labels.jsonl"), "--pages", str(SAMPLE / "pages"),
                 "--fieldguide", str(SAMPLE.parent / "fieldguide"), "--write", str(written)]) == 0
    assert yaml.safe_load(written.read_text()) == yaml.safe_load(AGREEMENT_PATH.read_text())


def test_the_second_reader_read_the_stated_sample_of_the_validation_part():
    from analysis.evaluate_categories import SECOND_READER_PATH, SECOND_READING_PATH, THIRD_READING_PATH
    from analysis.reading_split import SECOND_READER_SIZE, VALIDATION, second_reader_sample

    validation = read_reading(SECOND_READING_PATH, held_out=True)
    validation.add(read_reading(THIRD_READING_PATH, validation=True), "third")
    second = read_reading(SECOND_READER_PATH)
    assert {len(values) for values in second.values.values()} == {SECOND_READER_SIZE}
    assert set(second.values["ai_type"]) == set(second_reader_sample(validation.jobs("ai_type", VALIDATION)))


def test_the_second_reader_is_compared_with_the_first_and_with_the_rules(tmp_path):
    first_path, second_path = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write(first_path, [row(job="1", readings=("ai-first",)), row(job="2", readings=("ai-first",)),
                       row(job="3", reading="ml", readings=("ml", "ml")), row(job="4", readings=("ai-first",))])  # fmt: skip
    write(second_path, [row(job="1", readings=("ai-first",)), row(job="2", reading="ai-support", readings=("ai-support",)),
                        row(job="3", reading="ml", readings=("ml",))])  # fmt: skip
    tagged = {job: Tags(categories={"ai_type": value}) for job, value in
              {"1": "ai-first", "2": "ai-support", "3": "ai-first", "4": "ai-first"}.items()}  # fmt: skip
    lines = second_reader_lines(read_reading(first_path), read_reading(second_path), tagged)
    ai_type = next(line for line in lines if line.startswith("ai_type "))
    # readers: 2 of 3 agree; ours: 1 of 3 with the first reader (job 1), 2 of 3 with the second (jobs 1, 2)
    assert ai_type.split()[1] == "0.667" and ai_type.split()[4] == "0.333" and ai_type.split()[6] == "0.667"
    assert ai_type.endswith(" 3")
    # job 3 was read twice by the first reader: of jobs 1 and 2, neither read twice, the readers agree on one
    assert lines[-1].endswith("agree on 1 of 2")
    write(second_path, [row(job="9")])
    with pytest.raises(LabelError, match="no first reading"):
        second_reader_lines(read_reading(first_path), read_reading(second_path), tagged)


def test_a_subset_of_the_readings_leaves_the_second_reader_out_with_a_note(tmp_path, capsys):
    path, labels = tmp_path / "reading.jsonl", tmp_path / "labels.jsonl"
    write(path, [row(job="1")])
    labels.write_text("", encoding="utf-8")
    # the default second reading re-reads validation postings this reading does not hold
    assert main(["--reading", str(path), "--labels", str(labels), "--pages", str(tmp_path), "--fieldguide", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "the second reader's agreement is left out" in err and "none of the 1 jobs read has a page" in err
