"""Compare two V8 heap snapshots of the dashboard: what grew, in which frame, and what holds it.

Run: .venv/bin/python tests/bench/heap_diff.py BEFORE.heapsnapshot AFTER.heapsnapshot [--top 25]

Take the snapshots with `bench_soak.py --snapshots 50,1000` (same browser, so V8's object ids
match between them). Prints, for each snapshot, the self size per frame (each object counted in
the frame whose global object reaches it in the fewest steps: the top page, the map's iframe,
or "other" for what only the engine's own roots hold), then the groups (kind and constructor or
name) whose count or size changed most, overall and per frame, then compiled code per script
(each function's bytecode and machine code counted to the script it came from), and for the
groups of objects new in AFTER that are biggest, where a few of them hang: the shortest chain
of references from a frame's global object (element indices shown as [i]).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Edge kinds that do not keep an object alive or are V8's shortcuts from the root.
SKIPPED_EDGES = {"weak", "shortcut"}


@dataclass
class Snapshot:
    """A heap snapshot's nodes and edges as arrays, with the strings they index."""

    path: Path
    strings: list[str]
    node_types: list[str]
    edge_types: list[str]
    kind: np.ndarray  # per node: index into node_types
    name: np.ndarray  # per node: index into strings
    ids: np.ndarray  # per node: V8's object id (stable across snapshots of one session)
    size: np.ndarray  # per node: self size in bytes
    first_edge: np.ndarray  # per node: index of its first edge (len nodes + 1)
    edge_kind: np.ndarray
    edge_name: np.ndarray  # index into strings, or an element index
    edge_to: np.ndarray  # target node index

    def label(self, node: int) -> str:
        """A node's group: its kind and name (the constructor for objects), shortened."""
        kind = self.node_types[self.kind[node]]
        name = self.strings[self.name[node]]
        if kind in ("string", "concatenated string", "sliced string", "number", "code"):
            return f"({kind})"
        if kind == "hidden" or kind == "object shape":
            name = name.split(" / ")[0]
        name = name.split(" / http")[0]
        return f"{kind}: {name[:80]}"

    def out_edges(self, node: int) -> range:
        return range(int(self.first_edge[node]), int(self.first_edge[node + 1]))

    def edge_label(self, edge: int) -> str:
        kind = self.edge_types[self.edge_kind[edge]]
        if kind in ("element", "hidden"):
            return "[i]"  # indices differ between otherwise equal chains
        return str(self.strings[self.edge_name[edge]])[:60]


def load(path: Path) -> Snapshot:
    """Parse a .heapsnapshot file (Chrome's JSON format)."""
    if not path.is_file():
        raise ValueError(f"path must be a heap snapshot file, got {str(path)!r}")
    data = json.loads(path.read_text())
    meta = data["snapshot"]["meta"]
    node_fields, edge_fields = meta["node_fields"], meta["edge_fields"]
    nodes = np.asarray(data["nodes"], dtype=np.int64).reshape(-1, len(node_fields))
    edges = np.asarray(data["edges"], dtype=np.int64).reshape(-1, len(edge_fields))
    column = {field: i for i, field in enumerate(node_fields)}
    edge_counts = nodes[:, column["edge_count"]]
    first_edge = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(edge_counts, out=first_edge[1:])
    return Snapshot(
        path=path,
        strings=data["strings"],
        node_types=meta["node_types"][0],
        edge_types=meta["edge_types"][0],
        kind=nodes[:, column["type"]],
        name=nodes[:, column["name"]],
        ids=nodes[:, column["id"]],
        size=nodes[:, column["self_size"]],
        first_edge=first_edge,
        edge_kind=edges[:, edge_fields.index("type")],
        edge_name=edges[:, edge_fields.index("name_or_index")],
        edge_to=edges[:, edge_fields.index("to_node")] // len(node_fields),
    )


def frame_globals(snap: Snapshot) -> dict[str, int]:
    """Each frame's global object, keyed by frame: the map's iframe has our client's `fx`,
    the top page Streamlit's `streamlitDebug`; others (Playwright's isolated worlds) by number.
    """
    found = {}
    for node in np.flatnonzero(snap.kind == snap.node_types.index("object")):
        if not snap.strings[snap.name[node]].startswith("Window [JSGlobalObject]"):
            continue
        props = {snap.strings[snap.edge_name[edge]] for edge in snap.out_edges(int(node))}
        if "fx" in props:
            found["map iframe"] = int(node)
        elif "streamlitDebug" in props:
            found["top page"] = int(node)
        else:
            found[f"other window {len(found)}"] = int(node)
    return found


def attribute(snap: Snapshot, sources: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """A breadth-first walk from every frame's global at once: per node, the index of the
    frame that reaches it first (-1: none) and the edge it was reached by (for paths)."""
    owner = np.full(len(snap.kind), -1, dtype=np.int64)
    via = np.full(len(snap.kind), -1, dtype=np.int64)
    skipped = {snap.edge_types.index(kind) for kind in SKIPPED_EDGES}
    queue: deque[int] = deque()
    for index, node in enumerate(sources.values()):
        owner[node] = index
        queue.append(node)
    first_edge, edge_to, edge_kind = snap.first_edge, snap.edge_to, snap.edge_kind
    owner_list, via_list = owner.tolist(), via.tolist()
    first_list, to_list, kind_list = first_edge.tolist(), edge_to.tolist(), edge_kind.tolist()
    while queue:
        node = queue.popleft()
        mine = owner_list[node]
        for edge in range(first_list[node], first_list[node + 1]):
            if kind_list[edge] in skipped:
                continue
            target = to_list[edge]
            if owner_list[target] == -1:
                owner_list[target] = mine
                via_list[target] = edge
                queue.append(target)
    return np.asarray(owner_list), np.asarray(via_list)


def code_scripts(snap: Snapshot) -> list[str]:
    """Per node, for compiled code (bytecode, baseline and optimised machine code, their
    tables): the script of the function it belongs to ("" for none or not code). Each
    function's SharedFunctionInfo names its script; a walk through code nodes from every
    function hands that on to its code."""
    names = [snap.strings[i] for i in snap.name.tolist()]
    kinds = snap.kind.tolist()
    code_kind, closure_kind = snap.node_types.index("code"), snap.node_types.index("closure")
    script_of = [""] * len(kinds)
    queue: deque[int] = deque()
    functions = [n for n, nm in enumerate(names) if nm.startswith("system / SharedFunctionInfo")]
    for node in functions:
        for edge in snap.out_edges(node):
            if snap.strings[snap.edge_name[edge]] == "script":
                script = names[snap.edge_to[edge]].removeprefix("system / Script").strip(" /")
                script_of[node] = script or "(no name: eval or inline)"
        if script_of[node] == "":
            script_of[node] = "(V8 builtins)"
        queue.append(node)
    for node in np.flatnonzero(snap.kind == closure_kind).tolist():
        shared = [snap.edge_to[e] for e in snap.out_edges(node) if snap.edge_label(e) == "shared"]
        if shared and script_of[shared[0]]:
            script_of[node] = script_of[shared[0]]
            queue.append(node)
    first, to = snap.first_edge.tolist(), snap.edge_to.tolist()
    while queue:
        node = queue.popleft()
        for edge in range(first[node], first[node + 1]):
            target = to[edge]
            if kinds[target] != code_kind or script_of[target]:
                continue
            if names[target].startswith(("system / SharedFunctionInfo", "system / Script")):
                continue
            script_of[target] = script_of[node]
            queue.append(target)
    return script_of


def edge_sources(snap: Snapshot) -> np.ndarray:
    """Per edge, the node it starts from."""
    return np.repeat(np.arange(len(snap.kind)), np.diff(snap.first_edge))


def path_to(snap: Snapshot, node: int, via: np.ndarray, source_of: np.ndarray) -> str:
    """The reference chain from a frame's global object to `node`."""
    steps: list[str] = []
    while via[node] != -1 and len(steps) < 40:
        edge = via[node]
        steps.append(snap.edge_label(edge))
        node = int(source_of[edge])
    return " . ".join(reversed(steps))


def frame_sizes(snap: Snapshot, names: list[str], owner: np.ndarray) -> dict[str, float]:
    """MB of self size per frame, plus what no frame reaches."""
    sizes = {name: snap.size[owner == index].sum() / 2**20 for index, name in enumerate(names)}
    sizes["other"] = snap.size[owner == -1].sum() / 2**20
    sizes["total"] = snap.size.sum() / 2**20
    return sizes


def group_totals(snap: Snapshot, mask: np.ndarray) -> tuple[Counter[str], Counter[str]]:
    """Count and self size per group, over the nodes in `mask`."""
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for node in np.flatnonzero(mask):
        label = snap.label(int(node))
        counts[label] += 1
        sizes[label] += int(snap.size[node])
    return counts, sizes


def short_url(url: str) -> str:
    """A script's URL without the scheme, host and query."""
    if "://" not in url:
        return url
    return "/" + url.split("://", 1)[1].split("/", 1)[-1].split("?")[0]


def frame_of_script(url: str) -> str:
    """Which frame loaded a script: the map's iframe loads streamlit-folium's component and
    our static files (Leaflet, the client), the top page Streamlit's own bundle."""
    path = short_url(url)
    if path.startswith(("/component/", "/app/static/")):
        return "map iframe"
    if path.startswith("/static/"):
        return "top page"
    return "other"


def summary(path: Path) -> dict[str, float]:
    """MB in a snapshot: compiled code per frame (by the script its function came from) and
    everything else (JS objects and the DOM) per frame (by reachability from its global)."""
    snap = load(path)
    sources = frame_globals(snap)
    owner, _ = attribute(snap, sources)
    code = snap.kind == snap.node_types.index("code")
    result: dict[str, float] = {}
    for index, name in enumerate(sources):
        if name in ("top page", "map iframe"):
            result[f"{name} objects"] = snap.size[(owner == index) & ~code].sum() / 2**20
    by_frame: Counter[str] = Counter()
    for node, script in enumerate(code_scripts(snap)):
        if code[node]:
            by_frame[frame_of_script(script)] += int(snap.size[node])
    for name in ("top page", "map iframe", "other"):
        result[f"{name} code"] = by_frame[name] / 2**20
    result["all code"] = snap.size[code].sum() / 2**20
    result["total"] = snap.size.sum() / 2**20
    return {key: round(float(value), 2) for key, value in result.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--top", type=int, default=25, help="groups to list")
    parser.add_argument("--paths", type=int, default=3, help="sample chains per grown group")
    args = parser.parse_args(argv)
    try:
        snaps = [load(args.before), load(args.after)]
    except (ValueError, json.JSONDecodeError, KeyError) as error:
        print(f"heap_diff: {error}", file=sys.stderr)
        return 2
    per_frame = []
    for snap in snaps:
        sources = frame_globals(snap)
        owner, via = attribute(snap, sources)
        per_frame.append((list(sources), owner, via))
        sizes = frame_sizes(snap, list(sources), owner)
        print(f"{snap.path.name}: " + ", ".join(f"{k} {v:.2f} MB" for k, v in sizes.items()))
    before, after = snaps
    (names_b, owner_b, _), (names_a, owner_a, via_a) = per_frame
    for frame in ["all frames", *names_a, "other"]:
        if frame == "all frames":
            mask_b, mask_a = np.ones(len(before.kind), bool), np.ones(len(after.kind), bool)
        else:
            index_a = names_a.index(frame) if frame in names_a else -1
            index_b = names_b.index(frame) if frame in names_b else -1
            mask_b, mask_a = owner_b == index_b, owner_a == index_a
        counts_b, sizes_b = group_totals(before, mask_b)
        counts_a, sizes_a = group_totals(after, mask_a)
        labels = set(counts_b) | set(counts_a)
        change = sorted(labels, key=lambda lb: -abs(sizes_a[lb] - sizes_b[lb]))[: args.top]
        grown = (sum(sizes_a.values()) - sum(sizes_b.values())) / 2**20
        print(f"\n== {frame}: {grown:+.2f} MB; groups by change in self size")
        print(f"{'group':70} {'count':>15} {'KB':>17}")
        for label in change:
            print(
                f"{label[:70]:70} {counts_b[label]:>7}->{counts_a[label]:<7} "
                f"{sizes_b[label] / 1024:>8.1f}->{sizes_a[label] / 1024:<8.1f}"
            )
    # Compiled code per script: V8 compiles hot functions again as optimised machine code.
    print("\n== compiled code by script (KB)")
    code_by_script = []
    for snap in snaps:
        totals: Counter[str] = Counter()
        code = snap.node_types.index("code")
        for node, script in enumerate(code_scripts(snap)):
            if snap.kind[node] == code:
                totals[short_url(script) or "(unattributed)"] += int(snap.size[node])
        code_by_script.append(totals)
    scripts = set(code_by_script[0]) | set(code_by_script[1])
    for script in sorted(scripts, key=lambda s: code_by_script[0][s] - code_by_script[1][s]):
        b_kb, a_kb = code_by_script[0][script] / 1024, code_by_script[1][script] / 1024
        if abs(a_kb - b_kb) >= 1 or a_kb >= 100:
            print(f"{script[:70]:70} {b_kb:>9.1f} -> {a_kb:<9.1f} ({a_kb - b_kb:+.1f})")
    # Objects new in AFTER (ids absent from BEFORE): which groups, and where they hang.
    old_ids = set(before.ids.tolist())
    new = np.array([i not in old_ids for i in after.ids.tolist()])
    new_counts, new_sizes = group_totals(after, new)
    new_mb = after.size[new].sum() / 2**20
    print(f"\n== objects new since {before.path.name}: {new.sum()} ({new_mb:.2f} MB)")
    source_of = edge_sources(after)
    for label, size in new_sizes.most_common(args.top):
        print(f"{label[:70]:70} {new_counts[label]:>7} {size / 1024:>9.1f} KB")
    print("\n== where the biggest groups of new objects hang (from a frame's global)")
    for label, _ in new_sizes.most_common(min(args.top, 12)):
        members = [int(n) for n in np.flatnonzero(new) if after.label(int(n)) == label]
        chains: Counter[str] = Counter()
        for member in members:
            owner_name = names_a[owner_a[member]] if owner_a[member] >= 0 else "other"
            chain = path_to(after, member, via_a, source_of)
            chains[f"{owner_name}: {chain}"] += 1
        print(f"-- {label} ({len(members)})")
        for chain, count in chains.most_common(args.paths):
            print(f"   {count:>6} x {chain[-400:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
