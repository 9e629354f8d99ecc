#!/usr/bin/env python3
"""Runs the fetch benchmark (`make bench-fetch`): a local nginx (started here
on loopback, stopped at the end) serves the triage benchmark's pages;
`fetch-bench` (release build) fetches small pages with 1, 16 and 64
concurrent fetches (fetches/s; every body's SHA-256 checked against the
file), and all pages with 16 (MB/s). Then `triage batch` over the same
referrals on two assessing threads, in pairs of runs: content read from disk,
and URL-only with --fetch from the local server, to measure what fetching
adds end to end (the median of the pairs' ratios).
Saves benchmarks/results/fetch-DATE.md.

    python3 benchmarks/fetch/run.py
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import results  # noqa: E402  (benchmarks/results.py)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "benchmarks", "data", "triage")
PAGES = os.path.join(DATA, "pages")
BENCH = os.path.join(ROOT, ".build", "release", "fetch-bench")
TRIAGE = os.path.join(ROOT, ".build", "release", "triage")
PORT = 18_481
PAIRS = 9
FETCH_JOBS = 16  # batch's default


def start_nginx(folder):
    conf = os.path.join(folder, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{PORT};
        root {DATA};
        default_type text/html;
    }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", conf, "-p", folder], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    if process.poll() is not None:
        sys.exit("nginx did not start")
    return process


def fetch_bench(listing, threads, rounds=1):
    result = subprocess.run([BENCH, "--base", f"http://127.0.0.1:{PORT}", "--root", DATA, "--list", listing,
                             "--threads", str(threads), "--rounds", str(rounds)], stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"fetch-bench failed: {result.stdout}")
    return json.loads(result.stdout)


def batch(referrals, fetch):
    command = ["taskset", "-c", "0,1", TRIAGE, "batch", referrals, "--format", "ndjson", "--jobs", "2"]
    if fetch:
        command += ["--fetch", "--fetch-jobs", str(FETCH_JOBS), "--allow-loopback-port", str(PORT), "--per-host", "64", "--host-spacing", "0"]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rate = re.search(r"rate: ([0-9.]+) referrals/s, ([0-9.]+) MB/s over ([0-9.]+) s", result.stderr)
    bands = re.search(r"bands: (.*)", result.stderr).group(1)
    return float(rate.group(1)), float(rate.group(3)), bands, result.stdout


def main():
    if not os.path.isdir(PAGES):
        sys.exit("no benchmark pages: run benchmarks/triage/gen_referrals.py first (make bench-triage does)")
    pages = sorted(os.listdir(PAGES))
    sizes = {p: os.path.getsize(os.path.join(PAGES, p)) for p in pages}
    small = [p for p in pages if sizes[p] <= 8192][:1000]
    with tempfile.TemporaryDirectory() as folder:
        small_list = os.path.join(folder, "small.txt")
        all_list = os.path.join(folder, "all.txt")
        with open(small_list, "w") as f:
            f.write("\n".join("pages/" + p for p in small))
        with open(all_list, "w") as f:
            f.write("\n".join("pages/" + p for p in pages))
        # The same 2,000 referrals, with content on disk and URL-only.
        disk = os.path.join(folder, "disk.ndjson")
        urls = os.path.join(folder, "urls.ndjson")
        chosen = [pages[(i * len(pages)) // 2000] for i in range(2000)]  # real and synthetic pages alike
        with open(disk, "w") as d, open(urls, "w") as u:
            for i, p in enumerate(chosen):
                # The same referral both ways, URL included (cases fold by it either way): only where the page comes from differs.
                url = f"http://127.0.0.1:{PORT}/pages/{p}"
                d.write(json.dumps({"id": f"F-{i}", "url": url, "path": os.path.join(PAGES, p), "content_type": "text/html"}) + "\n")
                u.write(json.dumps({"id": f"F-{i}", "url": url}) + "\n")
        nginx = start_nginx(folder)
        try:
            rows = [fetch_bench(small_list, t, rounds=3 if t > 1 else 1) for t in (1, 16, 64)]
            big = fetch_bench(all_list, 16)
            # Disk and fetch runs in pairs, back to back, the order alternating: on a VM whose speed drifts
            # by 20-40% between runs, the ratio within a pair is steadier than rates compared across runs.
            pairs = []
            for i in range(PAIRS):
                order = ("disk", "fetch") if i % 2 == 0 else ("fetch", "disk")
                pair = {kind: batch(disk if kind == "disk" else urls, kind == "fetch") for kind in order}
                pairs.append(pair)
        finally:
            nginx.terminate()
            nginx.wait()

    for pair in pairs:
        if pair["disk"][2] != pair["fetch"][2]:
            sys.exit(f"bands differ between disk and fetch: {pair['disk'][2]} vs {pair['fetch'][2]}")
    # What fetching adds to the time of the same batch: time with / time without - 1 = rate without / rate with - 1.
    added = sorted(pair["disk"][0] / pair["fetch"][0] - 1 for pair in pairs)
    median = added[len(added) // 2]
    best = {kind: max(pair[kind][0] for pair in pairs) for kind in ("disk", "fetch")}
    avg_small = sum(sizes[p] for p in small) / len(small)
    lines = [
        f"# Fetch benchmark, {datetime.date.today().isoformat()}",
        "",
        f"`make bench-fetch` (benchmarks/fetch/run.py): release build; nginx 1.22 on 127.0.0.1 serving the triage benchmark's",
        f"{len(pages):,} pages. `fetch-bench` gives each thread its own libcurl handle (connections reused) and checks every",
        "body's SHA-256 against the file.",
        "",
        "| fetches at once | pages | fetches | fetches/s | MB/s |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['threads']} | {len(small):,} small (avg {avg_small / 1024:.1f} KB) | {r['fetches']:,} | "
                     f"{r['fetches_per_s']:,.0f} | {r['mb_per_s']:.1f} |")
    lines.append(f"| {big['threads']} | all {len(pages):,} (avg {sum(sizes.values()) / len(pages) / 1024:.0f} KB) | {big['fetches']:,} | "
                 f"{big['fetches_per_s']:,.0f} | {big['mb_per_s']:.1f} |")
    lines += [
        "",
        f"End to end, `triage batch` of the same {len(chosen):,} referrals (each with its URL) on two assessing threads, "
        f"{PAIRS} pairs of runs: content from disk, and URL-only with --fetch from the local server (fetch threads beside the "
        f"assessing ones, --fetch-jobs {FETCH_JOBS}). nginx runs on the same two cores. Same bands every run: {pairs[0]['disk'][2]}.",
        "",
        f"- fetching adds, per pair (sorted): {', '.join(f'{a * 100:+.0f}%' for a in added)}; median {median * 100:+.0f}%",
        f"- best rates: from disk {best['disk']:,.0f} referrals/s, with --fetch {best['fetch']:,.0f} referrals/s "
        f"({(best['disk'] / best['fetch'] - 1) * 100:+.0f}%)",
        "",
        "Targets (issue 7):",
        f"- 64 concurrent fetches of small pages, at least 1,000 fetches/s: {rows[2]['fetches_per_s']:,.0f}/s, "
        f"{'met' if rows[2]['fetches_per_s'] >= 1000 else 'NOT met'}",
        f"- fetching adds under 25% to end-to-end triage of local pages: median of the pairs {median * 100:.0f}%, "
        f"{'met' if median < 0.25 else 'NOT met'}",
        "",
    ]
    results.save("fetch", lines)


if __name__ == "__main__":
    main()
