#!/usr/bin/env python3
"""Runs the matcher benchmark: ours and every peer, same data, same semantics,
one invocation. Prints a table and saves it under benchmarks/results/.

  python3 benchmarks/matcher/run.py [--sizes 100,1k,10k,100k] [--haystacks html,txt]
                                    [--semantics overlapping,leftmost-longest] [--repeat 3]

Every row's match count is compared with ours. A disagreement from a native
peer (Rust crate, Hyperscan, ahocorasick-rs) fails the run (exit 1);
pyahocorasick's leftmost-longest (its iter_long) is known to differ and is
flagged in the table instead. Python peers are timed once (--py-repeat) because
their per-match object creation makes each run slow.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "benchmarks", "data")
RESULTS = os.path.join(ROOT, "benchmarks", "results")
OURS = os.path.join(ROOT, ".build", "release", "matcher-bench")
RUST_DIR = os.path.join(HERE, "rust")
RUST = os.path.join(RUST_DIR, "target", "release", "ac-bench")
HS_SRC = os.path.join(HERE, "hyperscan", "hs_bench.c")
HS = os.path.join(HERE, "hyperscan", "hs_bench")
KNOWN_DIFFERENT = {("pyahocorasick", "leftmost-longest")}


def log(message):
    print(message, file=sys.stderr, flush=True)


def prepare():
    if not os.path.exists(os.path.join(DATA, "corpus.html")):
        log("generating the data set (benchmarks/matcher/gen_dataset.py)")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_dataset.py")], check=True)
    if not os.path.exists(OURS):
        subprocess.run(["swift", "build", "-c", "release", "--product", "matcher-bench"], cwd=ROOT, check=True)
    log("building the Rust harness (offline, Debian's registry)")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=RUST_DIR, check=True)
    log("building the Hyperscan harness")
    subprocess.run(["cc", "-O2", "-o", HS, HS_SRC, "-lhs"], check=True)


def run(command):
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(size, haystack, semantics, repeat, py_repeat):
    common = ["--patterns", os.path.join(DATA, f"patterns-{size}.txt"),
              "--haystack", os.path.join(DATA, f"corpus.{haystack}"),
              "--semantics", semantics, "--ignore-case"]
    rows = [("ours", run([OURS] + common + ["--repeat", str(repeat)]))]
    rows.append(("rust", run([RUST] + common + ["--repeat", str(repeat)])))
    if semantics == "overlapping":
        rows.append(("hyperscan", run([HS] + common + ["--repeat", str(repeat)])))
    for lib in ("ahocorasick-rs", "pyahocorasick"):
        rows.append((lib, run([sys.executable, os.path.join(HERE, "py_bench.py"), lib] + common
                              + ["--repeat", str(py_repeat)])))
    return rows


def mib(n):
    return "n/a" if n is None else f"{n / 2**20:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1k,10k,100k")
    ap.add_argument("--haystacks", default="html,txt")
    ap.add_argument("--semantics", default="overlapping,leftmost-longest")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--py-repeat", type=int, default=1)
    args = ap.parse_args()
    prepare()

    results, failures = [], []
    for semantics in args.semantics.split(","):
        for haystack in args.haystacks.split(","):
            for size in args.sizes.split(","):
                log(f"{semantics} / {haystack} / {size} patterns")
                rows = measure(size, haystack, semantics, args.repeat, args.py_repeat)
                ours = rows[0][1]
                for peer, row in rows:
                    row["peer"] = peer
                    row["agrees"] = row["count"] == ours["count"]
                    if not row["agrees"] and (peer, semantics) not in KNOWN_DIFFERENT:
                        failures.append(f"{peer} found {row['count']} matches, ours {ours['count']} "
                                        f"({semantics}, {haystack}, {size})")
                results.append({"semantics": semantics, "haystack": haystack, "size": size, "rows": rows})

    today = datetime.date.today().isoformat()
    lines = [f"# Matcher benchmark, {today}", "",
             f"Command: `make bench-matcher` (python3 benchmarks/matcher/run.py {' '.join(sys.argv[1:])}).",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}. Release builds, one thread.",
             "ASCII case-insensitive. Haystack: about 96 MB of Debian documentation HTML (`html`) or its",
             "visible text (`txt`, about 25 MB), one in-memory buffer; search time is the best of",
             f"{args.repeat} runs ({args.py_repeat} for Python peers), start-up and loading excluded.", ""]
    for semantics in args.semantics.split(","):
        for haystack in args.haystacks.split(","):
            block = [r for r in results if r["semantics"] == semantics and r["haystack"] == haystack]
            peers = [p for p, _ in block[0]["rows"]]
            lines += [f"## {semantics}, {haystack}", "",
                      "| patterns | matches | " + " | ".join(f"{p} MB/s" for p in peers)
                      + " | ours/rust | " + ("ours/hyperscan |" if "hyperscan" in peers else ""),
                      "|---" * (len(peers) + 3 + ("hyperscan" in peers)) + "|"]
            for r in block:
                rows = dict(r["rows"])
                cells = []
                for p in peers:
                    cell = f"{rows[p]['mb_per_s']:.0f}"
                    if not rows[p]["agrees"]:
                        cell += f" (count differs: {rows[p]['count']})"
                    cells.append(cell)
                ratio = rows["ours"]["mb_per_s"] / rows["rust"]["mb_per_s"]
                line = f"| {r['size']} | {rows['ours']['count']:,} | " + " | ".join(cells) + f" | {ratio:.2f}× |"
                if "hyperscan" in rows:
                    line += f" {rows['ours']['mb_per_s'] / rows['hyperscan']['mb_per_s']:.2f}× |"
                lines.append(line)
            lines.append("")
    first_semantics, first_haystack = args.semantics.split(",")[0], args.haystacks.split(",")[0]
    lines += [f"## Build time, load time and memory ({first_semantics}, {first_haystack})", "",
              "| patterns | ours kind | ours build ms | ours load ms | build/load | rust build ms | hyperscan build ms "
              "| ours MiB | rust MiB | hyperscan MiB | pyahocorasick MiB |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if r["semantics"] != first_semantics or r["haystack"] != first_haystack:
            continue
        rows = dict(r["rows"])
        o = rows["ours"]
        hs = rows.get("hyperscan", {})
        lines.append(f"| {r['size']} | {o['tool'].split('auto: ')[-1].rstrip(')')} | {o['build_ms']:.1f} | "
                     f"{o['load_ms']:.2f} | {o['build_ms'] / o['load_ms']:.0f}× | {rows['rust']['build_ms']:.1f} | "
                     f"{hs.get('build_ms', float('nan')):.1f} | {mib(o['memory'])} | {mib(rows['rust']['memory'])} | "
                     f"{mib(hs.get('memory'))} | {mib(rows['pyahocorasick']['memory'])} |")
    tools = sorted({row["tool"] for r in results for _, row in r["rows"]})
    lines += ["", "Tools: " + "; ".join(tools) + ".", "",
              "Notes: the Python peers lower haystack and patterns (ASCII only) before the timed call, as",
              "neither folds case; they build a Python object per match, so with many matches their",
              "figures measure that, and the native rows are the bar. pyahocorasick's `iter_long` is not",
              "leftmost-longest (it is greedy from wherever the automaton is), hence its different counts.",
              "Memory: ours is the whole automaton image; rust is `heap_bytes()`; hyperscan is database",
              "plus scratch; pyahocorasick is `get_stats()['total_size']`; ahocorasick-rs reports none."]
    table = "\n".join(lines) + "\n"
    print(table)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"matcher-{today}.md"), "w") as f:
        f.write(table)
    with open(os.path.join(RESULTS, f"matcher-{today}.json"), "w") as f:
        json.dump(results, f, indent=1)
    if failures:
        log("match counts disagree:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
