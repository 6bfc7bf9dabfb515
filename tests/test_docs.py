"""The README and docs/ stay true to the code: every command they quote runs (at least with
``--help``), every internal link and anchor resolves, and every test they name exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
COMMAND = re.compile(r"^(?:\$ )?(python -m [\w.]+(?: [a-z]+)?|python bench/\w+\.py|scrapy \w+|make [a-z]\w*|"
                     r"datasette \w+|llm \w+)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def quoted_commands() -> dict[str, list[str]]:
    """Each command the docs quote (in code blocks, indented blocks or inline code), by what
    identifies it (program and subcommand) -> the pages quoting it."""
    found: dict[str, list[str]] = {}
    for page in PAGES:
        text = page.read_text()
        candidates = [line.strip() for line in text.splitlines()]
        candidates += re.findall(r"`([^`\n]+)`", text)
        for candidate in candidates:
            if match := COMMAND.match(candidate):
                found.setdefault(match.group(1), []).append(page.name)
    return found


def help_command(quoted: str) -> list[str] | None:
    """What proves ``quoted`` runs: its ``--help``; None for a make target (checked in the Makefile)."""
    words = quoted.split()
    if words[0] == "make":
        return None
    if words[:2] == ["python", "-m"]:
        module = words[2]
        sub = words[3:4] if module == "analysis" else []
        return [sys.executable, "-m", module, *sub, "--help"]
    if words[0] == "python":
        return [sys.executable, words[1], "--help"]
    return [str(BIN / words[0]), *words[1:2], "--help"]


COMMANDS = quoted_commands()


def test_the_docs_quote_the_everyday_commands():
    assert {"scrapy crawl", "python -m analysis report", "python -m analysis serve", "make demo"} <= set(COMMANDS)


@pytest.mark.parametrize("quoted", sorted(COMMANDS))
def test_every_quoted_command_runs(quoted):
    command = help_command(quoted)
    if command is None:
        target = quoted.split()[1]
        assert re.search(rf"^{target}:", (REPO / "Makefile").read_text(), re.MULTILINE), \
            f"make {target} (quoted in {COMMANDS[quoted]}) is no Makefile target"
        return
    if command[1].startswith("bench/") and "argparse" not in (REPO / command[1]).read_text():
        pytest.fail(f"{command[1]} (quoted in {COMMANDS[quoted]}) takes no --help")
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)} (quoted in {COMMANDS[quoted]}): {result.stderr[-1500:]}"
    assert "usage" in result.stdout.lower()


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a Markdown page's headings (outside code blocks)."""
    found, fence = set(), False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (heading := re.match(r"#{1,6} (.+)", line)):
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            found.add(slug)
    return found


def internal_links() -> list[tuple[Path, str]]:
    return [(page, target) for page in PAGES for target in LINK.findall(page.read_text())
            if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("page,target", internal_links(), ids=lambda value: str(value).rsplit("/", 1)[-1])
def test_every_internal_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    assert linked.exists(), f"{page.name}: {target} links to nothing"
    if anchor:
        assert anchor in anchors(linked), f"{page.name}: {target}: no heading with that anchor"


def test_every_test_the_docs_name_exists():
    named = {name for page in PAGES for name in re.findall(r"tests/\w+\.py", page.read_text())}
    assert named and not {name for name in named if not (REPO / name).is_file()}


def test_every_test_function_the_docs_name_exists():
    """A test named by its function (`test_x`, or tests/test_y.py::test_x) is defined, in the
    file named where one is."""
    tests = {path.name: path.read_text() for path in (REPO / "tests").glob("test_*.py")}
    missing = []
    for page in PAGES:
        text = page.read_text()
        for file, function in re.findall(r"tests/(test_\w+\.py)::(test_\w+)", text):
            if not re.search(rf"^\s*(?:async )?def {function}\(", tests.get(file, ""), re.MULTILINE):
                missing.append(f"{page.name}: tests/{file}::{function}")
        for function in re.findall(r"`(?:::)?(test_\w+)`", text):
            if not any(re.search(rf"^\s*(?:async )?def {function}\(", source, re.MULTILINE) for source in tests.values()):
                missing.append(f"{page.name}: {function}")
    assert not missing, missing


def test_every_reliability_guarantee_names_the_test_that_holds_it():
    page = (REPO / "docs" / "reliability.md").read_text()
    sections = re.split(r"^## ", page, flags=re.MULTILINE)[1:]
    assert sections
    for section in sections:
        assert re.search(r"\(\.\./tests/\w+\.py\)", section), section.splitlines()[0]
