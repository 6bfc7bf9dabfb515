"""Every figure of the published "AI Engineering Jobs Analysis" beside the regenerated document's.

    python -m analysis.compare_published [--db data/jobs.db] [--labels fieldguide]
                                          [--published PATH] [--report FILE] [--show STATUS ...]

The published document is read at run time (``../shared/seed/ai-engineering-jobs-analysis.md``
beside the checkout by default; never stored in the repository) and cut into sections (``##``
headings; the text before the first one is the Summary). Every line that states a number is a
figure, named by where it stands (section, ``###`` subsection, the list heading above it) and by
its label: the words before its number ("RAG - 321 jobs (35.9%)": ``RAG``), or, for a sentence
that opens with its number, the sentence with the number left out ("57.3% of AI-Support roles
require SOME GenAI knowledge"). A line naming several figures ("AWS (359 jobs) > Azure (214
jobs)", "RAG - AI-First: 50.2%, AI-Support: 17.3%") gives one figure each. A count with its share
("321 jobs (35.9%)", "195/621 (31.4%)") is one figure: both must match.

Ours is looked up in the same section by the same name; then, where our list heading words it
differently, by label alone in the section; then by the closest label of the section, and last
by the closest line (a reworded sentence). Status:

    exact      every number equal at the published precision (35.9% vs ours 35.94: exact)
    near       off by at most one count or one percentage point
    differs    printed, with another value
    missing    not printed in that section (``elsewhere`` when the same label and value stand
               in another section)

The totals line at the end is what the issue's target counts.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sqlite3
import sys
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = REPO.parent / "shared" / "seed" / "ai-engineering-jobs-analysis.md"
STATUSES = ("exact", "near", "differs", "elsewhere", "missing")

# A number as the documents print it: 1,234 / 35.9% / 2.6x / ~8% / 70%+.
NUMBER = re.compile(r"(?<![\w.])~?(\d+(?:,\d{3})*(?:\.\d+)?)(%|x(?![a-z]))?(\+)?")
# "Name (359 jobs)" / "Name (41.7%)" inside a line listing several.
NAMED_VALUE = re.compile(r"([A-Za-z][\w/.+#& -]*?)\s*\((~?\d[\d,]*(?:\.\d+)?%?)(?: jobs?| titles?)?\)")
# "AI-First: 50.2%" inside a comparison line.
COLON_VALUE = re.compile(r"([A-Za-z][\w/.+# -]*?):\s*(~?\d[\d,]*(?:\.\d+)?%?)")
QUOTED = re.compile(r'"[^"]*"')
YEAR = re.compile(r"^(19|20)\d\d$")
FILLER = {"jobs", "job", "titles", "title", "mentions", "mention", "of", "the"}


@dataclass
class Number:
    value: float
    decimals: int
    percent: bool
    ratio: bool = False  # "2.6x": never near, a ratio is no count or point

    @classmethod
    def parse(cls, text: str) -> "Number":
        text = text.lstrip("~").rstrip("+")
        percent, ratio = text.endswith("%"), text.endswith("x")
        digits = text.rstrip("%x").replace(",", "")
        return cls(float(digits), len(digits.split(".")[1]) if "." in digits else 0, percent, ratio)

    def __str__(self) -> str:
        return f"{self.value:.{self.decimals}f}" + ("%" if self.percent else "x" if self.ratio else "")


@dataclass
class Figure:
    section: str
    where: str  # subsection and list heading, normalized
    label: str  # normalized
    text: str  # the line as printed
    numbers: list[Number] = field(default_factory=list)
    status: str = ""
    ours: "Figure | None" = None


def words(text: str) -> str:
    """Lower-case words only (numbers and bracketed asides left out): what two wordings of one
    name share ("LLMs (general)" is "llms")."""
    text = QUOTED.sub(lambda m: m.group(0).strip('"'), re.sub(r"\([^()]*\)", " ", text.lower()))
    return " ".join(w for w in re.split(r"[^a-z0-9+#]+", re.sub(r"\d[\d,.]*%?", " ", text)) if w and w not in FILLER)


def sections(markdown: str) -> dict[str, list[str]]:
    """Section name (normalized ``##`` heading; 'summary' before the first) -> its lines."""
    found: dict[str, list[str]] = {"summary": []}
    current = "summary"
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = words(line[3:])
            found.setdefault(current, [])
        elif not line.startswith("# "):
            found[current].append(line.rstrip())
    return found


def _numbers_outside_quotes(text: str) -> list[re.Match]:
    bare = QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    return [m for m in NUMBER.finditer(bare)
            if not YEAR.match(m.group(1)) and not bare[m.end():].lstrip().startswith(("weeks", "week"))]


def figures_of(markdown: str) -> list[Figure]:
    """Every figure of a document, in document order."""
    found = []
    for section, lines in sections(markdown).items():
        subsection, heading = "", ""
        for raw in lines:
            line = re.sub(r"^\s*(?:[-*]\s+|\d+\.\s+)", "", raw).strip()
            if not line:
                continue
            if raw.startswith("### "):
                line = line[4:]
                subsection, heading = words(re.split(r"[:(\d]", line, maxsplit=1)[0]), ""
            elif line.endswith(":") and not raw.lstrip().startswith("-"):
                # a list heading: its own numbers count only in parentheses ("(621 titles)")
                heading = words(line)
                counted = re.search(r"\((\d[\d,]*) (?:titles|jobs)\)", line)
                if counted:
                    found.append(Figure(section, subsection, heading, raw.strip(), [Number.parse(counted.group(1))]))
                continue
            found.extend(_line_figures(section, f"{subsection} | {heading}", line, raw.strip()))
    return found


def _line_figures(section: str, where: str, line: str, raw: str) -> list[Figure]:
    matches = _numbers_outside_quotes(line)
    if not matches:
        return []
    label_text = line[:matches[0].start()]
    named = NAMED_VALUE.findall(line)
    first_named = NAMED_VALUE.search(line)
    if len(named) >= 2 and not re.match(r"^.+? - \d", line) and first_named.start(2) <= matches[0].start() + 1:
        # "Cloud - AWS (41.7%), Azure (24.8%)": the words before the first name head every figure
        head, _, first = named[0][0].rpartition(" - ")
        prefix = words(line[:first_named.start()] + head)
        names = [first] + [name.split(" - ")[-1] for name, _ in named[1:]]
        return [Figure(section, where, f"{prefix} {words(name)}".strip(), raw, [Number.parse(value)])
                for name, (_, value) in zip(names, named)]
    if " - " in label_text and len(COLON_VALUE.findall(line)) >= 2:
        head = words(line.split(" - ", 1)[0])
        return [Figure(section, where, f"{head} {words(name.split(' - ')[-1])}", raw, [Number.parse(value)])
                for name, value in COLON_VALUE.findall(line)]
    label = words(label_text)
    if not label:  # a sentence that opens with its number
        label = words(NUMBER.sub(" ", line))
    numbers = [Number.parse(matches[0].group(0))]
    share = re.match(r"\s*(?:jobs?|mentions?)?\s*(?:/\s*\d[\d,]*\s*)?\((\d[\d.]*%)\)", line[matches[0].end():])
    if share:
        numbers.append(Number.parse(share.group(1)))
    return [Figure(section, where, label, raw, numbers)]


def _same(published: Number, ours: Number) -> bool:
    return published.percent == ours.percent and round(ours.value, published.decimals) == published.value


def _near(published: Number, ours: Number) -> bool:
    return not published.ratio and abs(published.value - ours.value) <= 1.0 + 1e-9


def _judge(published: Figure, ours: Figure) -> str:
    pairs = list(zip(published.numbers, ours.numbers))
    if all(_same(p, o) for p, o in pairs) and len(ours.numbers) >= len(published.numbers):
        return "exact"
    if all(_near(p, o) for p, o in pairs):
        return "near"
    return "differs"


def _find(figure: Figure, ours: list[Figure]) -> Figure | None:
    in_section = [o for o in ours if o.section == figure.section]
    for candidates in ([o for o in in_section if o.where == figure.where and o.label == figure.label],
                       [o for o in in_section if o.where.split(" | ")[0] == figure.where.split(" | ")[0]
                        and o.label == figure.label],
                       [o for o in in_section if o.label == figure.label]):
        if candidates:
            return min(candidates, key=lambda o: 0 if _judge(figure, o) == "exact" else 1)
    labels = {o.label: o for o in in_section if o.where == figure.where} or {o.label: o for o in in_section}
    close = difflib.get_close_matches(figure.label, list(labels), n=1, cutoff=0.7)
    if close:
        return labels[close[0]]
    # a reworded sentence: the whole line, numbers left out, close to one of the section's
    lines = {words(o.text): o for o in in_section}
    close = difflib.get_close_matches(words(figure.text), list(lines), n=1, cutoff=0.7)
    return lines[close[0]] if close else None


def compare(published_md: str, our_md: str) -> list[Figure]:
    """Every published figure, with ``status`` and ``ours`` (the figure of ours it was compared to)."""
    ours = figures_of(our_md)
    result = []
    for figure in figures_of(published_md):
        match = _find(figure, ours)
        if match is not None:
            figure.ours, figure.status = match, _judge(figure, match)
        else:
            outside = [o for o in ours if o.label == figure.label and _judge(figure, o) == "exact"]
            figure.ours, figure.status = (outside[0], "elsewhere") if outside else (None, "missing")
        result.append(figure)
    return result


def totals(figures: list[Figure]) -> Counter:
    return Counter(f.status for f in figures)


def totals_line(figures: list[Figure]) -> str:
    counts, total = totals(figures), len(figures)
    parts = [f"{counts[s]} {s}" for s in STATUSES]
    exact = 100.0 * counts["exact"] / total if total else 0
    return f"{total} published figures: " + ", ".join(parts) + f" ({exact:.1f}% exact)"


def _values(figure: Figure | None) -> str:
    return " / ".join(str(n) for n in figure.numbers) if figure else "-"


def _markdown(parser: argparse.ArgumentParser, path: Path) -> str:
    """The document's text, or one line saying why it cannot be read (a PDF or a Word file given)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        parser.exit(2, f"{parser.prog}: error: cannot read {path} as a Markdown document: {error}\n")


def main(argv: list[str] | None = None) -> int:
    from analysis import build, report
    from jobcrawler import storage
    from jobcrawler.settings import SQLITE_PATH

    parser = argparse.ArgumentParser(prog="python -m analysis.compare_published", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=SQLITE_PATH, help=f"the database to report from (default {SQLITE_PATH})")
    parser.add_argument("--labels", default="fieldguide", help="label source (default fieldguide)")
    parser.add_argument("--published", type=Path, default=PUBLISHED, help=f"the published document (default {PUBLISHED})")
    parser.add_argument("--report", type=Path, help="compare this rendered document instead of rendering one from --db")
    parser.add_argument("--show", nargs="*", choices=STATUSES, default=list(STATUSES),
                        help="list only figures of these statuses (the totals count all)")
    args = parser.parse_args(argv)
    if not args.published.is_file():
        parser.exit(2, f"{parser.prog}: error: no published document at {args.published} (give --published PATH)\n")
    published = _markdown(parser, args.published)
    if args.report:
        if not args.report.is_file():
            parser.exit(2, f"{parser.prog}: error: no document at {args.report}\n")
        ours = _markdown(parser, args.report)
    else:
        if why := storage.database_file_error(args.db):
            parser.exit(2, f"{parser.prog}: error: {why}\n")
        # A site serving the file opened it immutable: it is read as it is, nothing written into
        # it (not the schema open_db brings up to date, nor report tables built), as `analysis report` does.
        # Served, it is read immutable as the site reads it: no -wal/-shm made, nothing checkpointed.
        served = storage.being_served(args.db, "build the report tables")
        try:
            if served:
                storage.open_db_read_only(args.db).close()
            else:
                storage.open_db(args.db).close()
        except storage.StorageError as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
        try:
            with closing(storage.connect_to_read(args.db, served)) as conn:
                stale = build.stale_reason(conn, args.labels)
                unknown = build.labels_error(storage.label_sources(conn), args.labels, args.db) if stale else None
            if unknown:  # said rather than "out of date" under a site, as `analysis report` does
                parser.exit(2, f"{parser.prog}: error: {unknown}\n")
            if stale and served:
                parser.exit(1, f"{parser.prog}: error: the report tables are out of date ({stale}) and {served}\n")
            if stale:
                build.build(args.db, args.labels)
            with closing(storage.connect_to_read(args.db, served)) as conn:
                ours = report.render_report(conn, labels=args.labels)
        except (build.LabelsError, report.ScopeError) as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
        except sqlite3.OperationalError as error:  # another process held the database past the busy timeout
            parser.exit(1, f"{parser.prog}: error: cannot read {args.db}: {error}\n")
    figures = compare(published, ours)
    section = None
    for figure in figures:
        if figure.status not in args.show:
            continue
        if figure.section != section:
            section = figure.section
            print(f"\n## {section}")
        print(f"{figure.status:9} {_values(figure):>14} | {_values(figure.ours):<14} {figure.text}")
    print("\n" + totals_line(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
