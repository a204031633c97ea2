"""Benchmark: load + validate a policy (libyaml parse keeping positions, YAML 1.2 scalars,
merge, pydantic model, cross-reference checks) next to bare parsers of the same text: PyYAML
on libyaml (`CSafeLoader`), pure-Python PyYAML `safe_load`, and the ruamel.yaml round-trip
parse the loader used before.

    .venv/bin/python bench/policy.py [--activities 500] [--tables 200] [--repeat 3] [--no-ruamel]

Prints Markdown tables (best of --repeat runs; wall clock and CPU seconds).
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
from steward.policy.loader import (  # noqa: E402
    load_policy_report,
    load_policy_text_report,
    paused_gc,
)
from steward.policy.models import Policy  # noqa: E402
from steward.policy.yamlnodes import NodeIndex, parse_file  # noqa: E402

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


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU (`time.process_time`) seconds over `repeat` runs. The CPU
    figure is the one to trust when other processes share the machine."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(walls), min(cpus)


def fmt(t: tuple[float, float]) -> str:
    return f"{t[0]:.3f} s ({t[1]:.3f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--activities", type=int, default=500)
    ap.add_argument("--tables", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-ruamel", action="store_true",
                    help="skip the (slow) ruamel.yaml round-trip baseline")
    args = ap.parse_args()

    promark = ROOT / "examples" / "promark"
    promark_text = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(promark.glob("*.yaml"))]
    big = generated_policy(args.activities, args.tables)
    load_policy_text_report(big, "bench.yaml")  # warm up (and prove it is valid)

    def ruamel_rt(texts: list[str]) -> None:
        from ruamel.yaml import YAML

        for t in texts:
            YAML(typ="rt").load(t)

    cases = [
        ("ProMark (13 files)", [t for _, t in promark_text],
         lambda: load_policy_report(promark)),
        (f"generated: {args.activities} activities, {args.tables} tables", [big],
         lambda: load_policy_text_report(big, "bench.yaml")),
    ]
    print("Seconds, best of", args.repeat, "runs: wall clock (CPU time in brackets).\n")
    print("| policy | YAML size | steward load+validate | PyYAML + libyaml `CSafeLoader` "
          "| PyYAML `safe_load` (pure) | ruamel.yaml round-trip parse (before) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, texts, steward_fn in cases:
        ours = best(steward_fn, args.repeat)
        cheap = best(lambda texts=texts: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts],
                     args.repeat)
        pure = best(lambda texts=texts: [yaml.safe_load(t) for t in texts], args.repeat)
        rt = "skipped" if args.no_ruamel else fmt(
            best(lambda texts=texts: ruamel_rt(texts), args.repeat))
        size = sum(len(t) for t in texts) / 1024
        print(f"| {name} | {size:.0f} KiB | {fmt(ours)} | {fmt(cheap)} | {fmt(pure)} | {rt} |")

    # Stages of the steward load on the generated policy.
    loaded = load_policy_text_report(big, "bench.yaml")
    data = loaded.sources.data
    stages = [
        ("parse: libyaml compose + YAML 1.2 build (`yamlnodes.parse_file`)",
         lambda: parse_file("bench.yaml", big, NodeIndex())),
        ("pydantic `Policy.model_validate`", lambda: Policy.model_validate(data)),
        ("cross-reference checks", lambda: check_policy(loaded.policy, loaded.sources)),
    ]
    print("\n| stage (generated policy; collector paused as in the loader) | time |")
    print("|---|---:|")
    for label, fn in stages:
        with paused_gc():
            figure = best(fn, args.repeat)
        print(f"| {label} | {fmt(figure)} |")


if __name__ == "__main__":
    main()
