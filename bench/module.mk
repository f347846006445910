# bench/: benchmark helpers.  udp_echo is the raw recvmmsg/sendmmsg echo that
# faultd_bench.sh uses as "the physical limit" and as the fastest backend.
# `make bench` runs bench/run.sh (not part of `make test`).
BENCH_HELPERS := $(BUILD)/bench/udp_echo
TEST_HELPERS += $(BENCH_HELPERS)

$(BUILD)/bench/udp_echo: $(BUILD)/obj/bench/udp_echo.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
