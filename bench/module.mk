# bench/: benchmark helpers.  udp_echo is the raw recvmmsg/sendmmsg echo that
# faultd_bench.sh uses as "the physical limit" and as the fastest backend.
# `make bench` runs bench/run.sh (not part of `make test`).
BENCH_HELPERS := $(BUILD)/bench/udp_echo
TEST_HELPERS += $(BENCH_HELPERS)

$(BUILD)/bench/udp_echo: $(BUILD)/obj/bench/udp_echo.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# `make soak`: bench/soak.sh, faultd at 80 % of its measured maximum for 10
# minutes per mode (about 21 minutes in all); not part of `make bench`.
.PHONY: soak
soak: all
	$(Q)./bench/soak.sh $(BUILD)
