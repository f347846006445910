# sut/: the systems under test that ship with dnsdrill -- the demo regional
# client (dd-regional-client) and the regional endpoints' HTTP stand-in
# (dd-http-responder).  Plain libc plus lib/ (and pthreads for the libc
# resolver's worker threads, and libc-ares for the client's cares mode); no
# ldns, so a SUT runs anywhere.
SUT_SHARED_OBJS := $(BUILD)/obj/sut/httpd.o
SUT_CLIENT_OBJS := $(BUILD)/obj/sut/regional_client.o $(BUILD)/obj/sut/failover.o $(BUILD)/obj/sut/fallback.o \
	$(BUILD)/obj/sut/resolve.o $(BUILD)/obj/sut/resolve_cares.o $(SUT_SHARED_OBJS)
SUT_RESPONDER_OBJS := $(BUILD)/obj/sut/http_responder.o $(SUT_SHARED_OBJS)
BINS += $(BUILD)/dd-regional-client $(BUILD)/dd-http-responder
MAN_PAGES += doc/dd-regional-client.1 doc/dd-http-responder.1

$(BUILD)/dd-regional-client: $(SUT_CLIENT_OBJS) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CARES_LIBS) -lpthread

# pkg-config asked lazily, like the Makefile's own (make deps first).
CARES_CFLAGS = $(call pc_cflags,libcares)
CARES_LIBS = $(call pc_libs,libcares)
$(BUILD)/obj/sut/resolve_cares.o: EXTRA_CFLAGS += $(CARES_CFLAGS)

$(BUILD)/dd-http-responder: $(SUT_RESPONDER_OBJS) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# The client's decision logic and its c-ares back end as an archive, for
# tests/unit/test_failover.c, test_fallback.c and test_resolve_cares.c (tests link CARES_LIBS).
LIBSUT := $(BUILD)/libsut.a
MOD_LIBS += $(LIBSUT)
$(LIBSUT): $(BUILD)/obj/sut/failover.o $(BUILD)/obj/sut/fallback.o $(BUILD)/obj/sut/resolve_cares.o
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
