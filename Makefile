# Amanat: `make demo` and `make test` do all the set-up on a fresh Debian 12 with Swift.
SWIFT ?= swift

.PHONY: all deps build release test interop demo run clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	BIN="$$($(SWIFT) build --show-bin-path)" INTEROP_VENV="$(CURDIR)/.build/interop-venv" interop/check.sh

# The independent Python reader (written from docs/FORMAT.md) against amanat-keyholder.
interop: build
	BIN="$$($(SWIFT) build --show-bin-path)" INTEROP_VENV="$(CURDIR)/.build/interop-venv" interop/check.sh

demo: build
	@scripts/demo.sh

run: build
	@scripts/run-dev.sh

clean:
	rm -rf .build
