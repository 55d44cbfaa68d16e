"""The view model every picture renderer draws: nodes in lanes, edges coloured by verdict.

The analysis graph holds every object a template declares; a picture of it shows plumbing (EIPs,
associations, default network ACLs, IAM) that explains nothing. This module keeps only the hops traffic
takes, left to right — functions → Hyperplane ENI groups → subnets (by AZ) → route tables → next hops
(NAT, endpoints, opaque gateways) → gateways → destinations — and folds the rest into the nodes it serves:
a NAT node says "public, EIP", a subnet mentions its network ACL only when it is custom, an ENI group names
its security groups.

Paths come from the verdicts the analysis already computed (one per ENI group and need), never from a walk
of our own, so the picture cannot disagree with `scan`. Functions without any known need get their default
route drawn in a neutral style so a user still sees where their traffic would go.

Every text the model hands to a renderer is escaped like the text report (`vpcreach.output.escape`), once,
when the view is done: a name or reason from the template cannot break a DOT or Mermaid statement or a
line of a tooltip, nor put a character on the page that UTF-8 cannot encode. Node ids stay as they are
(they are keys); the renderers quote them or replace them with ids of their own.
"""

from __future__ import annotations

import fnmatch
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from vpcreach.graph import aws
from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.output import escape

if TYPE_CHECKING:
    from vpcreach.analyzer.analysis import Analysis, FunctionResult
    from vpcreach.analyzer.findings import Finding
    from vpcreach.analyzer.flows import Verdict

T = TypeVar("T")

# Lanes, left to right, in the order traffic flows.
LANE_FUNCTION, LANE_ENI, LANE_SUBNET, LANE_RT, LANE_HOP, LANE_GATEWAY, LANE_DEST = range(7)
LANE_TITLES = ("Functions", "Hyperplane ENIs", "Subnets", "Route tables", "Next hops", "Gateways", "Destinations")

REACHABLE, BLOCKED, UNKNOWN, ROUTE = "reachable", "blocked", "unknown", "route"
STATUS_ORDER = (REACHABLE, ROUTE, UNKNOWN, BLOCKED)  # edge drawing order: the worst on top
SYMBOL = {REACHABLE: "✓", BLOCKED: "✗", UNKNOWN: "?", ROUTE: "→"}
DEFAULT_ROUTE = "0.0.0.0/0"  # the label of a drawn default route when no need is known
_PROFILE = {"internet": "internet (IPv4)", "internet6": "internet (IPv6)"}

# Several functions identical in everything drawn become one node; the label lists at most this many.
_LIST_MEMBERS = 3


class Unique(list[T]):
    """A list whose `add` appends an item only when it is not there yet, in constant time: on a picture of
    thousands of functions a NAT gateway collects thousands of findings, and a `not in` scan per addition
    would make building it quadratic. It is still a list for the renderers (and for json)."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        super().__init__()
        self._seen: set[T] = set()
        for item in items:
            self.append(item)

    def append(self, item: T) -> None:
        self._seen.add(item)
        super().append(item)

    def add(self, item: T) -> None:
        if item not in self._seen:
            self.append(item)


@dataclass(frozen=True)
class PFinding:
    rule_id: str
    severity: str
    message: str
    where: str
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "message": self.message,
            "where": self.where,
            "suppressed": self.suppressed,
        }


@dataclass
class PNode:
    id: str
    kind: str  # function, eni, subnet, route_table, nat, igw, endpoint, service, internet, target, opaque, unresolved
    lane: int
    title: str
    lines: list[str] = field(default_factory=list)
    cluster: str = ""  # the Availability Zone box a subnet is drawn in
    loc: str = ""
    members: list[tuple[str, str]] = field(default_factory=list)  # (function, file:line)
    details: Unique[str] = field(default_factory=Unique)  # folded plumbing, for the tooltip
    findings: Unique[PFinding] = field(default_factory=Unique)
    marks: dict[str, str] = field(default_factory=dict)  # rule id → severity, drawn as badges
    status: str = ""  # blocked / unknown when a path stops here
    reasons: Unique[str] = field(default_factory=Unique)  # why paths stop here
    paths: set[int] = field(default_factory=set)
    order: tuple = ()

    def mark(self, rule_id: str, severity: str) -> None:
        rank = ("info", "warning", "error")
        self.marks[rule_id] = max(severity, self.marks.get(rule_id, "info"), key=rank.index)

    def stop(self, status: str, reason: str) -> None:
        if status == BLOCKED or (status == UNKNOWN and self.status != BLOCKED):
            self.status = status
        if reason:
            self.reasons.add(reason)


@dataclass
class PEdge:
    src: str
    dst: str
    status: str
    needs: Unique[str] = field(default_factory=Unique)
    paths: set[int] = field(default_factory=set)
    rules: Unique[str] = field(default_factory=Unique)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.src, self.dst, self.status)


@dataclass
class PPath:
    """One drawn path: a function node's need (or its default route) through one ENI group."""

    function: str
    need: str
    status: str
    nodes: list[str]
    stop: str | None  # the node where a blocked/unknown path stops
    detail: str
    rules: list[str] = field(default_factory=list)


@dataclass
class View:
    """One source's picture."""

    source: str
    nodes: dict[str, PNode] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], PEdge] = field(default_factory=dict)
    paths: list[PPath] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def sorted_nodes(self) -> list[PNode]:
        return sorted(self.nodes.values(), key=lambda n: (n.lane, n.cluster, n.order, n.id))

    def sorted_edges(self) -> list[PEdge]:
        rank = {n.id: i for i, n in enumerate(self.sorted_nodes())}
        return sorted(self.edges.values(), key=lambda e: (rank[e.src], rank[e.dst], STATUS_ORDER.index(e.status)))


# --- naming ----------------------------------------------------------------------------------------------
def pretty(node: str) -> str:
    """A node id as a reader wants it: synthetic defaults spelled out, prefixes dropped."""
    if node.startswith("unresolved:"):
        return node.split(":", 1)[1]
    if node.startswith("aws:"):
        return node[4:]
    for suffix, what in (
        ("#default-sg", "default SG"),
        ("#main-rt", "main route table"),
        ("#default-nacl", "default NACL"),
    ):
        if node.endswith(suffix):
            return f"{what} of {node[: -len(suffix)]}"
    return node


def _loc(graph_node: dict[str, Any] | None) -> str:
    loc = graph_node.get("loc") if graph_node else None
    return str(loc) if isinstance(loc, m.Loc) and loc.file else ""


def _az(subnet: m.Subnet | None) -> str:
    az = subnet.az if subnet else None
    if isinstance(az, str) and aws.is_symbolic_az(az):
        return "AZ #" + aws.zone_label(az).removeprefix(
            "zone #"
        )  # index into Fn::GetAZs: the name depends on the region
    if isinstance(az, str) and az:
        return az
    return "AZ unknown"


def _allow_all(nacl: m.NetworkAcl) -> bool:
    """True when the first matching IPv4 entry each way allows everything (the default ACL's shape)."""
    if nacl.entries_unknown is not None:
        return False
    for egress in (True, False):
        entries = sorted(
            (e for e in nacl.entries if e.egress == egress and e.cidr_v4 is not None),
            key=lambda e: e.rule_number if isinstance(e.rule_number, int) else 1 << 30,
        )
        if not entries:
            return False
        first = entries[0]
        if not (first.allow is True and str(first.protocol) in ("-1", "all") and first.cidr_v4 == "0.0.0.0/0"):
            return False
    return True


def _unknown_placement(r: FunctionResult) -> list[str]:
    """Why some of the function's subnets or security groups have no ENI group (an unresolved value)."""
    return sorted({gap.reason for gap in r.placement_gaps if gap.unresolved})


def _destination(need: str) -> str | None:
    if need in ("internet", "internet6", DEFAULT_ROUTE):
        return k.INTERNET_NODE
    if need.startswith("tcp:"):
        return need.split("@", 1)[1] if "@" in need else None
    return k.service_node(need)


def _synthetic_kind(node: str) -> str:
    if node == k.INTERNET_NODE:
        return k.INTERNET
    if node.startswith("aws:"):
        return k.AWS_SERVICE
    return k.UNRESOLVED


# A function's need targets; its findings' positions by (hop list, the need they are about); by that need.
_FindingIndex = tuple[set[str], dict[tuple[tuple[str, ...], str | None], list[int]], dict[str, list[int]]]


# --- building --------------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, analysis: Analysis, patterns: list[str] | None) -> None:
        self.a = analysis
        self.graph = analysis.graph
        self.g = analysis.graph.g
        self.patterns = patterns
        self.view = View(", ".join(analysis.network.sources))
        self._findings_by_fn: dict[str, list[Finding]] = {}
        for f in analysis.findings:
            for fid in dict.fromkeys([*f.functions, f.resource]):
                self._findings_by_fn.setdefault(fid, []).append(f)
        self._indexes: dict[str, _FindingIndex] = {}

    # nodes ------------------------------------------------------------------------------------------
    def node(self, gid: str, lane: int) -> PNode:
        """The picture node of a graph node, created on first use with its folded plumbing."""
        found = self.view.nodes.get(gid)
        if found is not None:
            return found
        data = dict(self.g.nodes[gid]) if gid in self.g else {}
        if not data:
            # The walk names the internet and public AWS services without a graph node for them.
            if gid == k.INTERNET_NODE:
                data = {"kind": k.INTERNET}
            elif gid.startswith("aws:"):
                data = {"kind": k.AWS_SERVICE, "service": gid[4:]}
        kind = data.get("kind", k.UNRESOLVED)
        obj = data.get("obj")
        node = PNode(gid, kind, lane, pretty(gid), loc=_loc(data))
        describe = _DESCRIBE.get(kind, _describe_other)
        describe(self, node, obj, data)
        self.view.nodes[gid] = node
        return node

    def function_node(self, members: list[FunctionResult], needs: list[tuple[str, str]]) -> PNode:
        first = members[0].function
        nid = f"fn:{first.id}"
        names = [r.function.id for r in members]
        if len(names) == 1:
            title = names[0]
        elif len(names) <= _LIST_MEMBERS:
            title = ", ".join(names)
        else:
            title = f"{len(names)} functions like {names[0]}…"
        node = PNode(nid, "function", LANE_FUNCTION, title, loc=str(first.loc) if first.loc.file else "")
        node.members = [(r.function.id, str(r.function.loc) if r.function.loc.file else "") for r in members]
        if needs:
            # Wrapped so that a function with many needs does not make the whole column wide.
            line = "needs:"
            for i, (t, s) in enumerate(needs):
                item = f" {t} {SYMBOL[s]}" + ("," if i < len(needs) - 1 else "")
                if len(line) + len(item) > 44 and line != "needs:":
                    node.lines.append(line)
                    line = "      "
                line += item
            node.lines.append(line)
        else:
            node.lines.append("no need known: nothing checked")
            reach = members[0].reach
            if reach:
                # What it can reach, as the text report's note says (issue 16): the reader judges whether that
                # matches what the function does.
                reached = [_PROFILE.get(t, t) for t, v in reach.items() if v.status == REACHABLE]
                node.lines.append(f"reaches: {', '.join(reached)}" if reached else "reaches nothing outside its VPC")
                for target, verdict in reach.items():
                    node.details.append(f"{_PROFILE.get(target, target)}: {verdict.status}")
        if len(names) > 1:
            node.details.append(f"{len(names)} functions with the same ENI groups, needs and verdicts")
        if isinstance(first.name, str) and len(names) == 1 and first.name != first.id:
            node.details.append(f"function name {first.name}")
        self.view.nodes[nid] = node
        return node

    # paths ------------------------------------------------------------------------------------------
    def build(self) -> View:
        results = [
            r
            for r in self.a.functions.values()
            if (r.function.has_vpc_config or r.compute is not None or r.function.managed_instances is not None)
            and self._selected(r)
        ]
        groups: dict[tuple, list[FunctionResult]] = {}
        for r in sorted(results, key=lambda r: r.function.id):
            groups.setdefault(self._signature(r), []).append(r)
        for members in groups.values():
            self._draw_function(members)
        self._attach_findings()
        _escape_texts(self.view)
        for n in self.view.nodes.values():
            n.order = (n.cluster, n.title.lower(), n.id)
        return self.view

    def _selected(self, r: FunctionResult) -> bool:
        if not self.patterns:
            return True
        fn = r.function
        names = {fn.id} | ({fn.name} if isinstance(fn.name, str) else set())
        return any(fnmatch.fnmatchcase(n, p) for n in names for p in self.patterns)

    def _signature(self, r: FunctionResult) -> tuple:
        """What a function node shows; functions equal in all of it share one node."""
        needs = tuple(
            (
                nr.need.target,
                nr.verdict.status,
                tuple((gid, v.status, tuple(v.hops), v.code, v.component) for gid, v in sorted(nr.groups.items())),
            )
            for nr in r.needs
        )
        # Errors and warnings show as badges, so they split nodes; info (VR301 lands on one member of
        # each ENI group) stays in the tooltip and must not.
        fid = r.function.id
        rules = tuple(
            sorted({f.rule_id for f in self._findings_by_fn.get(fid, []) if f.resource == fid and f.severity != "info"})
        )
        unplaced = r.function.managed_instances is not None or not r.groups
        return (tuple(r.groups), needs, rules, unplaced, tuple(_unknown_placement(r)))

    def _draw_function(self, members: list[FunctionResult]) -> None:
        r = members[0]
        fn = r.function
        needs = [(nr.need.target, nr.verdict.status) for nr in r.needs]
        fnode = self.function_node(members, needs)
        if fn.managed_instances is not None:
            fnode.stop(UNKNOWN, fn.managed_instances.reason)
            return
        for reason in _unknown_placement(r):
            # Subnets (or security groups) the analysis has no ENI group for: drawn, dashed, so the
            # picture never looks more certain than it is.
            node = self.view.nodes.get(f"unknown:{reason}")
            if node is None:
                node = PNode(f"unknown:{reason}", k.UNRESOLVED, LANE_SUBNET, "unknown placement")
                node.lines.append(_clip_words(reason, 40))
                node.details.append(reason)
                self.view.nodes[node.id] = node
            node.stop(UNKNOWN, reason)
            self._link(fnode.id, node.id, UNKNOWN, "placement")
        if not r.groups:
            fnode.stop(UNKNOWN, "the function's subnets or security groups are unknown")
        for nr in r.needs:
            if not nr.groups:
                self._path(fnode, fn.id, nr.need.target, None, nr.verdict)
            for gid in r.groups:
                verdict = nr.groups.get(gid)
                if verdict is not None:
                    self._path(fnode, fn.id, nr.need.target, gid, verdict)
        if not r.needs:
            # No need is known: draw where the default route leads, in a neutral style.
            for gid, verdict in r.default_routes.items():
                self._path(fnode, fn.id, DEFAULT_ROUTE, gid, verdict, neutral=True)

    def _link(self, a: str, b: str, status: str, need: str) -> None:
        path_id = len(self.view.paths)
        self.view.paths.append(PPath(a, need, status, [a, b], b, ""))
        edge = self.view.edges.setdefault((a, b, status), PEdge(a, b, status))
        edge.needs.add(need)
        for nid in (a, b):
            self.view.nodes[nid].paths.add(path_id)
        edge.paths.add(path_id)

    def _path(self, fnode: PNode, fid: str, need: str, gid: str | None, v: Verdict, neutral: bool = False) -> None:
        walked = list(v.hops)  # as the findings' paths spell them
        hops = list(v.hops)
        if gid and (not hops or hops[0] != gid):
            hops.insert(0, gid)
        if v.status == REACHABLE:
            # Hops end at the last real resource; the picture also shows what the path reaches.
            dest = _destination(need)
            if dest and (not hops or hops[-1] != dest):
                hops.append(dest)
        nodes, folded = self._display(hops, need)
        if gid and len(nodes) == 1 and self.graph.kind(gid) == k.HYPERPLANE_ENI:
            # The walk stopped at the ENI group because its subnet is not in the source: show that subnet.
            subnet = self.graph.first_out(gid, k.IN_SUBNET)
            if subnet and self.graph.kind(subnet) != k.SUBNET:
                nodes.append(self.node(subnet, LANE_SUBNET).id)
        status = ROUTE if neutral else v.status
        stop: str | None = None
        if v.status != REACHABLE:
            comp = v.component
            stop = folded.get(comp) or (comp if comp in nodes else None) or (nodes[-1] if nodes else fnode.id)
        path_id = len(self.view.paths)
        chain = [fnode.id, *nodes]
        path = PPath(fnode.id, need, status, chain, stop, v.detail)
        self.view.paths.append(path)
        for nid in chain:
            self.view.nodes[nid].paths.add(path_id)
        for a, b in itertools.pairwise(chain):
            edge = self.view.edges.get((a, b, status))
            if edge is None:
                edge = self.view.edges[(a, b, status)] = PEdge(a, b, status)
            edge.needs.add(need)
            edge.paths.add(path_id)
        rules = self._path_findings(fid, need, walked, v)
        if stop is not None:
            target = self.view.nodes[stop]
            if not neutral:
                target.stop(v.status, f"{need}: {v.detail}" if v.detail else need)
            elif v.detail:
                target.details.append(f"{DEFAULT_ROUTE} (no need known): {v.detail}")
        mark_at = stop or (v.nat if v.nat in self.view.nodes else None) or (chain[-1] if chain else None)
        for f in rules:
            if mark_at:
                self._add_finding(self.view.nodes[mark_at], f)
            path.rules.append(f.rule_id)
            if f.suppressed is None and f.severity != "info" and mark_at:
                self.view.nodes[mark_at].mark(f.rule_id, f.severity)
        for a, b in itertools.pairwise(chain):
            edge = self.view.edges[(a, b, status)]
            for rid in path.rules:
                edge.rules.add(rid)

    def _display(self, hops: list[str], need: str) -> tuple[list[str], dict[str, str]]:
        """Hops → the nodes drawn, and where each folded hop went (for marking the blocking one)."""
        nodes: list[str] = []
        folded: dict[str, str] = {}
        stage = 0  # 0 before the function's route table, 1 after it, 2 inside a NAT/endpoint's own plumbing
        private = need.split("@", 1)[1] if need.startswith("tcp:") and "@" in need else None
        target_subnets = {v for v, _ in self.graph.out(private, k.IN_SUBNET)} if private else set()

        def show(hop: str, lane: int) -> None:
            node = self.node(hop, lane)
            if not nodes or nodes[-1] != node.id:
                nodes.append(node.id)
            folded[hop] = node.id

        def fold(hop: str) -> None:
            if nodes:
                folded[hop] = nodes[-1]
                self._fold_detail(self.view.nodes[nodes[-1]], hop)

        for hop in hops:
            kind = self.graph.kind(hop) or _synthetic_kind(hop)
            if kind == k.HYPERPLANE_ENI:
                show(hop, LANE_ENI)
            elif kind in (k.SECURITY_GROUP, k.NETWORK_ACL, k.VPC):
                fold(hop)
            elif stage == 0 and kind == k.SUBNET:
                show(hop, LANE_SUBNET)
            elif stage == 0 and kind == k.ROUTE_TABLE:
                show(hop, LANE_RT)
                stage = 1
            elif stage == 0 and kind == k.UNRESOLVED:
                # After a subnet, an unknown hop is its route table (the VPC is not in the source).
                after_subnet = bool(nodes) and self.graph.kind(nodes[-1]) == k.SUBNET
                show(hop, LANE_RT if after_subnet else LANE_SUBNET)
                stage = 1 if after_subnet else stage
            elif private is not None and hop in target_subnets and private in self.g:
                show(private, LANE_DEST)
                folded[hop] = private
            elif stage == 2 and kind in (k.SUBNET, k.ROUTE_TABLE):
                fold(hop)
            elif kind in (k.NAT_GATEWAY, k.NAT_INSTANCE, k.VPC_ENDPOINT):
                show(hop, LANE_HOP)
                stage = 2
            elif kind in (k.INTERNET_GATEWAY, k.EGRESS_ONLY_IGW):
                show(hop, LANE_GATEWAY)
                stage = 3
            elif kind in (k.AWS_SERVICE, k.INTERNET, *k.PRIVATE_TARGET_KINDS):
                show(hop, LANE_DEST)
            elif kind in (k.SUBNET, k.ROUTE_TABLE):
                fold(hop)
            else:  # opaque gateways, unmodelled instances, unresolved route targets
                show(hop, LANE_HOP)
        return nodes, folded

    def _fold_detail(self, node: PNode, hop: str) -> None:
        kind = self.graph.kind(hop)
        if kind == k.SECURITY_GROUP and node.kind == k.HYPERPLANE_ENI:
            return  # the ENI node already names its security groups
        if kind == k.NETWORK_ACL and node.kind == k.SUBNET:
            return  # the subnet node already says when its ACL is custom
        text = f"via {pretty(hop)}" + (f" ({_loc(self.g.nodes[hop])})" if _loc(self.g.nodes.get(hop)) else "")
        node.details.add(text)

    # findings ---------------------------------------------------------------------------------------
    def _path_findings(self, fid: str, need: str, hops: list[str], v: Verdict) -> list[Finding]:
        """The findings that explain this path: same function and hop list, or keyed by its need.

        Looked up in the function's index rather than filtered from all its findings: a function declaring
        thousands of needs has a path and a finding per need, and a scan per path would be quadratic."""
        labels = (fid, *(h.split(":", 1)[1] if h.startswith("unresolved:") else h for h in hops))
        targets, by_path, by_need = self._index(fid)
        blocked = v.status != REACHABLE
        chosen = {*by_path.get((labels, None), ()), *by_path.get((labels, need), ())}
        if blocked:
            chosen.update(by_need.get(need, ()))
        findings = self._findings_by_fn.get(fid, [])
        out = []
        for i in sorted(chosen):  # in the findings' order, as a scan of them would give
            f = findings[i]
            if f.need in targets and f.need != need:
                continue  # about another need that happens to take the same hops (s3 and internet via NAT)
            if len(f.path) < 3 and not (blocked and f.need == need):
                continue  # a function-level note (VR301, VR302), not a path explanation
            out.append(f)
        return out

    def _index(self, fid: str) -> _FindingIndex:
        """A function's need targets, and the positions of its findings by the need they explain and by
        (hop list, that need, or None when they are about none of the function's needs)."""
        found = self._indexes.get(fid)
        if found is None:
            fn_result = self.a.functions.get(fid)
            targets = {nr.need.target for nr in fn_result.needs} if fn_result else set()
            by_path: dict[tuple[tuple[str, ...], str | None], list[int]] = {}
            by_need: dict[str, list[int]] = {}
            for i, f in enumerate(self._findings_by_fn.get(fid, [])):
                about = f.need if f.need in targets else None
                by_path.setdefault((tuple(f.path), about), []).append(i)
                if f.need is not None:
                    by_need.setdefault(f.need, []).append(i)
            found = self._indexes[fid] = (targets, by_path, by_need)
        return found

    def _add_finding(self, node: PNode, f: Finding) -> None:
        where = f"{f.file}:{f.line}" if f.line else f.file
        pf = PFinding(f.rule_id, f.severity, f.message, where, f.suppressed is not None)
        node.findings.add(pf)

    def _attach_findings(self) -> None:
        fn_nodes: dict[str, PNode] = {}
        for n in self.view.nodes.values():
            if n.kind == "function":
                for member, _ in n.members:
                    fn_nodes[member] = n
        users: dict[str, list[PNode]] = {}  # folded objects (security groups, ACLs) → the nodes showing them
        for n in self.view.nodes.values():
            if n.kind == k.HYPERPLANE_ENI:
                for sg, _ in self.graph.out(n.id, k.USES_SG):
                    users.setdefault(sg, []).append(n)
            elif n.kind == k.SUBNET:
                for acl, _ in self.graph.out(n.id, k.NACL):
                    users.setdefault(acl, []).append(n)
        for f in self.a.findings:
            if f.resource in fn_nodes:
                targets = [fn_nodes[f.resource]]
            elif f.resource in self.view.nodes:
                targets = [self.view.nodes[f.resource]]
            else:
                targets = users.get(f.resource, [])
            outside = f.functions and not any(fid in fn_nodes for fid in f.functions)
            if self.patterns and f.resource not in fn_nodes and outside:
                continue  # about functions outside the picture
            for node in targets:
                self._add_finding(node, f)
                # Function nodes carry only their own errors as badges; info is in the tooltip.
                if f.suppressed is None and f.severity != "info":
                    node.mark(f.rule_id, f.severity)


# --- what each kind of node says ---------------------------------------------------------------------------
def _describe_eni(b: _Builder, node: PNode, _obj: object, data: dict) -> None:
    group = data.get("group")
    node.kind = k.HYPERPLANE_ENI
    if group is None:
        return
    sgs = [pretty(s) for s in group.security_groups] or ["no security group"]
    n = len(group.functions)
    node.members = [(f, _loc(b.g.nodes.get(f))) for f in group.functions]
    node.loc = ""
    if group.compute:
        # A capacity provider's instances or a connector's interfaces in one subnet (DESIGN decision 11).
        what = "Managed Instances" if group.compute_kind == "capacity_provider" else "connector ENIs"
        node.title = f"{pretty(group.compute)}: {what}"
        # Drawn inside a box of its own, as an Availability Zone box holds its subnets.
        node.cluster = f"{group.compute_kind.replace('_', ' ')} {pretty(group.compute)}"
        node.lines.append(f"in {pretty(group.subnet)} · {' + '.join(sgs)} · {n} function{'s' if n != 1 else ''}")
        node.details.append(
            f"{group.compute_kind.replace('_', ' ')} {pretty(group.compute)} in subnet {pretty(group.subnet)} × "
            f"{{{', '.join(sgs)}}}"
        )
        return
    node.title = "ENI " + " + ".join(sgs)
    node.lines.append(f"in {pretty(group.subnet)} · {n} function{'s' if n != 1 else ''}")
    node.details.append(f"Hyperplane ENI for subnet {pretty(group.subnet)} × {{{', '.join(sgs)}}}")


def _describe_subnet(b: _Builder, node: PNode, obj: object, _data: dict) -> None:
    subnet = obj if isinstance(obj, m.Subnet) else None
    node.cluster = _az(subnet)
    if subnet is None:
        return
    cidr = subnet.cidr_v4 if isinstance(subnet.cidr_v4, str) else ("CIDR unknown" if subnet.cidr_v4 else "")
    if subnet.cidr_v6 is not None:
        cidr = f"{cidr} + IPv6" if cidr else "IPv6"
    node.lines.append(cidr or "no IPv4 CIDR")
    for acl, _ in b.graph.out(subnet.id, k.NACL):
        acl_obj = b.graph.obj(acl)
        if isinstance(acl_obj, m.NetworkAcl) and (not acl_obj.is_default or not _allow_all(acl_obj)):
            node.lines.append(f"NACL {pretty(acl)}")
            node.details.append(f"network ACL {pretty(acl)} ({_loc(b.g.nodes[acl])})")
        elif b.graph.kind(acl) == k.UNRESOLVED:
            node.lines.append("NACL unknown")


def _describe_rt(b: _Builder, node: PNode, obj: object, data: dict) -> None:
    rt = obj if isinstance(obj, m.RouteTable) else None
    if data.get("synthetic") or (rt and rt.is_main):
        node.lines.append("main route table")
    for target, edge in sorted(b.graph.out(node.id, k.ROUTE), key=lambda te: str(te[1].get("destination"))):
        if edge.get("local"):
            continue
        dest = edge.get("destination")
        dest_text = dest.reason if isinstance(dest, m.Unknown) else str(dest)
        node.details.append(f"route {dest_text} → {pretty(target)}")
    default = [t for t, e in b.graph.out(node.id, k.ROUTE) if e.get("destination") == "0.0.0.0/0"]
    if default:
        node.lines.append(f"0.0.0.0/0 → {pretty(default[0])}")
    else:
        node.lines.append("no default route")


def _describe_nat(b: _Builder, node: PNode, obj: object, _data: dict) -> None:
    if isinstance(obj, m.NatGateway):
        if obj.regional:
            facts = ["regional"]
        elif isinstance(obj.connectivity, m.Unknown):
            facts = ["connectivity unknown"]
        elif obj.connectivity == "private":
            facts = ["private"]
        elif obj.has_public_ip is True:
            facts = ["public", "EIP"]
        elif obj.has_public_ip is False:
            facts = ["public", "no EIP"]
        else:
            facts = ["public", "EIP unknown"]
        node.title = f"{node.id} ({', '.join(facts)})"
        where = f" in {pretty(obj.subnet)}" if isinstance(obj.subnet, str) else ""
        node.lines.append(f"NAT gateway{where}")
    elif isinstance(obj, m.Instance):
        node.lines.append("NAT instance" if obj.source_dest_check is False else "EC2 instance")
        if obj.public_ip is True:
            node.title = f"{node.id} (public IP)"


def _describe_igw(_b: _Builder, node: PNode, _obj: object, data: dict) -> None:
    node.lines.append("egress-only internet gateway" if data.get("kind") == k.EGRESS_ONLY_IGW else "internet gateway")


def _describe_endpoint(_b: _Builder, node: PNode, obj: object, _data: dict) -> None:
    if not isinstance(obj, m.VpcEndpoint):
        return
    etype = obj.endpoint_type.lower() if isinstance(obj.endpoint_type, str) else "unknown-type"
    service = obj.service if isinstance(obj.service, str) else "unknown service"
    short = service.rsplit(".", 1)[-1] if service.startswith(("com.amazonaws.", "aws.api.")) else service
    text = f"{etype} endpoint · {short}"
    if etype == "interface":
        text += " · private DNS" if obj.private_dns is True else " · no private DNS"
    node.lines.append(text)


def _describe_service(_b: _Builder, node: PNode, _obj: object, data: dict) -> None:
    node.title = f"{data.get('service', pretty(node.id))} API"
    node.lines.append("AWS service")


def _describe_internet(_b: _Builder, node: PNode, _obj: object, _data: dict) -> None:
    node.title = "internet"


def _describe_target(_b: _Builder, node: PNode, obj: object, data: dict) -> None:
    what = data.get("kind", "").replace("_", " ")
    port = getattr(obj, "port", None)
    node.lines.append(f"{what} :{port}" if isinstance(port, int) else what)


def _describe_opaque(_b: _Builder, node: PNode, _obj: object, data: dict) -> None:
    node.lines.append(f"{data.get('kind', '').replace('_', ' ')} (far side not in the source)")


def _describe_other(_b: _Builder, node: PNode, _obj: object, data: dict) -> None:
    if data.get("kind", k.UNRESOLVED) != k.UNRESOLVED:
        return
    node.kind = k.UNRESOLVED
    reason = str(data.get("reason") or "")
    if node.title == "blackhole" or node.title.startswith("no target on "):
        node.lines.append("blackhole route" if node.title == "blackhole" else "route without a target")
    elif " " in node.title:
        # Named after why it is unknown (an unresolved value), not after an id: say what it stands for.
        what = {LANE_SUBNET: "subnet", LANE_RT: "route table"}.get(node.lane, "route target")
        node.title = f"unknown {what}"
        node.lines.append(_clip_words(reason or pretty(node.id), 48))
    else:
        node.lines.append("not in the source")  # an id from outside the template: subnet-0abc, nat-0abc
    if reason:
        node.details.append(reason)


def _escape_texts(view: View) -> None:
    """Escape every text of the view the renderers show (see the module docstring)."""
    view.source = escape(view.source)
    view.notes = [escape(t) for t in view.notes]
    for n in view.nodes.values():
        n.title, n.cluster, n.loc = escape(n.title), escape(n.cluster), escape(n.loc)
        n.lines = [escape(t) for t in n.lines]
        n.members = [(escape(name), escape(loc)) for name, loc in n.members]
        n.details, n.reasons = Unique(map(escape, n.details)), Unique(map(escape, n.reasons))
        n.findings = Unique(
            PFinding(f.rule_id, f.severity, escape(f.message), escape(f.where), f.suppressed) for f in n.findings
        )
    for e in view.edges.values():
        e.needs = Unique(map(escape, e.needs))
    for p in view.paths:
        p.need, p.detail = escape(p.need), escape(p.detail)


def _clip_words(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


_DESCRIBE = {
    k.HYPERPLANE_ENI: _describe_eni,
    k.SUBNET: _describe_subnet,
    k.ROUTE_TABLE: _describe_rt,
    k.NAT_GATEWAY: _describe_nat,
    k.NAT_INSTANCE: _describe_nat,
    k.INSTANCE: _describe_nat,
    k.INTERNET_GATEWAY: _describe_igw,
    k.EGRESS_ONLY_IGW: _describe_igw,
    k.VPC_ENDPOINT: _describe_endpoint,
    k.AWS_SERVICE: _describe_service,
    k.INTERNET: _describe_internet,
    **{kind: _describe_target for kind in k.PRIVATE_TARGET_KINDS},
    **{kind: _describe_opaque for kind in (*k.OPAQUE_KINDS, k.VPN_GATEWAY)},
}


def build_view(analysis: Analysis, functions: list[str] | None = None) -> View:
    """The picture of one analysis; `functions` (names or globs) narrows it to those functions' paths."""
    return _Builder(analysis, functions).build()


def build_views(analyses: list[Analysis], functions: list[str] | None = None) -> list[View]:
    views = [build_view(a, functions) for a in analyses]
    return [v for v in views if v.nodes] if functions else views
