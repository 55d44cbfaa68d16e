"""A need: what a function must reach, written the same way wherever it comes from — `internet`, `internet6`, an
AWS service by its endpoint service name (`s3`, `sqs`, `secretsmanager`, ...), or a private target
`tcp:PORT@RESOURCE` — with its origin and evidence, and the vocabulary every source of needs shares (service
names of IAM actions and of AWS hosts)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpcreach.graph import aws

from .iam_tables import NOT_NEEDS

_IMAGE_PULL = frozenset(a.lower() for a in aws.IMAGE_PULL_ACTIONS)
_PRIVATE = re.compile(r"^tcp:(?P<port>\d+)@(?P<target>.+)$")


@dataclass(frozen=True)
class Need:
    target: str
    origin: str  # declared | config | iam | env | mount | peer | layer | code | dual-stack
    detail: str = ""  # the text that produced it
    # Where its evidence is, when it has a place of its own (a code line, a security-group rule, the function).
    file: str | None = None
    line: int | None = None

    @property
    def kind(self) -> str:
        if self.target in ("internet", "internet6"):
            return "internet"
        if _PRIVATE.match(self.target):
            return "private"
        return "service"

    @property
    def private(self) -> tuple[int, str] | None:
        match = _PRIVATE.match(self.target)
        return (int(match.group("port")), match.group("target")) if match else None


def normalise(target: str) -> str:
    text = target.strip()
    lowered = text.lower()
    if lowered in ("internet", "internet4", "internet6"):
        return "internet" if lowered != "internet6" else "internet6"
    if _PRIVATE.match(text):
        return text
    return aws.normalise_service(text)


def lambdas_own(service: str) -> bool:
    """Whether calls to `service` are Lambda's own (logs, xray...), never a function's need (DESIGN decision 3)."""
    return service.lower() in NOT_NEEDS


def service_for_action(action: str) -> str | None:
    """`s3:GetObject` → s3, `dynamodb:GetRecords` → dynamodb-streams; not-needs (logs, xray, ENI
    management, Describe, image pull, bare *) → None."""
    if ":" not in action:
        return None
    prefix, name = action.split(":", 1)
    prefix = prefix.lower()
    if lambdas_own(prefix) or action in NOT_NEEDS or "*" in prefix or "?" in prefix:
        return None
    if action.lower() in _IMAGE_PULL:
        return None  # Lambda pulls the container image with these, not the code (DESIGN decision 3)
    special = aws.service_of_action(action)
    if special:
        return special
    if prefix == "ec2":
        # EC2 network-interface management and Describe* serve Lambda's own ENI handling (DESIGN decision 3).
        lowered = name.lower()
        if (
            "networkinterface" in lowered
            or "privateipaddresses" in lowered
            or lowered.startswith("describe")
            or lowered == "*"
        ):
            return None
    if prefix == "sts" and name.lower() in ("getcalleridentity",):
        return "sts"
    return aws.normalise_service(prefix)


def service_of_host(host: str) -> str | None:
    """`bucket.s3.eu-west-1.amazonaws.com` → s3, `abc.execute-api.us-east-1.amazonaws.com` → execute-api."""
    labels = host.removesuffix(".cn").removesuffix(".com").removesuffix(".amazonaws").split(".")
    for i, label in enumerate(labels):
        if aws.REGION_NAME.match(label):
            return aws.service_of_host_labels(labels[:i]) or (labels[i - 1] if i > 0 else None)
    last = labels[-1] if labels else ""
    if last.startswith("s3-website") or last.startswith("vpce-"):
        return None
    return last or None


def is_ip_literal(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+", host))
