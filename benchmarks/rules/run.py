#!/usr/bin/env python3
"""Runs the rules benchmark (`make bench-rules`): for generated rule sets of
1k, 10k, 100k and 1M patterns, compile time, compiled size, load time, and
rule evaluation over the benchmark corpus (2,391 pages) against the bare
automaton scan of the same pages. Saves the table under benchmarks/results/.

    python3 benchmarks/rules/run.py [--sizes 1k,10k,100k,1m] [--repeat 5]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "benchmarks", "data")
BENCH = os.path.join(ROOT, ".build", "release", "rules-bench")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1k,10k,100k,1m")
    ap.add_argument("--repeat", type=int, default=5, help="rounds per rule set (each scans the corpus three ways)")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(DATA, "corpus.html")):
        subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "matcher", "gen_dataset.py")], check=True)
    if not os.path.exists(os.path.join(DATA, "rules-1m.rules")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_rules.py")], check=True)
    rows = []
    for size in args.sizes.split(","):
        print(f"rules-bench: {size} patterns", file=sys.stderr, flush=True)
        out = subprocess.run([BENCH, "--rules", os.path.join(DATA, f"rules-{size}.rules"),
                              "--corpus", os.path.join(DATA, "corpus.html"), "--repeat", str(args.repeat)],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row["set"] = size
        rows.append(row)
    today = datetime.date.today().isoformat()
    lines = [f"# Rules benchmark, {today}", "",
             f"Command: `make bench-rules` (python3 benchmarks/rules/run.py {' '.join(sys.argv[1:])}). Release build, one thread",
             "(except loading, which checks a large automaton's states on every core).",
             "Rule sets from benchmarks/rules/gen_rules.py (10 patterns a rule). Corpus: the matcher benchmark's",
             "96 MB of HTML as 2,391 pages, views prepared beforehand. Each page is scanned three ways, in rotating",
             f"order, timed page by page, in {args.repeat} rounds: the bare automata collecting every match (the",
             "baseline), the rule scan reporting which rules hold (conditions), and the full rule scan with",
             "evidence (every span of every hit). Overhead = (rule scan - baseline) / baseline within each round;",
             "the table gives the median over the rounds, with their range, and the best round of each way against",
             "the best baseline (best vs best). Seconds are best rounds. Load = median of 21 loads of the compiled",
             "file. The count-only column is the baseline without materialising matches.", "",
             "| patterns | rules | compile s | size MiB | load ms | matches | rule hits | evidence spans | baseline s | count-only s | conditions s | with evidence s | condition overhead (rounds; best vs best) | evidence overhead (rounds; best vs best) | MB/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    def pct(r, key):
        rounds = r[key + "_rounds"]
        return f"{r[key] * 100:.1f}% ({min(rounds) * 100:.1f}-{max(rounds) * 100:.1f}; {r[key + '_best'] * 100:.1f}%)"
    for r in rows:
        lines.append(f"| {r['set']} | {r['rule_count']:,} | {r['compile_s']:.2f} | {r['size'] / 2**20:.1f} | {r['load_ms']:.1f} | "
                     f"{r['automaton_matches']:,} | {r['rule_hits']:,} | {r['evidence_spans']:,} | {r['automata_s']:.2f} | {r['count_only_s']:.2f} | "
                     f"{r['conditions_s']:.2f} | {r['rules_s']:.2f} | {pct(r, 'condition_overhead')} | {pct(r, 'overhead')} | {r['mb_per_s']:.0f} |")
    table = "\n".join(lines) + "\n"
    print(table)
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", f"rules-{today}.md"), "w") as f:
        f.write(table)


if __name__ == "__main__":
    main()
