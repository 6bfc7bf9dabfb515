"""Job titles as people search for them."""

from __future__ import annotations

import html
import re

from jobcrawler.normalize.text import collapse_spaces

# Gender tags that German, Austrian and Dutch postings append to titles: (m/w/d), (f/m/x),
# (all genders), m/w/d without brackets, ... They say nothing about the job.
_GENDER_LETTERS = r"(?:[mwfdxh]|div|diverse|inter|nb)"
_GENDER_TAG = re.compile(
    rf"""\s*(?:
        [(\[]\s*{_GENDER_LETTERS}(?:\s*[/|*,]\s*{_GENDER_LETTERS}){{1,3}}\s*[)\]]
      | [(\[]\s*(?:all\s+genders?|gn|genderneutral|any\s+gender)\s*[)\]]
      | (?<=\s)[-–|,]?\s*{_GENDER_LETTERS}(?:/{_GENDER_LETTERS}){{2,3}}(?=\s*$)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SCRIPTS = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def clean_title(raw: str | None) -> str:
    """Whitespace collapsed, markup, gender tags and control characters removed, entities decoded."""
    if not raw:
        return ""
    text = html.unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", raw)))
    text = _GENDER_TAG.sub(" ", text)
    text = collapse_spaces(text)
    return text.strip(" -–|,")
