#!/usr/bin/env python3
"""Runs the service benchmark (`make bench-serve`): `triage serve` (release
build) on loopback, against `triage batch --db` on the same referrals in the
same run.

1. Intake: the triage benchmark's 10,000 referrals (gen_referrals.py), their
   pages inline (the API refuses paths), filed into a new queue three ways,
   interleaved round by round: `triage batch --db` (the reference),
   `POST /api/v1/referrals:batch` (the file streamed by curl), and 64
   concurrent clients (serve-load, ours) each posting single referrals to
   `POST /api/v1/referrals` on keep-alive connections. End to end: from the first
   byte sent until every referral is assessed and filed (the intake backlog,
   read from /readyz, is 0 and the queue holds every referral). For single
   posts, the acknowledgement latency (p50, p99) while the workers are busy.
   Ratios are paired within a round; the machine's speed drifts between runs.
2. Reading at scale: a queue of 1,000,000 cases (queue-bench), served;
   16 clients (serve-load --read) for --read-seconds each request
   `GET /api/v1/cases?limit=50` or a case by id (`GET /api/v1/cases/{id}`):
   p50 and p99 of each.
3. Memory: with --soak-seconds, referrals are posted at a steady rate for
   that long and the server's resident memory (VmRSS) is read at the start
   and the end.

The harness checks its own answers: every referral acknowledged is filed
exactly once (the queue's referral count), every case read is the one
asked for, and `triage queue verify` passes on each queue. Client and server
share the machine's two cores: the figures are for both together.
Saves benchmarks/results/serve-DATE.md.

    python3 benchmarks/serve/run.py [--rounds 2] [--read-seconds 20] [--soak-seconds 600] [--skip-read]
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import results  # noqa: E402  (benchmarks/results.py)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "benchmarks", "data")
TRIAGE = os.path.join(ROOT, ".build", "release", "triage")
QUEUE_BENCH = os.path.join(ROOT, ".build", "release", "queue-bench")
SERVE_LOAD = os.path.join(ROOT, ".build", "release", "serve-load")
TARGETS = {"intake_ratio": 0.8, "ack_p99_ms": 20.0, "read_p99_ms": 20.0}


def inline_referrals():
    """referrals-10k.ndjson with each page's bytes inline as `html`."""
    source = os.path.join(DATA, "triage", "referrals-10k.ndjson")
    out = os.path.join(DATA, "serve", "referrals-10k-inline.ndjson")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(source):
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(source) as f, open(out + ".tmp", "w") as o:
        for line in f:
            record = json.loads(line)
            with open(os.path.join(DATA, "triage", record.pop("path")), encoding="utf-8", errors="replace") as page:
                record["html"] = page.read()
            o.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(out + ".tmp", out)
    return out


class Server:
    def __init__(self, db, jobs=2):
        self.log = tempfile.NamedTemporaryFile(prefix="serve-", suffix=".log", delete=False)
        self.process = subprocess.Popen([TRIAGE, "serve", "--db", db, "--listen", "127.0.0.1:0", "--jobs", str(jobs)],
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            text = open(self.log.name).read()
            match = re.search(r"listening on http://([0-9.]+):(\d+)", text)
            if match:
                self.host, self.port = match.group(1), int(match.group(2))
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit("triage serve did not start:\n" + open(self.log.name).read())

    def connection(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def backlog(self):
        connection = self.connection()
        connection.request("GET", "/readyz")
        body = json.loads(connection.getresponse().read() or b"{}")
        return body.get("backlog", 10**9)

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.process.terminate()
        if self.process.wait(timeout=60) != 0:
            sys.exit("triage serve did not stop cleanly:\n" + open(self.log.name).read())
        os.unlink(self.log.name)


def token(db, scope, name):
    return subprocess.run([TRIAGE, "tokens", "create", "--db", db, "--name", name, "--scope", scope],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True, text=True).stdout.strip()


def new_queue(folder, name):
    """A new, empty queue, made by a batch of nothing (`triage tokens`
    needs a queue that exists)."""
    db = os.path.join(folder, name + ".sqlite")
    empty = os.path.join(folder, "empty.ndjson")
    open(empty, "w").close()
    subprocess.run([TRIAGE, "batch", empty, "--db", db], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return db


def referral_count(db):
    out = subprocess.run([TRIAGE, "queue", "stats", "--db", db, "--format", "json"], stdout=subprocess.PIPE, check=True, text=True).stdout
    return json.loads(out)["referrals"]


def verify(db):
    if subprocess.run([TRIAGE, "queue", "verify", "--db", db], stdout=subprocess.DEVNULL).returncode != 0:
        sys.exit(f"queue verify failed on {db}")


def run_batch(folder, referrals, expected):
    db = os.path.join(folder, "batch.sqlite")
    start = time.perf_counter()
    subprocess.run([TRIAGE, "batch", referrals, "--db", db, "--format", "ndjson", "--jobs", "2"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    if referral_count(db) != expected:
        sys.exit(f"triage batch --db filed {referral_count(db)} referrals, not {expected}")
    verify(db)
    return expected / seconds


def wait_filed(server, start):
    while server.backlog() > 0:
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    return seconds


def run_serve_batch(folder, referrals, expected):
    db = new_queue(folder, "serve-batch")
    secret = token(db, "intake", "bench")
    server = Server(db)
    url = f"http://{server.host}:{server.port}/api/v1/referrals:batch"
    start = time.perf_counter()
    answers = subprocess.run(["curl", "-sS", "--fail", "-X", "POST", url, "-H", f"Authorization: Bearer {secret}",
                              "-H", "Content-Type: application/x-ndjson", "--data-binary", "@" + referrals],
                             stdout=subprocess.PIPE, check=True).stdout.decode().splitlines()
    seconds = wait_filed(server, start)
    server.stop()
    summary = json.loads(answers[-1])["summary"]
    if summary["accepted"] != expected or referral_count(db) != expected:
        sys.exit(f"referrals:batch: {summary}, {referral_count(db)} filed; expected {expected}")
    verify(db)
    return expected / seconds


def run_serve_single(folder, referrals, expected, clients=64):
    """64 clients of serve-load (ours, in Swift: a Python client spent a
    core of the two it shares with the server), each posting single
    referrals on its own keep-alive connection."""
    db = new_queue(folder, "serve-single")
    secret = token(db, "intake", "bench")
    server = Server(db)
    start = time.perf_counter()
    run = subprocess.run([SERVE_LOAD, "--host", server.host, "--port", str(server.port), "--token", secret,
                          "--clients", str(clients), referrals], stdout=subprocess.PIPE, text=True)
    seconds = wait_filed(server, start)
    server.stop()
    load = json.loads(run.stdout)
    if run.returncode != 0 or load["accepted"] != expected or referral_count(db) != expected:
        sys.exit(f"single posts: {load}, {referral_count(db)} filed; expected {expected}")
    verify(db)
    return expected / seconds, load["p50_ms"], load["p99_ms"]


def run_probe(folder, referrals, expected, rate=100, seconds=3):
    """Acknowledgement latency while the workers are saturated, without the
    queueing a closed loop of clients adds: the file is streamed in, and
    once it is accepted (thousands of referrals waiting for the workers)
    one client posts small referrals at `rate` a second for `seconds`, each
    timed from send to answer."""
    db = new_queue(folder, "serve-probe")
    secret = token(db, "intake", "bench")
    server = Server(db)
    url = f"http://{server.host}:{server.port}/api/v1/referrals:batch"
    subprocess.run(["curl", "-sS", "--fail", "-X", "POST", url, "-H", f"Authorization: Bearer {secret}",
                    "-H", "Content-Type: application/x-ndjson", "--data-binary", "@" + referrals],
                   stdout=subprocess.DEVNULL, check=True)
    backlog = server.backlog()
    connection = server.connection()
    latencies = []
    begin = time.perf_counter()
    for i in range(rate * seconds):
        ahead = i / rate - (time.perf_counter() - begin)
        if ahead > 0:
            time.sleep(ahead)
        body = json.dumps({"id": f"probe-{i}", "text": f"probe {i}: a short synthetic report"})
        start = time.perf_counter()
        connection.request("POST", "/api/v1/referrals", body=body,
                           headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        if response.status != 202:
            sys.exit(f"probe: {response.status}")
    still = server.backlog()
    wait_filed(server, begin)
    server.stop()
    if referral_count(db) != expected + rate * seconds:
        sys.exit(f"probe: {referral_count(db)} filed, expected {expected + rate * seconds}")
    if still == 0:
        sys.exit("probe: the workers were not busy for the whole probe; nothing was measured under load")
    latencies.sort()
    return backlog, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000


def run_reads(cases, seconds, clients=16):
    """16 clients of serve-load --read: pages of cases by cursor and cases
    by id, each answer checked."""
    db = os.path.join(DATA, "serve", f"queue-{cases}.sqlite")
    if not os.path.exists(db):
        subprocess.run([QUEUE_BENCH, "--db", db, "--cases", str(cases), "--claims", "1", "--root", ROOT],
                       stdout=subprocess.DEVNULL, check=True)
    secret = token(db, "read", f"bench-{random.randrange(1 << 30)}")
    server = Server(db, jobs=1)
    first = server.connection()
    first.request("GET", "/api/v1/cases?limit=500&state=new,in-review,decided", headers={"Authorization": f"Bearer {secret}"})
    ids = [c["id"] for c in json.loads(first.getresponse().read())["cases"]]
    with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as f:
        f.write("\n".join(ids) + "\n")
    run = subprocess.run([SERVE_LOAD, "--read", "--host", server.host, "--port", str(server.port), "--token", secret,
                          "--clients", str(clients), "--seconds", str(seconds), f.name], stdout=subprocess.PIPE, text=True)
    os.unlink(f.name)
    server.stop()
    if run.returncode != 0:
        sys.exit(f"reads gave wrong answers: {run.stdout}")
    return json.loads(run.stdout)


def run_soak(folder, referrals, seconds, rate=200):
    db = new_queue(folder, "soak")
    secret = token(db, "intake", "bench")
    server = Server(db)
    with open(referrals, "rb") as f:
        lines = f.read().splitlines()
    connection = server.connection()
    time.sleep(1)
    start_rss = server.rss_mib()
    begin = time.perf_counter()
    sent = 0
    samples = []
    while time.perf_counter() - begin < seconds:
        if (time.perf_counter() - begin) >= 60 * (len(samples) + 1):
            samples.append(server.rss_mib())
            print(f"soak: {len(samples)} min, {sent} referrals, {samples[-1]:.0f} MiB", file=sys.stderr)
        line = json.loads(lines[sent % len(lines)])
        line["id"] = f"soak-{sent}"
        connection.request("POST", "/api/v1/referrals", body=json.dumps(line),
                           headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 202:
            sys.exit(f"soak: {response.status}")
        sent += 1
        ahead = sent / rate - (time.perf_counter() - begin)
        if ahead > 0:
            time.sleep(ahead)
    wait_filed(server, begin)
    end_rss = server.rss_mib()
    server.stop()
    if referral_count(db) != sent:
        sys.exit(f"soak: {referral_count(db)} filed of {sent}")
    return start_rss, end_rss, sent, samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--read-seconds", type=int, default=20)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--soak-seconds", type=int, default=600)
    ap.add_argument("--skip-read", action="store_true")
    args = ap.parse_args()

    referrals = inline_referrals()
    with open(referrals, "rb") as f:
        expected = sum(1 for _ in f)
    rounds = []
    for r in range(args.rounds):
        folder = tempfile.mkdtemp(prefix="bench-serve-")
        try:
            batch = run_batch(folder, referrals, expected)
            streamed = run_serve_batch(folder, referrals, expected)
            single, ack50, ack99 = run_serve_single(folder, referrals, expected)
            backlog, probe50, probe99 = run_probe(folder, referrals, expected)
        finally:
            shutil.rmtree(folder)
        rounds.append((batch, streamed, single, ack50, ack99, backlog, probe50, probe99))
        print(f"round {r + 1}: batch --db {batch:.0f}/s, referrals:batch {streamed:.0f}/s ({streamed / batch:.2f}x), "
              f"64 single posts {single:.0f}/s ({single / batch:.2f}x), ack p50 {ack50:.1f} ms p99 {ack99:.1f} ms; "
              f"probe with {backlog} waiting: p50 {probe50:.1f} ms p99 {probe99:.1f} ms", file=sys.stderr)

    reads = None if args.skip_read else run_reads(args.cases, args.read_seconds)
    soak = None
    if args.soak_seconds > 0:
        folder = tempfile.mkdtemp(prefix="bench-serve-")
        try:
            soak = run_soak(folder, referrals, args.soak_seconds)
        finally:
            shutil.rmtree(folder)

    def verdict(ok):
        return "met" if ok else "NOT met"

    streamed_ratio = statistics.median(s / b for b, s, *_ in rounds)
    single_ratio = statistics.median(s / b for b, _, s, *_ in rounds)
    ack99 = statistics.median(r[4] for r in rounds)
    probe99 = statistics.median(r[7] for r in rounds)
    lines = [f"# triage serve, {time.strftime('%Y-%m-%d')}", "",
             f"`python3 benchmarks/serve/run.py --rounds {args.rounds} --read-seconds {args.read_seconds} --soak-seconds {args.soak_seconds}` "
             f"(release build, loopback; client and server share {os.cpu_count()} cores; server `--jobs 2`). "
             f"{expected:,} referrals with their pages inline ({os.path.getsize(referrals) / 2**20:.0f} MiB of NDJSON).", "",
             "## Intake, end to end (accepted, assessed and filed)", "",
             "| round | `triage batch --db` | `POST referrals:batch` | ratio | 64 × `POST referrals` | ratio | their ack p50 | p99 "
             "| probe: waiting | probe ack p50 | p99 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for i, (b, s, g, a50, a99, waiting, p50, p99) in enumerate(rounds):
        lines.append(f"| {i + 1} | {b:,.0f}/s | {s:,.0f}/s | {s / b:.2f}x | {g:,.0f}/s | {g / b:.2f}x | {a50:.1f} ms | {a99:.1f} ms "
                     f"| {waiting:,} | {p50:.1f} ms | {p99:.1f} ms |")
    lines += ["",
              f"- streamed batch against `batch --db` (median of rounds): {streamed_ratio:.2f}x, target {TARGETS['intake_ratio']}x: "
              f"{verdict(streamed_ratio >= TARGETS['intake_ratio'])}",
              f"- 64 concurrent single posts against `batch --db`: {single_ratio:.2f}x, target {TARGETS['intake_ratio']}x: "
              f"{verdict(single_ratio >= TARGETS['intake_ratio'])}",
              f"- acknowledgement p99 with the workers saturated (the probe: one client posting 100 a second while the "
              f"workers have the streamed file's referrals waiting): {probe99:.1f} ms, target {TARGETS['ack_p99_ms']:.0f} ms: "
              f"{verdict(probe99 <= TARGETS['ack_p99_ms'])}",
              f"- the 64 clients' own acknowledgement p99 ({ack99:.1f} ms) is mostly their queueing: 64 clients in a closed "
              f"loop wait 64 / (referrals accepted a second) on average whatever the server does"]
    if reads:
        lines += ["", f"## Reading a queue of {args.cases:,} cases, 16 clients, {args.read_seconds} s", "",
                  "| request | count | p50 | p99 |", "|---|---|---|---|",
                  f"| `GET /api/v1/cases?limit=50` (by cursor) | {reads['lists']:,} | {reads['list_p50']:.1f} ms | {reads['list_p99']:.1f} ms |",
                  f"| `GET /api/v1/cases/{{id}}` | {reads['details']:,} | {reads['detail_p50']:.1f} ms | {reads['detail_p99']:.1f} ms |",
                  "", f"- {reads['per_s']:,.0f} requests/s; p99 target {TARGETS['read_p99_ms']:.0f} ms: "
                  f"{verdict(max(reads['list_p99'], reads['detail_p99']) <= TARGETS['read_p99_ms'])}"]
    if soak:
        lines += ["", f"## Memory over {args.soak_seconds} s at 200 referrals/s", "",
                  f"- {soak[2]:,} referrals; server resident memory {soak[0]:.0f} MiB after start, {soak[1]:.0f} MiB at the end",
                  "- each minute: " + ", ".join(f"{m:.0f}" for m in soak[3]) + " MiB"]
    results.save("serve", lines)


if __name__ == "__main__":
    main()
