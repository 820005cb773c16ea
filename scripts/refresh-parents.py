#!/usr/bin/env python3
"""Refresh transforms/advisories/parents.json: for the packages that commonly pull in a package of the advisory table
(express, cookie-parser, body-parser, send, ...), the range each of their releases declares for it.

    scripts/refresh-parents.py            # ask the registry (npm view) and rewrite parents.json

The advisories transform reads it to raise a direct dependency within its line of releases when that release depends
on a fixed version of an affected package (cookie-parser 1.4.6 pins cookie 0.4.1; 1.4.7 pins 0.7.2), which it cannot
learn offline otherwise. For each parent it asks `npm view <parent>@<major> version dependencies --json`, one major at
a time (every release, prereleases left out), and keeps only the dependencies the advisory table covers (its
`packages`), as runs: `[from, range]` says that the releases from `from` on (in the `versions` order) declare `range`,
until the next run (`""`: no such dependency). The releases' `peerDependencies` are kept the same way under `peers`
(every peer, not only the table's: a raise that makes a dependency a peer on a new major, connect-mongo 4.6.0's
mongodb `^4.1.0`, or that asks for a peer the project installs on another line, is refused). Needs npm on PATH and
the registry. See
transforms/advisories/README.md, "Raising a parent".
"""

import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "transforms", "advisories", "data.json")
OUT = os.path.join(HERE, "..", "transforms", "advisories", "parents.json")

# The packages that pull in the table's packages in Express apps, as direct dependencies of the app.
PARENTS = [
    "body-parser",
    "compression",
    "connect",
    "connect-mongo",
    "cookie-parser",
    "cookie-session",
    "csurf",
    "errorhandler",
    "express",
    "express-fileupload",
    "express-jwt",
    "express-session",
    "finalhandler",
    "jsonwebtoken",
    "method-override",
    "mongoose",
    "morgan",
    "multer",
    "passport",
    "router",
    "send",
    "serve-favicon",
    "serve-index",
    "serve-static",
    "socket.io",
]


def npm_view(spec, *fields):
    out = subprocess.run(
        ["npm", "view", spec, *fields, "--json"], check=True, capture_output=True, text=True, timeout=300
    ).stdout
    data = json.loads(out)
    return data if isinstance(data, list) else [data]


def releases(parent):
    """[(version, dependencies, peerDependencies)] of every release of `parent` (prereleases left out). Asked one major at a time: npm
    view answers a query over many releases with their versions only."""
    majors = sorted({v.split(".")[0] for v in npm_view(parent, "versions") if "-" not in v}, key=int)
    out = []
    for major in majors:
        for d in npm_view(f"{parent}@{major}", "version", "dependencies", "peerDependencies"):
            # (A release without dependencies comes as its version alone.)
            if isinstance(d, str):
                out.append((d, {}, {}))
            else:
                out.append((d["version"], d.get("dependencies") or {}, d.get("peerDependencies") or {}))
    return out


def key(version):
    return tuple(int(p) for p in version.split("+")[0].split("."))


def runs(rels, dep):
    """[[from, range]] of the ranges `dep` gets over `rels` ([(version, {name: range})]), a new run where it changes."""
    out = []
    for version, deps in rels:
        spec = deps.get(dep, "")
        if not out or out[-1][1] != spec:
            out.append([version, spec])
    return out if any(spec for _, spec in out) else []


def main():
    with open(TABLE) as f:
        covered = set(json.load(f)["packages"])
    parents = {}
    for parent in PARENTS:
        rels = sorted((r for r in releases(parent) if "-" not in r[0]), key=lambda r: key(r[0]))
        deps = sorted({d for _, ds, _ in rels for d in ds if d in covered})
        declares = {d: runs([(v, ds) for v, ds, _ in rels], d) for d in deps}
        peer_names = sorted({d for _, _, ps in rels for d in ps})
        peers = {d: runs([(v, ps) for v, _, ps in rels], d) for d in peer_names}
        parents[parent] = {
            "versions": [v for v, _, _ in rels],
            "declares": {d: r for d, r in declares.items() if r},
            "peers": {d: r for d, r in peers.items() if r},
        }
        print(f"{parent}: {len(rels)} releases, {', '.join(deps) or 'none of the table'}", file=sys.stderr)
    lines = [
        "{",
        f'  "compiled": "{datetime.date.today().isoformat()}",',
        '  "source": "npm view <parent>@<major> version dependencies peerDependencies --json (registry.npmjs.org), by scripts/refresh-parents.py",',
        '  "parents": {',
    ]
    items = []
    for parent, facts in parents.items():
        body = [f'    "{parent}": {{', f'      "versions": {json.dumps(facts["versions"])},', '      "declares": {']
        body.append(",\n".join(f'        "{d}": {json.dumps(r)}' for d, r in facts["declares"].items()))
        if facts["peers"]:
            body.append("      },")
            body.append('      "peers": {')
            body.append(",\n".join(f'        "{d}": {json.dumps(r)}' for d, r in facts["peers"].items()))
        body.append("      }")
        body.append("    }")
        items.append("\n".join(b for b in body if b))
    lines.append(",\n".join(items))
    lines += ["  }", "}"]
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
