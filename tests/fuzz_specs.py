"""Hypothesis strategies for random but valid networks, rendered by bench/generate.py (shared by test_fuzz*.py).

A spec is valid by construction: every reference names something that exists, each subnet has at most one
network ACL, each route table at most one default route, each service at most one endpoint, and interface
endpoints use at most one subnet per Availability Zone — so a difference in verdicts is a finding about
vpcreach, not about the generator.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def _load_generator():  # type: ignore[no-untyped-def]
    name = "vpcreach_bench_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

VPC_CIDR = "10.0.0.0/16"
NEEDS = ("internet", "s3", "dynamodb", "sqs", "secretsmanager")
EGRESS_RULES = (
    gen.SgRule("-1", None, None, "0.0.0.0/0"),
    gen.SgRule("tcp", 443, 443, "0.0.0.0/0"),
    gen.SgRule("tcp", 80, 80, "0.0.0.0/0"),
    gen.SgRule("tcp", 5432, 5432, VPC_CIDR),
    gen.SgRule("tcp", 443, 443, "10.0.0.0/8"),
    gen.SgRule("udp", 53, 53, "0.0.0.0/0"),
    gen.SgRule("tcp", 1024, 65535, "0.0.0.0/0"),
)
INGRESS_RULES = (
    gen.SgRule("tcp", 443, 443, VPC_CIDR),
    gen.SgRule("tcp", 443, 443, "10.0.5.0/24"),
    gen.SgRule("-1", None, None, "0.0.0.0/0"),
)


def _nacl_entry(number: int, egress: bool, kind: int, allow: bool, cidr: str) -> object:
    protocol, ports = (("-1", (None, None)), ("tcp", (443, 443)), ("tcp", (1024, 65535)), ("udp", (53, 53)))[kind]
    return gen.NaclEntry(number, egress, protocol, allow, cidr, *ports)


@st.composite
def specs(draw, max_functions: int = 4):  # type: ignore[no-untyped-def]
    spec = gen.Spec(vpc_cidr=VPC_CIDR, igw=draw(st.booleans()), dns_hostnames=draw(st.booleans()))
    n_subnets = draw(st.integers(1, 5))
    n_tables = draw(st.integers(0, 3))
    tables = [gen.RouteTable(f"Rt{i}") for i in range(n_tables)]
    for i in range(n_subnets):
        table = draw(st.sampled_from([None, *[t.name for t in tables]]))
        spec.subnets.append(gen.Subnet(f"Subnet{i}", draw(st.integers(0, 2)), f"10.0.{i}.0/24", table))
    subnet_names = [s.name for s in spec.subnets]
    for i in range(draw(st.integers(0, 2))):
        spec.nats.append(gen.Nat(f"Nat{i}", draw(st.sampled_from(subnet_names))))
    targets = ["igw"] + [n.name for n in spec.nats]
    for table in tables:
        if draw(st.booleans()):
            table.routes.append(gen.Route("0.0.0.0/0", draw(st.sampled_from(targets))))
        if spec.nats and draw(st.integers(0, 4)) == 0:
            table.routes.append(gen.Route("192.168.0.0/16", draw(st.sampled_from(targets))))
    spec.route_tables = tables
    for i in range(draw(st.integers(1, 3))):
        egress = draw(st.lists(st.sampled_from(EGRESS_RULES), min_size=1, max_size=3, unique_by=repr))
        ingress = draw(st.lists(st.sampled_from(INGRESS_RULES), max_size=2, unique_by=repr))
        spec.security_groups.append(gen.SecurityGroup(f"Sg{i}", list(egress), list(ingress)))
    sg_names = [s.name for s in spec.security_groups]
    n_nacls = draw(st.integers(0, 2))
    if n_nacls:
        owner = {s: draw(st.sampled_from([None, *range(n_nacls)])) for s in subnet_names}
        for i in range(n_nacls):
            entries = []
            numbers = draw(st.lists(st.integers(1, 300), min_size=0, max_size=5, unique=True))
            for number in numbers:
                egress = draw(st.booleans())
                entries.append(
                    _nacl_entry(
                        number,
                        egress,
                        draw(st.integers(0, 3)),
                        draw(st.booleans()) or draw(st.booleans()),  # allow three times in four
                        draw(st.sampled_from(["0.0.0.0/0", VPC_CIDR, "10.0.0.0/8", "192.168.0.0/16"])),
                    )
                )
            # (egress, number) must be unique within an ACL.
            seen: set[tuple[bool, int]] = set()
            entries = [e for e in entries if not ((e.egress, e.number) in seen or seen.add((e.egress, e.number)))]
            spec.nacls.append(gen.Nacl(f"Acl{i}", [s for s, o in owner.items() if o == i], entries))
    for service in draw(st.lists(st.sampled_from(("s3", "dynamodb", "sqs", "secretsmanager")), unique=True)):
        if service in ("s3", "dynamodb"):
            rts = draw(st.lists(st.sampled_from([t.name for t in tables]), unique=True)) if tables else []
            spec.endpoints.append(gen.Endpoint(f"{service.title()}Endpoint", service, "Gateway", route_tables=rts))
        else:
            by_zone: dict[int, str] = {}
            for s in draw(st.lists(st.sampled_from(spec.subnets), min_size=1, unique_by=lambda s: s.name)):
                by_zone.setdefault(s.az, s.name)
            spec.endpoints.append(
                gen.Endpoint(
                    f"{service.title()}Endpoint",
                    service,
                    "Interface",
                    subnets=sorted(by_zone.values()),
                    security_groups=draw(st.lists(st.sampled_from(sg_names), min_size=1, max_size=2, unique=True)),
                    private_dns=draw(st.booleans()),
                )
            )
    for i in range(draw(st.integers(1, max_functions))):
        if draw(st.integers(0, 4)) == 0:
            subnets = None
        else:
            subnets = draw(st.lists(st.sampled_from(subnet_names), min_size=1, max_size=3, unique=True))
        sgs = draw(st.lists(st.sampled_from(sg_names), min_size=1, max_size=2, unique=True))
        needs = draw(st.lists(st.sampled_from(NEEDS), max_size=3, unique=True))
        spec.functions.append(gen.Function(f"Fn{i}", subnets, sgs, needs))
    return spec


def write_cfn(tmp_dir: Path, spec, name: str = "template.yaml") -> Path:  # type: ignore[no-untyped-def]
    path = tmp_dir / name
    path.write_text(gen.to_cfn(spec), encoding="utf-8")
    return path


def write_terraform(tmp_dir: Path, spec, name: str = "tf") -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf").write_text(gen.to_terraform(spec), encoding="utf-8")
    return folder
