# Targets a developer and CI use. `make test` is what CI runs.
GO      ?= go
CORPUS  ?= $(abspath $(if $(HARNESS_CORPUS),$(HARNESS_CORPUS),../shared/corpus/integration-framework))
BIN     := bin/harness
# The validate-only gate: the same check as `harness validate`, without godog.
VALIDATE_BIN := bin/harness-validate
# Tests find the corpus through HARNESS_CORPUS; on a machine without it the
# variable stays unset and the conformance tests skip with one line.
CORPUS_ENV := $(if $(wildcard $(CORPUS)/integrations),HARNESS_CORPUS=$(CORPUS),)

.PHONY: all build test vet fmt-check bench run check fuzz load clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/harness
	$(GO) build -o $(VALIDATE_BIN) ./cmd/harness-validate

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# vet, formatting, then every test (features and fuzz seeds included) under the race detector.
# Test binaries run two per CPU: several packages spend much of their time
# waiting (a browser, network round trips, timeouts), and with one per CPU
# the slowest package was left running alone at the end.
TESTP ?= $(shell n=$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2); echo $$((n * 2)))
test: vet fmt-check
	$(CORPUS_ENV) $(GO) test -race -count=1 -p $(TESTP) ./...

bench:
	$(CORPUS_ENV) $(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

# The main job: validate this repository's integrations, then run every one
# of its features (the @corpus ones see the framework corpus; without it they
# are listed as not run).
run check: build
	./$(BIN) check --root . $(if $(wildcard $(CORPUS)/integrations),--corpus $(CORPUS),)

# Every fuzz target in the module, each for FUZZTIME, one after another
# (go test -fuzz takes one target at a time). Plain `make test` runs only
# their seed corpora.
FUZZTIME ?= 10m
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for name in $$($(CORPUS_ENV) $(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$name for $(FUZZTIME)"; \
	    $(CORPUS_ENV) $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME); \
	  done; \
	done

# Start a fresh `harness serve` on a free loopback port with the corpus's
# integrations, drive it with `harness load`, stop it; fail if load failed.
LOAD_TRIGGERS    ?= 100
LOAD_WORKERS     ?= 32
LOAD_DURATION    ?= 60s
LOAD_INTEGRATION ?= generic-trigger
load: build
	@set -e; log=$$(mktemp); \
	./$(BIN) serve --root $(CORPUS) --addr 127.0.0.1:0 --log-level warn >$$log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true; wait $$pid 2>/dev/null || true; rm -f $$log' EXIT; \
	url=; for i in $$(seq 100); do \
	  url=$$(sed -n 's/^harness serve: fake flag platform at //p' $$log); \
	  [ -n "$$url" ] && break; sleep 0.1; \
	done; \
	if [ -z "$$url" ]; then echo "make load: harness serve did not start:" >&2; cat $$log >&2; exit 1; fi; \
	./$(BIN) load --url $$url --triggers $(LOAD_TRIGGERS) --workers $(LOAD_WORKERS) \
	  --duration $(LOAD_DURATION) --integration $(LOAD_INTEGRATION)

clean:
	rm -rf bin
