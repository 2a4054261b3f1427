# The few targets people look for. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
PROVIDER ?= clio
GO_TEST_FLAGS ?= -count=1 -timeout 60m

FUZZTIME ?= 10s

.PHONY: demo dev test unit fuzz bench lint tools clean

demo: tools ## one complete export on this machine: PROVIDER=close make demo
	go run ./cmd/demo --provider $(PROVIDER) $(DEMO_FLAGS)

dev: tools ## the demo's stack (Temporal with its Web UI, S3, sandbox API, worker) kept up until Ctrl-C; prints the environment to export
	go run ./cmd/demo --dev --provider $(PROVIDER) $(DEV_FLAGS)

test: tools ## every test, end-to-end ones included (real Temporal, real S3 server), DuckDB reading the Parquet output, then a short fuzz
	go test $(GO_TEST_FLAGS) ./...
	cd e2e/duckdb && go test $(GO_TEST_FLAGS) ./...
	@$(MAKE) --no-print-directory fuzz

fuzz: ## each fuzz target for FUZZTIME (input validation, export ids, keys); seeds also run in every go test
	go test -run '^$$' -fuzz '^FuzzValidateInput$$' -fuzztime $(FUZZTIME) ./workflows
	go test -run '^$$' -fuzz '^FuzzExportIDFrom$$' -fuzztime $(FUZZTIME) ./workflows
	go test -run '^$$' -fuzz '^FuzzKeys$$' -fuzztime $(FUZZTIME) ./activities

unit: ## fast tests only: no servers
	go test -count=1 -short ./...

bench: tools ## one table: durable overhead, budget use, gzip cost; BENCH_FLAGS=--scale adds 1M records, --markdown for the README
	go run ./cmd/bench $(BENCH_FLAGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	cd e2e/duckdb && go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

tools: ## builds the Temporal CLI and versitygw into .tools/bin once
	@bash scripts/tools.sh

clean:
	rm -rf .demo
