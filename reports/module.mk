# reports/: the result model and its writers (result.json and its reader,
# junit.xml, the text summary).  Pure: they read a result and write to a
# FILE *.  All of it goes into libreports.a.
ifeq ($(filter -I.,$(CPPFLAGS)),)
CPPFLAGS += -I.
endif
REPORTS_SRCS := $(wildcard reports/*.c)
REPORTS_OBJS := $(REPORTS_SRCS:%.c=$(BUILD)/obj/%.o)
LIBREPORTS := $(BUILD)/libreports.a
MOD_LIBS += $(LIBREPORTS)

$(LIBREPORTS): $(REPORTS_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^
