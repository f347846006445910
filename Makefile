# dnsdrill top-level Makefile.
#
#   make                 build everything into $(BUILD)/
#   make deps            install missing Debian packages (no-op when present)
#   make test            unit + integration tests (needs root for namespaces)
#   make unit            cmocka unit tests only
#   make demo            run the flagship demo
#   make bench           benchmarks (not part of `make test`)
#   make soak            faultd at 80 % load for 10 min per mode (bench/soak.sh)
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each, or FUZZ_GOAL=1 (runs to
#                        10 M packet / 2 M others), FUZZ_JOBS=2 side by side
#   make install PREFIX=/usr/local DESTDIR=   (scenarios and scenarios/lib
#                        under PREFIX/share/dnsdrill)
#   SANITIZE=address,undefined   build with sanitizers
#   WERROR=1             warnings are errors (CI sets it)
#   V=1                  show commands
#
# Each part adds itself through a fragment (lib/module.mk, faultd/module.mk,
# netns/module.mk, ...), so parts can grow without touching this file.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKG_CONFIG ?= pkg-config
VERSION  := 0.1.0

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS := ldns libpcap libnl-3.0 libnl-route-3.0 lua5.4 jansson libcares openssl

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wpointer-arith -Wcast-qual -Wwrite-strings \
        -Wno-unused-parameter -Wvla -Wimplicit-fallthrough -Wno-format-truncation
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -DDNSDRILL_VERSION='"$(VERSION)"' -I.
CFLAGS   += -std=c11 $(OPT) $(WARN) -fno-strict-aliasing

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# pkg-config is queried lazily so `make deps` works before the -dev packages exist.
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

LDNS_CFLAGS   = $(call pc_cflags,ldns)
LDNS_LIBS     = $(call pc_libs,ldns)
NL_CFLAGS     = $(call pc_cflags,libnl-3.0 libnl-route-3.0)
NL_LIBS       = $(call pc_libs,libnl-3.0 libnl-route-3.0)
LUA_CFLAGS    = $(call pc_cflags,lua5.4)
LUA_LIBS      = $(call pc_libs,lua5.4)
PCAP_CFLAGS   = $(call pc_cflags,libpcap)
PCAP_LIBS     = $(call pc_libs,libpcap)
JANSSON_CFLAGS = $(call pc_cflags,jansson)
JANSSON_LIBS  = $(call pc_libs,jansson)
# OpenSSL: faultd's TLS control channel, in libfaultctl (so every program
# linking libfaultctl.a links these too)
SSL_CFLAGS    = $(call pc_cflags,openssl)
SSL_LIBS      = $(call pc_libs,openssl)
CMOCKA_CFLAGS = $(call pc_cflags,cmocka)
CMOCKA_LIBS   = $(call pc_libs,cmocka)

# Filled in by the fragments.
BINS :=
UNIT_TESTS :=
TEST_HELPERS :=
MAN_PAGES :=

.PHONY: all deps deps-check test unit integration demo bench install clean
all: deps-check

include lib/module.mk
-include faultd/module.mk
-include netns/module.mk
-include model/module.mk
-include reports/module.mk
-include harness/module.mk
-include sut/module.mk
-include tests/module.mk
-include tests/fuzz/module.mk
-include bench/module.mk
-include bench/probe.mk

all: $(BINS) $(TEST_HELPERS) $(UNIT_TESTS)

# Generic compile rule: every object depends on its headers through -MMD,
# and (order-only) on the packages being there: `make -j` on a fresh
# machine must not compile before `deps-check` has installed the headers.
$(BUILD)/obj/%.o: %.c | deps-check
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

EXTRA_CFLAGS = $(LDNS_CFLAGS) $(NL_CFLAGS) $(LUA_CFLAGS) $(PCAP_CFLAGS) $(JANSSON_CFLAGS) \
               $(CMOCKA_CFLAGS) $(SSL_CFLAGS)

# `make deps` installs what is missing; `deps-check` only runs it when a
# package is absent, so a normal build costs one dpkg query.
deps:
	$(Q)./tools/deps.sh install

deps-check:
	$(Q)./tools/deps.sh check || ./tools/deps.sh install

unit: all
	$(Q)./tests/run.sh unit $(BUILD)

integration: all
	$(Q)./tests/run.sh integration $(BUILD)

test: all
	$(Q)./tests/run.sh all $(BUILD)

demo: all
	$(Q)./tools/demo.sh $(BUILD)

bench: all
	$(Q)./bench/run.sh $(BUILD)

# The scenarios go to PREFIX/share/dnsdrill/scenarios with their library
# (scenarios/lib, what `use "name"` loads: an installed dnsdrill finds it
# as PREFIX/bin/../share/dnsdrill/scenarios/lib).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(MAN_PAGES),install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(wildcard scenarios),install -d $(DESTDIR)$(PREFIX)/share/dnsdrill && cp -r scenarios $(DESTDIR)$(PREFIX)/share/dnsdrill/)
	install -d $(DESTDIR)$(PREFIX)/share/doc/dnsdrill
	install -m 0644 README.md doc/*.md $(DESTDIR)$(PREFIX)/share/doc/dnsdrill/

clean:
	rm -rf $(BUILD)
.SECONDARY:
