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

# dnsdrill links the archives in their one-way order (doc/design.md), no
# link group: a call against the flow fails to link.  From faultd/ it takes
# only libfaultctl.a (the control protocol and the rule parser), never the
# daemon, so a call into the engine or the server cannot pull it in.
DNSDRILL_ARCHIVES = $(LIBHARNESS) $(LIBREPORTS) $(LIBMODEL) $(LIBNETNS) $(LIBFAULTCTL) $(LIBCOMMON)

$(BUILD)/dnsdrill: $(BUILD)/obj/harness/main.o $(DNSDRILL_ARCHIVES)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $< $(DNSDRILL_ARCHIVES) $(LDNS_LIBS) $(NL_LIBS) $(LUA_LIBS) $(PCAP_LIBS) $(JANSSON_LIBS) $(SSL_LIBS) -lm
