"""CDK apps (issue 17): a cloud assembly's stacks scanned together, and one note for an app not synthesized."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES, findings_of, run_cli, scan_json

ASSEMBLY = FIXTURES / "cdk" / "two_stacks" / "cdk.out"


def test_stacks_of_an_assembly_are_scanned_together_and_imports_resolve() -> None:
    report = scan_json(ASSEMBLY.parent)
    assert findings_of(report, "VR106") == [("VR106", "AppStack/Handler886CB40B", 6)]
    assert findings_of(report, "VR001") == []
    needs = {f["resource"]: [(n["target"], n["verdict"]) for n in f["needs"]] for f in report["functions"]}
    # the same logical id in both stacks: two functions, named by stack
    assert needs == {"NetworkStack/Handler886CB40B": [], "AppStack/Handler886CB40B": [("sqs", "blocked")]}
    vr106 = next(f for f in report["findings"] if f["rule_id"] == "VR106")
    assert vr106["file"].endswith("cdk.out/AppStack.template.json")
    assert "NetworkStack/VpcIsolatedSubnet1RouteTable4A47F4AC" in vr106["message"]


def test_the_assembly_folder_named_directly_is_the_same_scan() -> None:
    assert findings_of(scan_json(ASSEMBLY)) == findings_of(scan_json(ASSEMBLY.parent))


def test_one_stack_template_alone_leaves_its_imports_unknown() -> None:
    report = scan_json(ASSEMBLY / "AppStack.template.json")
    assert findings_of(report, "VR106") == []
    assert {r for _, r, _ in findings_of(report, "VR001")} == {"Handler886CB40B"}
    assert any("Fn::ImportValue NetworkStack:ExportsOutputRef" in f["message"] for f in report["findings"])


def test_a_single_stack_assembly_keeps_plain_logical_ids(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    shutil.copy(ASSEMBLY / "NetworkStack.template.json", out)
    manifest = json.loads((ASSEMBLY / "manifest.json").read_text())
    manifest["artifacts"] = {"NetworkStack": manifest["artifacts"]["NetworkStack"]}
    (out / "manifest.json").write_text(json.dumps(manifest))
    report = scan_json(tmp_path)
    assert [f["resource"] for f in report["functions"]] == ["Handler886CB40B"]


def test_asset_folders_and_nested_templates_are_listed() -> None:
    from vpcreach.parsers.cdk.assembly import asset_paths, read_manifest

    manifest = read_manifest(str(ASSEMBLY))
    assert manifest is not None
    assert asset_paths(str(ASSEMBLY), manifest, str(ASSEMBLY)) == {
        "NetworkStack": [],
        "AppStack": [str(ASSEMBLY / "asset.4e8c1d2f")],
    }


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("vpcreach: note:")]


def test_cdk_app_without_cdk_out_gets_one_note(tmp_path: Path) -> None:
    app = tmp_path / "infra"
    app.mkdir()
    (app / "cdk.json").write_text('{"app": "npx ts-node bin/app.ts"}\n')
    (app / "bin").mkdir()
    (app / "bin" / "app.ts").write_text("new App();\n")
    code, _, err = run_cli("scan", str(tmp_path))
    assert code == 0, err
    assert _notes(err) == [
        f"vpcreach: note: {app} is a CDK app (cdk.json) with no synthesized cloud assembly (cdk.out): nothing of "
        "it was checked; run `npx cdk synth` there (or `cdk synth -o cdk.out`) and scan again"
    ]
    code, _, err = run_cli("scan", "--fail-on-empty", str(tmp_path))
    assert code == 2


def test_cdk_json_output_folder_is_where_the_assembly_is_looked_for(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text('{"app": "python app.py", "output": "build/assembly"}\n')
    _, _, err = run_cli("scan", str(tmp_path))
    assert "no synthesized cloud assembly (build/assembly)" in err and "cdk synth -o build/assembly" in err
    shutil.copytree(ASSEMBLY, tmp_path / "build" / "assembly")
    code, _, err = run_cli("scan", str(tmp_path))
    assert _notes(err) == [] and code == 1
    assert findings_of(scan_json(tmp_path), "VR106") == [("VR106", "AppStack/Handler886CB40B", 6)]


def test_amplify_backend_without_assembly_gets_its_note_and_with_one_is_read(tmp_path: Path) -> None:
    (tmp_path / "amplify").mkdir()
    (tmp_path / "amplify" / "backend.ts").write_text("defineBackend({});\n")
    _, _, err = run_cli("scan", str(tmp_path))
    assert len(_notes(err)) == 1
    assert "Amplify Gen 2 backend (amplify/backend.ts) with no synthesized cloud assembly" in err
    assert "npx ampx sandbox --once" in err
    shutil.copytree(ASSEMBLY, tmp_path / ".amplify" / "artifacts" / "cdk.out")
    _, _, err = run_cli("scan", str(tmp_path))
    assert _notes(err) == []
    assert findings_of(scan_json(tmp_path), "VR106") == [("VR106", "AppStack/Handler886CB40B", 6)]


def test_assembly_template_outside_the_scan_root_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "repo" / "cdk.out"
    shutil.copytree(ASSEMBLY, out)
    (tmp_path / "repo" / ".git").mkdir()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["artifacts"]["AppStack"]["properties"]["templateFile"] = "../../AppStack.template.json"
    shutil.copy(ASSEMBLY / "AppStack.template.json", tmp_path)
    (out / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = run_cli("scan", str(tmp_path / "repo"))
    assert code == 2 and "outside the scan root" in err


NESTED = FIXTURES / "cdk" / "nested_stack"
WORKER = "WorkersNestedStackWorkersNestedStackResource5A8B9C0D/Handler886CB40B"


def test_nested_stack_templates_in_the_assembly_are_read_with_the_parameters_passed() -> None:
    report = scan_json(NESTED)
    assert findings_of(report, "VR106") == [("VR106", WORKER, 10)]
    assert findings_of(report, "VR001") == []  # no stand-in for the nested stack
    vr106 = next(f for f in report["findings"] if f["rule_id"] == "VR106")
    assert vr106["file"].endswith("cdk.out/ParentStackWorkersA1B2C3D4.nested.template.json")
    assert "Vpc8378EB38#main-rt" in vr106["message"]  # the parent's VPC, through the parameters


def test_parent_template_alone_keeps_the_nested_stack_a_stand_in() -> None:
    report = scan_json(NESTED / "cdk.out" / "ParentStack.template.json")
    assert findings_of(report) == [("VR001", "WorkersNestedStackWorkersNestedStackResource5A8B9C0D", 8)]


def test_nested_templates_are_assets_of_the_network() -> None:
    from vpcreach.parsers.cdk.assembly import parse_assembly

    net = parse_assembly(str(NESTED / "cdk.out"))
    assert net.assets == [str(NESTED / "cdk.out" / "ParentStackWorkersA1B2C3D4.nested.template.json")]


def test_a_function_asset_folder_is_its_code(tmp_path: Path) -> None:
    """aws:asset:path with aws:asset:property Code names the function's code in the assembly (issue 16)."""
    import shutil

    shutil.copytree(ASSEMBLY.parent, tmp_path / "app")
    (tmp_path / "app" / "cdk.out" / "asset.4e8c1d2f" / "index.py").write_text(
        'import boto3\n\ns3 = boto3.client("s3")\n\n\ndef handler(event, context):\n    return "ok"\n'
    )
    report = scan_json(tmp_path / "app")
    fn = next(f for f in report["functions"] if f["resource"] == "AppStack/Handler886CB40B")
    code = [(n["target"], n["origin"], n["evidence"]["line"]) for n in fn["needs"] if n["origin"] == "code"]
    assert code == [("s3", "code", 3)]
