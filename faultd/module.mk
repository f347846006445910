# faultd/: the fault-injecting DNS server (faultd) and its control client
# (faultctl).  Everything but the two mains goes into libfaultd.a so unit
# tests link the pure logic directly.
FAULTD_MAINS := faultd/main.c faultd/faultctl.c
FAULTD_SRCS := $(filter-out $(FAULTD_MAINS),$(wildcard faultd/*.c))
FAULTD_OBJS := $(FAULTD_SRCS:%.c=$(BUILD)/obj/%.o)
LIBFAULTD := $(BUILD)/libfaultd.a
MOD_LIBS += $(LIBFAULTD)
BINS += $(BUILD)/faultd $(BUILD)/faultctl
MAN_PAGES += doc/faultd.1 doc/faultctl.1

$(LIBFAULTD): $(FAULTD_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/faultd: $(BUILD)/obj/faultd/main.o $(LIBFAULTD) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDNS_LIBS) -lm

$(BUILD)/faultctl: $(BUILD)/obj/faultd/faultctl.o $(LIBFAULTD) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDNS_LIBS) -lm
