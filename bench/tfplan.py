"""Large Terraform plan JSON for the plan reader's benchmark, shaped like `terraform show -json` output.

`plan_document(resources)` builds a plan of about `resources` resource instances (within 20 of it), modelled
on the real plans under fixtures/tfplan (Terraform 1.11, AWS provider 5.100: the same attribute sets, the
same `after_unknown`/`after_sensitive` trees, the same `configuration` references):

- a root VPC with a shared security group, a route table and `count`-indexed subnets with their route-table
  associations (`subnet_id = aws_subnet.flat[count.index].id`), all being created: about a fifth of the plan;
- the rest in instances of a `for_each` module `module.svc["svcNNNNN"]`, 20 resources each (a VPC, public and
  private subnets, internet and NAT gateways, route tables, routes, associations, a security group, an IAM
  role and three Lambda functions whose `security_group_ids` also take `var.shared_sg_id` from the root);
  the first half already exist (`prior_state`, `no-op`), the second half are created (values known only
  after apply, linked through references, module outputs and module variables).

`plan_text(resources)` is the same document as Terraform writes it: one line, no spaces.

    python bench/tfplan.py 20000 > plan.json                   # write one plan
    python bench/tfplan.py --time 5000,10000,20000,max --hostile   # time the reader and `vpcreach plan`

`--time` times `parse_plan` in-process (the 20 MiB limit lifted, so the reader's growth shows past it) and
`vpcreach plan` in its own process for plans within 20 MiB (`max`: the largest that fits, ~9,500
resources); `--hostile` adds the shapes of `hostile_shapes()` (`variable_bomb`, `fan_out`), small files that
cost far more than their size unless the reader bounds them. From Python: `plan_document(n)`,
`plan_text(n)`, `variable_bomb(levels, refs)`, `fan_out(subnets, functions, depends)`.

The timing is a script, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
PROVIDER = "registry.terraform.io/hashicorp/aws"
VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
ASSUME = (
    '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}],'
    '"Version":"2012-10-17"}'
)
PER_MODULE = 20
FUNCTIONS = ("api", "jobs", "worker")


def _hex(address: str) -> str:
    return hashlib.sha1(address.encode()).hexdigest()[:17]


def _ref(*refs: str) -> dict:
    return {"references": list(refs)}


def _attr_ref(target: str, attr: str = "id") -> dict:
    return _ref(f"{target}.{attr}", target)


# --- one resource: full values (as after apply) and what is unknown while it is created ------------------
class _Res:
    """One resource instance of the plan: address parts, full values, and its unknown attributes on create."""

    def __init__(self, module: str, rtype: str, name: str, index: Any, values: dict, unknown: dict) -> None:
        self.module = module  # "" or 'module.svc["svc00001"]'
        self.type = rtype
        self.name = name
        self.index = index
        self.values = values
        self.unknown = unknown  # after_unknown of a create

    @property
    def address(self) -> str:
        local = f"{self.type}.{self.name}" + ("" if self.index is None else f"[{json.dumps(self.index)}]")
        return f"{self.module}.{local}" if self.module else local

    def after(self, create: bool) -> dict:
        if not create:
            return self.values
        out = {}
        for key, value in self.values.items():
            flag = self.unknown.get(key)
            if flag is True:
                continue
            if isinstance(flag, list) and isinstance(value, list):
                value = [_known_part(v, f) for v, f in zip(value, flag)] if flag else value
            out[key] = value
        return out

    def entry(self, create: bool) -> dict:
        out: dict[str, Any] = {
            "address": self.address,
            "mode": "managed",
            "type": self.type,
            "name": self.name,
        }
        if self.index is not None:
            out["index"] = self.index
        out["provider_name"] = PROVIDER
        out["schema_version"] = 1 if self.type in ("aws_security_group", "aws_subnet", "aws_vpc") else 0
        out["values"] = self.after(create)
        out["sensitive_values"] = _sensitive(self.values)
        return out


def _known_part(value: Any, flags: Any) -> Any:
    if isinstance(value, dict) and isinstance(flags, dict):
        return {k: v for k, v in value.items() if flags.get(k) is not True}
    return value


def _sensitive(values: dict) -> dict:
    """after_sensitive / sensitive_values: Terraform writes the shape of every list and map, nothing sensitive."""
    out: dict = {}
    for key, value in values.items():
        if isinstance(value, list):
            out[key] = [_sensitive(v) if isinstance(v, dict) else False for v in value] if value else []
        elif isinstance(value, dict):
            out[key] = {}
    return out


def _flags(names: str) -> dict:
    """`after_unknown` entries: each space-separated attribute name → true."""
    return dict.fromkeys(names.split(), True)


def _tags() -> dict:
    return {"tags": None, "tags_all": {}}


def _vpc(module: str, name: str, cidr: str) -> _Res:
    addr = f"{module}.aws_vpc.{name}" if module else f"aws_vpc.{name}"
    vid = f"vpc-{_hex(addr)}"
    values = {
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vid}",
        "assign_generated_ipv6_cidr_block": None,
        "cidr_block": cidr,
        "default_network_acl_id": f"acl-{_hex(addr + 'acl')}",
        "default_route_table_id": f"rtb-{_hex(addr + 'rtb')}",
        "default_security_group_id": f"sg-{_hex(addr + 'sg')}",
        "dhcp_options_id": f"dopt-{_hex(addr + 'dopt')}",
        "enable_dns_hostnames": True,
        "enable_dns_support": True,
        "enable_network_address_usage_metrics": False,
        "id": vid,
        "instance_tenancy": "default",
        "ipv4_ipam_pool_id": None,
        "ipv4_netmask_length": None,
        "ipv6_association_id": "",
        "ipv6_cidr_block": "",
        "ipv6_cidr_block_network_border_group": "",
        "ipv6_ipam_pool_id": "",
        "ipv6_netmask_length": 0,
        "main_route_table_id": f"rtb-{_hex(addr + 'rtb')}",
        "owner_id": ACCOUNT,
        **_tags(),
    }
    unknown = _flags(
        "arn default_network_acl_id default_route_table_id default_security_group_id dhcp_options_id "
        "enable_network_address_usage_metrics id ipv6_association_id ipv6_cidr_block "
        "ipv6_cidr_block_network_border_group main_route_table_id owner_id tags_all"
    )
    return _Res(module, "aws_vpc", name, None, values, unknown)


def _id(res: _Res) -> str:
    return str(res.values["id"])


def _subnet(module: str, name: str, index: Any, vpc: _Res, cidr: str, az: str) -> _Res:
    res = _Res(module, "aws_subnet", name, index, {}, {})
    sid = f"subnet-{_hex(res.address)}"
    res.values = {
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{sid}",
        "assign_ipv6_address_on_creation": False,
        "availability_zone": az,
        "availability_zone_id": "use1-az1",
        "cidr_block": cidr,
        "customer_owned_ipv4_pool": "",
        "enable_dns64": False,
        "enable_lni_at_device_index": 0,
        "enable_resource_name_dns_a_record_on_launch": False,
        "enable_resource_name_dns_aaaa_record_on_launch": False,
        "id": sid,
        "ipv6_cidr_block": "",
        "ipv6_cidr_block_association_id": "",
        "ipv6_native": False,
        "map_customer_owned_ip_on_launch": False,
        "map_public_ip_on_launch": False,
        "outpost_arn": "",
        "owner_id": ACCOUNT,
        "private_dns_hostname_type_on_launch": "ip-name",
        **_tags(),
        "timeouts": None,
        "vpc_id": _id(vpc),
    }
    res.unknown = _flags(
        "arn availability_zone_id id ipv6_cidr_block_association_id owner_id "
        "private_dns_hostname_type_on_launch tags_all vpc_id"
    )
    return res


def _simple(module: str, rtype: str, name: str, index: Any, prefix: str, values: dict, unknown: str) -> _Res:
    res = _Res(module, rtype, name, index, {}, {})
    rid = f"{prefix}-{_hex(res.address)}"
    res.values = {"id": rid, **values}
    if "arn" in values:
        res.values["arn"] = values["arn"].replace("ID", rid)
    res.unknown = _flags("id " + unknown)
    return res


def _route_table(module: str, name: str, vpc: _Res, route: list) -> _Res:
    res = _simple(
        module,
        "aws_route_table",
        name,
        None,
        "rtb",
        {
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:route-table/ID",
            "owner_id": ACCOUNT,
            "propagating_vgws": [],
            "route": route,
            **_tags(),
            "timeouts": None,
            "vpc_id": _id(vpc),
        },
        "arn owner_id propagating_vgws tags_all vpc_id",
    )
    if route and any(r.get("nat_gateway_id") or r.get("gateway_id") for r in route):
        key = "nat_gateway_id" if route[0].get("nat_gateway_id") else "gateway_id"
        res.unknown["route"] = [{key: True} for _ in route]
    return res


def _route_entry(**target: str) -> dict:
    entry = {
        "carrier_gateway_id": "",
        "cidr_block": "0.0.0.0/0",
        "core_network_arn": "",
        "destination_prefix_list_id": "",
        "egress_only_gateway_id": "",
        "gateway_id": "",
        "ipv6_cidr_block": "",
        "local_gateway_id": "",
        "nat_gateway_id": "",
        "network_interface_id": "",
        "transit_gateway_id": "",
        "vpc_endpoint_id": "",
        "vpc_peering_connection_id": "",
    }
    entry.update(target)
    return entry


def _association(module: str, name: str, index: Any, subnet: _Res, table: _Res) -> _Res:
    return _simple(
        module,
        "aws_route_table_association",
        name,
        index,
        "rtbassoc",
        {"gateway_id": None, "route_table_id": _id(table), "subnet_id": _id(subnet), "timeouts": None},
        "route_table_id subnet_id",
    )


def _security_group(module: str, name: str, vpc: _Res) -> _Res:
    res = _simple(
        module,
        "aws_security_group",
        name,
        None,
        "sg",
        {
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/ID",
            "description": "Managed by Terraform",
            "egress": [
                {
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": "",
                    "from_port": 443,
                    "ipv6_cidr_blocks": [],
                    "prefix_list_ids": [],
                    "protocol": "tcp",
                    "security_groups": [],
                    "self": False,
                    "to_port": 443,
                }
            ],
            "ingress": [],
            "name": name,
            "name_prefix": "",
            "owner_id": ACCOUNT,
            "revoke_rules_on_delete": False,
            **_tags(),
            "timeouts": None,
            "vpc_id": _id(vpc),
        },
        "arn ingress name_prefix owner_id tags_all vpc_id",
    )
    res.unknown["egress"] = [
        {"cidr_blocks": [False], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": []}
    ]
    return res


def _function(module: str, key: str, role: _Res, subnets: list[_Res], vpc: _Res, groups: list[_Res]) -> _Res:
    res = _Res(module, "aws_lambda_function", "fn", key, {}, {})
    owner = module.split('"')[1] if module else "root"
    name = f"{owner}-{key}"
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    res.values = {
        "architectures": ["x86_64"],
        "arn": arn,
        "code_sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "code_signing_config_arn": None,
        "dead_letter_config": [],
        "description": None,
        "environment": [],
        "ephemeral_storage": [{"size": 512}],
        "file_system_config": [],
        "filename": "function.zip",
        "function_name": name,
        "handler": "index.handler",
        "id": name,
        "image_config": [],
        "image_uri": "",
        "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "kms_key_arn": None,
        "last_modified": "2025-01-01T00:00:00.000+0000",
        "layers": None,
        "logging_config": [{"application_log_level": "", "log_format": "Text", "log_group": f"/aws/lambda/{name}"}],
        "memory_size": 128,
        "package_type": "Zip",
        "publish": False,
        "qualified_arn": f"{arn}:$LATEST",
        "qualified_invoke_arn": f"{arn}:$LATEST",
        "replace_security_groups_on_destroy": None,
        "replacement_security_group_ids": None,
        "reserved_concurrent_executions": -1,
        "role": role.values["arn"],
        "runtime": "python3.12",
        "s3_bucket": None,
        "s3_key": None,
        "s3_object_version": None,
        "signing_job_arn": "",
        "signing_profile_version_arn": "",
        "skip_destroy": False,
        "snap_start": [],
        "source_code_hash": "",
        "source_code_size": 1024,
        "tags": {"vpcreach:needs": "internet"},
        "tags_all": {"vpcreach:needs": "internet"},
        "timeout": 3,
        "timeouts": None,
        "tracing_config": [{"mode": "PassThrough"}],
        "version": "$LATEST",
        "vpc_config": [
            {
                "ipv6_allowed_for_dual_stack": False,
                "security_group_ids": [_id(g) for g in groups],
                "subnet_ids": [_id(s) for s in subnets],
                "vpc_id": _id(vpc),
            }
        ],
    }
    res.unknown = {
        **_flags(
            "architectures arn code_sha256 ephemeral_storage id invoke_arn last_modified logging_config "
            "qualified_arn qualified_invoke_arn role signing_job_arn signing_profile_version_arn "
            "source_code_hash source_code_size tracing_config version"
        ),
        "dead_letter_config": [],
        "environment": [],
        "file_system_config": [],
        "image_config": [],
        "snap_start": [],
        "tags": {},
        "tags_all": {},
        "vpc_config": [{"security_group_ids": True, "subnet_ids": True, "vpc_id": True}],
    }
    return res


def _service(module: str, cidr_base: int, shared: _Res) -> list[_Res]:
    """The 20 resources of one `module.svc[...]` instance."""
    vpc = _vpc(module, "this", f"10.{cidr_base}.0.0/16")
    public = _subnet(module, "public", None, vpc, f"10.{cidr_base}.100.0/24", "us-east-1a")
    private = [_subnet(module, "private", i, vpc, f"10.{cidr_base}.{i}.0/24", f"us-east-1{'ab'[i]}") for i in range(2)]
    igw = _simple(
        module,
        "aws_internet_gateway",
        "this",
        None,
        "igw",
        {
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:internet-gateway/ID",
            "owner_id": ACCOUNT,
            **_tags(),
            "timeouts": None,
            "vpc_id": _id(vpc),
        },
        "arn owner_id tags_all vpc_id",
    )
    eip = _simple(
        module,
        "aws_eip",
        "nat",
        None,
        "eipalloc",
        {
            "address": None,
            "allocation_id": "",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:elastic-ip/ID",
            "associate_with_private_ip": None,
            "association_id": "",
            "carrier_ip": "",
            "customer_owned_ip": "",
            "customer_owned_ipv4_pool": None,
            "domain": "vpc",
            "instance": "",
            "ipam_pool_id": None,
            "network_border_group": REGION,
            "network_interface": "",
            "private_dns": None,
            "private_ip": "",
            "ptr_record": "",
            "public_dns": "",
            "public_ip": "",
            "public_ipv4_pool": "amazon",
            **_tags(),
            "timeouts": None,
            "vpc": True,
        },
        "allocation_id arn association_id carrier_ip customer_owned_ip instance ipam_pool_id "
        "network_border_group network_interface private_dns private_ip ptr_record public_dns public_ip "
        "public_ipv4_pool tags_all vpc",
    )
    nat = _simple(
        module,
        "aws_nat_gateway",
        "this",
        None,
        "nat",
        {
            "allocation_id": _id(eip),
            "association_id": "",
            "connectivity_type": "public",
            "network_interface_id": "",
            "private_ip": "",
            "public_ip": "",
            "secondary_allocation_ids": None,
            "secondary_private_ip_address_count": 0,
            "secondary_private_ip_addresses": [],
            "subnet_id": _id(public),
            **_tags(),
            "timeouts": None,
        },
        "allocation_id association_id network_interface_id private_ip public_ip "
        "secondary_private_ip_address_count secondary_private_ip_addresses subnet_id tags_all",
    )
    rt_public = _route_table(module, "public", vpc, [_route_entry(gateway_id=_id(igw))])
    rt_private = _route_table(module, "private", vpc, [])
    route = _simple(
        module,
        "aws_route",
        "private_default",
        None,
        "r",
        {
            "carrier_gateway_id": "",
            "core_network_arn": "",
            "destination_cidr_block": "0.0.0.0/0",
            "destination_ipv6_cidr_block": "",
            "destination_prefix_list_id": "",
            "egress_only_gateway_id": "",
            "gateway_id": "",
            "instance_id": "",
            "instance_owner_id": "",
            "local_gateway_id": "",
            "nat_gateway_id": _id(nat),
            "network_interface_id": "",
            "origin": "CreateRoute",
            "route_table_id": _id(rt_private),
            "state": "active",
            "timeouts": None,
            "transit_gateway_id": "",
            "vpc_endpoint_id": "",
            "vpc_peering_connection_id": "",
        },
        "instance_id instance_owner_id nat_gateway_id origin route_table_id state",
    )
    assoc_public = _association(module, "public", None, public, rt_public)
    assoc_private = [_association(module, "private", i, private[i], rt_private) for i in range(2)]
    sg = _security_group(module, "app", vpc)
    role = _simple(
        module,
        "aws_iam_role",
        "lambda",
        None,
        "role",
        {
            "arn": f"arn:aws:iam::{ACCOUNT}:role/ID",
            "assume_role_policy": ASSUME,
            "create_date": "2025-01-01T00:00:00Z",
            "description": None,
            "force_detach_policies": False,
            "inline_policy": [],
            "managed_policy_arns": [],
            "max_session_duration": 3600,
            "name": None,
            "name_prefix": "",
            "path": "/",
            "permissions_boundary": None,
            **_tags(),
            "unique_id": "AROA" + _hex(module + "role").upper(),
        },
        "arn create_date inline_policy managed_policy_arns name name_prefix tags_all unique_id",
    )
    role.values["name"] = role.values["id"]
    attach = _simple(
        module,
        "aws_iam_role_policy_attachment",
        "vpc_access",
        None,
        "attach",
        {"policy_arn": VPC_ACCESS, "role": role.values["id"]},
        "role",
    )
    functions = [_function(module, key, role, private, vpc, [sg, shared]) for key in FUNCTIONS]
    out = [vpc, public, *private, igw, eip, nat, rt_public, rt_private, route, assoc_public, *assoc_private, sg]
    return [*out, role, attach, *functions]


# --- configuration ----------------------------------------------------------------------------------------
def _cfg(address: str, rtype: str, expressions: dict, **extra: Any) -> dict:
    name = address.split(".", 1)[1]
    out = {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_config_key": "aws",
        "expressions": expressions,
        "schema_version": 1 if rtype in ("aws_security_group", "aws_subnet", "aws_vpc") else 0,
    }
    out.update(extra)
    return out


def _service_config() -> dict:
    vpc = "aws_vpc.this"
    resources = [
        _cfg("aws_eip.nat", "aws_eip", {"domain": {"constant_value": "vpc"}}),
        _cfg("aws_iam_role.lambda", "aws_iam_role", {"assume_role_policy": {}}),
        _cfg(
            "aws_iam_role_policy_attachment.vpc_access",
            "aws_iam_role_policy_attachment",
            {"policy_arn": {"constant_value": VPC_ACCESS}, "role": _attr_ref("aws_iam_role.lambda", "name")},
        ),
        _cfg("aws_internet_gateway.this", "aws_internet_gateway", {"vpc_id": _attr_ref(vpc)}),
        _cfg(
            "aws_lambda_function.fn",
            "aws_lambda_function",
            {
                "filename": {"constant_value": "function.zip"},
                "function_name": _ref("var.name", "each.key"),
                "handler": {"constant_value": "index.handler"},
                "role": _attr_ref("aws_iam_role.lambda", "arn"),
                "runtime": {"constant_value": "python3.12"},
                "tags": {"constant_value": {"vpcreach:needs": "internet"}},
                "vpc_config": [
                    {
                        "security_group_ids": _ref(
                            "aws_security_group.app.id", "aws_security_group.app", "var.shared_sg_id"
                        ),
                        "subnet_ids": _ref("aws_subnet.private"),
                    }
                ],
            },
            for_each_expression={},
            depends_on=["aws_iam_role_policy_attachment.vpc_access"],
        ),
        _cfg(
            "aws_nat_gateway.this",
            "aws_nat_gateway",
            {"allocation_id": _attr_ref("aws_eip.nat"), "subnet_id": _attr_ref("aws_subnet.public")},
        ),
        _cfg(
            "aws_route.private_default",
            "aws_route",
            {
                "destination_cidr_block": {"constant_value": "0.0.0.0/0"},
                "nat_gateway_id": _attr_ref("aws_nat_gateway.this"),
                "route_table_id": _attr_ref("aws_route_table.private"),
            },
        ),
        _cfg("aws_route_table.private", "aws_route_table", {"vpc_id": _attr_ref(vpc)}),
        _cfg(
            "aws_route_table.public",
            "aws_route_table",
            {"route": _attr_ref("aws_internet_gateway.this"), "vpc_id": _attr_ref(vpc)},
        ),
        _cfg(
            "aws_route_table_association.private",
            "aws_route_table_association",
            {
                "route_table_id": _attr_ref("aws_route_table.private"),
                "subnet_id": _ref("aws_subnet.private", "count.index"),
            },
            count_expression=_ref("var.azs"),
        ),
        _cfg(
            "aws_route_table_association.public",
            "aws_route_table_association",
            {"route_table_id": _attr_ref("aws_route_table.public"), "subnet_id": _attr_ref("aws_subnet.public")},
        ),
        _cfg(
            "aws_security_group.app",
            "aws_security_group",
            {"name": {"constant_value": "app"}, "vpc_id": _attr_ref(vpc)},
        ),
        _cfg(
            "aws_subnet.private",
            "aws_subnet",
            {
                "availability_zone": _ref("var.azs", "count.index"),
                "cidr_block": _ref("var.cidr", "count.index"),
                "vpc_id": _attr_ref(vpc),
            },
            count_expression=_ref("var.azs"),
        ),
        _cfg(
            "aws_subnet.public",
            "aws_subnet",
            {
                "availability_zone": _ref("var.azs[0]", "var.azs"),
                "cidr_block": _ref("var.cidr"),
                "vpc_id": _attr_ref(vpc),
            },
        ),
        _cfg("aws_vpc.this", "aws_vpc", {"cidr_block": _ref("var.cidr")}),
    ]
    return {
        "outputs": {
            "private_subnet_ids": {"expression": _ref("aws_subnet.private")},
            "vpc_id": {"expression": _attr_ref(vpc)},
        },
        "resources": resources,
        "variables": {"azs": {}, "cidr": {}, "name": {}, "shared_sg_id": {}},
    }


def _root_config(flat: int) -> dict:
    return {
        "resources": [
            _cfg("aws_route_table.flat", "aws_route_table", {"vpc_id": _attr_ref("aws_vpc.flat")}),
            _cfg(
                "aws_route_table_association.flat",
                "aws_route_table_association",
                {
                    "route_table_id": _attr_ref("aws_route_table.flat"),
                    "subnet_id": _ref("aws_subnet.flat", "count.index"),
                },
                count_expression={"constant_value": flat},
            ),
            _cfg(
                "aws_security_group.shared",
                "aws_security_group",
                {"name": {"constant_value": "shared"}, "vpc_id": _attr_ref("aws_vpc.flat")},
            ),
            _cfg(
                "aws_subnet.flat",
                "aws_subnet",
                {
                    "availability_zone": {"constant_value": "us-east-1a"},
                    "cidr_block": _ref("aws_vpc.flat.cidr_block", "aws_vpc.flat", "count.index"),
                    "vpc_id": _attr_ref("aws_vpc.flat"),
                },
                count_expression={"constant_value": flat},
            ),
            _cfg("aws_vpc.flat", "aws_vpc", {"cidr_block": {"constant_value": "10.0.0.0/8"}}),
        ],
        "module_calls": {
            "svc": {
                "source": "./modules/svc",
                "expressions": {
                    "azs": {"constant_value": ["us-east-1a", "us-east-1b"]},
                    "cidr": _ref("each.value"),
                    "name": _ref("each.key"),
                    "shared_sg_id": _attr_ref("aws_security_group.shared"),
                },
                "for_each_expression": _ref("var.services"),
                "module": _service_config(),
            }
        },
        "variables": {"services": {}},
    }


# --- the plan ---------------------------------------------------------------------------------------------
def plan_document(resources: int, existing: float = 0.5) -> dict:
    """A plan of about `resources` instances (see the module docstring); `existing` is the share of module
    instances already in the prior state."""
    flat = max(1, resources // 10)  # subnets and as many associations: a fifth of the plan
    modules = max(1, (resources - 2 * flat - 3) // PER_MODULE)
    root_vpc = _vpc("", "flat", "10.0.0.0/8")
    table = _route_table("", "flat", root_vpc, [])
    shared = _security_group("", "shared", root_vpc)
    existing_root = [root_vpc, table, shared]
    flat_subnets = [
        _subnet("", "flat", i, root_vpc, f"10.{i // 256 % 256}.{i % 256}.0/24", "us-east-1a") for i in range(flat)
    ]
    created = [*flat_subnets, *(_association("", "flat", i, s, table) for i, s in enumerate(flat_subnets))]
    keep = int(modules * existing)
    children: dict[str, list[_Res]] = {}
    for i in range(modules):
        module = f'module.svc["svc{i:05d}"]'
        children[module] = _service(module, i % 250 + 1, shared)
    created_modules = set(list(children)[keep:])

    def is_created(res: _Res) -> bool:
        return res.module in created_modules or res in created

    everything = [*existing_root, *created, *(r for rs in children.values() for r in rs)]
    root_planned = [r.entry(is_created(r)) for r in [*existing_root, *created]]
    child_planned = [
        {"resources": [r.entry(m in created_modules) for r in rs], "address": m} for m, rs in children.items()
    ]
    changes = []
    for r in sorted(everything, key=lambda r: r.address):
        create = is_created(r)
        change = {
            "actions": ["create"] if create else ["no-op"],
            "before": None if create else r.values,
            "after": r.after(create),
            "after_unknown": r.unknown if create else {},
            "before_sensitive": False if create else _sensitive(r.values),
            "after_sensitive": _sensitive(r.values),
        }
        rc: dict[str, Any] = {"address": r.address}
        if r.module:
            rc["module_address"] = r.module
        rc.update({"mode": "managed", "type": r.type, "name": r.name})
        if r.index is not None:
            rc["index"] = r.index
        rc.update({"provider_name": PROVIDER, "change": change})
        changes.append(rc)
    prior = [r for r in everything if not is_created(r)]
    prior_root = [r.entry(False) for r in prior if not r.module]
    prior_children = [
        {"resources": [r.entry(False) for r in rs], "address": m}
        for m, rs in children.items()
        if m not in created_modules
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"services": {"value": {f"svc{i:05d}": f"10.{i % 250 + 1}.0.0/16" for i in range(modules)}}},
        "planned_values": {"root_module": {"resources": root_planned, "child_modules": child_planned}},
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.11.4",
            "values": {"root_module": {"resources": prior_root, "child_modules": prior_children}},
        },
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER,
                    "version_constraint": "5.100.0",
                    "expressions": {"region": {"constant_value": REGION}},
                }
            },
            "root_module": _root_config(flat),
        },
        "timestamp": "2025-01-01T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def plan_text(resources: int, existing: float = 0.5) -> str:
    """`plan_document` as `terraform show -json` writes it: one line, no spaces."""
    return json.dumps(plan_document(resources, existing), separators=(",", ":"))


def count_resources(doc: dict) -> int:
    return len(doc["resource_changes"])


# --- hostile shapes: small files that cost far more than their size unless the reader bounds them -----------
def variable_bomb(levels: int = 20, refs: int = 3) -> dict:
    """`levels` nested module calls whose `refs` variables each take all `refs` variables of the parent;
    a subnet at the bottom sets `vpc_id = var.a`. Followed naively: refs ** levels paths (3^20 = 3.5e9)."""
    names = [chr(ord("a") + i) for i in range(refs)]
    var_refs = [f"var.{n}" for n in names]
    module: dict[str, Any] = {
        "resources": [_cfg("aws_subnet.s", "aws_subnet", {"vpc_id": _ref("var.a")})],
        "variables": {n: {} for n in names},
    }
    for level in range(levels, 0, -1):
        call = {"source": f"./m{level}", "expressions": {n: _ref(*var_refs) for n in names}, "module": module}
        module = {"module_calls": {f"m{level}": call}, "variables": {n: {} for n in names}}
    module["module_calls"]["m1"]["expressions"] = {n: _attr_ref("aws_vpc.v") for n in names}
    module["resources"] = [_cfg("aws_vpc.v", "aws_vpc", {"cidr_block": {"constant_value": "10.0.0.0/16"}})]
    del module["variables"]
    path = [f"module.m{level}" for level in range(1, levels + 1)]
    subnet = ".".join([*path, "aws_subnet.s"])
    vpc = {"cidr_block": "10.0.0.0/16"}
    sub = {"cidr_block": "10.0.0.0/24"}
    child: dict[str, Any] = {"address": ".".join(path), "resources": [_planned(subnet, "aws_subnet", sub)]}
    for depth in range(levels - 1, 0, -1):
        child = {"address": ".".join(path[:depth]), "child_modules": [child]}
    return {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {"resources": [_planned("aws_vpc.v", "aws_vpc", vpc)], "child_modules": [child]}
        },
        "resource_changes": [
            _created("aws_vpc.v", "aws_vpc", vpc, {"id": True}),
            _created(subnet, "aws_subnet", sub, {"id": True, "vpc_id": True}),
        ],
        "configuration": {"root_module": module},
    }


def fan_out(subnets: int, functions: int, depends: bool = False) -> dict:
    """`subnets` subnets (count) and `functions` functions (count) whose unknown `subnet_ids` is the splat of
    all subnets (`depends`: instead, known subnet_ids and `depends_on = [aws_subnet.s]`): subnets × functions
    references from a file of size subnets + functions."""
    subs = [
        _planned(f"aws_subnet.s[{i}]", "aws_subnet", {"cidr_block": f"10.0.{i % 256}.0/24"}) for i in range(subnets)
    ]
    vpc_config = {"subnet_ids": ["subnet-0"], "security_group_ids": []} if depends else {}
    fns = [
        _planned(
            f"aws_lambda_function.f[{i}]", "aws_lambda_function", {"function_name": f"f{i}", "vpc_config": [vpc_config]}
        )
        for i in range(functions)
    ]
    unknown = {"id": True} if depends else {"id": True, "vpc_config": [{"subnet_ids": True}]}
    changes = [_created(r["address"], r["type"], r["values"], {"id": True}) for r in subs]
    changes += [_created(r["address"], r["type"], r["values"], unknown) for r in fns]
    fn_cfg = {"vpc_config": [{"subnet_ids": _ref("aws_subnet.s"), "security_group_ids": {"constant_value": []}}]}
    extra: dict[str, Any] = {"depends_on": ["aws_subnet.s"]} if depends else {}
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": subs + fns}},
        "resource_changes": changes,
        "configuration": {
            "root_module": {
                "resources": [
                    _cfg("aws_subnet.s", "aws_subnet", {}, count_expression={"constant_value": subnets}),
                    _cfg(
                        "aws_lambda_function.f",
                        "aws_lambda_function",
                        {} if depends else fn_cfg,
                        count_expression={"constant_value": functions},
                        **extra,
                    ),
                ]
            }
        },
    }


def _planned(address: str, rtype: str, values: dict) -> dict:
    local = address.rsplit(".", 2)[-2:] if address.startswith("module.") else address.split(".", 1)
    return {"address": address, "mode": "managed", "type": rtype, "name": local[-1].split("[")[0], "values": values}


def _created(address: str, rtype: str, after: dict, unknown: dict) -> dict:
    change = {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}
    return {"address": address, "mode": "managed", "type": rtype, "change": change}


# --- timing -----------------------------------------------------------------------------------------------
LIMIT = 20 * 1024 * 1024  # vpcreach's input file limit (parsers/errors.py MAX_FILE_BYTES)


def largest_within(limit: int = LIMIT) -> int:
    """The largest `resources` (to the nearest 100) whose plan_text fits in `limit` bytes: the size grows
    linearly with the count, so two samples estimate it and a few steps settle it."""
    small, large = len(plan_text(1000)), len(plan_text(2000))
    n = 1000 + int((limit - small) * 1000 / (large - small)) // 100 * 100
    while len(plan_text(n)) > limit:
        n -= 100
    return n


def _reader(path: str) -> tuple[float, float]:
    """(wall, CPU) seconds of `parse_plan` in this process, the 20 MiB limit lifted so that the reader's
    growth can be seen past it (`vpcreach plan` refuses such a file before reading it)."""
    from vpcreach.parsers import files
    from vpcreach.parsers.terraform import plan

    saved = plan.read_input
    plan.read_input = lambda p, limit=0: files.read_bytes(p, 1 << 30)  # type: ignore[assignment]
    from vpcreach.parsers.errors import InputError

    wall, cpu = time.perf_counter(), time.process_time()
    try:
        plan.parse_plan(path)
    except InputError:
        pass  # refused (a budget): the time to refuse is the figure
    finally:
        plan.read_input = saved  # type: ignore[assignment]
    return time.perf_counter() - wall, time.process_time() - cpu


# Runs `vpcreach plan` from a small process of its own: a child forked straight from this one (large after
# generating and parsing plans) would report this process's resident size as its peak (Linux keeps the
# pre-exec high-water mark).
_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                  os.waitstatus_to_exitcode(status)]))
"""


def _cli(path: str) -> tuple[float, float, float, int]:
    """(wall, CPU, peak MiB, exit code) of `vpcreach plan PATH` in its own process."""
    cmd = [sys.executable, "-m", "vpcreach.cli", "plan", path]
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True, check=True)
    wall, cpu, mib, code = json.loads(out.stdout)
    return wall, cpu, mib, code


def hostile_shapes() -> dict[str, tuple[str, dict]]:
    """The hostile shapes at a size that shows their cost: name → (what it is, plan document)."""
    return {
        "variable-bomb": ("3 refs x 20 nested module calls", variable_bomb(20, 3)),
        "splat-fan-out": ("2,000 functions x splat of 2,000 subnets", fan_out(2000, 2000)),
        "depends-fan-out": ("3,000 functions depends_on a count-3,000 resource", fan_out(3000, 3000, depends=True)),
    }


def time_plans(documents: list[tuple[str, str]], runs: int) -> list[dict]:
    """Medians per plan (name, text): the reader in this process, and `vpcreach plan` when within 20 MiB."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="vpcreach-plan-bench-") as tmp:
        for name, text in documents:
            path = os.path.join(tmp, "plan.json")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            reads = [_reader(path) for _ in range(runs)]
            row: dict[str, Any] = {
                "name": name,
                "bytes": len(text.encode("utf-8")),
                "read": statistics.median(r[0] for r in reads),
                "read cpu": statistics.median(r[1] for r in reads),
            }
            if row["bytes"] <= LIMIT:
                clis = [_cli(path) for _ in range(runs)]
                row.update(
                    plan=statistics.median(c[0] for c in clis),
                    plan_cpu=statistics.median(c[1] for c in clis),
                    mib=max(c[2] for c in clis),
                    exit=clis[0][3],
                )
            rows.append(row)
            print(f"  {name} done", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("resources", nargs="?", type=int, help="write a plan of about this many resources to stdout")
    ap.add_argument("--time", metavar="SIZES", help="comma list of sizes to time (e.g. 5000,10000,20000,max)")
    ap.add_argument("--hostile", action="store_true", help="also time the hostile shapes (variable_bomb, fan_out)")
    ap.add_argument("--runs", type=int, default=3, help="runs per plan (median), default 3")
    args = ap.parse_args(argv)
    if args.time or args.hostile:
        documents = []
        for size in (args.time or "").split(",") if args.time else []:
            n = largest_within() if size == "max" else int(size)
            text = plan_text(n)
            documents.append((f"{count_resources(json.loads(text))} resources", text))
        if args.hostile:
            for name, (_why, doc) in hostile_shapes().items():
                documents.append((name, json.dumps(doc, separators=(",", ":"))))
        rows = time_plans(documents, args.runs)
        try:
            load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
        except OSError:
            load = "load average unknown"
        print(f"\nmedian of {args.runs} runs; {load}; CPU = user + system\n")
        print("| plan | JSON | parse_plan wall | parse_plan CPU | `vpcreach plan` wall | CPU | peak | exit |")
        print("|---|--:|--:|--:|--:|--:|--:|--:|")
        for r in rows:
            cli = (
                f"{r['plan']:.2f} s | {r['plan_cpu']:.2f} s | {r['mib']:.0f} MiB | {r['exit']}"
                if "plan" in r
                else "refused: over 20 MiB | | |"
            )
            print(f"| {r['name']} | {r['bytes'] / 1e6:.1f} MB | {r['read']:.2f} s | {r['read cpu']:.2f} s | {cli} |")
        return 0
    if args.resources is None:
        ap.error("give a size, --time or --hostile")
    sys.stdout.write(plan_text(args.resources))
    return 0


if __name__ == "__main__":
    sys.exit(main())
