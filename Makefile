# Targets a developer and CI use. `make test` is what CI runs.
GO      ?= go
CORPUS  ?= $(if $(HARNESS_CORPUS),$(HARNESS_CORPUS),../shared/corpus/integration-framework)
BIN     := bin/harness

.PHONY: all build test vet fmt-check bench run check fuzz load clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/harness

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# vet, formatting, then every test (features and fuzz seeds included) under the race detector.
test: vet fmt-check
	HARNESS_CORPUS=$(CORPUS) $(GO) test -race -count=1 ./...

bench:
	HARNESS_CORPUS=$(CORPUS) $(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

# The main job: validate this repository's integrations, then run its features.
run check: build
	./$(BIN) check --root .

clean:
	rm -rf bin
