# lifeboat: plain GNU make.
#   make            static musl binary ./lifeboat (needs musl-tools)
#   make glibc      the same program linked against glibc: build/glibc/lifeboat
#   make test       unit tests (glibc + ASan/UBSan + cmocka)
#   make fuzz       libFuzzer targets (clang) in build/fuzz/
#   make fuzz-smoke run each fuzz target for FUZZ_SECONDS on its seed corpus
#   make e2e        end-to-end tests (root; namespaces, QEMU)
#   make check      everything the README's test command runs (tests/run-all)
#   make bench      benchmarks (bench/run)
#   make check-static  format (tests/check-format) and include layering (tests/check-deps)
#   make lint       check-static, cppcheck, clang-tidy
# Sources are found by wildcard: a new module is a new file, no Makefile edit.

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GITREV  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

ifeq ($(origin CC),default)
CC := musl-gcc
endif
GLIBC_CC ?= gcc
CLANG ?= clang

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CSTD    := -std=c17 -D_GNU_SOURCE
DEFS    := -DLIFEBOAT_VERSION='"$(VERSION)"' -DLIFEBOAT_GITREV='"$(GITREV)"'
CFLAGS  ?= -O2 -g
CPPFLAGS += -Isrc $(DEFS)
ALLCFLAGS = $(CSTD) $(WARN) $(CFLAGS) -fno-strict-aliasing
# Syscalls and constants musl's headers may lack (openat2, landlock, IP_MTU)
# are defined beside their users (fsroot.c, rescue/rootfs.c, sandbox.c, tftp.c)
# from the kernel ABI; core/sys holds shared system queries, not wrappers.

LIB_SRCS  := $(sort $(wildcard src/core/*.c src/netboot/*.c src/rescue/*.c))
MAIN_SRC  := src/main.c
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))
HDRS      := $(wildcard src/*.h src/*/*.h tests/unit/*.h)

MUSL_OBJS  := $(LIB_SRCS:src/%.c=build/musl/%.o) build/musl/main.o
GLIBC_OBJS := $(LIB_SRCS:src/%.c=build/glibc/%.o) build/glibc/main.o
ASAN_LIB   := $(LIB_SRCS:src/%.c=build/asan/%.o)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)
FUZZ_BINS  := $(FUZZ_SRCS:fuzz/%.c=build/fuzz/%)

Q := $(if $(V),,@)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all glibc asan test fuzz fuzz-smoke e2e check check-static bench lint clean run serve-deps
all: lifeboat

# The shipped binary is stripped; build/musl/lifeboat.debug keeps the symbols.
lifeboat: $(MUSL_OBJS)
	$(CC) -static -o build/musl/lifeboat.debug $^
	strip -o $@ build/musl/lifeboat.debug
	@size=$$(stat -c %s $@); echo "lifeboat: static musl binary, $$size bytes"

build/musl/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  CC  $@'
	$(Q)$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

glibc: build/glibc/lifeboat
build/glibc/lifeboat: $(GLIBC_OBJS)
	$(GLIBC_CC) -o $@ $^
build/glibc/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  CC  $@'
	$(Q)$(GLIBC_CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

# ASan+UBSan build of the whole program, used by unit tests and e2e runs.
asan: build/asan/lifeboat
build/asan/lifeboat: $(ASAN_LIB) build/asan/main.o
	$(GLIBC_CC) $(SAN) -o $@ $^
build/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  CC  $@'
	$(Q)$(GLIBC_CC) $(CPPFLAGS) $(ALLCFLAGS) -O1 $(SAN) -c -o $@ $<

build/unit/%: tests/unit/%.c $(ASAN_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  TEST $@'
	$(Q)$(GLIBC_CC) $(CPPFLAGS) -Itests/unit $(CSTD) $(WARN) -Wno-missing-prototypes -O1 -g $(SAN) \
		-DLIFEBOAT_SRCDIR='"$(CURDIR)"' -o $@ $< $(ASAN_LIB) -lcmocka

test: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

# Library objects are compiled once for every fuzz target (and kept).
FUZZ_LIB := $(LIB_SRCS:src/%.c=build/fuzzlib/%.o)
.SECONDARY: $(FUZZ_LIB) $(ASAN_LIB)
FUZZ_CFLAGS := $(CPPFLAGS) $(CSTD) -Wall -Wextra -Werror -O1 -g -fno-sanitize-recover=undefined
build/fuzzlib/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  CC  $@'
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build/fuzz/%: fuzz/%.c $(FUZZ_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  FUZZ $@'
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB)

fuzz: $(FUZZ_BINS)

FUZZ_SECONDS ?= 10
fuzz-smoke: $(FUZZ_BINS)
	@tests/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)

e2e: lifeboat
	tests/e2e/run-all

check:
	tests/run-all

bench: lifeboat
	bench/run

# The house rules of doc/architecture.md that a script can check; CI runs both
# (tests/run-all). `tests/check-measures` prints cycles and longest functions.
check-static:
	@r=0; tests/check-format || r=1; tests/check-deps || r=1; exit $$r

LINT_SRCS := $(LIB_SRCS) $(MAIN_SRC)
lint: check-static
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -Isrc -D_GNU_SOURCE $(LINT_SRCS)
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(LINT_SRCS) -- \
		$(CPPFLAGS) $(CSTD)

# The analyzer's malloc and va_list checkers misread our free-the-list-head
# loops and va_start; insecureAPI flags every memcpy. The rest must be clean.
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-unix.Malloc,-clang-analyzer-valist.*,\
-clang-analyzer-security.insecureAPI.*,-clang-analyzer-core.UndefinedBinaryOperatorResult,\
bugprone-sizeof-expression,bugprone-misplaced-widening-cast,bugprone-infinite-loop,\
bugprone-macro-parentheses,bugprone-signed-char-misuse

# `make run`: the README's first command. Installs what serve needs, builds,
# and boots every PXE client on the LAN into the boot menu (the Debian
# installer, SERVE_ARGS' --iso/--entry, local disk by default).
serve-deps:
	@command -v musl-gcc >/dev/null && [ -e /usr/lib/ipxe/undionly.kpxe ] && \
	  [ -e /usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/linux ] || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    musl-tools ipxe debian-installer-12-netboot-amd64; }
DI := /usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
run: serve-deps
	$(MAKE) lifeboat
	./lifeboat serve $(SERVE_ARGS)

clean:
	rm -rf build lifeboat
