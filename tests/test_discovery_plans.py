"""A directory scan finds plan JSON, but a plan beside the .tf files it was made from is left to `vpcreach plan`
(issue 19): the folder is analysed from its configuration, and the same network again from the plan would
repeat every finding. A folder of plans alone is still scanned."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, run_cli

PLAN = FIXTURES / "tfplan" / "break_nat_route"


def test_a_plan_beside_its_configuration_is_a_note_not_a_second_analysis(tmp_path):
    (tmp_path / "tf").mkdir()
    for name in ("main.tf", "plan.json"):
        shutil.copy(PLAN / name, tmp_path / "tf" / name)
    code, out, err = run_cli("scan", "--format", "json", str(tmp_path))
    plan = tmp_path / "tf" / "plan.json"
    assert code == 1
    assert json.loads(out)["sources"] == [str(tmp_path / "tf")]
    assert err == (
        f"vpcreach: note: {plan} is a Terraform plan beside the .tf files it was made from; not scanned with the "
        f"folder (run: vpcreach plan {plan})\n"
    )


def test_a_folder_of_plans_is_scanned(tmp_path):
    shutil.copy(PLAN / "plan.json", tmp_path / "plan.json")
    code, out, err = run_cli("scan", "--format", "json", str(tmp_path))
    assert code == 1, err
    assert json.loads(out)["sources"] == [str(tmp_path / "plan.json")]
