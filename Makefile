# Referral triage engine. `make demo` and `make test` are the README's set-up:
# each installs what is missing first.

SWIFT        ?= swift
SYSTEM_DEPS  := libxml2-dev libcurl4-openssl-dev libicu-dev libsqlite3-dev zlib1g-dev libbrotli-dev openssl brotli curl
# Only the matcher benchmark needs these (peers and the corpus).
BENCH_DEPS   := wamerican libhyperscan-dev librust-aho-corasick-dev cargo python3-doc postgresql-doc-15 python-django-doc nginx-light
BENCH_PIP    := ahocorasick-rs pyahocorasick
TRIAGE       := .build/debug/triage

.PHONY: deps bench-deps build release test demo bench-matcher bench-rules bench-text bench-triage bench-queue bench-fetch bench-serve eval-benign rules clean

# Installs missing Debian packages (as root, or with sudo when available).
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(SYSTEM_DEPS))

bench-deps: deps
	$(call apt_install,$(BENCH_DEPS))
	@python3 -c "import ahocorasick_rs, ahocorasick" 2>/dev/null || pip install -q $(BENCH_PIP)

build: deps
	$(SWIFT) build --product triage

release: deps
	$(SWIFT) build -c release

# Every test; then schemathesis against a live `triage serve` and its OpenAPI
# document (.ci/schemathesis); then the fetcher's, whose threads share libcurl and a host
# throttle, the assessment pool's (fetch and assessing threads), the batch
# run's, the intake worker's (the pool, filing and sinks) and the server's
# (request tasks, the group commit, the intake service's thread), again under
# the thread sanitizer (a second build in .build-tsan); then the
# fetcher's (socket addresses read through libcurl's pointers), the
# matcher's and the scanner's (buffers capped per page) under
# AddressSanitizer (.build-asan). LeakSanitizer is off there: it reports a
# few bytes the XCTest and Foundation runtimes keep to the end.
test: deps
	@python3 -c "import schemathesis" 2>/dev/null || pip install -q schemathesis
	$(SWIFT) test
	.ci/schemathesis
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter 'PageFetchTests|AssessmentPoolTests|BatchRunTests|IntakeWorkerTests|TriageServerTests'
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan \
	  --filter 'PageFetchTests|DifferentialTests|EvaluationTests|ScannerDifferentialTests|PipelineTests'

# The main job on Samples/: the sample referrals triaged into a new review
# queue in a temporary folder, the queue's summary and top cases, one page
# explained, and a scan of the sample pages.
demo: build
	@set -e; dir=$$(mktemp -d); db=$$dir/queue.sqlite; \
	echo "== triage batch: the sample referrals into a new review queue, $$db (malformed lines are reported and skipped)"; \
	$(TRIAGE) batch Samples/referrals.ndjson --db $$db || test $$? -eq 1; \
	echo; echo "== triage queue stats"; $(TRIAGE) queue stats --db $$db; \
	echo; echo "== triage queue list: the top cases, in the order officers claim them"; $(TRIAGE) queue list --db $$db --limit 12; \
	echo; echo "== triage queue verify: the audit chain and evidence hashes"; $(TRIAGE) queue verify --db $$db; \
	echo; echo "== triage check: one page, explained"; \
	$(TRIAGE) check Samples/pages/05-evasion-synthetic.html --source trusted-flagger; \
	echo; echo "== triage scan: sample indicators over Samples/pages (match counts per page)"; \
	$(TRIAGE) scan --patterns Samples/indicators.txt --ignore-case --count Samples/pages/*.html || test $$? -eq 1; \
	echo; echo "== triage serve: the service over the same queue (an intake token; a referral sent with curl, its assessment read back)"; \
	token=$$($(TRIAGE) tokens create --db $$db --name demo-flagger --scope intake 2>/dev/null); \
	$(TRIAGE) serve --db $$db --listen 127.0.0.1:0 --log-level info 2> $$dir/serve.log & pid=$$!; \
	for i in $$(seq 300); do grep -q "listening on" $$dir/serve.log && break; sleep 0.1; done; \
	url=$$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' $$dir/serve.log); echo "listening on $$url"; \
	echo "\$$ curl -X POST $$url/api/v1/referrals -H 'Authorization: Bearer trg_…' --data-binary @referral.json"; \
	python3 -c 'import json; print(json.dumps({"id": "demo-web-1", "source": "trusted-flagger", "url": "https://video.example.invalid/watch/55", "html": open("Samples/pages/05-evasion-synthetic.html").read()}))' \
	  | curl -sS -X POST $$url/api/v1/referrals -H "Authorization: Bearer $$token" -H 'Content-Type: application/json' --data-binary @-; \
	echo "\$$ curl $$url/api/v1/referrals/demo-web-1 -H 'Authorization: Bearer trg_…'"; \
	for i in $$(seq 100); do curl -sS $$url/api/v1/referrals/demo-web-1 -H "Authorization: Bearer $$token" > $$dir/status.json; \
	  grep -q '"status":"assessed"' $$dir/status.json && break; sleep 0.1; done; \
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); a=s.get("assessment",{}); print("status", s["status"], "| case", s.get("case",{}).get("id"), "| band", a.get("band"), "score", a.get("score"), "| rules hit:", ", ".join(h["rule"] for h in a.get("hits",[])))' $$dir/status.json; \
	kill -TERM $$pid; wait $$pid; echo "server stopped (SIGTERM): its log is $$dir/serve.log"; \
	echo; echo "The queue stays in $$dir: try  $(TRIAGE) queue claim --db $$db --officer you"

# Regenerates Rules/proscribed-organisations.rules from ../shared/data.
rules:
	python3 Rules/tools/generate_proscribed_organisations.py

bench-matcher: bench-deps
	$(SWIFT) build -c release --product matcher-bench
	python3 benchmarks/matcher/run.py

bench-rules: bench-deps
	$(SWIFT) build -c release --product rules-bench
	python3 benchmarks/rules/run.py

bench-text: bench-deps
	@python3 -c "import lxml, selectolax, resiliparse" 2>/dev/null || pip install -q lxml selectolax resiliparse
	$(SWIFT) build -c release --product text-bench
	python3 benchmarks/text/run.py

bench-triage: bench-deps
	$(SWIFT) build -c release --product triage
	$(SWIFT) build -c release --product text-bench
	python3 benchmarks/triage/run.py

# The review queue: enqueue rate, claim/decide latency and size at a million cases.
bench-queue: deps
	$(SWIFT) build -c release --product queue-bench
	python3 benchmarks/queue/run.py

# Fetching from a local nginx: fetches/s at 1, 16 and 64 at once, and what
# fetching adds to end-to-end triage (needs bench-triage's pages).
bench-fetch: bench-deps
	$(SWIFT) build -c release --product fetch-bench
	$(SWIFT) build -c release --product triage
	@test -d benchmarks/data/triage/pages || python3 benchmarks/triage/gen_referrals.py
	python3 benchmarks/fetch/run.py

# The service on loopback: intake end to end against `triage batch --db`
# (streamed batch and 64 concurrent single posts, acknowledgement latency),
# list and case reads at a million cases, memory over a ten-minute soak.
bench-serve: bench-deps
	$(SWIFT) build -c release --product triage
	$(SWIFT) build -c release --product queue-bench
	$(SWIFT) build -c release --product serve-load
	@test -f benchmarks/data/triage/referrals-10k.ndjson || python3 benchmarks/triage/gen_referrals.py
	python3 benchmarks/serve/run.py

# False positives on real benign text: every HTML page of Debian's Python,
# PostgreSQL and Django documentation through `triage batch` with the
# shipped rules (target: at most 1% at P4 or above, none above P4).
eval-benign: bench-deps
	$(SWIFT) build -c release --product triage
	python3 benchmarks/benign/run.py --save

clean:
	rm -rf .build benchmarks/matcher/rust/target
