# lib/: code shared by every binary (logging, errors, event loop, DNS wire
# helpers, address and duration parsing, seeded RNG).
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBCOMMON := $(BUILD)/libcommon.a

$(LIBCOMMON): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
