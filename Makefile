# Amanat: `make demo` and `make test` do all the set-up on a fresh Debian 12 with Swift.
SWIFT ?= swift

.PHONY: all deps build release test demo run clean

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

demo: build
	@scripts/demo.sh

run: build
	@scripts/run-dev.sh

clean:
	rm -rf .build
