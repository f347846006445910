# bench/probe.mk: the prober's scheduling benchmark (bench/probe_jitter.sh).
# Include from bench/module.mk (or the top Makefile):  -include bench/probe.mk
# Built with `make all` so it cannot rot; run by bench/probe_jitter.sh.
BENCH_BINS += $(BUILD)/bench/probe_jitter

all: $(BUILD)/bench/probe_jitter

$(BUILD)/bench/probe_jitter: $(BUILD)/obj/bench/probe_jitter.o $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_ARCHIVES) $(ALL_LIBS)
