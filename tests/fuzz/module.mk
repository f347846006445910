# tests/fuzz/: libFuzzer targets, one per tests/fuzz/fuzz_NAME.c, with seed
# inputs in tests/fuzz/corpus/NAME/ and past crash inputs in
# tests/fuzz/crashes/NAME/ (tests/fuzz/README.md has the convention).
#
# Every normal build links each target with the small replay driver
# (tests/fuzz/replay.c, no libFuzzer) into $(BUILD)/tests/fuzz_NAME; the
# unit tier (tests/run.sh unit) replays every corpus and crash input through
# it (tests/fuzz/replay.sh).  `make fuzz` builds the targets with clang and
# libFuzzer, ASan and UBSan into $(FUZZ_BUILD) and runs each for
# FUZZ_SECONDS (tests/fuzz/fuzz.sh).  Like the unit tests, a target links
# every module archive, so a new target needs no Makefile change.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz_%)
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
TEST_HELPERS += $(FUZZ_REPLAYS)

FUZZ_SECONDS ?= 60
# FUZZ_GOAL=1: each target until its goal (10 M inputs for packet, 2 M for
# the others) instead of FUZZ_SECONDS; FUZZ_RUNS=N: N inputs each;
# FUZZ_JOBS=2: two targets side by side (tests/fuzz/fuzz.sh)
FUZZ_GOAL ?=
FUZZ_RUNS ?=
FUZZ_JOBS ?= 1
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS ?=
FUZZ_CC ?= clang

# libFuzzer's entry points are called from outside, never declared in a header
$(BUILD)/obj/tests/fuzz/%.o: CFLAGS += -Wno-missing-prototypes

ifeq ($(FUZZ_ENGINE),1)
# clang only: gcc's -Wno-format-truncation is unknown to it, and a UBSan
# report must stop the run like an ASan one (libFuzzer then keeps the input)
CFLAGS += -Wno-unknown-warning-option -fno-sanitize-recover=all
endif

$(BUILD)/tests/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/obj/tests/fuzz/replay.o $(TEST_ARCHIVES) $(ALL_LIBS)

# the libFuzzer binaries: only the fuzz build (below) asks for these
$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(TEST_ARCHIVES) $(ALL_LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# A build of its own (objects with -fsanitize=fuzzer-no-link,address,
# undefined; warnings do not stop it: gcc's WERROR=1 build is the gate, and
# clang 14 warns where gcc sees no path, e.g. after luaL_error), then each
# target for FUZZ_SECONDS (or to its goal) on a scratch copy of its corpus
# under $(FUZZ_BUILD)/fuzz-out/; FUZZ_TARGETS="packet rule" picks some.
fuzz: deps-check
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) WERROR= \
	    SANITIZE=fuzzer-no-link,address,undefined FUZZ_ENGINE=1 fuzz-build
	$(Q)FUZZ_GOAL=$(FUZZ_GOAL) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_JOBS=$(FUZZ_JOBS) \
	    ./tests/fuzz/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
