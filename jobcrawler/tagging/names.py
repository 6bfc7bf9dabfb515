"""Skill names as people and labellers write them, keyed the one way every reader compares them.

``name_key`` is the comparison (case, punctuation and spacing do not matter; ``+ # . &`` do:
C++, C#, .NET, R&D); ``skill_aliases`` maps the key of every spelling the taxonomy lists for a
skill (name, aliases, cased and in-context forms) to that skill. The Field Guide importer maps the
LLM's skill names with it and the site's skill lookup reads the same rule (analysis/datasette_plugins/
site.py keeps a copy of these few lines for a site served without this package; a test holds the
two identical). Only the standard library and PyYAML's output: nothing here may need the tagger.
"""

from __future__ import annotations

import re

_NOT_KEPT = re.compile(r"[^\w+#.&]+|_+")


def name_key(text: str) -> str:
    """A name as lookups compare it: lower case, punctuation but ``+#.&`` as spaces, spaces collapsed."""
    return " ".join(_NOT_KEPT.sub(" ", text.lower()).split())


def skill_aliases(taxonomy: dict) -> dict[str, tuple[str, str]]:
    """Key of every spelling of a skill -> (skill, its category); a skill's own name wins over
    another skill's alias, and among aliases the first skill listing one keeps it."""
    names: dict[str, tuple[str, str]] = {}
    for entry in taxonomy["skills"]:
        for spelling in (*entry.get("aliases", ()), *entry.get("cased", ()), *entry.get("in_context", ())):
            names.setdefault(name_key(spelling), (entry["skill"], entry["category"]))
    for entry in taxonomy["skills"]:
        names[name_key(entry["skill"])] = (entry["skill"], entry["category"])
    return names
