#!/usr/bin/env python3
"""The matcher benchmark's harness for the PyPI peers, with the same arguments
and JSON line as our Swift harness (see swift/main.swift):

  ahocorasick-rs  Python bindings of the Rust aho-corasick crate (1.x)
  pyahocorasick   a C extension

  py_bench.py LIBRARY --patterns F --haystack F --semantics overlapping|leftmost-longest
              [--ignore-case] [--repeat N]

Neither library folds ASCII case, so with --ignore-case the haystack and the
patterns are lowered (bytes.lower(), ASCII only: the same fold as ours) before
the timed call. pyahocorasick works on str: the bytes are decoded as Latin-1,
one character per byte, so offsets and counts are byte-for-byte comparable.
Both build Python objects per match; with millions of matches that cost, not
the automaton, dominates their time.
"""
import argparse
import json
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("library", choices=["ahocorasick-rs", "pyahocorasick"])
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--haystack", required=True)
    ap.add_argument("--semantics", default="overlapping", choices=["overlapping", "leftmost-longest"])
    ap.add_argument("--ignore-case", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with open(args.patterns, "rb") as f:
        patterns = f.read().split(b"\n")
    if patterns and patterns[-1] == b"":
        patterns.pop()
    with open(args.haystack, "rb") as f:
        haystack = f.read()
    if args.ignore_case:
        haystack = haystack.lower()
        patterns = [p.lower() for p in patterns]

    if args.library == "ahocorasick-rs":
        import importlib.metadata
        import ahocorasick_rs
        kind = (ahocorasick_rs.MatchKind.Standard if args.semantics == "overlapping"
                else ahocorasick_rs.MatchKind.LeftmostLongest)
        build = lambda: ahocorasick_rs.BytesAhoCorasick(patterns, matchkind=kind)
        overlapping = args.semantics == "overlapping"
        search = lambda ac: len(ac.find_matches_as_indexes(haystack, overlapping=overlapping))
        memory = lambda ac: None
        tool = f"ahocorasick-rs {importlib.metadata.version('ahocorasick-rs')} (Python)"
    else:
        import importlib.metadata
        import ahocorasick
        text = haystack.decode("latin-1")
        keys = [p.decode("latin-1") for p in patterns]

        def build():
            a = ahocorasick.Automaton()
            for i, k in enumerate(keys):
                a.add_word(k, i)
            a.make_automaton()
            return a

        if args.semantics == "overlapping":
            search = lambda a: sum(1 for _ in a.iter(text))
        else:
            search = lambda a: sum(1 for _ in a.iter_long(text))
        memory = lambda a: a.get_stats()["total_size"]
        tool = f"pyahocorasick {importlib.metadata.version('pyahocorasick')} (Python)"

    best_build, ac = float("inf"), None
    for _ in range(max(args.repeat, 1)):
        t = time.perf_counter()
        ac = build()
        best_build = min(best_build, time.perf_counter() - t)
    best_scan, count = float("inf"), 0
    for _ in range(max(args.repeat, 1)):
        t = time.perf_counter()
        count = search(ac)
        best_scan = min(best_scan, time.perf_counter() - t)
    print(json.dumps({
        "tool": tool, "count": count, "build_ms": best_build * 1000, "scan_s": best_scan,
        "mb_per_s": len(haystack) / 1e6 / best_scan, "memory": memory(ac),
    }))


if __name__ == "__main__":
    main()
