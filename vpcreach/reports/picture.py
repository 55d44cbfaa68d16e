"""Pictures of the paths: Graphviz DOT, Mermaid, and a self-contained HTML page drawn as inline SVG.

All three draw the same view model (`picture_model.build_views`): functions → Hyperplane ENI groups →
subnets by AZ → route tables → next hops → gateways → destinations, each need's path coloured by its
verdict (green reachable, red blocked with the blocking hop and rule id marked, grey dashed unknown;
slate dotted for the default route of a function with no known need).

The HTML page is laid out here in Python (`picture_layout`) rather than by a vendored JavaScript graph
library: the lanes are fixed, so a layered layout is a few hundred lines, the page stays small, opens
offline, renders the same in every browser and in a test, and its only script is the hover/click panel.
"""

from __future__ import annotations

import gc
import html
import json
import os
import re
from typing import TYPE_CHECKING

from vpcreach.output import escape

from .picture_model import (
    BLOCKED,
    LANE_ENI,
    LANE_RT,
    LANE_SUBNET,
    LANE_TITLES,
    REACHABLE,
    ROUTE,
    UNKNOWN,
    PEdge,
    PNode,
    View,
    build_views,
)

if TYPE_CHECKING:
    from vpcreach.analyzer.analysis import Analysis

FORMATS = ("dot", "mermaid", "html")

COLOUR = {REACHABLE: "#1a7f37", BLOCKED: "#cf222e", UNKNOWN: "#8c959f", ROUTE: "#5b6b8c"}
SEVERITY_COLOUR = {"error": "#cf222e", "warning": "#bf8700", "info": "#0969da"}
# fill, border per node kind
STYLE = {
    "function": ("#fdebd0", "#c98a2e"),
    "hyperplane_eni": ("#ede9fe", "#7c6fd0"),
    "subnet": ("#e0f2fe", "#4a8fc9"),
    "route_table": ("#f3f4f6", "#8b949e"),
    "nat_gateway": ("#fff4d6", "#c9961a"),
    "nat_instance": ("#fff4d6", "#c9961a"),
    "instance": ("#fff4d6", "#c9961a"),
    "vpc_endpoint": ("#dcfce7", "#3f9a5d"),
    "internet_gateway": ("#e0e7ff", "#5a6bd0"),
    "egress_only_igw": ("#e0e7ff", "#5a6bd0"),
    "internet": ("#eef2f6", "#57606a"),
    "aws_service": ("#fae8ff", "#a35bc9"),
    "unresolved": ("#f6f8fa", "#8c959f"),
}
DEFAULT_STYLE = ("#fce7f3", "#c2588f")  # private targets, opaque gateways
# Lanes whose nodes are drawn in boxes: subnets in their Availability Zone, a capacity provider's or network
# connector's groups in the provider or connector (DESIGN decision 11).
_BOXED = (LANE_ENI, LANE_SUBNET)
_LABELLED_FROM = LANE_RT  # before the route table every path of a function shares its needs: no labels


def _style(node: PNode) -> tuple[str, str]:
    return STYLE.get(node.kind, DEFAULT_STYLE)


def _badges(node: PNode) -> list[str]:
    sym = {"error": "✗", "warning": "⚠", "info": "i"}
    order = ("error", "warning", "info")
    return [f"{sym[sev]} {rid}" for rid, sev in sorted(node.marks.items(), key=lambda t: (order.index(t[1]), t[0]))]


def _edge_label(edge: PEdge, limit: int = 3) -> str:
    needs = edge.needs[:limit]
    more = len(edge.needs) - len(needs)
    return ", ".join(needs) + (f" +{more}" if more > 0 else "")


def _edge_tip(edge: PEdge) -> str:
    status = "default route, no need known" if edge.status == ROUTE else edge.status
    return f"{', '.join(edge.needs)}: {status}" + (f" ({', '.join(edge.rules)})" if edge.rules else "")


def _tooltip(node: PNode, full: bool = True) -> str:
    """The hover text. `full=False` (DOT) leaves out the analyzer's prose so snapshots change only when
    the picture does; the HTML page shows everything."""
    parts = [node.title, *node.lines]
    if node.loc:
        parts.append(f"defined at {node.loc}")
    parts += node.reasons if full else [r.split(":", 1)[0] + ": " + node.status for r in node.reasons]
    parts += node.details
    if node.members:
        names = [m for m, _ in node.members]
        parts.append("functions: " + ", ".join(names[:20]) + (f" … ({len(names)} in all)" if len(names) > 20 else ""))
    shown = [f for f in node.findings if full or f.severity != "info"]
    for f in shown[:10]:
        text = f.message if full else f.where
        parts.append(f"{f.rule_id} {f.severity}{' (suppressed)' if f.suppressed else ''}: {text}")
    if len(shown) > 10:
        parts.append(f"… {len(shown) - 10} more findings")
    return "\n".join(parts)


# --- DOT ---------------------------------------------------------------------------------------------------
def _zone_order(title: str) -> tuple:
    """Zone boxes in the Region's order: `AZ #2` before `AZ #10`, names (`eu-west-1a`) alphabetically."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", title))


def _dot_str(text: str) -> str:
    """A quoted DOT string; the newlines of `text` are line breaks of the label. The view model's texts are
    escaped already; node ids are not, and get the same escape here."""
    lines = (escape(line).replace("\\", "\\\\").replace('"', '\\"') for line in text.split("\n"))
    return '"' + "\\n".join(lines) + '"'


def to_dot(views: list[View]) -> str:
    out = [
        "digraph vpcreach {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=0.7, newrank=true];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    many = len(views) > 1
    for i, view in enumerate(views):
        prefix = f"s{i}/" if many else ""
        indent = "    " if many else "  "
        if many:
            out.append(f"  subgraph cluster_source_{i} {{")
            out.append(f'    label={_dot_str(view.source)}; style="rounded"; color="#57606a";')
        clusters: dict[str, list[PNode]] = {}
        for node in view.sorted_nodes():
            if node.cluster and node.lane in _BOXED:
                clusters.setdefault(node.cluster, []).append(node)
                continue
            out.append(indent + _dot_node(node, prefix))
        for j, (title, members) in enumerate(sorted(clusters.items(), key=lambda c: _zone_order(c[0]))):
            out.append(f"{indent}subgraph cluster_{i}_az_{j} {{")
            out.append(f'{indent}  label={_dot_str(title)}; style="rounded,dashed"; color="#8c959f"; fontsize=10;')
            out.extend(indent + "  " + _dot_node(n, prefix) for n in members)
            out.append(indent + "}")
        for edge in view.sorted_edges():
            attrs = [f'color="{COLOUR[edge.status]}"', f'fontcolor="{COLOUR[edge.status]}"']
            if edge.status == UNKNOWN:
                attrs.append("style=dashed")
            elif edge.status == ROUTE:
                attrs.append("style=dotted")
            else:
                attrs.append("penwidth=2")
            if view.nodes[edge.src].lane >= _LABELLED_FROM:
                attrs.append(f"label={_dot_str(_edge_label(edge))}")
            attrs.append(f"tooltip={_dot_str(_edge_tip(edge))}")
            out.append(f"{indent}{_dot_str(prefix + edge.src)} -> {_dot_str(prefix + edge.dst)} [{', '.join(attrs)}];")
        if many:
            out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_node(node: PNode, prefix: str) -> str:
    fill, border = _style(node)
    label = "\n".join([node.title, *node.lines, *([" ".join(_badges(node))] if node.marks else [])])
    round_ = node.kind not in ("internet", "aws_service")
    attrs = {"label": _dot_str(label), "fillcolor": f'"{fill}"', "color": f'"{border}"'}
    if not round_:
        attrs = {"shape": "ellipse", **attrs, "style": '"filled"'}
    if node.status == BLOCKED:
        attrs.update(color=f'"{COLOUR[BLOCKED]}"', penwidth="3")
    elif node.status == UNKNOWN or node.kind == "unresolved":
        attrs.update(style='"rounded,filled,dashed"' if round_ else '"filled,dashed"', penwidth="2")
    attrs["tooltip"] = _dot_str(_tooltip(node, full=False))
    return f"{_dot_str(prefix + node.id)} [{', '.join(f'{k}={v}' for k, v in attrs.items())}];"


# --- Mermaid -----------------------------------------------------------------------------------------------
_MM_ENTITY = re.compile(r"#(?=\w*;)")  # a # that would start an entity code (#quot;, #35;)
_MM_CODES = str.maketrans({'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#38;", "%": "#37;", "`": "#96;"})


def _mm_text(text: str) -> str:
    """Text for a quoted Mermaid label. Mermaid reads entity codes (#quot;, #35;) inside quoted labels, so
    every character with a meaning there is written as one: the quote that would end the label, angle
    brackets and & (taken as HTML), % (a `%%{init: ...}%%` directive is searched for in the whole text,
    labels included), ` (starts a markdown string) and a # that would start an entity itself."""
    return _MM_ENTITY.sub("#35;", escape(text)).translate(_MM_CODES)


_MM_SHAPE = {"internet": ('(("', '"))'), "aws_service": ('(["', '"])'), "function": ('(["', '"])')}


def to_mermaid(views: list[View]) -> str:
    out = ["flowchart LR"]
    links: list[str] = []
    classes: dict[str, list[str]] = {}
    ids: dict[tuple[int, str], str] = {}
    for i, view in enumerate(views):
        for node in view.sorted_nodes():
            ids[(i, node.id)] = f"n{len(ids)}"
    many = len(views) > 1
    for i, view in enumerate(views):
        indent = "  "
        if many:
            # A subgraph is drawn top to bottom unless told otherwise: each source reads left to right like
            # the whole chart, and the sources stack in the order they were named.
            out.append(f'  subgraph src{i}["{_mm_text(view.source)}"]')
            out.append("    direction LR")
            indent = "    "
        clusters: dict[str, list[PNode]] = {}
        for node in view.sorted_nodes():
            if node.cluster and node.lane in _BOXED:
                clusters.setdefault(node.cluster, []).append(node)
            else:
                out.append(indent + _mm_node(ids[(i, node.id)], node))
        for j, (title, members) in enumerate(sorted(clusters.items(), key=lambda c: _zone_order(c[0]))):
            out.append(f'{indent}subgraph az{i}_{j}["{_mm_text(title)}"]')
            out.extend(indent + "  " + _mm_node(ids[(i, n.id)], n) for n in members)
            out.append(indent + "end")
            out.append(f"{indent}style az{i}_{j} fill:#f6f8fa,stroke:#8c959f,stroke-dasharray:5 4")
        for node in view.sorted_nodes():
            cls = "k_" + node.kind if node.kind in STYLE else "k_target"
            classes.setdefault(cls, []).append(ids[(i, node.id)])
            if node.status in (BLOCKED, UNKNOWN):
                classes.setdefault("s_" + node.status, []).append(ids[(i, node.id)])
        for edge in view.sorted_edges():
            arrow = "-.->" if edge.status in (UNKNOWN, ROUTE) else "==>" if edge.status == BLOCKED else "-->"
            label = f'|"{_mm_text(_edge_label(edge))}"|' if view.nodes[edge.src].lane >= _LABELLED_FROM else ""
            out.append(f"{indent}{ids[(i, edge.src)]} {arrow}{label} {ids[(i, edge.dst)]}")
            width = {UNKNOWN: "1.5px", ROUTE: "1.5px", BLOCKED: "3px"}.get(edge.status, "2px")
            links.append(f"  linkStyle {len(links)} stroke:{COLOUR[edge.status]},stroke-width:{width}")
        if many:
            out.append("  end")
    for kind, (fill, border) in {**STYLE, "target": DEFAULT_STYLE}.items():
        if f"k_{kind}" in classes:
            out.append(f"  classDef k_{kind} fill:{fill},stroke:{border},color:#1f2328")
    if "s_blocked" in classes:
        out.append(f"  classDef s_blocked stroke:{COLOUR[BLOCKED]},stroke-width:3px")
    if "s_unknown" in classes:
        out.append(f"  classDef s_unknown stroke:{COLOUR[UNKNOWN]},stroke-width:2px,stroke-dasharray:4 3")
    for cls in sorted(classes):
        out.append(f"  class {','.join(classes[cls])} {cls}")
    out.extend(links)
    return "\n".join(out) + "\n"


def _mm_node(mid: str, node: PNode) -> str:
    lines = [f"<b>{_mm_text(node.title)}</b>", *(_mm_text(t) for t in node.lines)]
    if node.marks:
        lines.append(_mm_text(" ".join(_badges(node))))
    open_, close = _MM_SHAPE.get(node.kind, ('["', '"]'))
    if node.kind in ("nat_gateway", "nat_instance"):
        open_, close = '{{"', '"}}'
    return f"{mid}{open_}{'<br/>'.join(lines)}{close}"


# --- HTML ----------------------------------------------------------------------------------------------------
TITLE_SIZE = 12.5
LINE_SIZE = 11
BADGE_SIZE = 10
PAD_X = 10
PAD_Y = 7
LINE_H = 14


def _box_size(node: PNode) -> tuple[float, float]:
    from .picture_layout import text_width

    width = max([text_width(node.title, TITLE_SIZE, True), *(text_width(t, LINE_SIZE) for t in node.lines)])
    return min(max(width + 2 * PAD_X, 90.0), 420.0), 2 * PAD_Y + LINE_H + 2 + LINE_H * len(node.lines)


def _clip(text: str, width: float, size: float, bold: bool = False) -> str:
    from .picture_layout import fitting_prefix, text_width

    if text_width(text, size, bold) <= width + 1:  # the box was sized from this very width
        return text
    return text[: fitting_prefix(text, width, size, bold, suffix="…")] + "…"


def _svg(view: View, vi: int) -> tuple[str, dict]:
    from .picture_layout import Box, layout, text_width

    e = html.escape
    nodes = view.sorted_nodes()
    index = {n.id: f"v{vi}n{i}" for i, n in enumerate(nodes)}
    boxes = []
    for n in nodes:
        w, h = _box_size(n)
        boxes.append(Box(n.id, n.lane, w, h, n.cluster if n.lane in _BOXED else ""))
    edges = view.sorted_edges()
    labelled = {edge.key: _edge_label(edge) for edge in edges if view.nodes[edge.src].lane >= _LABELLED_FROM}
    lay = layout(
        boxes,
        [(edge.src, edge.dst, edge.key) for edge in edges],
        {key: text_width(text, 10) for key, text in labelled.items()},
        lanes=sorted({n.lane for n in nodes}),
    )
    parts = [
        f'<svg class="picture" width="{lay.width:.0f}" height="{lay.height:.0f}" '
        f'viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" role="img" aria-label="{e("Network paths of " + view.source)}">',
        "<defs>",
    ]
    for status, colour in COLOUR.items():
        parts.append(
            f'<marker id="a{vi}-{status}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
            f'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    parts.append("</defs>")
    for lane, x, w in lay.columns:
        parts.append(
            f'<text class="lane" x="{x + w / 2:.1f}" y="{24 + 14:.1f}" text-anchor="middle">{e(LANE_TITLES[lane])}</text>'
        )
    for title, x, y, w, h in lay.clusters:
        parts.append(
            f'<g class="az"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8"/>'
            f'<text x="{x + 8:.1f}" y="{y + 14:.1f}">{e(title)}</text></g>'
        )
    # Edges first, so boxes sit on top; the worst status drawn last so red stays visible.
    for edge in sorted(edges, key=lambda ed: ("reachable", "route", "unknown", "blocked").index(ed.status)):
        pts = lay.routes[edge.key]
        d = _path_d(pts)
        tip = _edge_tip(edge)
        paths = " ".join(str(p) for p in sorted(edge.paths))
        parts.append(
            f'<path class="edge e-{edge.status}" d="{d}" marker-end="url(#a{vi}-{edge.status})" '
            f'data-paths="{paths}" data-src="{index[edge.src]}" data-dst="{index[edge.dst]}"><title>{e(tip)}</title></path>'
        )
    stacked: dict[tuple[str, str], tuple[float, float, int]] = {}
    for edge in edges:
        if edge.key in labelled:
            # Parallel edges (one per status) share an anchor; their labels stack upwards.
            x, y, j = stacked.get((edge.src, edge.dst), (*lay.labels[edge.key], 0))
            stacked[(edge.src, edge.dst)] = (x, y, j + 1)
            y -= j * 11
            parts.append(
                f'<text class="elabel l-{edge.status}" x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'data-paths="{" ".join(str(p) for p in sorted(edge.paths))}">{e(labelled[edge.key])}</text>'
            )
    data: dict[str, dict] = {}
    for n in nodes:
        box = lay.boxes[n.id]
        fill, border = _style(n)
        status = f" s-{n.status}" if n.status else ""
        paths = " ".join(str(p) for p in sorted(n.paths))
        parts.append(
            f'<g class="node k-{e(n.kind)}{status}" id="{index[n.id]}" tabindex="0" data-paths="{paths}">'
            f"<title>{e(_tooltip(n))}</title>"
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="7" '
            f'fill="{fill}" stroke="{border}"/>'
        )
        ty = box.y + PAD_Y + 11
        inner = box.w - 2 * PAD_X
        parts.append(
            f'<text class="t" x="{box.x + PAD_X:.1f}" y="{ty:.1f}">{e(_clip(n.title, inner, TITLE_SIZE, True))}</text>'
        )
        for line in n.lines:
            ty += LINE_H
            parts.append(
                f'<text class="l" x="{box.x + PAD_X:.1f}" y="{ty + 2:.1f}">{e(_clip(line, inner, LINE_SIZE))}</text>'
            )
        bx = box.x + box.w
        for badge, (_rid, sev) in zip(
            reversed(_badges(n)),
            reversed(sorted(n.marks.items(), key=lambda t: (("error", "warning", "info").index(t[1]), t[0]))),
        ):
            bw = text_width(badge, BADGE_SIZE, True) + 10
            bx -= bw + 3
            parts.append(
                f'<g class="badge b-{sev}"><rect x="{bx:.1f}" y="{box.y - 9:.1f}" width="{bw:.1f}" height="15" rx="7" '
                f'fill="{SEVERITY_COLOUR[sev]}"/><text x="{bx + bw / 2:.1f}" y="{box.y + 2:.1f}" '
                f'text-anchor="middle">{e(badge)}</text></g>'
            )
        parts.append("</g>")
        data[index[n.id]] = {
            "title": n.title,
            "kind": n.kind.replace("_", " "),
            "lines": n.lines,
            "loc": n.loc,
            "status": n.status,
            "reasons": n.reasons,
            "details": n.details,
            "members": [{"name": name, "loc": loc} for name, loc in n.members],
            "findings": [f.as_dict() for f in n.findings],
        }
    parts.append("</svg>")
    return "\n".join(parts), data


def _path_d(pts: list[tuple[float, float]]) -> str:
    """Smooth curves between points, straight runs through skipped columns."""
    (x0, y0), rest = pts[0], pts[1:]
    d = [f"M{x0:.1f},{y0:.1f}"]
    for i, (x1, y1) in enumerate(rest):
        straight = i % 2 == 1 and i < len(rest) - 1  # inside a skipped column: from its left to its right side
        if straight:
            d.append(f"L{x1:.1f},{y1:.1f}")
        else:
            mid = (x0 + x1) / 2
            d.append(f"C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(d)


_CSS = """
:root { color-scheme: light; }
body { margin: 0; font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #1f2328; background: #fff; }
header { padding: 12px 20px 4px; border-bottom: 1px solid #d0d7de; }
h1 { font-size: 18px; margin: 0 0 6px; }
h2 { font-size: 14px; margin: 14px 20px 4px; font-weight: 600; }
.legend { font-size: 12px; display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0; align-items: center; }
.legend svg { vertical-align: middle; }
.hint { font-size: 12px; color: #57606a; margin: 2px 0 6px; }
.scroll { overflow: auto; padding: 0 8px 16px; }
svg.picture { max-width: 100%; height: auto; }
nav.index { font-size: 12.5px; margin: 6px 0 8px; }
nav.index ol { margin: 4px 0; padding-left: 22px; columns: 2 420px; }
nav.index li { margin: 1px 0; break-inside: avoid; }
.clean-mark { color: #1a7f37; } .problem-mark { color: #cf222e; } .unchecked-mark { color: #9a6700; }
body.only-problems .clean { display: none; }
aside { position: fixed; right: 12px; bottom: 12px; width: 360px; max-height: 60vh; overflow: auto;
  border: 1px solid #d0d7de; border-radius: 8px; box-shadow: 0 4px 14px rgba(31,35,40,.15);
  background: #f6f8fa; padding: 12px 14px; box-sizing: border-box; font-size: 12.5px; display: none; }
aside.open { display: block; }
aside h3 { margin: 0 0 2px; font-size: 15px; word-break: break-all; }
aside .kind { color: #57606a; margin-bottom: 8px; }
aside ul { padding-left: 18px; margin: 4px 0 10px; }
aside li { margin: 2px 0; }
aside .f-error b { color: #cf222e; } aside .f-warning b { color: #9a6700; } aside .f-info b { color: #0969da; }
aside .loc { font-family: "Liberation Mono", monospace; font-size: 11.5px; word-break: break-all; }
svg.picture text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; }
.lane { font-size: 12px; font-weight: bold; fill: #57606a; }
.az rect { fill: #f6f8fa; stroke: #8c959f; stroke-dasharray: 5 4; }
.az text { font-size: 11px; fill: #57606a; font-weight: bold; }
.node { cursor: pointer; }
.node rect { stroke-width: 1.3; }
.node .t { font-size: 12.5px; font-weight: bold; }
.node .l { font-size: 11px; fill: #3d444d; }
.node.s-blocked > rect { stroke: #cf222e; stroke-width: 3; }
.node.s-unknown > rect { stroke: #6e7781; stroke-width: 2; stroke-dasharray: 5 3; }
.k-unresolved > rect { stroke-dasharray: 4 3; }
.node:focus { outline: none; } .node:focus > rect, .node.sel > rect { stroke: #0969da; stroke-width: 3; }
.badge text { font-size: 10px; font-weight: bold; fill: #fff; }
.edge { fill: none; stroke-width: 2; }
.e-reachable { stroke: #1a7f37; } .e-blocked { stroke: #cf222e; stroke-width: 2.5; }
.e-unknown { stroke: #8c959f; stroke-dasharray: 6 4; } .e-route { stroke: #5b6b8c; stroke-width: 1.5; stroke-dasharray: 2 4; }
.elabel { font-size: 10px; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.l-reachable { fill: #1a7f37; } .l-blocked { fill: #cf222e; font-weight: bold; } .l-unknown { fill: #57606a; } .l-route { fill: #5b6b8c; }
svg.dim .edge, svg.dim .elabel, svg.dim .node { opacity: 0.15; }
svg.dim .on { opacity: 1; }
"""

_JS = """
(function () {
  var data = JSON.parse(document.getElementById('vpcreach-data').textContent);
  var panel = document.getElementById('details');
  var pinned = null;
  function el(tag, text, cls) { var x = document.createElement(tag); if (text) x.textContent = text; if (cls) x.className = cls; return x; }
  function list(title, items) {
    if (!items.length) return;
    panel.appendChild(el('div', title)).style.fontWeight = 'bold';
    var ul = panel.appendChild(el('ul'));
    items.forEach(function (item) { ul.appendChild(item); });
  }
  function show(g) {
    var d = data[g.id]; if (!d) return;
    panel.textContent = '';
    panel.classList.add('open');
    panel.appendChild(el('h3', d.title));
    panel.appendChild(el('div', d.kind + (d.status ? ' \\u2014 ' + d.status + ' here' : ''), 'kind'));
    if (d.loc) { var p = panel.appendChild(el('div', 'Source: ')); p.appendChild(el('span', d.loc, 'loc')); }
    list('', d.lines.map(function (t) { return el('li', t); }));
    list('Why paths stop here', d.reasons.map(function (t) { return el('li', t); }));
    list('Findings', d.findings.map(function (f) {
      var li = el('li', '', 'f-' + f.severity);
      li.appendChild(el('b', f.rule_id + ' ' + f.severity + (f.suppressed ? ' (suppressed)' : '')));
      li.appendChild(document.createTextNode(': ' + f.message + ' '));
      li.appendChild(el('span', f.where, 'loc'));
      return li;
    }));
    list(g.classList.contains('k-function') ? 'Functions' : 'Functions sharing it', d.members.map(function (m) {
      var li = el('li', m.name + ' '); if (m.loc) li.appendChild(el('span', m.loc, 'loc')); return li;
    }));
    list('Folded in', d.details.map(function (t) { return el('li', t); }));
  }
  function highlight(g) {
    document.querySelectorAll('svg.picture').forEach(function (s) {
      s.classList.remove('dim'); s.querySelectorAll('.on, .sel').forEach(function (x) { x.classList.remove('on', 'sel'); });
    });
    if (!g) return;
    var svg = g.ownerSVGElement;
    var mine = (g.getAttribute('data-paths') || '').split(' ').filter(Boolean);
    svg.classList.add('dim'); g.classList.add('on', 'sel');
    svg.querySelectorAll('[data-paths]').forEach(function (x) {
      var theirs = x.getAttribute('data-paths').split(' ');
      if (mine.some(function (p) { return theirs.indexOf(p) >= 0; })) x.classList.add('on');
    });
  }
  document.querySelectorAll('g.node').forEach(function (g) {
    g.addEventListener('mouseenter', function () { if (!pinned) show(g); });
    g.addEventListener('focus', function () { show(g); });
    g.addEventListener('click', function (ev) {
      ev.stopPropagation();
      if (pinned === g) { pinned = null; highlight(null); return; }
      pinned = g; show(g); highlight(g);
    });
  });
  document.addEventListener('click', function () {
    if (pinned) { pinned = null; highlight(null); }
    panel.classList.remove('open');
  });
  // #Title in the address selects that box (a link to one function, NAT gateway...): title or box id.
  function fromHash() {
    var want = decodeURIComponent(location.hash.slice(1));
    if (!want) return;
    var found = Array.prototype.find.call(document.querySelectorAll('g.node'), function (g) {
      return g.id === want || (data[g.id] && data[g.id].title === want);
    });
    if (found) { pinned = found; show(found); highlight(found); }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
  var only = document.getElementById('only-problems');
  if (only) only.addEventListener('change', function () { document.body.classList.toggle('only-problems', only.checked); });
  document.documentElement.setAttribute('data-vpcreach', 'ready');
})();
"""


def _legend() -> str:
    items = []
    for status, text in (
        (REACHABLE, "reachable"),
        (BLOCKED, "blocked (red box: where it stops)"),
        (UNKNOWN, "unknown"),
        (ROUTE, "default route, no need known"),
    ):
        dash = {UNKNOWN: ' stroke-dasharray="6 4"', ROUTE: ' stroke-dasharray="2 4"'}.get(status, "")
        items.append(
            f'<span><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" stroke="{COLOUR[status]}" '
            f'stroke-width="2.5"{dash}/></svg> {html.escape(text)}</span>'
        )
    items.append(
        f'<span><b style="color:{SEVERITY_COLOUR["error"]}">✗ VR…</b> error · '
        f'<b style="color:{SEVERITY_COLOUR["warning"]}">⚠ VR…</b> warning</span>'
    )
    return '<div class="legend">' + "".join(items) + "</div>"


def _summary(view: View) -> tuple[str, str]:
    """A source's one-line summary and its class: `problem` (a blocked or unknown path, or a finding at warning
    or above), `unchecked` (functions whose needs are unknown: only their default routes are drawn, which is
    not a clean bill) or `clean`."""
    paths = [p for p in view.paths if p.status != ROUTE]
    blocked = sum(1 for p in paths if p.status == BLOCKED)
    unknown = sum(1 for p in paths if p.status == UNKNOWN)
    unchecked = sorted({p.function for p in view.paths if p.status == ROUTE})
    findings = any(sev in ("error", "warning") for n in view.nodes.values() for sev in n.marks.values())
    text = f"{len(paths)} path(s): {blocked} blocked, {unknown} unknown"
    if unchecked:
        text += f"; {len(unchecked)} function(s) with no known need: default routes only, nothing checked"
    kind = "problem" if blocked or unknown or findings else "unchecked" if unchecked else "clean"
    return text, kind


_MARK = {"problem": ("problem-mark", "✗"), "unchecked": ("unchecked-mark", "?"), "clean": ("clean-mark", "✓")}


def to_html(views: list[View], title: str = "vpcreach — network paths") -> str:
    e = html.escape
    sections = []
    index = []
    data: dict[str, dict] = {}
    for vi, view in enumerate(views):
        anchor = f"source-{vi}"
        if not view.nodes:
            sections.append(
                f'<section class="source clean" id="{anchor}"><h2>{e(view.source)}</h2>'
                "<p class='hint'>No VPC-attached function.</p></section>"
            )
            index.append(f'<li class="clean"><a href="#{anchor}">{e(view.source)}</a> — no VPC-attached function</li>')
            continue
        svg, node_data = _svg(view, vi)
        data.update(node_data)
        summary, kind = _summary(view)
        mark_class, mark = _MARK[kind]
        hidden = " clean" if kind == "clean" else ""
        sections.append(
            f'<section class="source{hidden}" id="{anchor}"><h2><span class="{mark_class}">{mark}</span> '
            f'{e(view.source)} <span class="hint">{e(summary)}</span></h2>'
            f'<div class="scroll">{svg}</div></section>'
        )
        index.append(
            f'<li class="{kind}"><span class="{mark_class}">{mark}</span> <a href="#{anchor}">{e(view.source)}</a>'
            f" — {e(summary)}</li>"
        )
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")
    # Many sources: an index to jump to each, and a switch that hides the sources with nothing to fix.
    nav = ""
    if len(views) > 1:
        nav = (
            '<nav class="index"><label><input type="checkbox" id="only-problems"> only sources with problems '
            "or functions whose needs are unknown</label>"
            f"<ol>{''.join(index)}</ol></nav>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head>\n<body>\n"
        f"<header><h1>{e(title)}</h1>{_legend()}"
        '<p class="hint">Traffic flows left to right. Hover a box to see where it is defined, its findings and, '
        "for an ENI group, the functions sharing it; click it to highlight the paths through it "
        f"(or add #NAME to the address).</p>{nav}</header>\n"
        f"<main>{''.join(sections)}</main>\n"
        '<aside id="details" aria-live="polite"></aside>\n'
        f'<script type="application/json" id="vpcreach-data">{blob}</script>\n'
        f"<script>{_JS}</script>\n</body></html>\n"
    )


# --- entry points ------------------------------------------------------------------------------------------
def render(analyses: list[Analysis], fmt: str, functions: list[str] | None = None) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}")
    # Drawing allocates millions of small objects and no reference cycles; with the analysis's large heap
    # alive, the cyclic collector's full passes would cost more than the drawing and grow with the square
    # of the picture (2,000 functions: 6 s of 9). It is paused meanwhile.
    enabled = gc.isenabled()
    gc.disable()
    try:
        views = build_views(analyses, functions)
        return to_dot(views) if fmt == "dot" else to_mermaid(views) if fmt == "mermaid" else to_html(views)
    finally:
        if enabled:
            gc.enable()


def write_html(analyses: list[Analysis], path: str | os.PathLike, functions: list[str] | None = None) -> None:
    """`scan --graph-out FILE`: the HTML picture of every scanned source."""
    from vpcreach.output import write_report

    write_report(render(analyses, "html", functions), os.fspath(path))
