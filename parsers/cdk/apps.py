"""A CDK or Amplify Gen 2 app whose cloud assembly is not on disk: what to run first, in one note.

vpcreach reads what `cdk synth` writes, never the app's code (TypeScript, Python, ...), which only the CDK can
run. `cdk synth` writes the assembly to `cdk.out`, or to the folder cdk.json's `output` names (AWS CDK
Developer Guide, "cdk synthesize" and "Configure the CDK CLI": the `output` key of cdk.json). An Amplify Gen 2
backend (`amplify/backend.ts`) is a CDK app that the Amplify CLI synthesizes into `.amplify/artifacts/cdk.out`
(aws-amplify/amplify-backend, packages/backend-deployer/src/cdk_deployer.ts), when `npx ampx sandbox` or, in
CI, `npx ampx pipeline-deploy` runs.
"""

from __future__ import annotations

import json
import os

AMPLIFY_ASSEMBLY = os.path.join(".amplify", "artifacts", "cdk.out")


def cdk_output(folder: str) -> str:
    """The folder `cdk synth` writes the app in `folder` to: cdk.json's `output`, else cdk.out."""
    from ..files import read_head

    try:
        config = json.loads(read_head(os.path.join(folder, "cdk.json"), 1_000_000))
    except (OSError, ValueError):
        config = None
    output = config.get("output") if isinstance(config, dict) else None
    return output if isinstance(output, str) and output and not os.path.isabs(output) else "cdk.out"


def is_assembly(folder: str) -> bool:
    """Whether `folder` is a cloud assembly: its manifest.json lists a CloudFormation stack artifact."""
    from ..files import read_head

    try:
        manifest = json.loads(read_head(os.path.join(folder, "manifest.json"), 5_000_000))
    except (OSError, ValueError):
        return False
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    return isinstance(artifacts, dict) and any(
        isinstance(a, dict) and a.get("type") == "aws:cloudformation:stack" for a in artifacts.values()
    )


def is_amplify_backend(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "amplify", "backend.ts"))


def unsynthesized_note(folder: str, names: list[str]) -> str | None:
    """The note for a CDK app (cdk.json) or Amplify Gen 2 backend in `folder` with no cloud assembly, else None."""
    if "cdk.json" in names:
        output = cdk_output(folder)
        if not os.path.isdir(os.path.join(folder, output)):
            return (
                f"{folder} is a CDK app (cdk.json) with no synthesized cloud assembly ({output}): nothing of it was "
                f"checked; run `npx cdk synth` there (or `cdk synth -o {output}`) and scan again"
            )
    elif is_amplify_backend(folder) and not os.path.isdir(os.path.join(folder, AMPLIFY_ASSEMBLY)):
        return (
            f"{folder} is an Amplify Gen 2 backend (amplify/backend.ts) with no synthesized cloud assembly: nothing "
            f"of it was checked; `npx ampx sandbox --once` (in CI, `npx ampx pipeline-deploy`) synthesizes it into "
            f"{AMPLIFY_ASSEMBLY}, which vpcreach then reads"
        )
    return None
