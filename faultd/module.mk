# faultd/: the fault-injecting DNS server (faultd) and its control client
# (faultctl).  Two archives, so unit tests and other programs link only
# what they need:
#
#   LIBFAULTCTL ($(BUILD)/libfaultctl.a): the control protocol, both sides
#     (ctl.c, ctl_exec.c, ctl_client.c, ctl_tls.c), and the rule language
#     with its rule set (rule.c).  Needs only $(LIBCOMMON) and OpenSSL (the
#     TLS transport) -- no engine, zones or sockets of faultd -- so
#     dnsdrill links it to validate rules and to drive faultd:
#     $(LIBFAULTCTL) $(LIBCOMMON) $(SSL_LIBS) -lm.
#   LIBFAULTD ($(BUILD)/libfaultd.a): the daemon (engine, zones, upstreams,
#     DNS and control sockets, config, lifecycle); needs LIBFAULTCTL and ldns.
FAULTD_MAINS := faultd/main.c faultd/faultctl.c
FAULTCTL_SRCS := faultd/ctl.c faultd/ctl_exec.c faultd/ctl_client.c faultd/ctl_tls.c faultd/rule.c \
	faultd/capacity.c
FAULTCTL_OBJS := $(FAULTCTL_SRCS:%.c=$(BUILD)/obj/%.o)
LIBFAULTCTL := $(BUILD)/libfaultctl.a
FAULTD_SRCS := $(filter-out $(FAULTD_MAINS) $(FAULTCTL_SRCS),$(wildcard faultd/*.c))
FAULTD_OBJS := $(FAULTD_SRCS:%.c=$(BUILD)/obj/%.o)
LIBFAULTD := $(BUILD)/libfaultd.a
MOD_LIBS += $(LIBFAULTD) $(LIBFAULTCTL)
BINS += $(BUILD)/faultd $(BUILD)/faultctl
MAN_PAGES += doc/faultd.1 doc/faultctl.1

$(LIBFAULTCTL): $(FAULTCTL_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(LIBFAULTD): $(FAULTD_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/faultd: $(BUILD)/obj/faultd/main.o $(LIBFAULTD) $(LIBFAULTCTL) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LDNS_LIBS) $(SSL_LIBS) -lm

$(BUILD)/faultctl: $(BUILD)/obj/faultd/faultctl.o $(LIBFAULTCTL) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS) -lm
