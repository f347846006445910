# harness/: the `dnsdrill` command.  Everything but main.c goes into
# libharness.a (the runner, probes, capture, the Lua bindings, matrix runs)
# so unit tests link the logic directly; main.c becomes $(BUILD)/dnsdrill.
#
# Headers are included by folder ("harness/run_internal.h"), hence -I.
CPPFLAGS += -I.
HARNESS_MAINS := harness/main.c
HARNESS_SRCS := $(filter-out $(HARNESS_MAINS),$(wildcard harness/*.c))
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/obj/%.o)
LIBHARNESS := $(BUILD)/libharness.a
MOD_LIBS += $(LIBHARNESS)

# Rebuilt from scratch: `ar r` never drops a member whose source is gone,
# and a stale object would still win at link time.
$(LIBHARNESS): $(HARNESS_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

BINS += $(BUILD)/dnsdrill
MAN_PAGES += doc/dnsdrill.1

# From faultd/ dnsdrill takes only the rule parser (to check a scenario's
# rules as faultd would), never the engine or the server: the objects are
# named one by one and libfaultd.a stays off the link line, so a call into
# the rest of faultd fails to link instead of pulling the daemon in.
HARNESS_FAULTD_OBJS := $(BUILD)/obj/faultd/rule.o
DNSDRILL_LIBS = $(filter-out $(LIBFAULTD),$(MOD_LIBS))

$(BUILD)/dnsdrill: $(BUILD)/obj/harness/main.o $(HARNESS_FAULTD_OBJS) $(MOD_LIBS) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(HARNESS_FAULTD_OBJS) -Wl,--start-group $(DNSDRILL_LIBS) $(LIBCOMMON) -Wl,--end-group $(LDNS_LIBS) $(NL_LIBS) $(LUA_LIBS) $(PCAP_LIBS) -lm
