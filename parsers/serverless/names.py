"""The file names of a Serverless Framework service, without importing the parser (directory walks use them).

The framework looks for serverless.yml, serverless.yaml, serverless.json, serverless.js and serverless.ts
(Serverless Framework docs, "Services"; also .cjs/.mjs in v4). vpcreach reads the data ones; the code ones
would have to be run.
"""

from __future__ import annotations

import os

CONFIG_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
CODE_CONFIG_NAMES = ("serverless.js", "serverless.ts", "serverless.cjs", "serverless.mjs")


def is_config_name(path: str) -> bool:
    return os.path.basename(path) in CONFIG_NAMES


def code_config_note(path: str) -> str:
    return (
        f"{path} is a Serverless Framework service written in code; not read (vpcreach runs no code: "
        "it reads serverless.yml, serverless.yaml and serverless.json)"
    )
