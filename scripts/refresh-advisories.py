#!/usr/bin/env python3
"""Refresh the bundled advisory table, transforms/advisories/data.json, from OSV.

    scripts/refresh-advisories.py                  # download osv.dev's npm export and rewrite data.json
    scripts/refresh-advisories.py --osv all.zip    # the same from an export (or a folder of OSV records) on disk
    scripts/refresh-advisories.py --records tests/advisories/osv   # and keep the records used (the test reads them)

Keeps the GitHub-reviewed advisories (database_specific.github_reviewed) of the packages the table covers (its
`packages` list, unchanged), one entry per (advisory, package), and writes them in the table's order and layout, so
that a refresh gives a small diff. What an entry's advisory concerns (`api`) is not in OSV: it is kept from the
current file, by advisory id and package. A range that ends with `last_affected` names no fix: the first release
after it (`npm view <package> versions --json`, prereleases left out) is written as the entry's `next_release`,
`{ "<last_affected>": "<release>" }` (none when npm has no later release; the current file's value when npm cannot be
asked), checked on the record's own data: where another package of the record is fixed in a release that depends on
this one at a later release, that one (`npm view <other>@<fixed> dependencies.<package>`). Python 3 standard library and npm only. See transforms/advisories/README.md, "The bundled table".
"""

import argparse
import datetime
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

EXPORT = "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"
SOURCE = "osv.dev npm export (all.zip) of GitHub-reviewed advisories"
SEVERITIES = ("low", "moderate", "high", "critical")
EVENTS = ("introduced", "fixed", "last_affected")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "transforms", "advisories", "data.json")


class Bad(Exception):
    """A record or file this script cannot use; the message names it and says why."""


def read_records(source):
    """Yield (name, record) for each OSV record of a zip file, a folder of .json files, or a URL of a zip."""
    if source.startswith("https://") or source.startswith("http://"):
        with tempfile.TemporaryFile() as tmp:
            with urllib.request.urlopen(source, timeout=300) as response:
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    tmp.write(chunk)
            tmp.seek(0)
            yield from read_zip(source, io.BytesIO(tmp.read()))
    elif os.path.isdir(source):
        for name in sorted(os.listdir(source)):
            if name.endswith(".json"):
                with open(os.path.join(source, name), "rb") as f:
                    yield name, parse(os.path.join(source, name), f.read())
    else:
        with open(source, "rb") as f:
            yield from read_zip(source, f)


def read_zip(source, handle):
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as e:
        raise Bad(f"{source}: not a zip file ({e})")
    with archive:
        for name in sorted(archive.namelist()):
            if name.endswith(".json"):
                yield name, parse(f"{source}:{name}", archive.read(name))


def parse(where, raw):
    try:
        record = json.loads(raw)
    except ValueError as e:
        raise Bad(f"{where}: not JSON ({e})")
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise Bad(f"{where}: not an OSV record (no id)")
    return record


def full_version(kind, value):
    """A version npm's semver reads: a few records give a partial one ("1.0" for 1.0.0); "0" starts at the start."""
    if kind == "introduced" and value == "0":
        return value
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return ".".join((value.split(".") + ["0", "0"])[:3])
    return value


def one_line(text):
    return " ".join(text.split())


def date_part(stamp):
    return stamp[:10] if isinstance(stamp, str) and stamp else None


def entries_of(where, record, packages):
    """The table's entries for one OSV record: one per covered npm package it affects, in the record's order."""
    specific = record.get("database_specific") or {}
    if not record["id"].startswith("GHSA-") or specific.get("github_reviewed") is not True:
        return []
    by_package = {}
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != "npm" or not isinstance(package.get("name"), str):
            continue
        # npm names are lower case; a few records spell one otherwise ("Axios").
        name = package["name"].lower()
        if name not in packages:
            continue
        entry = by_package.setdefault(name, {"ranges": [], "versions": []})
        ranges = [r for r in affected.get("ranges") or [] if r.get("type") in ("SEMVER", "ECOSYSTEM")]
        for r in ranges:
            events = []
            for event in r.get("events") or []:
                kept = [(k, v) for k, v in event.items() if k in EVENTS]
                if len(kept) != 1 or not isinstance(kept[0][1], str):
                    raise Bad(f"{where}: {record['id']}: an event of {name} is not one of {', '.join(EVENTS)}")
                events.append({kept[0][0]: full_version(*kept[0])})
            if events:
                entry["ranges"].append(events)
        if not ranges:
            entry["versions"].extend(v for v in affected.get("versions") or [] if isinstance(v, str))
    if not by_package:
        return []
    severity = str(specific.get("severity") or "").lower()
    if severity not in SEVERITIES:
        raise Bad(f"{where}: {record['id']}: severity {specific.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
    summary = record.get("summary") or (record.get("details") or "").strip().split("\n")[0]
    out = []
    for name, found in by_package.items():
        entry = {
            "id": record["id"],
            "aliases": list(record.get("aliases") or []),
            "package": name,
            "summary": one_line(summary),
            "severity": severity,
            "ranges": found["ranges"],
        }
        if found["versions"]:
            entry["versions"] = found["versions"]
        entry["published"] = date_part(record.get("published"))
        entry["withdrawn"] = date_part(record.get("withdrawn"))
        out.append(entry)
    return out


def semver_key(version):
    """A release's order (major, minor, patch); None for a prerelease or what is not a version."""
    m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    return tuple(int(part) for part in m.groups()) if m else None


def npm_versions(package):
    """The releases npm publishes of `package`, or None when npm cannot be asked."""
    try:
        out = subprocess.run(["npm", "view", package, "versions", "--json"], capture_output=True, text=True, timeout=120)
        versions = json.loads(out.stdout) if out.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    return [versions] if isinstance(versions, str) else versions if isinstance(versions, list) else None


def next_releases(entry, known, ask=npm_versions):
    """The first release after each `last_affected` of the entry, as `{ last_affected: release }` (`known`: the
    current file's, kept when npm cannot be asked)."""
    last = [e["last_affected"] for r in entry["ranges"] for e in r if "last_affected" in e]
    if not last:
        return {}
    versions = ask(entry["package"])
    if versions is None:
        return {v: known[v] for v in last if v in known}
    releases = sorted((k, v) for v in versions if (k := semver_key(v)) is not None)
    out = {}
    for v in last:
        after = [release for k, release in releases if semver_key(v) is not None and k > semver_key(v)]
        if after:
            out[v] = after[0]
    return out


def npm_dependency(package, version, dependency):
    """The range the release `package@version` declares for `dependency`, or None (none, or npm cannot be asked)."""
    try:
        out = subprocess.run(["npm", "view", f"{package}@{version}", f"dependencies.{dependency}", "--json"],
                             capture_output=True, text=True, timeout=120)
        declared = json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    return declared if isinstance(declared, str) else None


def fixed_by_siblings(entry, record, after, ask=npm_dependency):
    """`after` (the entry's next releases) checked on the record's own data: where another package of the same record
    is fixed in a release that depends on this one at a later release than the next one (GHSA-3965-hpx2-q597: pug is
    fixed in 3.0.3, which depends on pug-code-gen ^3.0.3, while pug-code-gen's range ends with last_affected 2.0.3,
    whose next release is 3.0.0), that later release is the fix."""
    package = entry["package"]
    out = dict(after)
    for affected in record.get("affected") or []:
        sibling = ((affected.get("package") or {}).get("name") or "").lower()
        if sibling == package or (affected.get("package") or {}).get("ecosystem") != "npm":
            continue
        for r in affected.get("ranges") or []:
            for event in r.get("events") or []:
                fixed = event.get("fixed")
                if not isinstance(fixed, str) or semver_key(fixed) is None:
                    continue
                declared = ask(sibling, fixed, package)
                m = re.fullmatch(r"\s*[\^~]?=?\s*v?(\d+\.\d+\.\d+)\s*", declared or "")
                if not m:
                    continue
                floor = m.group(1)
                for last, release in after.items():
                    if semver_key(floor) > semver_key(release) and semver_key(floor) > semver_key(last):
                        out[last] = floor
    return out


def inline(value):
    """A value on one line: arrays as ["a", "b"], objects as { "k": "v" }."""
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {inline(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def render(table):
    lines = ["{"]
    lines.append(f'  "compiled": {inline(table["compiled"])},')
    lines.append(f'  "source": {inline(table["source"])},')
    lines.append('  "packages": [')
    packages = table["packages"]
    for i, name in enumerate(packages):
        lines.append(f"    {inline(name)}" + ("," if i + 1 < len(packages) else ""))
    lines.append("  ],")
    lines.append('  "advisories": [')
    advisories = table["advisories"]
    for i, entry in enumerate(advisories):
        lines.append("    {")
        keys = list(entry.keys())
        for j, key in enumerate(keys):
            comma = "," if j + 1 < len(keys) else ""
            lines.append(f"      {json.dumps(key)}: {inline(entry[key])}{comma}")
        lines.append("    }" + ("," if i + 1 < len(advisories) else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def sort_key(entry):
    return (entry["package"], entry["published"] or "", entry["id"])


def trimmed(record):
    """The part of a record the table is made from, to keep beside it (tests/advisories/osv/)."""
    out = {key: record[key] for key in ("schema_version", "id", "published", "withdrawn") if key in record}
    out["aliases"] = record.get("aliases") or []
    out["summary"] = record.get("summary") or ""
    if not out["summary"] and record.get("details"):
        out["details"] = record["details"]
    affected = []
    for a in record.get("affected") or []:
        kept = {"package": a.get("package")}
        if "ranges" in a:
            kept["ranges"] = [{"type": r.get("type"), "events": r.get("events")} for r in a["ranges"]]
        if "versions" in a:
            kept["versions"] = a["versions"]
        affected.append(kept)
    out["affected"] = affected
    specific = record.get("database_specific") or {}
    out["database_specific"] = {"severity": specific.get("severity"), "github_reviewed": specific.get("github_reviewed")}
    return out


def write_records(folder, used):
    os.makedirs(folder, exist_ok=True)
    names = {record["id"] + ".json" for record in used}
    for name in os.listdir(folder):
        if name.endswith(".json") and name not in names:
            os.remove(os.path.join(folder, name))
    for record in used:
        with open(os.path.join(folder, record["id"] + ".json"), "w", encoding="utf-8", newline="\n") as f:
            json.dump(trimmed(record), f, indent=2, ensure_ascii=False)
            f.write("\n")


def refresh(current, records, compiled, source, used=None):
    packages = sorted(set(current["packages"]))
    covered = set(packages)
    api = {}
    known = {}
    for entry in current.get("advisories") or []:
        api[(entry["id"], entry["package"])] = entry.get("api") or []
        known[(entry["id"], entry["package"])] = entry.get("next_release") or {}
    advisories = []
    seen = set()
    for where, record in records:
        for entry in entries_of(where, record, covered):
            key = (entry["id"], entry["package"])
            if key in seen:
                raise Bad(f"{where}: {entry['id']} for {entry['package']} is in the source twice")
            seen.add(key)
            entry["api"] = api.get(key, [])
            after = next_releases(entry, known.get(key, {}))
            if after:
                after = fixed_by_siblings(entry, record, after)
            if after:
                entry["next_release"] = after
            advisories.append(entry)
            if used is not None and (not used or used[-1] is not record):
                used.append(record)
    advisories.sort(key=sort_key)
    return {"compiled": compiled, "source": source, "packages": packages, "advisories": advisories}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--osv", default=EXPORT, help="the OSV npm export: a URL, a zip file or a folder of records")
    parser.add_argument("--data", default=DATA, help="the table to rewrite (its packages and api are kept)")
    parser.add_argument("--compiled", default=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    parser.add_argument("--source", default=SOURCE, help="the table's `source` line")
    parser.add_argument("--records", help="also write the records the table is made from to this folder, trimmed")
    args = parser.parse_args(argv)
    try:
        with open(args.data, encoding="utf-8") as f:
            current = json.load(f)
    except (OSError, ValueError) as e:
        print(f"refresh-advisories: {args.data}: {e}", file=sys.stderr)
        return 2
    if not isinstance(current, dict) or not isinstance(current.get("packages"), list):
        print(f"refresh-advisories: {args.data}: no `packages` list", file=sys.stderr)
        return 2
    try:
        used = []
        table = refresh(current, read_records(args.osv), args.compiled, args.source, used)
    except (Bad, OSError) as e:
        print(f"refresh-advisories: {e}", file=sys.stderr)
        return 1
    text = render(table)
    tmp = args.data + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, args.data)
    if args.records:
        write_records(args.records, used)
    print(f"refresh-advisories: {args.data}: {len(table['advisories'])} entries, {len(table['packages'])} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
