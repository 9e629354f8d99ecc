#!/usr/bin/env python3
"""Runs the review-queue benchmark (`make bench-queue`): `queue-bench`
(release build), pinned to one core with taskset, fills a new queue with
1,000,000 cases of real pipeline assessments (the sample referrals with the
shipped rules, each stamped with a new id and URL), then claims and decides
2,000 cases at that size. Reports enqueue throughput, claim and decide
latency (p50/p99) and the database's size (evidence excluded: this run
stores none), and a second, smaller run that stores page bytes as evidence.
The harness checks its own answers (case and referral counts, claim order,
an intact audit chain) and fails otherwise. Saves
benchmarks/results/queue-DATE.md.

    python3 benchmarks/queue/run.py [--cases N] [--claims N]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import results  # noqa: E402  (benchmarks/results.py)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "benchmarks", "data", "queue")
BENCH = os.path.join(ROOT, ".build", "release", "queue-bench")

TARGETS = {"enqueue_per_s": 20_000, "claim_p99_ms": 5.0, "db_gib": 2.0}


def run(cases, claims, evidence=False, core="0"):
    os.makedirs(DATA, exist_ok=True)
    db = os.path.join(DATA, f"bench-{cases}{'-evidence' if evidence else ''}.sqlite")
    command = ["taskset", "-c", core, BENCH, "--db", db, "--cases", str(cases), "--claims", str(claims), "--root", ROOT]
    if evidence:
        command.append("--evidence")
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"queue-bench failed ({result.returncode})")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    return json.loads(result.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--evidence-cases", type=int, default=50_000)
    args = ap.parse_args()

    main_run = run(args.cases, args.claims)
    evidence_run = run(args.evidence_cases, 200, evidence=True)
    gib = main_run["db_bytes"] / 2**30

    def verdict(ok):
        return "met" if ok else "NOT met"

    lines = [
        f"# Review queue benchmark, {datetime.date.today().isoformat()}",
        "",
        "`make bench-queue` (benchmarks/queue/run.py): release build, one core (taskset -c 0), SQLite in WAL mode with",
        "synchronous=FULL, 1,024 assessments a transaction (as `triage batch --db`). Assessments are the pipeline's own over",
        f"the {main_run['templates']} sample referrals with the shipped rules, each with a new id and URL, so each opens a case.",
        "",
        "Enqueue is timed in two parts. Preparing an assessment (its JSON, compressed, and the hashes of its evidence and",
        "case keys) needs no queue: `triage batch --db` does it on the assessing threads, beside the assessing. The queue's",
        "single writer then files it: the enqueue rate. The last column is both on one core, one after the other.",
        "",
        "| run | cases | enqueue /s | prepare µs | both on one core /s | claim p50 ms | claim p99 ms | decide p50 ms | decide p99 ms | database | bytes/case | verify s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("no evidence", main_run), ("with evidence", evidence_run)):
        lines.append(
            f"| {name} | {r['cases']:,} | {r['enqueue_per_s']:,.0f} | {r['prepare_us']:.1f} | {r['one_core_per_s']:,.0f} | "
            f"{r['claim_p50_ms']:.2f} | {r['claim_p99_ms']:.2f} | "
            f"{r['decide_p50_ms']:.2f} | {r['decide_p99_ms']:.2f} | {r['db_bytes'] / 2**20:,.0f} MiB | "
            f"{r['db_bytes'] / r['cases']:,.0f} | {r['verify_s']:.1f} |")
    lines += [
        "",
        "Targets (issue 6), at the first row's size:",
        f"- enqueue at least {TARGETS['enqueue_per_s']:,}/s on one core: {main_run['enqueue_per_s']:,.0f}/s, "
        f"{verdict(main_run['enqueue_per_s'] >= TARGETS['enqueue_per_s'])} (the writer; with the preparation on the same core "
        f"{main_run['one_core_per_s']:,.0f}/s)",
        f"- claim p99 under {TARGETS['claim_p99_ms']} ms: {main_run['claim_p99_ms']:.2f} ms, "
        f"{verdict(main_run['claim_p99_ms'] < TARGETS['claim_p99_ms'])}",
        f"- database under {TARGETS['db_gib']} GB, evidence excluded: {gib:.2f} GiB, {verdict(gib < TARGETS['db_gib'])}",
        "",
        "Raw results:",
        "",
        "```",
        json.dumps(main_run, sort_keys=True),
        json.dumps(evidence_run, sort_keys=True),
        "```",
        "",
    ]
    results.save("queue", lines)


if __name__ == "__main__":
    main()
