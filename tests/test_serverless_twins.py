"""A Serverless Framework service gives the same findings as its CloudFormation twin (issue 17).

fixtures/serverless/<name>/serverless.yml is the twin of fixtures/cfn/<name>.(yaml|json), written by
fixtures/serverless/make_twins.py: the same network with its functions under `functions:` (a function
`ApiFunction` deploys as `ApiFunctionLambdaFunction`). Both must give the same rule ids, as many times each,
and every function the same needs with the same verdicts. Framework-only fixtures (variables, provider vs
function vpc, the generated role) have no twin.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import FIXTURES, scan_fixture

CFN = FIXTURES / "cfn"
SLS = FIXTURES / "serverless"

# CloudFormation fixtures without a Serverless Framework twin, and why.
CFN_ONLY = {
    "example_private_nat": "the README's example, quoted line by line",
    "needs_event_source_mapping": "SAM policy templates (SQSPollerPolicy) have no framework equivalent",
    "needs_iam_sources": "SAM policy templates (SQSSendMessagePolicy) have no framework equivalent",
    "vr001_managed_instances": "a Lambda capacity provider resource (framework v4 capacityProviders); not converted",
    # The framework's provider.region defaults to us-east-1, so the Region this fixture leaves unknown is known.
    "vr001_cross_region_endpoint": "the Region is unknown in the template, us-east-1 by default in the framework",
    "vr101_code_calls_the_internet": "inline code; the framework reads the handler's module (see SLS_ONLY)",
    "vr101_near_miss_code_private_host": "inline code; the framework reads the handler's module (see SLS_ONLY)",
    "vr106_code_sdk_client": "a CodeUri folder; the framework reads the handler's module (see SLS_ONLY)",
    "vr106_near_miss_code_client_in_tests": "a CodeUri folder; the framework reads the handler's module (see SLS_ONLY)",
    "vr001_capacity_provider_endpoints_only": "SAM capacity providers (AWS::Serverless::CapacityProvider); not converted",
    "vr113_capacity_provider_no_egress": "SAM capacity providers (AWS::Serverless::CapacityProvider); not converted",
    "vr113_near_miss_capacity_provider_nat": "SAM capacity providers (AWS::Serverless::CapacityProvider); not converted",
    "vr115_connector_dualstack_no_ipv6": "SAM network connectors (AWS::Serverless::NetworkConnector); not converted",
    "vr115_near_miss_connector_dualstack": "SAM network connectors (AWS::Serverless::NetworkConnector); not converted",
    "vr001_nested_stack_not_read": "SAM nested applications (AWS::Serverless::Application)",
    "vr001_near_miss_nested_stack_not_read": "SAM nested applications (AWS::Serverless::Application)",
    "vr104_cdk_disallow_all": "CDK-synthesized CloudFormation",
    "vr106_near_miss_image_pull_actions": "PackageType Image: the framework's `image`, not converted",
    "vr201_near_miss_gateway_endpoint": "SAM policy template S3ReadPolicy",
    "vr201_s3_through_nat": "SAM policy template S3ReadPolicy",
    "vr201_traffic_estimate": "SAM policy template S3ReadPolicy",
}
# Fixtures of the framework's own semantics, with no CloudFormation twin.
SLS_ONLY = {
    "vr106_serverless_handler_code",  # the handler's module in the service folder is the function's code
    "vr106_near_miss_serverless_handler_code",
    "existing_serverless_ssm_variables",  # ${ssm:...} read from a --snapshot (tests/test_snapshot.py)
    "vr001_serverless_unresolved_variables",
    "vr001_near_miss_serverless_variables",
    "vr106_serverless_iam_role_statements",
    "vr106_serverless_per_function_role",
    "vr106_near_miss_serverless_sqs_event",
    "vr302_serverless_provider_vpc_fallback",
    "vr302_near_miss_serverless_provider_vpc",
    "vr304_serverless_shared_role_deny",
    "vr304_near_miss_serverless_shared_role",
}


def _cfn_fixture(name: str):
    found = sorted(p for p in CFN.glob(f"{name}.*") if p.suffix in (".yaml", ".json"))
    return found[0] if found else None


TWINS = sorted(d.name for d in SLS.iterdir() if d.is_dir() and d.name not in SLS_ONLY)


def rule_ids(report: dict) -> Counter:
    return Counter(f["rule_id"] for f in report["findings"] if f["suppressed"] is None)


def needs(report: dict, strip: str = "") -> dict[str, list[tuple[str, str]]]:
    return {
        f["resource"].removesuffix(strip): sorted((re.sub(r"@.*", "", n["target"]), n["verdict"]) for n in f["needs"])
        for f in report["functions"]
    }


@pytest.mark.parametrize("name", TWINS)
def test_twin_gives_the_same_rule_ids(name: str) -> None:
    cfn = _cfn_fixture(name)
    assert cfn is not None, f"fixtures/serverless/{name} has no CloudFormation twin fixtures/cfn/{name}.yaml"
    assert rule_ids(scan_fixture(SLS / name)) == rule_ids(scan_fixture(cfn))


@pytest.mark.parametrize("name", TWINS)
def test_twin_gives_the_same_needs_and_verdicts(name: str) -> None:
    cfn = _cfn_fixture(name)
    assert cfn is not None
    assert needs(scan_fixture(SLS / name), "LambdaFunction") == needs(scan_fixture(cfn))


@pytest.mark.parametrize("name", TWINS)
def test_twin_findings_are_on_the_functions_generated_ids(name: str) -> None:
    """Each finding of the twin on a function is on `<Name>LambdaFunction`, at that function's line in serverless.yml."""
    cfn_report = scan_fixture(_cfn_fixture(name))
    functions = {f["resource"] for f in cfn_report["functions"]}
    report = scan_fixture(SLS / name)
    text = (SLS / name / "serverless.yml").read_text().splitlines()
    for finding in report["findings"]:
        base = finding["resource"].removesuffix("LambdaFunction")
        if base in functions:
            assert finding["resource"] == f"{base}LambdaFunction"
            assert text[finding["line"] - 1] == f"  {base}:", finding


def test_every_cloudformation_fixture_has_a_serverless_twin_or_a_reason() -> None:
    missing = sorted(
        p.name.split(".")[0]
        for p in CFN.iterdir()
        if p.suffix in (".yaml", ".json")
        and p.name.split(".")[0] not in CFN_ONLY
        and not (SLS / p.name.split(".")[0]).is_dir()
    )
    assert missing == [], "run: .venv/bin/python fixtures/serverless/make_twins.py " + " ".join(missing)
    assert all(_cfn_fixture(name) is not None and not (SLS / name).exists() for name in CFN_ONLY)


def test_framework_only_fixtures_have_no_cloudformation_twin() -> None:
    for name in SLS_ONLY:
        assert (SLS / name / "serverless.yml").is_file(), name
        assert _cfn_fixture(name) is None, name


def test_twins_are_what_make_twins_writes() -> None:
    """The twins are derived from the CloudFormation fixtures: change those, then rerun the generator."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_twins", SLS / "make_twins.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = [name for name in TWINS if module.twin(name) != (SLS / name / "serverless.yml").read_text()]
    assert stale == [], "run: .venv/bin/python fixtures/serverless/make_twins.py " + " ".join(stale)
