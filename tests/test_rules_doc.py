"""docs/rules.md is generated from the catalogue and is where every rule's help link points (issue 19: links
pointed at README anchors that did not exist, and rule texts cited bare keys such as [LVPC])."""

from __future__ import annotations

import re

from conftest import FIXTURES, ROOT
from vpcreach.analyzer.catalogue import RULES
from vpcreach.analyzer.citations import SOURCES, cited

from vpcreach.rules_doc import docs_page

PAGE = ROOT / "docs" / "rules.md"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation but '-' dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_docs_rules_md_is_the_generated_page():
    assert PAGE.read_text(encoding="utf-8") == docs_page(FIXTURES), (
        "docs/rules.md is stale: python -m vpcreach.rules_doc > docs/rules.md"
    )


def test_every_help_link_names_a_heading_of_the_page():
    anchors = {_anchor(line[3:]) for line in PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("## ")}
    for rule in RULES.values():
        path, fragment = rule.help_uri.split("#", 1)
        assert path.endswith("/docs/rules.md") and fragment in anchors, rule.help_uri


def test_every_cited_source_has_a_page_and_is_shown_as_a_link():
    for rule in RULES.values():
        for key in cited(" ".join((rule.summary, rule.why, rule.example, rule.fix))):
            assert key in SOURCES, (rule.id, key)
    text = PAGE.read_text(encoding="utf-8")
    assert not re.search(r"(?<!\[)\[[A-Z][A-Z0-9]{1,7}\](?![(\]])", text.split("**Sources:**")[0]), "a bare [KEY]"
    assert "[[LVPC]](https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html)" in text


def test_every_rule_lists_fixtures_that_trigger_it():
    text = PAGE.read_text(encoding="utf-8")
    for rule in RULES.values():
        section = text.split(f"## {rule.id} ", 1)[1].split("\n## ", 1)[0]
        assert "**Triggers:** " in section and "](../fixtures/" in section, rule.id
