# ruta - offline-first CRM replicas that sync as signed changesets through git.
#
#   make            build libruta (static and shared) and the ruta tool
#   make test       install missing dependencies (with the tests' own), build, run every test
#   make check      the same tests built with ASan + UBSan
#   make examples   the embedding examples (examples/*.c) into $(BUILD)/examples/
#   make demo       install, build and run the demo scenario
#   make bench      benchmarks (figures, not pass/fail)
#   make fuzz       libFuzzer harnesses of the input parsers (clang; tests/fuzz/README.md)
#   make arm64      cross build for arm64, unit tests under qemu-user (scripts/arm64.sh)
#   make install    PREFIX=/usr/local DESTDIR= ; make uninstall

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGDIR ?= $(LIBDIR)/pkgconfig

CC ?= cc
BUILD ?= build
PKGS = sqlite3 jansson libsodium libgit2
DEPS_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEPS_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

VERSION = 0.1.0
SOVERSION = 0

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
BASE_CFLAGS = -std=c11 -pthread -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 $(WARN) -g
OPT ?= -O2
ifeq ($(SANITIZE),1)
OPT = -O1
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
ALL_CFLAGS = $(BASE_CFLAGS) $(OPT) $(SAN) -Iinclude -Isrc/lib $(DEPS_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

LIB_SRC = $(wildcard src/lib/*.c)
CLI_SRC = $(wildcard src/cli/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

STATIC_LIB = $(BUILD)/libruta.a
SHARED_LIB = $(BUILD)/libruta.so.$(VERSION)
RUTA = $(BUILD)/ruta

.PHONY: all deps deps-test test unit cli-test check demo bench install uninstall clean man examples \
	arm64
.DELETE_ON_ERROR:

all: $(STATIC_LIB) $(SHARED_LIB) $(RUTA)

deps:
	@sh scripts/deps.sh

# What only the tests need on top (Chromium, for the audit report's page).
deps-test:
	@sh scripts/deps.sh test

# The tool sees only the public header: it is built like any outside program.
$(BUILD)/src/cli/%.o: src/cli/%.c $(wildcard include/*.h src/cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Isrc/lib,$(ALL_CFLAGS)) -c $< -o $@

$(BUILD)/src/lib/%.o: src/lib/%.c $(wildcard include/*.h src/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libruta.so.$(SOVERSION) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)
	ln -sf libruta.so.$(VERSION) $(BUILD)/libruta.so.$(SOVERSION)
	ln -sf libruta.so.$(VERSION) $(BUILD)/libruta.so

$(RUTA): $(CLI_OBJ) $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC_LIB) $(DEPS_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(STATIC_LIB) tests/unit/helpers.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(STATIC_LIB) $(ALL_LDFLAGS) $(DEPS_LIBS) $(CMOCKA_LIBS) -lpthread

# The examples are apps embedding libruta: the public header alone, no -Isrc/lib.
EXAMPLE_BIN = $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

$(BUILD)/examples/%: examples/%.c $(STATIC_LIB) include/ruta.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Isrc/lib,$(ALL_CFLAGS)) -o $@ $< $(STATIC_LIB) $(ALL_LDFLAGS) $(DEPS_LIBS)

examples: $(EXAMPLE_BIN)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "# $$t"; \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $$t; done

cli-test: $(RUTA) $(EXAMPLE_BIN)
	RUTA=$(CURDIR)/$(RUTA) RUTA_SAN="$(SAN)" LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    prove -f tests/cli/t*.sh

test: deps-test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory cli-test
	@$(MAKE) --no-print-directory PROP_SPACED=1 prop

check: deps-test
	@$(MAKE) --no-print-directory BUILD=build-check SANITIZE=1 all unit cli-test
	@$(MAKE) --no-print-directory BUILD=build-check SANITIZE=1 PROP_TRIALS=200 PROP_SPACED=1 prop

# The convergence property, from the public header alone: seeded random
# trials (PROP_SEED=s reruns one; PROP_CONTINUE=1 goes past failures).
PROP_TRIALS ?= 1000
.PHONY: prop prop-long

$(BUILD)/prop_merge: tests/prop/prop_merge.c $(STATIC_LIB) include/ruta.h
	$(CC) $(filter-out -Isrc/lib,$(ALL_CFLAGS)) -o $@ $< $(STATIC_LIB) $(ALL_LDFLAGS) $(DEPS_LIBS)

prop: $(BUILD)/prop_merge
	PROP_TRIALS=$(PROP_TRIALS) $(if $(PROP_SPACED),PROP_SPACED=1) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(BUILD)/prop_merge

prop-long: $(BUILD)/prop_merge
	PROP_TRIALS=100000 $(BUILD)/prop_merge

demo: deps
	@$(MAKE) --no-print-directory all
	RUTA=$(CURDIR)/$(RUTA) sh examples/demo.sh

BENCH_BIN = $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

$(BUILD)/bench/%: bench/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC_LIB) $(ALL_LDFLAGS) $(DEPS_LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@set -e; for b in $(BENCH_BIN); do $$b; done
	@RUTA=$(CURDIR)/$(RUTA) sh bench/bench_sync.sh
	@RUTA=$(CURDIR)/$(RUTA) GEN=$(CURDIR)/$(BUILD)/bench/gen_history sh bench/bench_fresh.sh
	@RUTA=$(CURDIR)/$(RUTA) GEN=$(CURDIR)/$(BUILD)/bench/gen_history sh bench/bench_footprint.sh

# libFuzzer harnesses (tests/fuzz/README.md), clang only, never part of test or
# check: the library again with ASan + UBSan and fuzzer coverage, each harness
# run FUZZ_SECONDS on a scratch copy of its seeds. Crashes land in $(BUILD)/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_NAMES = csv vcard import period
FUZZ_BIN = $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_LIB = $(BUILD)/fuzz/lib/libruta.a
.PHONY: fuzz fuzz-build $(FUZZ_LIB)

$(FUZZ_LIB):
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz/lib CC=$(FUZZ_CC) SANITIZE=1 \
	    CFLAGS=-fsanitize=fuzzer-no-link $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(BASE_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -Iinclude -Isrc/lib $(DEPS_CFLAGS) -o $@ $< $(FUZZ_LIB) $(DEPS_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@set -e; for n in $(FUZZ_NAMES); do \
	    c=$(BUILD)/fuzz/corpus/$$n; mkdir -p $$c; cp tests/fuzz/corpus/$$n/* $$c/; \
	    case $$n in csv|vcard|import) cp tests/data/exchange/* $$c/;; esac; \
	    echo "# fuzz_$$n: $(FUZZ_SECONDS)s"; \
	    (cd $(BUILD)/fuzz && ./fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 corpus/$$n); done

man:
	@ls docs/man/*.1

# The cross build against a sysroot of Debian's arm64 packages in build-arm64,
# with the unit tests run under qemu-aarch64. Not part of test: see the README.
arm64:
	@sh scripts/arm64.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(PKGDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(RUTA) $(DESTDIR)$(BINDIR)/ruta
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/libruta.a
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/libruta.so.$(VERSION)
	ln -sf libruta.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libruta.so.$(SOVERSION)
	ln -sf libruta.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libruta.so
	install -m 644 include/ruta.h $(DESTDIR)$(INCDIR)/ruta.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' ruta.pc.in > $(DESTDIR)$(PKGDIR)/ruta.pc
	install -m 644 docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ruta $(DESTDIR)$(LIBDIR)/libruta.a \
	      $(DESTDIR)$(LIBDIR)/libruta.so $(DESTDIR)$(LIBDIR)/libruta.so.$(SOVERSION) \
	      $(DESTDIR)$(LIBDIR)/libruta.so.$(VERSION) $(DESTDIR)$(INCDIR)/ruta.h \
	      $(DESTDIR)$(PKGDIR)/ruta.pc
	for m in docs/man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$m); done

clean:
	rm -rf build build-check build-arm64
