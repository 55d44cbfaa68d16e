"""A layered left-to-right layout for the HTML picture, computed here so the page needs no script library.

The lanes (columns) are known in advance — traffic always flows functions → ENIs → subnets → route tables
→ next hops → gateways → destinations — so only two things are left to decide: the order of the boxes in
each column, and their vertical positions. That is the classic Sugiyama recipe minus its hardest step:
  1. edges that skip a column get a dummy point in each skipped column, so they bend around boxes;
  2. order each column by the barycenter of its neighbours, sweeping both ways a few times and keeping
     the order with the fewest crossings; boxes of one cluster (an Availability Zone) stay together;
  3. place boxes at the mean height of their neighbours, keeping order and gaps — a weighted isotonic
     regression (pool-adjacent-violators), which gives the least-squares placement in one pass.
Everything is deterministic: ties break on the order the caller gives.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

# Helvetica/Arial advance widths (per 1000 em) for printable ASCII: Liberation Sans and Arial share them,
# so a box sized from these fits its text in the fonts the page asks for.
_WIDTHS = (
    "278,278,355,556,556,889,667,191,333,333,389,584,278,333,278,278,556,556,556,556,556,556,556,556,556,556,"
    "278,278,584,584,584,556,1015,667,667,722,722,667,611,778,722,278,500,667,556,833,722,778,667,778,722,667,"
    "611,722,667,944,667,667,611,278,278,278,469,556,333,556,556,500,556,556,278,556,556,222,222,500,222,833,"
    "556,556,556,556,333,500,278,556,500,722,500,500,500,334,260,334,584"
)
_ADVANCE = [int(w) for w in _WIDTHS.split(",")]

MARGIN = 24
HEADER = 34  # room for the column titles
NODE_GAP = 16
CLUSTER_GAP = 54  # between two Availability Zone boxes: their padding and the lower one's title
CLUSTER_PAD_TOP = 32
CLUSTER_PAD = 10
DUMMY_GAP = 4
PARALLEL = 5  # vertical distance between parallel edges


def _units(c: str) -> int:
    return _ADVANCE[ord(c) - 32] if 32 <= ord(c) < 127 else 700


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(map(_units, text)) * size / 1000 * (1.1 if bold else 1.0)


def fitting_prefix(text: str, width: float, size: float, bold: bool = False, suffix: str = "") -> int:
    """The length of the longest prefix p of `text` with `text_width(p + suffix)` at most `width`: one pass
    over the text however long it is (cutting one character at a time and measuring again is quadratic)."""
    scale = size / 1000 * (1.1 if bold else 1.0)
    used = sum(map(_units, suffix))
    for i, c in enumerate(text):
        used += _units(c)
        if used * scale > width:
            return i
    return len(text)


@dataclass
class Box:
    id: str
    column: int
    w: float
    h: float
    cluster: str = ""
    x: float = 0.0
    y: float = 0.0  # top
    dummy: bool = False
    weight: int = 1  # parallel edges through a dummy

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: dict[object, list[tuple[float, float]]]  # edge key → points: start, bends, end
    labels: dict[object, tuple[float, float]]  # edge key → label anchor
    clusters: list[tuple[str, float, float, float, float]]  # title, x, y, w, h
    columns: list[tuple[int, float, float]]  # lane, x, width
    width: float
    height: float


@dataclass
class _Graph:
    columns: list[list[Box]] = field(default_factory=list)
    succ: dict[str, list[str]] = field(default_factory=dict)
    pred: dict[str, list[str]] = field(default_factory=dict)


def layout(
    boxes: list[Box],
    edges: list[tuple[str, str, object]],
    label_widths: dict[object, float] | None = None,
    lanes: list[int] | None = None,
) -> Layout:
    """`boxes` carry their lane in `column` and come in their preferred order; `edges` are (src, dst, key).

    Every step is linear (or n log n) in boxes plus edges, times a fixed number of sweeps.
    """
    label_widths = label_widths or {}
    lane_list = sorted(set(lanes or []) | {b.column for b in boxes})
    col_of = {lane: i for i, lane in enumerate(lane_list)}
    by_id = {b.id: b for b in boxes}
    g = _Graph([[] for _ in lane_list])
    for b in boxes:
        b.column = col_of[b.column]
        g.columns[b.column].append(b)
    # 1. dummies: one chain per (src, dst) pair, shared by its parallel edges
    chains: dict[tuple[str, str], list[str]] = {}
    linked: set[tuple[str, str]] = set()
    for src, dst, _key in edges:
        pair = (src, dst)
        if pair in chains:
            if chains[pair]:
                by_id[chains[pair][0]].weight += 1
            continue
        a, b = by_id[src], by_id[dst]
        chain: list[str] = []
        for col in range(a.column + 1, b.column):
            d = Box(f"\0{src}\0{dst}\0{col}", col, 0, 0, dummy=True)
            by_id[d.id] = d
            g.columns[col].append(d)
            chain.append(d.id)
        chains[pair] = chain
        seq = [src, *chain, dst]
        for u, v in itertools.pairwise(seq):
            if (u, v) not in linked:
                linked.add((u, v))
                g.succ.setdefault(u, []).append(v)
                g.pred.setdefault(v, []).append(u)
    for chain in chains.values():
        for did in chain[1:]:
            by_id[did].weight = by_id[chain[0]].weight
    for chain in chains.values():
        for did in chain:
            by_id[did].h = max(0.0, (by_id[did].weight - 1) * PARALLEL)
    _order(g)
    _place(g)
    return _finish(g, by_id, edges, chains, label_widths, lane_list)


# --- 2. ordering ------------------------------------------------------------------------------------------
def _crossings(g: _Graph) -> int:
    total = 0
    for left, right in zip(g.columns, g.columns[1:]):
        pos = {b.id: i for i, b in enumerate(right)}
        pairs = sorted((i, pos[v]) for i, b in enumerate(left) for v in g.succ.get(b.id, []) if v in pos)
        # Inversions of the right-hand positions, counted with a Fenwick tree: O(E log E) per column pair.
        tree = [0] * (len(right) + 1)
        for seen, (_, p) in enumerate(pairs):
            i, not_greater = p + 1, 0
            while i > 0:
                not_greater += tree[i]
                i -= i & -i
            total += seen - not_greater
            i = p + 1
            while i <= len(right):
                tree[i] += 1
                i += i & -i
    return total


def _sort_column(column: list[Box], neighbours: dict[str, list[str]], pos: dict[str, float]) -> list[Box]:
    rank = {b.id: i for i, b in enumerate(column)}  # list.index would compare whole boxes: quadratic
    bary: dict[str, float] = {}
    for i, b in enumerate(column):
        ns = [pos[n] for n in neighbours.get(b.id, []) if n in pos]
        bary[b.id] = sum(ns) / len(ns) if ns else pos.get(b.id, float(i))
    clusters: dict[str, list[Box]] = {}
    for b in column:
        clusters.setdefault(b.cluster or f"\0{b.id}", []).append(b)
    keyed = []
    for members in clusters.values():
        mean = sum(bary[b.id] for b in members) / len(members)
        keyed.append((mean, rank[members[0].id], sorted(members, key=lambda b: (bary[b.id], rank[b.id]))))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [b for _, _, members in keyed for b in members]


def _order(g: _Graph) -> None:
    def positions() -> dict[str, float]:
        return {b.id: float(i) for col in g.columns for i, b in enumerate(col)}

    def sweep(down: bool, first: int = 1) -> None:
        if down:
            for c in range(first, len(g.columns)):
                g.columns[c] = _sort_column(g.columns[c], g.pred, positions())
        else:
            for c in range(len(g.columns) - 2, -1, -1):
                g.columns[c] = _sort_column(g.columns[c], g.succ, positions())

    given = [list(col) for col in g.columns]
    # Start A: everything after the first column follows it (dummies start next to their box).
    sweep(True)
    start_a = [list(col) for col in g.columns]
    # Start B: keep the caller's order of the ENI column (security groups, then subnet), sort the
    # functions to it, and the rest after them. On large templates this wins by far.
    g.columns = [list(col) for col in given]
    if len(g.columns) > 1:
        g.columns[0] = _sort_column(g.columns[0], g.succ, positions())
        sweep(True, first=2)
    start_b = [list(col) for col in g.columns]
    best, best_cross = start_a, None
    # From each start, sweep both ways in turn and keep whatever crosses least.
    for initial, down_first in ((start_a, True), (start_a, False), (start_b, False), (start_b, True)):
        g.columns = [list(col) for col in initial]
        for i in range(-1, 10):
            if i >= 0:
                sweep(down_first == (i % 2 == 0))
            cross = _crossings(g)
            if best_cross is None or cross < best_cross:
                best, best_cross = [list(col) for col in g.columns], cross
            if best_cross == 0:
                break
        if best_cross == 0:
            break
    g.columns = best
    _transpose(g)


def _pair_crossings(u: str, v: str, g: _Graph, left: dict[str, int], right: dict[str, int]) -> int:
    """Crossings among the edges of u and v (u above v) with both neighbouring columns: the pairs of a
    neighbour of u below a neighbour of v, counted by bisection (two route tables of 1,000 subnets each
    would take a million comparisons pair by pair)."""
    total = 0
    for nbrs, pos in ((g.pred, left), (g.succ, right)):
        pu = [pos[n] for n in nbrs.get(u, []) if n in pos]
        pv = sorted(pos[n] for n in nbrs.get(v, []) if n in pos)
        total += sum(bisect.bisect_left(pv, a) for a in pu)
    return total


def _transpose(g: _Graph) -> None:
    """Swap neighbours in a column while that removes crossings (barycenters alone oscillate)."""
    for _ in range(12):
        improved = False
        for c, col in enumerate(g.columns):
            left = {b.id: i for i, b in enumerate(g.columns[c - 1])} if c > 0 else {}
            right = {b.id: i for i, b in enumerate(g.columns[c + 1])} if c + 1 < len(g.columns) else {}
            for i in range(len(col) - 1):
                u, v = col[i], col[i + 1]
                if u.cluster != v.cluster:
                    continue  # an Availability Zone box stays in one piece
                if _pair_crossings(v.id, u.id, g, left, right) < _pair_crossings(u.id, v.id, g, left, right):
                    col[i], col[i + 1] = v, u
                    improved = True
        if not improved:
            break


# --- 3. vertical placement -----------------------------------------------------------------------------
def _gap(a: Box, b: Box) -> float:
    if a.dummy or b.dummy:
        return DUMMY_GAP + (PARALLEL if a.dummy and b.dummy else 0)
    if a.cluster != b.cluster and (a.cluster or b.cluster):
        return CLUSTER_GAP
    return NODE_GAP


def _pava(column: list[Box], desired: list[float], weights: list[float]) -> None:
    """Centres as close as possible (least squares) to `desired`, in order, with the gaps kept."""
    offsets = [0.0]
    for a, b in itertools.pairwise(column):
        offsets.append(offsets[-1] + a.h / 2 + _gap(a, b) + b.h / 2)
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for t, w in zip((d - o for d, o in zip(desired, offsets)), weights):
        blocks.append([t * w, w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w2, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += n
    i = 0
    for s, w, n in blocks:
        for _ in range(int(n)):
            column[i].y = s / w + offsets[i] - column[i].h / 2
            i += 1


def _place(g: _Graph) -> None:
    for col in g.columns:  # start stacked
        y = 0.0
        for a, b in zip([None, *col], col):
            y += _gap(a, b) if a else 0.0
            b.y = y
            y += b.h
    # Centre every column on the tallest one before pulling them together.
    heights = [(col[-1].y + col[-1].h) if col else 0.0 for col in g.columns]
    tallest = max(heights, default=0.0)
    for col, h in zip(g.columns, heights):
        for b in col:
            b.y += (tallest - h) / 2
    by_id = {b.id: b for col in g.columns for b in col}
    order = list(range(len(g.columns)))
    for it in range(24):
        for c in order if it % 2 == 0 else reversed(order):
            col = g.columns[c]
            if not col:
                continue
            desired, weights = [], []
            for b in col:
                ns = [by_id[n].cy for n in (*g.pred.get(b.id, []), *g.succ.get(b.id, []))]
                desired.append(sum(ns) / len(ns) if ns else b.cy)
                # Dummies follow their edge closely; boxes without neighbours barely move.
                weights.append((4.0 if b.dummy else 1.0) if ns else 0.05)
            _pava(col, desired, weights)
    top = min((b.y for col in g.columns for b in col), default=0.0)
    for col in g.columns:
        for b in col:
            b.y -= top


# --- coordinates and routes -----------------------------------------------------------------------------
def _finish(
    g: _Graph,
    by_id: dict[str, Box],
    edges: list[tuple[str, str, object]],
    chains: dict[tuple[str, str], list[str]],
    label_widths: dict[object, float],
    lanes: list[int],
) -> Layout:
    col_w = [max((b.w for b in col), default=0.0) for col in g.columns]
    gap_after = [70.0] * len(g.columns)
    for src, _dst, key in edges:
        c = by_id[src].column
        gap_after[c] = max(gap_after[c], min(label_widths.get(key, 0.0), 150.0) + 40)
    x = float(MARGIN)
    columns = []
    for c, col in enumerate(g.columns):
        for b in col:
            b.x = x + (col_w[c] - b.w) / 2 if b.dummy else x
        columns.append((lanes[c], x, col_w[c]))
        x += col_w[c] + gap_after[c]
    width = x - gap_after[-1] + MARGIN if g.columns else 2 * MARGIN
    # Clusters need room for their title above the first box.
    offset_y = MARGIN + HEADER + CLUSTER_PAD_TOP
    for b in by_id.values():
        b.y += offset_y
    clusters = []
    for col in g.columns:
        seen: dict[str, list[Box]] = {}
        for b in col:
            if b.cluster and not b.dummy:
                seen.setdefault(b.cluster, []).append(b)
        for title, members in seen.items():
            y0 = min(b.y for b in members) - CLUSTER_PAD_TOP
            y1 = max(b.y + b.h for b in members) + CLUSTER_PAD
            x0 = min(b.x for b in members)
            x1 = max(b.x + b.w for b in members)
            clusters.append((title, x0 - CLUSTER_PAD, y0, x1 - x0 + 2 * CLUSTER_PAD, y1 - y0))
    height = max((b.y + b.h for b in by_id.values()), default=0.0) + CLUSTER_PAD + MARGIN

    # Ports: spread the edges leaving (entering) a box over its right (left) side, ordered by where
    # they go (come from), so parallel edges never sit on top of each other.
    def next_y(src: str, dst: str) -> float:
        chain = chains[(src, dst)]
        return by_id[chain[0]].cy if chain else by_id[dst].cy

    def prev_y(src: str, dst: str) -> float:
        chain = chains[(src, dst)]
        return by_id[chain[-1]].cy if chain else by_id[src].cy

    outgoing: dict[str, list[tuple[float, int]]] = {}
    incoming: dict[str, list[tuple[float, int]]] = {}
    for i, (src, dst, _key) in enumerate(edges):
        outgoing.setdefault(src, []).append((next_y(src, dst), i))
        incoming.setdefault(dst, []).append((prev_y(src, dst), i))
    out_y: dict[int, float] = {}
    in_y: dict[int, float] = {}
    for ports, store in ((outgoing, out_y), (incoming, in_y)):
        for node, items in ports.items():
            box = by_id[node]
            items.sort()
            step = min(PARALLEL + 1.0, max(box.h - 8, 0) / max(len(items), 1))
            for j, (_y, i) in enumerate(items):
                store[i] = box.cy + (j - (len(items) - 1) / 2) * step
    lane_in_chain: dict[tuple[str, str], int] = {}
    routes: dict[object, list[tuple[float, float]]] = {}
    labels: dict[object, tuple[float, float]] = {}
    for i, (src, dst, key) in enumerate(edges):
        a, b = by_id[src], by_id[dst]
        k = lane_in_chain.get((src, dst), 0)
        lane_in_chain[(src, dst)] = k + 1
        points = [(a.x + a.w, out_y[i])]
        for d in chains[(src, dst)]:
            box = by_id[d]
            y = box.y + k * PARALLEL
            left = columns[box.column][1]
            points += [(left, y), (left + col_w[box.column], y)]
        points.append((b.x, in_y[i]))
        routes[key] = points
        (x0, y0), (x1, y1) = points[0], points[1]
        labels[key] = ((x0 + x1) / 2, (y0 + y1) / 2)
    return Layout(by_id, routes, labels, clusters, columns, width, height)
