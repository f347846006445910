# reports/: the writers (junit.xml, report.html with its timeline, the text
# summary, the run matrix) and a run's files on disk (atomic writes,
# reading result.json back).  Depends on model/ and lib/ only.  All of it
# goes into libreports.a.
ifeq ($(filter -I.,$(CPPFLAGS)),)
CPPFLAGS += -I.
endif
REPORTS_SRCS := $(wildcard reports/*.c)
REPORTS_OBJS := $(REPORTS_SRCS:%.c=$(BUILD)/obj/%.o)
LIBREPORTS := $(BUILD)/libreports.a
MOD_LIBS += $(LIBREPORTS)

$(LIBREPORTS): $(REPORTS_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
