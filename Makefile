# lifeboat: plain GNU make.
#   make            static musl binary ./lifeboat (needs musl-tools)
#   make ARCH=arm64 static musl binary for another architecture (arm64, armhf,
#                   x86_64): build/ARCH/lifeboat, cross-built (see "target
#                   architecture" below; ARCH=<this machine> is plain `make`)
#   make test-arm64 the unit tests built for arm64, run under qemu-user
#   make release    dist/: static binaries per RELEASE_ARCHES, source tarball,
#                   SHA256SUMS; reproducible (tests/check-release)
#   make glibc      the same program linked against glibc: build/glibc/lifeboat
#   make test       unit tests (glibc + ASan/UBSan + cmocka)
#   make fuzz       libFuzzer targets (clang) in build/fuzz/
#   make fuzz-smoke run each fuzz target for FUZZ_SECONDS on its seed corpus
#   make e2e        end-to-end tests (root; namespaces, QEMU)
#   make check      everything the README's test command runs (tests/run-all)
#   make bench      benchmarks (bench/run)
#   make check-static  format (tests/check-format) and include layering (tests/check-deps)
#   make lint       check-static, cppcheck, clang-tidy
#   make install    binary, man pages, completion, systemd units, example config
#                   (PREFIX, DESTDIR, SBINDIR, MANDIR, ...: see the install block)
# Sources are found by wildcard: a new module is a new file, no Makefile edit.

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
# The commit: from git, or from the GITREV file a source tarball carries
# (`git archive` fills it in: .gitattributes export-subst). 12 digits in
# both cases, so a build from the tarball says the same as one from git.
GITREV  := $(or $(shell sed -n 's/^\([0-9a-f]\{12\}\)[0-9a-f]\{28\} .*/\1/p' GITREV 2>/dev/null),\
	$(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)

# ---- target architecture (make ARCH=arm64; issue 17) ----------------------
.DEFAULT_GOAL := all
# ARCH names the machine the binary runs on: x86_64, arm64 or armhf
# (default: this machine). The native build is ./lifeboat from build/musl/ as
# always; another ARCH is cross-built into build/ARCH/ with Debian's cross
# gcc and musl for that architecture (gcc-aarch64-linux-gnu + musl-dev:arm64,
# gcc-arm-linux-gnueabihf + musl-dev:armhf, tests/install-deps), through the
# musl-gcc.specs that musl-dev ships. STRIP follows the compiler: a hard-coded
# `strip` cannot read another architecture's binary.
arch_name = $(patsubst aarch64,arm64,$(patsubst amd64,x86_64,$(patsubst armv7l,armhf,$(patsubst arm,armhf,$(1)))))
HOST_ARCH := $(call arch_name,$(shell uname -m))
# `make CC=aarch64-linux-gnu-gcc` (a cross compiler named by its triple)
# means ARCH=arm64: its objects must not mix with this machine's.
CC_ARCH := $(if $(filter default,$(origin CC)),,$(filter x86_64 arm64 armhf,\
	$(call arch_name,$(firstword $(subst -, ,$(notdir $(firstword $(CC))))))))
# An ARCH in the environment that is none of ours (a kernel build's
# ARCH=x86) is not meant for us.
ifeq ($(origin ARCH),environment)
ifeq ($(filter x86_64 arm64 armhf,$(call arch_name,$(ARCH))),)
override ARCH := $(or $(CC_ARCH),$(HOST_ARCH))
endif
endif
ARCH ?= $(or $(CC_ARCH),$(HOST_ARCH))
override ARCH := $(call arch_name,$(ARCH))
TRIPLE_x86_64 := x86_64-linux-gnu
TRIPLE_arm64  := aarch64-linux-gnu
TRIPLE_armhf  := arm-linux-gnueabihf
MUSLT_x86_64  := x86_64-linux-musl
MUSLT_arm64   := aarch64-linux-musl
MUSLT_armhf   := arm-linux-musleabihf
QEMU_x86_64   := qemu-x86_64-static
QEMU_arm64    := qemu-aarch64-static
QEMU_armhf    := qemu-arm-static
DEBARCH_x86_64 := amd64
DEBARCH_arm64  := arm64
DEBARCH_armhf  := armhf
ifeq ($(TRIPLE_$(ARCH)),)
$(error ARCH=$(ARCH): unknown; one of x86_64 arm64 armhf)
endif
ifeq ($(ARCH),$(HOST_ARCH))
MUSL_DIR := build/musl
BIN      := lifeboat
ifeq ($(origin CC),default)
CC := musl-gcc
endif
else
MUSL_DIR := build/$(ARCH)
BIN      := build/$(ARCH)/lifeboat
ifneq ($(filter default environment,$(origin CC)),)
CC := $(TRIPLE_$(ARCH))-gcc -specs /usr/lib/$(MUSLT_$(ARCH))/musl-gcc.specs
# Say which Debian packages are missing before the first object fails.
CROSS_CHECK := cross-toolchain
.PHONY: cross-toolchain
cross-toolchain:
	@command -v $(TRIPLE_$(ARCH))-gcc >/dev/null && \
	  [ -e /usr/lib/$(MUSLT_$(ARCH))/musl-gcc.specs ] || { \
	  echo "make ARCH=$(ARCH): needs $(TRIPLE_$(ARCH))-gcc and musl for $(DEBARCH_$(ARCH)):"; \
	  echo "  sudo dpkg --add-architecture $(DEBARCH_$(ARCH)) && sudo apt-get update && \\"; \
	  echo "  sudo apt-get install gcc-$(subst _,-,$(TRIPLE_$(ARCH))) musl-dev:$(DEBARCH_$(ARCH))"; \
	  echo "  (or tests/install-deps, which installs them for arm64 and armhf)"; exit 1; }
endif
endif
# `make CC=aarch64-linux-gnu-gcc` strips with aarch64-linux-gnu-strip.
CC_PREFIX := $(patsubst %gcc,%,$(filter-out musl-gcc,$(filter %-gcc,$(notdir $(firstword $(CC))))))
STRIP ?= $(CC_PREFIX)strip
# No build path in the shipped binary (the .debug file's DWARF says "."),
# so a build in another directory gives the same bytes (make release).
REPRO := -ffile-prefix-map=$(CURDIR)=.
# ---- end of target architecture -------------------------------------------
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

MUSL_OBJS  := $(LIB_SRCS:src/%.c=$(MUSL_DIR)/%.o) $(MUSL_DIR)/main.o
GLIBC_OBJS := $(LIB_SRCS:src/%.c=build/glibc/%.o) build/glibc/main.o
ASAN_LIB   := $(LIB_SRCS:src/%.c=build/asan/%.o)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)
FUZZ_BINS  := $(FUZZ_SRCS:fuzz/%.c=build/fuzz/%)

Q := $(if $(V),,@)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all glibc asan test fuzz fuzz-smoke e2e check check-static bench lint clean run serve-deps
all: $(BIN)

# The shipped binary is stripped; $(MUSL_DIR)/lifeboat.debug keeps the symbols.
$(BIN): $(MUSL_OBJS)
	$(CC) -static $(REPRO) -o $(MUSL_DIR)/lifeboat.debug $^
	@mkdir -p $(dir $@)
	$(STRIP) -o $@ $(MUSL_DIR)/lifeboat.debug
	@size=$$(stat -c %s $@); echo "$@: static binary for $(ARCH), $$size bytes"
ifneq ($(BIN),lifeboat)
.PHONY: lifeboat
lifeboat: $(BIN)
endif

$(MUSL_DIR)/%.o: src/%.c $(HDRS) | $(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@echo '  CC  $@'
	$(Q)$(CC) $(CPPFLAGS) $(ALLCFLAGS) $(REPRO) -c -o $@ $<

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

# --- install (issue 17 section 3): man pages and completion generated from
# the option tables, systemd units, the example config. PREFIX=/usr puts the
# units in /lib/systemd/system; the config always goes to SYSCONFDIR (/etc).
# An existing serve.conf is never overwritten.
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
SYSCONFDIR  ?= /etc
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
UNITDIR     ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL     ?= install
# The generator is the host build of the same program (`lifeboat --gen-doc`,
# core/optsdoc.h), so it also works when the shipped binary is cross-built.
GEN_BIN     ?= build/glibc/lifeboat
# The pages' date: SOURCE_DATE_EPOCH, else the last commit, else VERSION's
# mtime (reproducible builds).
MAN_DATE    := $(shell d=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)}; \
		 if [ -n "$$d" ]; then date -u -d "@$$d" +%Y-%m-%d; \
		 else date -u -r VERSION +%Y-%m-%d; fi)
MAN_IN      := $(wildcard doc/man/*.in)
UNITS       := lifeboat-serve.service lifeboat-serve@.service

.PHONY: doc-gen install uninstall
doc-gen: build/doc/man.stamp build/doc/lifeboat.bash build/doc/_lifeboat

build/doc/man.stamp: $(GEN_BIN) $(MAN_IN)
	@rm -rf build/doc/man && mkdir -p build/doc/man
	$(GEN_BIN) --gen-doc man build/doc/man doc/man $(MAN_DATE)
	@touch $@
build/doc/lifeboat.bash: $(GEN_BIN)
	@mkdir -p $(dir $@)
	$(GEN_BIN) --gen-doc bash > $@.tmp && mv $@.tmp $@
build/doc/_lifeboat: $(GEN_BIN)
	@mkdir -p $(dir $@)
	$(GEN_BIN) --gen-doc zsh > $@.tmp && mv $@.tmp $@

install: $(BIN) doc-gen
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/lifeboat
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/lifeboat
	$(INSTALL) -m 0644 build/doc/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 build/doc/lifeboat.bash $(DESTDIR)$(BASHCOMPDIR)/lifeboat
	$(INSTALL) -m 0644 build/doc/_lifeboat $(DESTDIR)$(ZSHCOMPDIR)/_lifeboat
	for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		    -e '/^@SANDBOX@$$/{r data/systemd/sandbox.conf' -e 'd;}' \
		    data/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/lifeboat/serve.conf ] || \
		$(INSTALL) -m 0644 data/serve.conf $(DESTDIR)$(SYSCONFDIR)/lifeboat/serve.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/lifeboat $(DESTDIR)$(BASHCOMPDIR)/lifeboat \
		$(DESTDIR)$(ZSHCOMPDIR)/_lifeboat $(DESTDIR)$(MANDIR)/man8/lifeboat.8 \
		$(DESTDIR)$(MANDIR)/man8/lifeboat-*.8 $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/lifeboat/serve.conf"
# --- end of the install block
# ---- cross unit tests and release builds (issue 17) -----------------------
# make test-arm64 (test-armhf): the cmocka unit tests built with Debian's
# cross gcc against glibc and libcmocka-dev:ARCH (multiarch; no sanitizers,
# they do not run under qemu-user) and run by tests/run-unit under
# qemu-user-static, recorded as unit-ARCH:TEST:CASE.
UNIT_XARCH ?= arm64
UX_DIR  := build/unit-$(UNIT_XARCH)
UX_CC   := $(TRIPLE_$(UNIT_XARCH))-gcc
# 64-bit off_t on 32-bit glibc too (armhf), as musl always has: the shipped
# binaries are musl, and ISO offsets past 4 GiB need it
UX_LFS  := -D_FILE_OFFSET_BITS=64
UX_LIB  := $(LIB_SRCS:src/%.c=$(UX_DIR)/lib/%.o)
UX_BINS := $(UNIT_SRCS:tests/unit/%.c=$(UX_DIR)/%)
.SECONDARY: $(UX_LIB)
$(UX_DIR)/lib/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo '  CC  $@'
	$(Q)$(UX_CC) $(CPPFLAGS) $(UX_LFS) $(CSTD) $(WARN) -O1 -g -fno-strict-aliasing -c -o $@ $<
$(UX_DIR)/%: tests/unit/%.c $(UX_LIB) $(HDRS)
	@echo '  TEST $@'
	$(Q)$(UX_CC) $(CPPFLAGS) $(UX_LFS) -Itests/unit $(CSTD) $(WARN) -Wno-missing-prototypes -O1 -g \
		-DLIFEBOAT_SRCDIR='"$(CURDIR)"' -o $@ $< $(UX_LIB) -lcmocka
.PHONY: test-cross test-arm64 test-armhf print-qemu
print-qemu: # the qemu-user that runs an ARCH binary here (nothing when native)
	@$(if $(filter $(ARCH),$(HOST_ARCH)),true,echo $(QEMU_$(ARCH)))
test-cross: $(UX_BINS)
	@LB_UNIT_RUNNER=$(QEMU_$(UNIT_XARCH)) LB_UNIT_SUITE=unit-$(UNIT_XARCH) tests/run-unit $(UX_BINS)
test-arm64 test-armhf:
	@$(MAKE) --no-print-directory test-cross UNIT_XARCH=$(@:test-%=%)

# make release: dist/lifeboat-VERSION.tar.gz (git archive of RELEASE_REV,
# fixed mtime = commit time, owner root, tree order, gzip -n), then each
# binary of RELEASE_ARCHES built from that tarball's unpacked tree, in a clean
# environment (env -i, LC_ALL=C, default CFLAGS) as
# dist/lifeboat-VERSION-ARCH, and dist/SHA256SUMS. Nothing in the binaries
# depends on the build directory, the time or the user: two builds of one
# commit give the same bytes (tests/check-release builds twice and compares).
RELEASE_ARCHES ?= x86_64 arm64
RELEASE_REV    ?= HEAD
REL := lifeboat-$(VERSION)
SOURCE_DATE_EPOCH ?= $(or $(shell git log -1 --format=%ct 2>/dev/null),\
	$(shell sed -n 's/^[0-9a-f]\{40\} \([0-9]*\)$$/\1/p' GITREV 2>/dev/null))
export SOURCE_DATE_EPOCH
.PHONY: release clean-dist
release:
	@git diff --quiet HEAD 2>/dev/null || echo "release: note: uncommitted changes are not in the release (built from $(RELEASE_REV))"
	@rm -rf build/release dist && mkdir -p build/release dist
	git archive --format=tar --prefix=$(REL)/ $(RELEASE_REV) > build/release/$(REL).tar
	gzip -n -9 -c build/release/$(REL).tar > dist/$(REL).tar.gz
	tar -xf build/release/$(REL).tar -C build/release
	@set -e; for a in $(RELEASE_ARCHES); do \
	  echo "release: building $$a in build/release/$(REL)"; \
	  env -i PATH="$$PATH" LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH="$$(git log -1 --format=%ct $(RELEASE_REV))" \
	    $(MAKE) --no-print-directory -C build/release/$(REL) -j2 ARCH=$$a BIN=out/lifeboat-$$a >/dev/null; \
	  cp build/release/$(REL)/out/lifeboat-$$a dist/$(REL)-$$a; \
	done
	cd dist && sha256sum $(REL).tar.gz $(RELEASE_ARCHES:%=$(REL)-%) > SHA256SUMS
	@cat dist/SHA256SUMS
clean: clean-dist
clean-dist:
	rm -rf dist
# ---- end of cross unit tests and release builds ---------------------------

clean:
	rm -rf build lifeboat
