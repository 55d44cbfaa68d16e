"""On real-world templates, the cfn-lint plugin reports what `vpcreach scan` reports, at the same lines.

The plugin reads cfn-lint's decoded template (SAM Globals already merged by cfn-lint); `scan` reads its own
YAML loader's. Only the vpcreach rules are loaded, so cfn-lint's schema checks do not cost seconds a file.
"""

from __future__ import annotations

import pytest
from conftest import scan_json
from vpcreach.analyzer.catalogue import RULES

pytestmark = pytest.mark.slow  # the cfn-lint plugin over the whole corpus

MODULE = "vpcreach.integrations.cfnlint_rules"


def test_plugin_and_scan_agree_on_the_corpus(corpus):
    from cfnlint.api import ManualArgs, lint
    from cfnlint.rules import RulesCollection

    rules = RulesCollection(include_rules=["I"])
    rules.create_from_module(MODULE)
    args = ManualArgs(include_checks=["I"], regions=["us-east-1"])
    templates = sorted(
        p for d in ("cfn", "sam") for p in (corpus / d).iterdir() if p.suffix in (".yaml", ".yml", ".json")
    )
    compared = 0
    for path in templates:
        matches = lint(path.read_text(), rules=rules, config=args)
        if any(m.rule.id == "E0000" for m in matches):
            continue  # cfn-lint refuses the file (duplicate keys, say): no rule runs
        errors = [m.message for m in matches if m.rule.id == "E0002"]
        assert not errors, (path.name, errors)
        plugin = {(m.rule.id, m.linenumber) for m in matches}
        report = scan_json(path)
        scan = {
            (RULES[f["rule_id"]].cfn_lint_id_at(f["severity"]), f["line"])
            for f in report["findings"]
            if f["suppressed"] is None
        }
        assert plugin == scan, path.name
        compared += 1
    if compared < 10:
        pytest.skip(f"only {compared} corpus templates were parsed by cfn-lint")
