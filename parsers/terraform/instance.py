"""The meeting point of the two Terraform front ends.

The HCL evaluator (`parsers.terraform.hcl`) and the plan reader (`parsers.terraform.plan`) both produce
`ResourceInstance`s: one per resource instance, with Terraform's address and attribute values in the
provider's schema shape (nested blocks are lists of dicts). `parsers.terraform.aws.map_resources` turns
them into `graph.model` objects, so AWS-provider semantics are written once for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpcreach.graph.model import Loc, Suppression


@dataclass(frozen=True)
class TfRef:
    """A reference to another resource instance's attribute whose value is known only after apply."""

    address: str  # full instance address: "aws_subnet.private[0]", "module.net.aws_vpc.this"
    attr: str = "id"
    # When this attribute is configured as another resource's attribute (a role `name` set from
    # random_pet.this.id, say): that reference. Either may be what a reader wants (`Context.ref`).
    via: TfRef | None = field(default=None, compare=False)


@dataclass
class ResourceInstance:
    address: str  # full address with module prefix and index, e.g. 'module.app.aws_lambda_function.x["a"]'
    type: str  # "aws_subnet"
    # Attribute values: str/int/float/bool/None, lists, dicts, TfRef, or graph.model.Unknown.
    values: dict[str, Any] = field(default_factory=dict)
    loc: Loc = field(default_factory=lambda: Loc(""))
    # Addresses this instance depends on: every TfRef target plus depends_on (instance or resource addresses).
    depends_on: set[str] = field(default_factory=set)
    # Attribute names the configuration sets explicitly (None: every key of `values`). Needed where the
    # provider treats "not set" differently from "set to []" (aws_security_group egress).
    configured: set[str] | None = None
    declared_needs: list[str] = field(default_factory=list)
    ignores: list[Suppression] = field(default_factory=list)
    action: str = "create"  # plan mode: create / update / replace / delete / no-op / read
    mode: str = "managed"  # or "data"
    # Expected traffic per need in GB/month (`# vpcreach:traffic=s3:100`), for cost estimates.
    traffic_gb: dict[str, float] = field(default_factory=dict)
    # Source lines of top-level nested blocks by block type, in order (`{"egress": [12, 18]}`); HCL only.
    block_lines: dict[str, list[int]] = field(default_factory=dict)
