# netns/: the topology library (namespaces, veths, bridges, addresses,
# routes, per-host files, DNS interception, process spawning, undo
# journal).  Only a library: the harness and the test driver link it.
NETNS_SRCS := $(wildcard netns/*.c)
NETNS_OBJS := $(NETNS_SRCS:%.c=$(BUILD)/obj/%.o)
LIBNETNS := $(BUILD)/libnetns.a
MOD_LIBS += $(LIBNETNS)

$(LIBNETNS): $(NETNS_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

