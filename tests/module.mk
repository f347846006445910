# tests/: cmocka unit tests (tests/unit/test_*.c, one binary each) and
# integration tests (tests/integration/*.sh and tests/integration/it_*.c).
#
# Every test binary links every module archive, in the one-way order of
# doc/design.md (users before what they use; no link group), so a new test
# needs no Makefile change.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS += $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
IT_SRCS := $(wildcard tests/integration/it_*.c)
TEST_HELPERS += $(IT_SRCS:tests/integration/%.c=$(BUILD)/tests/%)

TEST_ARCHIVES = $(LIBHARNESS) $(LIBREPORTS) $(LIBMODEL) $(LIBNETNS) $(LIBFAULTD) \
	$(LIBFAULTCTL) $(LIBSUT) $(LIBCOMMON)
ALL_LIBS = $(LDNS_LIBS) $(NL_LIBS) $(LUA_LIBS) $(PCAP_LIBS) $(JANSSON_LIBS) $(CARES_LIBS) $(SSL_LIBS) -lm

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_ARCHIVES) $(CMOCKA_LIBS) $(ALL_LIBS)

$(BUILD)/tests/it_%: $(BUILD)/obj/tests/integration/it_%.o $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_ARCHIVES) $(CMOCKA_LIBS) $(ALL_LIBS)
