# CalmAlly Practice. `make run` opens the app; `make test` runs every test.
# Both install what a fresh Debian/Ubuntu machine lacks (see scripts/).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

GO        ?= go
WAILS_VER := v2.16.0
BIN       := $(CURDIR)/.bin
WAILS     := $(BIN)/wails
APP       := build/bin/calmally
APP_DEV   := build/bin/calmally-dev
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/calmally/practice/internal/buildinfo.Version=$(VERSION)
GOFILES    = $(shell git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null)

.PHONY: run dev build build-dev deps deps-system deps-go deps-npm bindings frontend \
        test fmt-check vet test-go test-keyring test-frontend test-e2e test-smoke bench clean

## deps: everything a fresh machine lacks (apt packages, Go modules, the wails CLI, npm packages)
deps: deps-system deps-go deps-npm

deps-system:
	@scripts/install-system-deps.sh

deps-go: $(WAILS)
	@$(GO) mod download

$(WAILS):
	GOBIN=$(BIN) $(GO) install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VER)

deps-npm: frontend/node_modules/.package-lock.json e2e/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

e2e/node_modules/.package-lock.json: e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund
	@touch $@

## bindings: generate frontend/wailsjs from the bound Go structs (not committed)
bindings: deps-go
	$(WAILS) generate module -tags webkit2_41 >/dev/null

## frontend: type-check and build the UI into frontend/dist (embedded by go:embed)
frontend: deps-npm bindings
	cd frontend && npm run --silent check && npm run --silent build

## build: the production binary
build: deps frontend
	$(GO) build -tags desktop,production,webkit2_41 -trimpath -ldflags "-w -s $(LDFLAGS)" -o $(APP) .

## build-dev: a dev build that serves the UI and real bindings over HTTP (end-to-end tests)
build-dev: deps frontend
	$(GO) build -tags dev,webkit2_41 -ldflags "$(LDFLAGS)" -o $(APP_DEV) .

## run: install, build and open the window (under Xvfb when there is no display)
run: build
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "No display: opening the window under Xvfb (DISPLAY is unset)"; \
		xvfb-run -a -s "-screen 0 1280x800x24" ./$(APP); \
	else ./$(APP); fi

## dev: live-reloading development with the wails CLI
dev: deps
	$(WAILS) dev -tags webkit2_41

## test: everything — formatting, vet, Go tests, the real Secret Service, frontend unit tests,
## end-to-end tests in Chromium against the real bindings, and the window smoke test
test: deps fmt-check vet test-go test-keyring test-frontend test-e2e test-smoke
	@echo "make test: all suites passed"

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@echo "gofmt: ok"

vet:
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

test-keyring:
	CALMALLY_SECRET_SERVICE_TEST=1 scripts/with-keyring.sh $(GO) test -count=1 -run 'SecretService' -v ./internal/vault/ 2>&1 | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)'

test-frontend: deps-npm bindings
	cd frontend && npm run --silent check && npm run --silent test

test-e2e: build-dev
	scripts/e2e.sh

test-smoke: build
	scripts/smoke.sh

## bench: the performance figures of DESIGN.md section 8, beside baselines from the same run
bench:
	scripts/bench.sh

clean:
	rm -rf build/bin frontend/wailsjs e2e/screenshots out
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
