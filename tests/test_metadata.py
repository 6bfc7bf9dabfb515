"""analysis/metadata.yml writes each shared description once: an anchor at its first use and
aliases after it, which yaml.safe_load (how Datasette reads the file) resolves."""

from __future__ import annotations

from collections import Counter

import yaml

from analysis.serve import METADATA_DATABASE, METADATA_FILE, metadata_for


def scalar_nodes(node, found: dict) -> dict:
    """Every scalar node of the composed document by identity: an alias is its anchor's node."""
    if isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            scalar_nodes(value, found)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            scalar_nodes(item, found)
    else:
        found[id(node)] = node.value
    return found


def test_each_description_is_written_once():
    nodes = scalar_nodes(yaml.compose(METADATA_FILE.read_text(encoding="utf-8")), {})
    prose = Counter(value for value in nodes.values() if " " in value and len(value) > 12)
    repeated = {value: n for value, n in prose.items() if n > 1}
    assert not repeated, f"written more than once (make the first an anchor &name, the others *name): {repeated}"


def test_aliases_load_as_the_text_they_name():
    tables = metadata_for(METADATA_DATABASE)["databases"][METADATA_DATABASE]["tables"]
    cities = [table["columns"]["city"] for table in tables.values() if "city" in table.get("columns", {})]
    assert len(cities) > 1 and set(cities) == {"city key of the listing the jobs were seen in, or 'all'"}


def test_dashboard_charts_are_drawn_without_warnings_or_crowded_axes():
    """Each Vega-Lite chart names the version the dashboards plugin ships, a chart with a discrete
    axis gives its height in pixels (its default, a step per row, is a warning in the card), and
    pay axes print short, non-overlapping labels (190k, never "190,000200,000")."""
    charts = yaml.safe_load(METADATA_FILE.read_text())["plugins"]["datasette-dashboards"]["ai-engineering-jobs"]["charts"]
    for name, chart in charts.items():
        if chart["library"] != "vega-lite":
            continue
        display = chart["display"]
        assert display["$schema"].endswith("/vega-lite/v6.json"), name
        encodings = [display.get("encoding", {})] + [layer.get("encoding", {}) for layer in display.get("layer", [])]
        if any(encoding.get("y", {}).get("type") == "nominal" for encoding in encodings):
            assert isinstance(display.get("height"), int), name
    for name in ("pay-by-level", "pay-by-ai-type"):
        axis = charts[name]["display"]["layer"][0]["encoding"]["x"]["axis"]
        assert axis["format"] == "~s" and axis["labelOverlap"] is True
