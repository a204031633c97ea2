"""Benchmark: load + validate a policy (ruamel round-trip parse with positions, pydantic model,
cross-reference checks) next to a plain PyYAML `yaml.safe_load` of the same text.

    .venv/bin/python bench/policy.py [--activities 500] [--tables 200] [--repeat 3]

Prints a Markdown table (best of --repeat runs, seconds).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from steward.policy.crossrefs import check_policy  # noqa: E402
from steward.policy.loader import load_policy_text_report  # noqa: E402

CATEGORIES = ["user.name", "user.contact.email", "user.contact.phone_number",
              "user.contact.address", "user.content.private"]


def generated_policy(activities: int, tables: int) -> str:
    """One YAML text: `activities` activities, `tables` tables (10 a system), a rule a table."""
    out = [
        "policy: {id: bench, version: '1', effective: 2024-01-01}",
        "controller:",
        "  name: Bench Ltd",
        "  address: {street: 1 Road, postal_code: '1000', city: Town, country: DK}",
        "  lead_authority: DK",
        "authorities:",
        "  DK: {name: Datatilsynet, website: https://www.datatilsynet.dk, breach_channel: form}",
        "subject_categories:",
        "  - {key: customer, name: Customers}",
        "data_categories:",
        *[f"  - {{key: {c}, name: {c}}}" for c in CATEGORIES],
        "purposes:",
    ]
    for i in range(50):
        out += [f"  - key: purpose_{i}", f"    title: Purpose {i}",
                f"    description: What purpose {i} is for", "    legal_bases: [b]"]
    systems = max(1, tables // 10)
    out.append("systems:")
    for s in range(systems):
        out += [f"  - key: sys_{s}", f"    name: System {s}", "    connector: sql",
                f"    url: sqlite:///var/sys_{s}.db", "    storage_country: DK", "    tables:"]
        for t in range(tables // systems):
            out += [f"      - name: t_{t}", "        identities: {email: email}"]
            if t:
                out.append(f"        references: [{{field: parent_id, to: t_{t - 1}.id}}]")
            out.append("        fields:")
            out += [f"          - {{name: col_{c}, category: {cat}}}"
                    for c, cat in enumerate(CATEGORIES)]
            out.append("          - {name: ended_at}")
    out.append("retention_rules:")
    for s in range(systems):
        for t in range(tables // systems):
            out += [f"  - key: r_{s}_{t}", f"    description: Rule {s}.{t}",
                    f"    system: sys_{s}", f"    table: t_{t}",
                    f"    trigger: {{field: t_{t}.ended_at}}", "    period: {years: 1}"]
    out.append("processing_activities:")
    for a in range(activities):
        s, t = a % systems, a % (tables // systems)
        out += [f"  - key: act_{a}", f"    name: Activity {a}",
                f"    purposes: [purpose_{a % 50}]", "    subjects: [customer]",
                f"    data_categories: [{', '.join(CATEGORIES[:3])}]",
                "    recipients:", "      - internal: Staff",
                f"    retention: [r_{s}_{t}]", f"    systems: [sys_{s}]",
                "    security_measures: [Encryption, Access control]"]
    return "\n".join(out) + "\n"


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--activities", type=int, default=500)
    ap.add_argument("--tables", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    promark_files = sorted((ROOT / "examples" / "promark").glob("*.yaml"))
    promark_text = [(str(p), p.read_text(encoding="utf-8")) for p in promark_files]
    big = generated_policy(args.activities, args.tables)
    load_policy_text_report(big, "bench.yaml")  # warm up (and prove it is valid)

    def promark_load() -> None:
        from steward.policy.loader import load_policy_report

        load_policy_report(ROOT / "examples" / "promark")

    rows = []
    for name, text_size, steward_fn, baseline_fn, cheap_fn in [
        ("ProMark (13 files)", sum(len(t) for _, t in promark_text), promark_load,
         lambda: [yaml.safe_load(t) for _, t in promark_text],
         lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for _, t in promark_text]),
        (f"generated: {args.activities} activities, {args.tables} tables", len(big),
         lambda: load_policy_text_report(big, "bench.yaml"),
         lambda: yaml.safe_load(big),
         lambda: yaml.load(big, Loader=yaml.CSafeLoader)),
    ]:
        rows.append((name, text_size, best(steward_fn, args.repeat),
                     best(baseline_fn, args.repeat), best(cheap_fn, args.repeat)))

    loaded = load_policy_text_report(big, "bench.yaml")
    crossrefs = best(lambda: check_policy(loaded.policy, loaded.sources), args.repeat)

    print("| policy | YAML size | steward load+validate | PyYAML `safe_load` (pure) "
          "| PyYAML + libyaml (`CSafeLoader`) | ratio to `safe_load` |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, ours, base, cheap in rows:
        print(f"| {name} | {size / 1024:.0f} KiB | {ours:.3f} s | {base:.3f} s | {cheap:.3f} s "
              f"| {ours / base:.1f}x |")
    print(f"\ncross-reference checks alone (generated policy): {crossrefs * 1000:.0f} ms")


if __name__ == "__main__":
    main()
