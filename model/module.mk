# model/: the spine of a run, pure -- the event log (elog), scoring, and the
# result model with its JSON form (through jansson).  No sockets, clocks or
# processes: the harness feeds it, reports/ reads it.
MODEL_SRCS := $(wildcard model/*.c)
MODEL_OBJS := $(MODEL_SRCS:%.c=$(BUILD)/obj/%.o)
LIBMODEL := $(BUILD)/libmodel.a
MOD_LIBS += $(LIBMODEL)

$(LIBMODEL): $(MODEL_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
