"""Words for numbers: how the report turns shares and counts into sentences that stay true.

Every judgement word of the report comes from here, so each has one definition:

* ``quantifier(share)`` - how many of a group: "no", "few" (under 10%), "some" (10-25%),
  "many" (25-50%), "half of" (exactly 50%), "most" (over 50%), "nearly all" (90% and up),
  "all" (100%).
* ``pronoun(share)`` - the same word as a subject: "none", "half", "most" (ask for ...).
* ``frequency(share)`` - how usual something is: "absent", "rare" (under 10%), "uncommon"
  (10-25%), "common" (25-50%), "widespread" (over 50%), "universal" (100%).
* ``compare`` / ``ranking`` - comparisons that say "tie" when the numbers are equal and
  name the numbers otherwise; "dominates" only for at least twice the runner-up.
* ``small_group(n)`` - a caution for shares of fewer than ``SMALL_GROUP`` jobs.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

SMALL_GROUP = 20  # fewer jobs than this: a share carries its n and a caution
TOO_FEW = "too few to generalize from"
DOMINANCE = 2.0  # "dominates": at least this many times the runner-up

# (lowest share, quantifier, frequency); the first row whose lowest share the value reaches.
BANDS = (
    (100.0, "all", "universal"),
    (90.0, "nearly all", "widespread"),
    (50.000001, "most", "widespread"),
    (50.0, "half of", "common"),
    (25.0, "many", "common"),
    (10.0, "some", "uncommon"),
    (0.000001, "few", "rare"),
)


def _band(share: float | None) -> tuple[str, str]:
    share = share or 0
    for lowest, quantity, usual in BANDS:
        if share >= lowest:
            return quantity, usual
    return "no", "absent"


def quantifier(share: float | None) -> str:
    """The word for how many of a group a share is: 'most' only above 50%."""
    return _band(share)[0]


def pronoun(share: float | None) -> str:
    """The quantifier standing alone, as a subject: 'none', 'half', 'most' ask for ..."""
    return {"no": "none", "half of": "half"}.get(quantifier(share), quantifier(share))


def frequency(share: float | None) -> str:
    """The adjective for how usual a share is: 'common' means 25% to 50%."""
    return _band(share)[1]


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def pct(value: float | None, decimals: int = 1) -> str:
    return f"{(value or 0):.{decimals}f}%"


def join_names(names: Sequence[str], last: str = "and") -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {last} " + names[-1]


def is_small(count: int | None) -> bool:
    """1 to SMALL_GROUP - 1 jobs; an empty group is no group (the report says "none")."""
    return 0 < (count or 0) < SMALL_GROUP


def small_group(count: int | None, noun: str = "job") -> str:
    """' (only 7 jobs: too few to generalize from)' under SMALL_GROUP, else '': for a share
    printed without its n."""
    if not is_small(count):
        return ""
    return f" (only {count} {noun}{'' if count == 1 else 's'}: {TOO_FEW})"


def too_few(count: int | None) -> str:
    """' - too few to generalize from' under SMALL_GROUP, else '': for a count already printed."""
    return f" - {TOO_FEW}" if is_small(count) else ""


def leaders(items: Sequence[tuple[str, float]]) -> list[str]:
    """The names that share the highest value (several when they tie), [] when all are 0."""
    if not items:
        return []
    top = max(value for _, value in items)
    if top <= 0:
        return []
    return [name for name, value in items if value == top]


def compare(first: tuple[str, float], second: tuple[str, float], shown: Callable[[float], str] = pct) -> str:
    """'A leads (24.0%), ahead of B (21.7%)', 'A and B tie (21.7% each)', or 'A dominates ...'.

    The order of the arguments does not matter: the larger value is named first."""
    (a, x), (b, y) = sorted((first, second), key=lambda item: -item[1])
    if x == y:
        return f"{a} and {b} tie ({shown(x)} each)"
    verb = "dominates" if x >= DOMINANCE * y else "leads"
    return f"{a} {verb} ({shown(x)}), ahead of {b} ({shown(y)})"


def versus(first: tuple[str, int], second: tuple[str, int], noun: str = "jobs") -> str:
    """Two counts compared with their ratio: 'PyTorch is named more often than TensorFlow
    (165 vs 93 jobs, 1.8x)'; ties and zeros are said as such."""
    (a, x), (b, y) = first, second
    if x == y == 0:
        return f"neither {a} nor {b} is named"
    if x == y:
        return f"{a} and {b} tie ({x} {noun} each)"
    (a, x), (b, y) = sorted((first, second), key=lambda item: -item[1])
    if y == 0:
        return f"{a} is named in {x} {noun}, {b} in none"
    return f"{a} is named more often than {b} ({x} vs {y} {noun}, {x / y:.1f}x)"


def ranking(items: Iterable[tuple[str, float]], shown: Callable[[float], str]) -> str:
    """'AWS (202 jobs) > GCP (153 jobs) = Azure (153 jobs)', ordered by value, '=' for ties."""
    ordered = sorted(items, key=lambda item: -item[1])
    text = ""
    for index, (name, value) in enumerate(ordered):
        if index:
            text += " = " if value == ordered[index - 1][1] else " > "
        text += f"{name} ({shown(value)})"
    return text
