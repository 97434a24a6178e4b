"""The layers of src/, proved on the built objects (docs/architecture.md).

Reads the symbol tables of the objects kodev built (nm) and fails when:
- a file calls into a higher layer (lib < core < api shapes < api routes),
  or a route module calls another route module;
- files call each other in a cycle;
- a file of src/lib/ uses anything Kore defines;
- a file other than src/core/kore41.c uses Kore's internals.

Usage: python3 tests/layers.py [FLAVOR]   (default dev; needs that build)
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")

# Lower layers first; a file may use its own layer and those below.
RANK = {"lib": 0, "core": 1, "shape": 2, "route": 3}

# Kore symbols a module is not meant to touch: only kore41.c may.
KORE_INTERNALS = {"validators", "kore_platform_schedule_read",
                  "kore_platform_disable_read", "kore_pgsql_handle",
                  "net_recv_reset", "net_recv_flush"}


def layer(path):
    top = os.path.relpath(path, SRC).split(os.sep)[0]
    if top == "api":
        return "shape" if path.endswith("_json.c") else "route"
    return top


def sources():
    out = {}
    for d, _, files in os.walk(SRC):
        for f in files:
            if f.endswith(".c"):
                base = f[:-2]
                if base in out:
                    sys.exit("layers: two files named %s.c (kodev writes "
                             "objects by basename)" % base)
                out[base] = os.path.join(d, f)
    return out


def symbols(obj):
    text = subprocess.run(["nm", obj], capture_output=True, text=True,
                          check=True).stdout
    defined, undefined = set(), set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRC":
            defined.add(parts[2])
    return defined, undefined


def kore_symbols():
    text = subprocess.run(["nm", "-D", "--defined-only", "/usr/bin/kore"],
                          capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in text.splitlines() if line.strip()}


def cycles(graph):
    """Strongly connected components with more than one file."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check(flavor):
    objdir = os.path.join(ROOT, "build", flavor, "drop", ".objs")
    srcs = sources()
    defs, uses = {}, {}
    for base in srcs:
        obj = os.path.join(objdir, base + ".c.o")
        if not os.path.exists(obj):
            sys.exit("layers: %s missing: run make build first" % obj)
        d, u = symbols(obj)
        uses[base] = u
        for s in d:
            defs[s] = base
    kore = kore_symbols()
    problems = []
    graph = {b: set() for b in srcs}
    for base, used in sorted(uses.items()):
        me = layer(srcs[base])
        for sym in sorted(used):
            if sym in KORE_INTERNALS and base != "kore41":
                problems.append("%s uses Kore's internal %s (only "
                                "src/core/kore41.c may)" % (base, sym))
            if me == "lib" and sym in kore and sym not in defs:
                problems.append("src/lib/%s.c uses Kore's %s" % (base, sym))
            other = defs.get(sym)
            if other is None or other == base:
                continue
            graph[base].add(other)
            them = layer(srcs[other])
            if RANK[them] > RANK[me]:
                problems.append("%s (%s) calls %s (%s) in a higher layer: "
                                "%s" % (base, me, other, them, sym))
            elif me == them == "route":
                problems.append("route module %s calls route module %s: "
                                "%s (share it through a *_json.c or core)"
                                % (base, other, sym))
    for comp in cycles(graph):
        problems.append("files call each other in a cycle: " +
                        " -> ".join(comp))
    return problems, graph, srcs


def main():
    flavor = sys.argv[1] if len(sys.argv) > 1 else "dev"
    problems, graph, srcs = check(flavor)
    edges = sum(len(v) for v in graph.values())
    if problems:
        for p in problems:
            print("layers: " + p)
        print("layers: %d problems" % len(problems))
        return 1
    print("layers: %d files, %d calls between files, no cycle, none upward"
          % (len(srcs), edges))
    return 0


if __name__ == "__main__":
    sys.exit(main())
