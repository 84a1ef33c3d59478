# Amanat: `make demo` and `make test` do all the set-up on a fresh Debian 12 with Swift.
SWIFT ?= swift

# Installation paths. `make install PREFIX=/usr` for a system package; DESTDIR stages into another root.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DOCDIR ?= $(PREFIX)/share/doc/amanat
BINARIES := amanatd amanat amanat-keyholder

.PHONY: all deps build release test interop crashtest fuzz bench demo run clean install install-files uninstall

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

# kill -9 under load, CYCLES times (make test runs 3): nothing acknowledged may be lost or leak.
CYCLES ?= 50
crashtest: deps
	$(SWIFT) build --build-tests
	AMANAT_CRASH_CYCLES=$(CYCLES) $(SWIFT) test --skip-build --filter CrashTests

# libFuzzer targets (Fuzz/), SECONDS per target, from the corpora in Tests/Fuzz.
SECONDS ?= 60
fuzz: deps
	scripts/fuzz.sh $(SECONDS)

# Release-mode throughput, latency and memory against this machine's limits; writes BENCHMARKS.md.
# BENCH_SECONDS per client count (default 10), BENCH_RECORDS in the key holder's archive (default 100000).
bench: deps
	$(SWIFT) build -c release
	BIN="$$($(SWIFT) build -c release --show-bin-path)" && "$$BIN/amanat-bench" --bin "$$BIN" --command "make bench"

# The independent Python reader (written from docs/FORMAT.md) against amanat-keyholder.
interop: build
	BIN="$$($(SWIFT) build --show-bin-path)" INTEROP_VENV="$(CURDIR)/.build/interop-venv" interop/check.sh

demo: build
	@scripts/demo.sh

run: build
	@scripts/run-dev.sh

clean:
	rm -rf .build

# Builds in release mode, then installs. install-files installs already built binaries from BIN.
install: release
	$(MAKE) install-files BIN="$$($(SWIFT) build -c release --show-bin-path)"

install-files:
	@test -n "$(BIN)" || { echo "install-files: set BIN to the directory of the built binaries" >&2; exit 2; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DOCDIR)
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/amanat $(DESTDIR)$(SYSCONFDIR)/amanat/forms
	for b in $(BINARIES); do install -m 0755 "$(BIN)/$$b" $(DESTDIR)$(BINDIR)/$$b; done
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		systemd/amanatd.service.in > $(DESTDIR)$(UNITDIR)/amanatd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/amanatd.service
	install -m 0644 systemd/amanatd.socket $(DESTDIR)$(UNITDIR)/amanatd.socket
	install -m 0644 systemd/amanat.sysusers $(DESTDIR)$(SYSUSERSDIR)/amanat.conf
	install -m 0644 systemd/amanat.tmpfiles $(DESTDIR)$(TMPFILESDIR)/amanat.conf
	install -m 0644 README.md SECURITY.md docs/FORMAT.md docs/PROTOCOL.md $(DESTDIR)$(DOCDIR)/
	@# An admin's config and forms are never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/amanat/amanatd.toml || \
		install -m 0640 config/amanatd.toml $(DESTDIR)$(SYSCONFDIR)/amanat/amanatd.toml
	for f in config/forms/*.toml; do \
		test -e "$(DESTDIR)$(SYSCONFDIR)/amanat/forms/$${f##*/}" || \
			install -m 0640 "$$f" "$(DESTDIR)$(SYSCONFDIR)/amanat/forms/$${f##*/}"; \
	done

# Removes what install put there. The database is never touched; config and forms only when unchanged.
uninstall:
	for b in $(BINARIES); do rm -f $(DESTDIR)$(BINDIR)/$$b; done
	rm -f $(DESTDIR)$(UNITDIR)/amanatd.service $(DESTDIR)$(UNITDIR)/amanatd.socket
	rm -f $(DESTDIR)$(SYSUSERSDIR)/amanat.conf $(DESTDIR)$(TMPFILESDIR)/amanat.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	cmp -s config/amanatd.toml $(DESTDIR)$(SYSCONFDIR)/amanat/amanatd.toml && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/amanat/amanatd.toml || true
	for f in config/forms/*.toml; do \
		cmp -s "$$f" "$(DESTDIR)$(SYSCONFDIR)/amanat/forms/$${f##*/}" && \
			rm -f "$(DESTDIR)$(SYSCONFDIR)/amanat/forms/$${f##*/}" || true; \
	done
	rmdir $(DESTDIR)$(SYSCONFDIR)/amanat/forms $(DESTDIR)$(SYSCONFDIR)/amanat 2>/dev/null || true
