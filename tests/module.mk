# tests/: cmocka unit tests (tests/unit/test_*.c, one binary each) and
# integration tests (tests/integration/*.sh and tests/integration/it_*.c).
#
# Every test binary links against every module archive inside a link group,
# so a new test needs no Makefile change.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS += $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
IT_SRCS := $(wildcard tests/integration/it_*.c)
TEST_HELPERS += $(IT_SRCS:tests/integration/%.c=$(BUILD)/tests/%)

ALL_LIBS = $(LDNS_LIBS) $(NL_LIBS) $(LUA_LIBS) $(PCAP_LIBS) $(JANSSON_LIBS) -lm

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(MOD_LIBS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(MOD_LIBS) $(LIBCOMMON) -Wl,--end-group $(CMOCKA_LIBS) $(ALL_LIBS)

$(BUILD)/tests/it_%: $(BUILD)/obj/tests/integration/it_%.o $(MOD_LIBS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(MOD_LIBS) $(LIBCOMMON) -Wl,--end-group $(CMOCKA_LIBS) $(ALL_LIBS)
