"""`vpcreach graph`: DOT and Mermaid snapshots, the HTML page's structure, and its layout.

Snapshots live in tests/snapshots/picture/; after an intended change, regenerate them with
`VPCREACH_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_picture.py` and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

SNAPSHOTS = Path(__file__).parent / "snapshots" / "picture"
EXAMPLE = "fixtures/cfn/example_private_nat.yaml"

# Every kind of verdict in one small template: NAT and gateway-endpoint paths, an interface endpoint, a
# database behind the local route, a security group and a custom network ACL that block, a subnet from
# outside the template (unknown), a subnet imported from another stack (unknown placement), and a
# function with no known need (its default route is drawn).
CASES = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  SharedSubnet: {Type: String, Default: subnet-0abc1234}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.1.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.1.0.0/24, AvailabilityZone: eu-west-1a}
  PublicRT:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  PublicDefault:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref PublicRT, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  PublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref PublicSubnet, RouteTableId: !Ref PublicRT}
  NatEip:
    Type: AWS::EC2::EIP
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref PublicSubnet, AllocationId: !GetAtt NatEip.AllocationId}
  AppSubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.1.1.0/24, AvailabilityZone: eu-west-1a}
  AppSubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.1.2.0/24, AvailabilityZone: eu-west-1b}
  AppRT:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  AppDefault:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref AppRT, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
  AppAssocA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref AppSubnetA, RouteTableId: !Ref AppRT}
  AppAssocB:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref AppSubnetB, RouteTableId: !Ref AppRT}
  IsolatedSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.1.3.0/24, AvailabilityZone: eu-west-1b}
  IsolatedRT:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  IsolatedAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref IsolatedSubnet, RouteTableId: !Ref IsolatedRT}
  StrictNacl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  StrictNaclOut:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref StrictNacl, RuleNumber: 100, Protocol: 6, RuleAction: allow, Egress: true,
                 CidrBlock: 10.1.0.0/16, PortRange: {From: 0, To: 65535}}
  StrictNaclIn:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref StrictNacl, RuleNumber: 100, Protocol: 6, RuleAction: allow, Egress: false,
                 CidrBlock: 10.1.0.0/16, PortRange: {From: 0, To: 65535}}
  IsolatedNaclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref IsolatedSubnet, NetworkAclId: !Ref StrictNacl}
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref AppRT, !Ref IsolatedRT]
  SqsEndpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.sqs
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      SubnetIds: [!Ref IsolatedSubnet]
      SecurityGroupIds: [!Ref EndpointSG]
  EndpointSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: endpoint
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.1.0.0/16}]
  AppSG:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: app, VpcId: !Ref Vpc}
  LockedSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: database only
      VpcId: !Ref Vpc
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.1.0.0/16}]
  DbSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref LockedSG}]
  DbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupDescription: db, SubnetIds: [!Ref IsolatedSubnet, !Ref AppSubnetB]}
  OrdersDb:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t4g.micro, DBSubnetGroupName: !Ref DbSubnets,
                 VPCSecurityGroups: [!Ref DbSG]}
  ApiFunction:
    Type: AWS::Serverless::Function
    Metadata: {vpcreach: {needs: [internet, s3]}}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      VpcConfig: {SubnetIds: [!Ref AppSubnetA, !Ref AppSubnetB], SecurityGroupIds: [!Ref AppSG]}
  WorkerFunction:
    Type: AWS::Serverless::Function
    Metadata: {vpcreach: {needs: [internet, sqs, s3]}}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      VpcConfig: {SubnetIds: [!Ref IsolatedSubnet], SecurityGroupIds: [!Ref AppSG]}
  DbFunction:
    Type: AWS::Serverless::Function
    Metadata: {vpcreach: {needs: ["tcp:5432@OrdersDb", internet]}}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      VpcConfig: {SubnetIds: [!Ref AppSubnetB], SecurityGroupIds: [!Ref LockedSG]}
  ExternalFunction:
    Type: AWS::Serverless::Function
    Metadata: {vpcreach: {needs: [internet]}}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      VpcConfig: {SubnetIds: [!Ref SharedSubnet], SecurityGroupIds: [!Ref AppSG]}
  QuietFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      VpcConfig: {SubnetIds: [!Ref AppSubnetA], SecurityGroupIds: [!Ref AppSG]}
  ImportedFunction:
    Type: AWS::Serverless::Function
    Metadata: {vpcreach: {needs: [s3]}}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      VpcConfig: {SubnetIds: [!Ref AppSubnetA, !ImportValue shared-subnet], SecurityGroupIds: [!Ref AppSG]}
"""


def big_template(n: int = 400) -> str:
    """A generated account-sized template: `n` functions over 3 AZs, 5 security groups, 3 need profiles.

    Functions differ in name only within each (security group, subnets, needs) combination, so a usable
    picture has one node per combination (30), not one per function.
    """
    out = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  Vpc:",
        "    Type: AWS::EC2::VPC",
        "    Properties: {CidrBlock: 10.0.0.0/16}",
        "  Igw: {Type: AWS::EC2::InternetGateway}",
        "  IgwAttach:",
        "    Type: AWS::EC2::VPCGatewayAttachment",
        "    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}",
        "  PublicSubnet:",
        "    Type: AWS::EC2::Subnet",
        '    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}',
        "  PublicRT: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}",
        "  PublicDefault:",
        "    Type: AWS::EC2::Route",
        "    Properties: {RouteTableId: !Ref PublicRT, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}",
        "  PublicAssoc:",
        "    Type: AWS::EC2::SubnetRouteTableAssociation",
        "    Properties: {SubnetId: !Ref PublicSubnet, RouteTableId: !Ref PublicRT}",
        "  NatEip: {Type: AWS::EC2::EIP}",
        "  Nat:",
        "    Type: AWS::EC2::NatGateway",
        "    Properties: {SubnetId: !Ref PublicSubnet, AllocationId: !GetAtt NatEip.AllocationId}",
        "  PrivateRT: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}",
        "  PrivateDefault:",
        "    Type: AWS::EC2::Route",
        "    Properties: {RouteTableId: !Ref PrivateRT, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}",
    ]
    for z in range(3):
        out += [
            f"  Private{z}:",
            "    Type: AWS::EC2::Subnet",
            f'    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.{16 + z * 16}.0/20, AvailabilityZone: !Select [{z}, !GetAZs ""]}}',
            f"  Private{z}Assoc:",
            "    Type: AWS::EC2::SubnetRouteTableAssociation",
            f"    Properties: {{SubnetId: !Ref Private{z}, RouteTableId: !Ref PrivateRT}}",
        ]
    for s in range(5):
        out += [
            f"  Sg{s}:",
            "    Type: AWS::EC2::SecurityGroup",
            f"    Properties: {{GroupDescription: g{s}, VpcId: !Ref Vpc}}",
        ]
    profiles = ("[internet]", "[s3, sqs]", "[]")
    for i in range(n):
        subnets = "[!Ref Private0, !Ref Private1, !Ref Private2]" if i % 2 else "[!Ref Private0]"
        out += [
            f"  Fn{i:03d}:",
            "    Type: AWS::Serverless::Function",
            f"    Metadata: {{vpcreach: {{needs: {profiles[i % 3]}}}}}",
            "    Properties:",
            "      Runtime: python3.12",
            "      Handler: app.handler",
            '      InlineCode: "x"',
            f"      VpcConfig: {{SubnetIds: {subnets}, SecurityGroupIds: [!Ref Sg{i % 5}]}}",
        ]
    return "\n".join(out) + "\n"


# --- helpers -------------------------------------------------------------------------------------------------
def graph(*args: str) -> str:
    code, out, err = run_cli("graph", *args)
    assert code == 0, err
    return out


def view_of(path: str):  # -> picture_model.View
    from vpcreach.reports.picture_model import build_views
    from vpcreach.run import RunRequest, execute

    (view,) = build_views(execute(RunRequest(paths=[path])).analyses)
    return view


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("VPCREACH_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; run with VPCREACH_UPDATE_SNAPSHOTS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its snapshot; if intended, regenerate (see module docstring)"


@pytest.fixture
def cases(tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    Path("cases.yaml").write_text(CASES)
    return "cases.yaml"


@pytest.fixture
def example(monkeypatch) -> str:
    monkeypatch.chdir(ROOT)
    return EXAMPLE


class _Page(HTMLParser):
    """Collects what the structural checks need from the HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


# --- snapshots -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt,ext", [("dot", "dot"), ("mermaid", "mmd")])
def test_example_snapshot(example, fmt, ext):
    check_snapshot(f"example_private_nat.{ext}", graph(example, "--format", fmt))


@pytest.mark.parametrize("fmt,ext", [("dot", "dot"), ("mermaid", "mmd")])
def test_cases_snapshot(cases, fmt, ext):
    check_snapshot(f"cases.{ext}", graph(cases, "--format", fmt))


@pytest.mark.parametrize("fmt,ext", [("dot", "dot"), ("mermaid", "mmd")])
def test_function_filter_snapshot(example, fmt, ext):
    check_snapshot(f"example_report_function.{ext}", graph(example, "--format", fmt, "--function", "ReportFunction"))


@pytest.mark.parametrize("fmt,ext", [("dot", "dot"), ("mermaid", "mmd")])
def test_corpus_lambda_static_ip_snapshot(corpus, monkeypatch, fmt, ext):
    monkeypatch.chdir(corpus)
    check_snapshot(f"lambda_static_ip.{ext}", graph("cfn/awslabs-cft__LambdaStaticIP.yaml", "--format", fmt))


def test_output_is_deterministic(cases):
    for fmt in ("dot", "mermaid", "html"):
        assert graph(cases, "--format", fmt) == graph(cases, "--format", fmt)


# --- what the picture says -----------------------------------------------------------------------------------
def test_dot_marks_the_blocking_hop_with_its_rule(example):
    dot = graph(example, "--format", "dot")
    assert "rankdir=LR;" in dot
    igw = next(line for line in dot.splitlines() if line.strip().startswith('"Igw" ['))
    assert "✗ VR102" in igw and 'color="#cf222e"' in igw and "penwidth=3" in igw
    assert '"PublicRouteTable" -> "Igw" [color="#cf222e"' in dot
    assert '"NatA" -> "Igw" [color="#1a7f37"' in dot
    # Plumbing is folded: no EIP, association or default ACL node; the NAT says what its EIP means.
    assert "NatEip" not in dot.split("tooltip")[0] and "Assoc" not in dot
    assert 'label="NatA (public, EIP)\\nNAT gateway in PublicSubnetA' in dot
    assert re.search(r'subgraph cluster_0_az_\d+ \{\n\s+label="AZ #1"', dot)


@pytest.mark.slow  # Graphviz's dot, in a subprocess
def test_dot_renders_with_graphviz_when_installed(cases):
    dot_bin = shutil.which("dot")
    if dot_bin is None:
        pytest.skip("Graphviz is not installed")
    for source in (str(ROOT / EXAMPLE), cases):
        text = graph(source, "--format", "dot")
        done = subprocess.run([dot_bin, "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "<svg" in done.stdout


def test_mermaid_is_a_left_to_right_flowchart_with_one_style_per_link(cases):
    text = graph(cases, "--format", "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    links = [ln for ln in lines if re.match(r"\s+n\d+ (-->|==>|-\.->)", ln)]
    styles = [ln for ln in lines if ln.strip().startswith("linkStyle ")]
    assert len(links) == len(styles) > 10
    assert [int(s.split()[1]) for s in styles] == list(range(len(styles)))
    # GitHub's Mermaid takes no raw quotes or angle brackets inside labels other than <b> and <br/>.
    for ln in lines:
        body = ln.replace("<b>", "").replace("</b>", "").replace("<br/>", "")
        inner = re.findall(r'\["(.*?)"\]', body)
        assert all("<" not in t and ">" not in t and '"' not in t for t in inner), ln
    assert "class " in text and "s_blocked" in text and "s_unknown" in text


def test_cases_verdicts_appear_where_they_happen(cases):
    view = view_of(cases)
    nodes = view.nodes
    # The security group blocks at the ENI, the custom NACL at its subnet, both with their rule ids.
    assert nodes["eni:AppSubnetB|LockedSG"].status == "blocked" and "VR104" in nodes["eni:AppSubnetB|LockedSG"].marks
    assert nodes["IsolatedSubnet"].status == "blocked" and "VR105" in nodes["IsolatedSubnet"].marks
    assert "NACL StrictNacl" in nodes["IsolatedSubnet"].lines
    assert not any(line.startswith("NACL") for line in nodes["AppSubnetA"].lines)  # default allow-all ACL: folded
    # The subnet from outside the template is drawn, dashed, as unknown.
    assert nodes["unresolved:subnet-0abc1234"].status == "unknown"
    assert ("fn:ExternalFunction", "eni:subnet-0abc1234|AppSG", "unknown") in view.edges
    # Endpoints and the database are reached the way the analysis says.
    assert ("AppRT", "S3Endpoint", "reachable") in view.edges
    assert ("IsolatedRT", "SqsEndpoint", "reachable") in view.edges
    assert ("AppRT", "OrdersDb", "reachable") in view.edges
    # A subnet the analysis has no ENI group for (an import) is drawn as unknown placement, not dropped.
    unknown = nodes["unknown:subnets: Fn::ImportValue shared-subnet comes from another stack"]
    assert unknown.status == "unknown" and unknown.title == "unknown placement"
    assert ("fn:ImportedFunction", unknown.id, "unknown") in view.edges
    assert ("fn:ImportedFunction", "eni:AppSubnetA|AppSG", "reachable") in view.edges
    # No need known: the default route is drawn in the neutral style.
    assert ("fn:QuietFunction", "eni:AppSubnetA|AppSG", "route") in view.edges
    assert ("Igw", "internet", "route") in view.edges
    # An ENI group knows every function that shares it.
    assert [m for m, _ in nodes["eni:AppSubnetA|AppSG"].members] == ["ApiFunction", "QuietFunction", "ImportedFunction"]
    # Lanes run left to right along every edge.
    assert all(nodes[e.src].lane < nodes[e.dst].lane for e in view.edges.values())


def test_function_filter_keeps_only_that_function(example):
    text = graph(example, "--format", "mermaid", "--function", "ReportFunction")
    assert "ReportFunction" in text and "ApiFunction" not in text and "NatA" not in text


def test_unknown_function_is_a_usage_error(example):
    code, _out, err = run_cli("graph", example, "--function", "NoSuchFunction")
    assert code == 2
    assert "no function matches NoSuchFunction" in err and "ApiFunction" in err


def test_missing_path_is_an_input_error(tmp_path):
    code, _out, err = run_cli("graph", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such file" in err


def test_output_option_writes_the_file(example, tmp_path):
    target = tmp_path / "net.mmd"
    code, out, _err = run_cli("graph", example, "--format", "mermaid", "--output", str(target))
    assert code == 0 and out == ""
    assert target.read_text().startswith("flowchart LR")


def test_several_sources_get_one_picture_each(cases):
    Path("more").mkdir()
    Path("more/a.yaml").write_text(CASES)
    shutil.copy(ROOT / EXAMPLE, "more/b.yaml")
    dot = graph("more", "--format", "dot")
    assert "subgraph cluster_source_0 {" in dot and "subgraph cluster_source_1 {" in dot
    assert '"s0/fn:ApiFunction"' in dot and '"s1/fn:ApiFunction"' in dot
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    mermaid = graph("more", "--format", "mermaid")
    assert 'subgraph src0["more/a.yaml"]' in mermaid and 'subgraph src1["more/b.yaml"]' in mermaid
    page = graph("more", "--format", "html")
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # element and marker ids stay unique across pictures
    assert page.count('<section class="source') == 2


# --- HTML ----------------------------------------------------------------------------------------------------
def test_html_is_self_contained(cases):
    page = graph(cases, "--format", "html")
    doc = parse(page)
    for tag, attrs in doc.tags:
        for name in ("src", "href", "xlink:href", "action", "data"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        if tag == "script":
            assert "src" not in attrs
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(http" not in page


def test_html_structure_shows_nodes_paths_and_tooltips(example):
    page = graph(example, "--format", "html")
    doc = parse(page)
    text = " ".join(doc.text)
    for label in (
        "ApiFunction",
        "ReportFunction",
        "ENI AppSecurityGroup",
        "PrivateSubnetA",
        "AZ #0",
        "AZ #1",
        "PrivateRouteTable",
        "NatA (public, EIP)",
        "Igw",
        "internet",
        "s3 API",
        "✗ VR102",
        "⚠ VR201",
    ):
        assert label in text, label
    classes = [attrs.get("class") or "" for _tag, attrs in doc.tags]
    assert any("node" in c.split() and "s-blocked" in c.split() for c in classes)
    assert sum("e-blocked" in c.split() for c in classes) == 4  # ReportFunction → ENI → subnet → RT → Igw
    assert sum("e-reachable" in c.split() for c in classes) >= 9
    # Hover data: source file and line, findings, and the functions of an ENI group.
    import json

    blob = page.split('id="vpcreach-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(blob)
    igw = next(d for d in data.values() if d["title"] == "Igw")
    assert igw["loc"] == f"{EXAMPLE}:12" and igw["status"] == "blocked"
    assert [f["rule_id"] for f in igw["findings"]] == ["VR102"]
    eni = next(d for d in data.values() if d["title"] == "ENI AppSecurityGroup" and "PublicSubnetA" in d["lines"][0])
    assert eni["members"] == [{"name": "ReportFunction", "loc": f"{EXAMPLE}:98"}]
    # No-script fallback: every box has an SVG <title> tooltip.
    assert page.count('<g class="node') == len(data) == page.count("tabindex")


def test_layout_keeps_boxes_apart_and_edges_on_their_sides(cases):
    from vpcreach.reports.picture import _box_size
    from vpcreach.reports.picture_layout import Box, layout

    view = view_of(cases)
    boxes = [Box(n.id, n.lane, *_box_size(n), n.cluster) for n in view.sorted_nodes()]
    edges = [(e.src, e.dst, e.key) for e in view.sorted_edges()]
    lay = layout(boxes, edges)
    real = [b for b in lay.boxes.values() if not b.dummy]
    for a in real:
        for b in real:
            if a is not b and a.column == b.column:
                assert a.y + a.h <= b.y or b.y + b.h <= a.y, (a.id, b.id)
    for src, dst, key in edges:
        pts = lay.routes[key]
        a, b = lay.boxes[src], lay.boxes[dst]
        assert pts[0][0] == pytest.approx(a.x + a.w) and a.y <= pts[0][1] <= a.y + a.h
        assert pts[-1][0] == pytest.approx(b.x) and b.y <= pts[-1][1] <= b.y + b.h
    assert all(x >= 0 and y >= 0 for pts in lay.routes.values() for x, y in pts)
    assert max(b.x + b.w for b in real) <= lay.width and max(b.y + b.h for b in real) <= lay.height


def test_scan_graph_out_writes_the_page_and_points_to_it(example, tmp_path):
    target = tmp_path / "paths.html"
    code, out, _err = run_cli("scan", "--no-color", example, "--graph-out", str(target))
    assert code == 1
    assert out.rstrip().endswith(f"picture of the paths: {target}")
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "ReportFunction" in page


def test_large_template_groups_identical_functions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("big.yaml").write_text(big_template(400))
    view = view_of("big.yaml")
    functions = [n for n in view.nodes.values() if n.kind == "function"]
    assert len(functions) == 30  # 5 security groups × 2 subnet sets × 3 need profiles
    assert sum(len(n.members) for n in functions) == 400
    first = next(n for n in functions if n.members[0][0] == "Fn000")
    assert first.title == f"{len(first.members)} functions like Fn000…"
    assert len(view.nodes) < 60
    page = graph("big.yaml", "--format", "html")
    assert "functions like Fn000…" in page
    assert len(page) < 1_500_000
    Path("big.html").write_text(page)


def test_large_template_one_function(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("big.yaml").write_text(big_template(400))
    text = graph("big.yaml", "--format", "mermaid", "--function", "Fn007")
    assert "Fn007" in text and "Fn000" not in text and "functions like" not in text


# --- in a real browser ---------------------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"


def chromium(tmp_path: Path, url: str, *args: str) -> str:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow  # a headless Chromium
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed")
def test_html_renders_in_headless_chromium(example, tmp_path):
    page = tmp_path / "picture.html"
    page.write_text(graph(example, "--format", "html"))
    dom = chromium(tmp_path, page.as_uri(), "--virtual-time-budget=3000", "--dump-dom")
    assert 'data-vpcreach="ready"' in dom  # the page's script ran without an error
    for label in ("ApiFunction", "ReportFunction", "NatA (public, EIP)", "PrivateRouteTable", "Igw", "s3 API"):
        assert label in dom, label
    assert re.search(r'<g class="node k-internet_gateway s-blocked"', dom)
    assert "✗ VR102" in dom and 'class="edge e-blocked"' in dom
    shot = tmp_path / "shot.png"
    chromium(tmp_path, page.as_uri(), "--hide-scrollbars", "--window-size=1400,600", f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


@pytest.mark.slow  # a headless Chromium
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed")
def test_html_details_panel_in_headless_chromium(example, tmp_path):
    # What a click shows, reached through the address (#title selects a box as a click does).
    page = tmp_path / "picture.html"
    page.write_text(graph(example, "--format", "html"))
    dom = chromium(tmp_path, page.as_uri() + "#Igw", "--virtual-time-budget=3000", "--dump-dom")
    panel = dom.split('<aside id="details"', 1)[1].split("</aside>", 1)[0]
    assert 'class="open"' in dom.split('<aside id="details"', 1)[1][:80]
    assert "Igw" in panel and f"{EXAMPLE}:12" in panel and "VR102" in panel and "no public IP" in panel
    assert '<svg class="picture dim"' in dom  # the other paths are dimmed
    eni = chromium(tmp_path, page.as_uri() + "#v0n4", "--virtual-time-budget=3000", "--dump-dom")  # ReportFunction's
    panel = eni.split('<aside id="details"', 1)[1].split("</aside>", 1)[0]
    assert "Functions sharing it" in panel and "ReportFunction" in panel and f"{EXAMPLE}:98" in panel


@pytest.mark.slow  # a headless Chromium
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed")
def test_large_html_renders_in_headless_chromium(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("big.yaml").write_text(big_template(400))
    page = tmp_path / "big.html"
    page.write_text(graph("big.yaml", "--format", "html"))
    dom = chromium(tmp_path, page.as_uri(), "--virtual-time-budget=3000", "--dump-dom")
    assert 'data-vpcreach="ready"' in dom
    assert dom.count('class="node k-function') == 30 and "functions like Fn000…" in dom


def test_corpus_template_with_declared_needs(corpus, tmp_path):
    # LambdaStaticIP's function needs the internet (it calls api.ipify.org): declared in a config file.
    config = tmp_path / ".vpcreach.toml"
    config.write_text('needs = { LambdaFunction = ["internet"] }\n')
    text = graph(str(corpus / "cfn" / "awslabs-cft__LambdaStaticIP.yaml"), "--format", "dot", "--config", str(config))
    assert '"NatGatewayOne" -> "InternetGateway" [color="#1a7f37"' in text
    assert '"NatGatewayTwo" -> "InternetGateway" [color="#1a7f37"' in text
    assert "needs: internet ✓" in text


def test_core_need_through_an_unresolved_subnet_is_not_reachable(cases):
    import json

    _code, out, _err = run_cli("scan", "--format", "json", cases)
    fn = next(f for f in json.loads(out)["functions"] if f["resource"] == "ImportedFunction")
    assert fn["needs"][0]["verdict"] == "unknown"


def test_readme_shows_the_committed_picture():
    readme = (ROOT / "README.md").read_text()
    assert "](docs/picture.png)" in readme and "](picture.png)" in (ROOT / "docs" / "pictures.md").read_text()
    assert (ROOT / "docs" / "picture.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- many sources (issue 19) ---------------------------------------------------------------------------------
def _sources(tmp: Path) -> list[str]:
    """Three sources named out of alphabetical order: a broken one, one whose function has no known need
    (nothing checked), and one whose need is reachable."""
    paths = [tmp / "z-broken.yaml", tmp / "m-no-needs.yaml", tmp / "a-clean.yaml"]
    shutil.copy(ROOT / EXAMPLE, paths[0])
    shutil.copy(ROOT / "fixtures" / "cfn" / "vr302_near_miss_two_azs.yaml", paths[1])
    shutil.copy(ROOT / "fixtures" / "cfn" / "vr109_near_miss_routed.yaml", paths[2])
    return [str(p) for p in paths]


def test_mermaid_sources_read_left_to_right_in_the_order_named(tmp_path):
    names = _sources(tmp_path)
    mermaid = graph(*names, "--format", "mermaid")
    lines = mermaid.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("  subgraph src")]
    assert [lines[i].split('"')[1] for i in heads] == names  # input order, not sorted
    assert all(lines[i + 1] == "    direction LR" for i in heads)


def test_zone_boxes_are_in_the_regions_order():
    for fmt, pattern in (("dot", r'label="(AZ #\d+)"'), ("mermaid", r'subgraph az\d+_\d+\["(AZ #\d+)"\]')):
        zones = re.findall(pattern, graph(str(ROOT / EXAMPLE), "--format", fmt))
        assert zones == ["AZ #0", "AZ #1"], fmt


def test_html_index_filter_and_an_unchecked_source_is_not_a_clean_bill(tmp_path):
    names = _sources(tmp_path)
    page = graph(*names, "--format", "html")
    index = page.split('<nav class="index">', 1)[1].split("</nav>", 1)[0]
    assert 'id="only-problems"' in index
    entries = re.findall(r'<li class="(\w+)">.*?<a href="#(source-\d)">([^<]+)</a> — ([^<]+)</li>', index)
    assert [(kind, anchor, name) for kind, anchor, name, _ in entries] == [
        ("problem", "source-0", names[0]),
        ("unchecked", "source-1", names[1]),
        ("clean", "source-2", names[2]),
    ]
    assert entries[1][3] == (
        "0 path(s): 0 blocked, 0 unknown; 1 function(s) with no known need: default routes only, nothing checked"
    )
    for _, anchor, _, _ in entries:
        assert f'id="{anchor}"' in page
    # Only the clean source is hidden by the filter; the unchecked one stays in view.
    assert page.count('<section class="source clean"') == 1
    assert "body.only-problems .clean { display: none; }" in page
    assert "classList.toggle('only-problems', only.checked)" in page


def test_html_pictures_scale_to_the_window():
    page = graph(str(ROOT / EXAMPLE), "--format", "html")
    assert "svg.picture { max-width: 100%; height: auto; }" in page  # a 1,400 px window shows it whole
    assert re.search(r'<svg class="picture" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"', page)


def test_capacity_provider_groups_are_drawn_in_a_box_of_their_own():
    # DESIGN decision 11: a capacity provider's groups are its Managed Instances, drawn inside a box named after it.
    path = str(ROOT / "fixtures" / "cfn" / "vr113_near_miss_capacity_provider_nat.yaml")
    view = view_of(path)
    node = view.nodes["cp:Capacity|PrivateSubnetA"]
    assert (node.title, node.cluster) == ("Capacity: Managed Instances", "capacity provider Capacity")
    assert ("fn:ManagedFunction", "cp:Capacity|PrivateSubnetA", "reachable") in view.edges
    code, out, _ = run_cli("graph", "--format", "dot", path)
    assert code == 0 and 'label="capacity provider Capacity"; style="rounded,dashed"' in out
