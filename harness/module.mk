# harness/: the `dnsdrill` command.  Everything but main.c goes into
# libharness.a (event log, scoring, and later the runner, probes, capture
# and Lua bindings) so unit tests link the logic directly; main.c becomes
# $(BUILD)/dnsdrill once it exists.
#
# Headers are included by folder ("harness/event.h"), hence -I.
CPPFLAGS += -I.
HARNESS_MAINS := harness/main.c
HARNESS_SRCS := $(filter-out $(HARNESS_MAINS),$(wildcard harness/*.c))
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/obj/%.o)
LIBHARNESS := $(BUILD)/libharness.a
MOD_LIBS += $(LIBHARNESS)

$(LIBHARNESS): $(HARNESS_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

BINS += $(BUILD)/dnsdrill
MAN_PAGES += doc/dnsdrill.1

$(BUILD)/dnsdrill: $(BUILD)/obj/harness/main.o $(MOD_LIBS) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(MOD_LIBS) $(LIBCOMMON) -Wl,--end-group $(LDNS_LIBS) $(NL_LIBS) $(LUA_LIBS) $(PCAP_LIBS) $(JANSSON_LIBS) -lm
