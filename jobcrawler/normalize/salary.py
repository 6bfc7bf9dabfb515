"""Salary ranges from JSON-LD ``baseSalary`` or from the pay text builtin.com shows."""

from __future__ import annotations

import re
from dataclasses import dataclass


# A salary outside this range per period is a typo or a placeholder, not a salary. (A yearly
# figure under 1,000, "1-1" or "40-40 Annually", is kept as stated, with its text; the pay report
# leaves it out and counts it: analysis/reports/pay.sql.)
PLAUSIBLE = {
    "hour": (1.0, 5_000.0),
    "day": (1.0, 50_000.0),
    "week": (1.0, 250_000.0),
    "month": (1.0, 2_000_000.0),
    "year": (1.0, 100_000_000.0),
}
PERIOD_WORDS = {
    "annually": "year", "yearly": "year", "year": "year", "annual": "year", "per year": "year",
    "monthly": "month", "month": "month",
    "weekly": "week", "week": "week",
    "daily": "day", "day": "day",
    "hourly": "hour", "hour": "hour",
}
UNIT_TEXT = {"YEAR": "year", "MONTH": "month", "WEEK": "week", "DAY": "day", "HOUR": "hour"}
MULTIPLIERS = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}

_AMOUNT = r"(\d+(?:[.,]\d+)?)\s*([KMB]?)"
_PAY_TEXT = re.compile(
    rf"^\s*(?P<cur>[A-Z]{{3}}\s*|[$€£₹]\s*)?{_AMOUNT}\s*(?:(?P<plus>\+)|[-–—]\s*(?:[A-Z]{{3}}\s*|[$€£₹]\s*)?{_AMOUNT})?"
    r"\s*(?:/\s*)?(?P<period>[A-Za-z ]+?)?\s*$",
    re.IGNORECASE,
)
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR"}
# A currency written against an amount in free text: "£225,000", "€80K", "225,000 GBP", "$75,000 USD".
CODES = ("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "INR", "SEK", "DKK", "NOK", "PLN", "SGD", "JPY")
_AMOUNT_AT = re.compile(r"(\d{1,3}(?:[,.]\d{3})+|\d+(?:\.\d+)?)\s*([kKmM]?)(?!\w)")


@dataclass(frozen=True)
class Salary:
    min: float | None
    max: float | None
    currency: str | None
    period: str | None


def _amount(number: str, suffix: str) -> float:
    return float(number.replace(",", "")) * MULTIPLIERS[suffix.upper()]


def parse_pay_text(text: str | None) -> Salary | None:
    """``"135K-203K Annually"``, ``"2M-3M Annually"``, ``"30-70 Hourly"``, ``"100K+ Annually"``.

    The currency is set only when the text itself names one: builtin.com shows none, and
    a guess from the job's country would be wrong for remote and multi-country jobs.
    """
    if not text:
        return None
    match = _PAY_TEXT.match(" ".join(text.split()))
    if not match:
        return None
    low = _amount(match.group(2), match.group(3))
    high = None if match.group("plus") or match.group(5) is None else _amount(match.group(5), match.group(6))
    currency = match.group("cur")
    if currency:
        currency = currency.strip()
        currency = SYMBOLS.get(currency, currency.upper())
    period = PERIOD_WORDS.get((match.group("period") or "").strip().lower())
    return Salary(low, high, currency, period)


def _text_amount(number: str, suffix: str) -> float:
    digits = re.sub(r"[,.](?=\d{3}(?:\D|$))", "", number)
    return float(digits) * MULTIPLIERS[suffix.upper()]


def currency_in_text(text: str | None, low: float | None, high: float | None) -> str | None:
    """The currency a posting's text writes against its own pay figure ("£225,000—£255,000 GBP"
    for a 225K-255K salary), when the pay data names none: only amounts equal to the stated bounds
    count (within 1%: builtin rounds them), and only one currency among them; else None. A
    "$1 billion" valuation does not count. The text is searched for the bounds' leading digits
    ("22" of 225,000): long texts, few hits."""
    bounds = [b for b in (low, high) if b and b > 0]
    if not text or not bounds:
        return None
    found = set()
    for bound in bounds:
        # leading digits: builtin rounds the figures it shows ("$231,500" is its 232K)
        lead = str(int(bound // 10_000)) if bound >= 10_000 else f"{bound:g}"
        at = text.find(lead)
        while at != -1:
            amount = None if text[at - 1:at].isdigit() else _AMOUNT_AT.match(text, at)
            if amount and abs(_text_amount(*amount.groups()) - bound) <= 0.01 * bound:
                # a code after the amount names it even after a symbol: "$250,000 CAD"
                after = _currency_after(text[amount.end():amount.end() + 6])
                currency = after if after in CODES else _currency_before(text[max(0, at - 5):at]) or after
                if currency:
                    found.add(currency)
            at = text.find(lead, at + 1)
    return found.pop() if len(found) == 1 else None


def _currency_before(text: str) -> str | None:
    """'£' or 'GBP ' just before an amount."""
    text = text.rstrip()
    if text[-1:] in SYMBOLS:
        return SYMBOLS[text[-1]]
    code = text[-3:]
    return code if code in CODES and not text[-4:-3].isalnum() else None


def _currency_after(text: str) -> str | None:
    """' GBP' or ' €' just after an amount."""
    text = text.lstrip()
    if text[:1] in SYMBOLS:
        return SYMBOLS[text[0]]
    code = text[:3]
    return code if code in CODES and not text[3:4].isalnum() else None


def from_base_salary(salary: dict | None) -> Salary | None:
    """The parsed JSON-LD ``baseSalary`` (``{currency, min, max, unit}``)."""
    if not isinstance(salary, dict):
        return None
    # here, not at the top: the module's import pulls parsel and lxml (~50 ms), which
    # `analysis build` (currency_in_text only) does not need; a crawl has them loaded already
    from jobcrawler.parsing.jsonld import number_of

    low, high = (_float(number_of(salary.get(key))) for key in ("min", "max"))
    if low is None and high is None:
        return None
    currency = salary.get("currency")
    currency = currency.strip().upper() if isinstance(currency, str) and currency.strip() else None
    unit = salary.get("unit")
    period = UNIT_TEXT.get(unit.strip().upper()) if isinstance(unit, str) else None
    return Salary(low, high, currency, period)


def _float(number: int | float | None) -> float | None:
    return None if number is None else float(number)


def plausible(salary: Salary) -> bool:
    """False for zero, negative or absurd amounts (10^12 a year is a data error)."""
    low, high = PLAUSIBLE.get(salary.period or "year", PLAUSIBLE["year"])
    values = [v for v in (salary.min, salary.max) if v is not None]
    return bool(values) and all(low <= v <= high for v in values)


def normalize_salary(base_salary: dict | None, pay_text: str | None) -> tuple[Salary | None, str | None]:
    """The job's salary and, when one was offered but rejected, why."""
    salary = from_base_salary(base_salary) or parse_pay_text(pay_text)
    if salary is None:
        return None, ("unparsed_pay_text" if pay_text and pay_text.strip() else None)
    if salary.min is not None and salary.max is not None and salary.min > salary.max:
        salary = Salary(salary.max, salary.min, salary.currency, salary.period)
    if not plausible(salary):
        return None, "implausible_salary"
    return salary, None
