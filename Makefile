# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -- GNU make.
#
#   make		build obj/acmed and its child programs in obj/libexec
#   make deps		install the Debian packages the build and tests need
#   make check		deps, build with -Werror, unit tests under ASan and
#			UBSan, integration tests against Pebble on loopback
#   make demo		issue a certificate from a local test CA (Pebble)
#   make fuzz		run the fuzzers for longer
#   make install	DESTDIR, PREFIX
#   make deb		a Debian package in obj/deb (debhelper; etc/debian)
#   make uninstall	removes what install put there (not the
#			configuration, the state, keys or certificates)

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/acmed
MANDIR	?= $(PREFIX)/share/man
EXAMPLEDIR ?= $(PREFIX)/share/examples/acmed
SYSCONFDIR ?= /etc
STATEDIR ?= /var/lib/acmed
UNITDIR	?= /etc/systemd/system
INITDIR	?= /etc/init.d
O	?= obj
VERSION	 = 0.1.0

CC	?= cc
YACC	 = byacc
PKGS	 = libtls libcurl yajl libbsd-overlay libssl libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Each process links only what it uses: the network libraries are in
# netproc alone, challenged has libc, libbsd and OpenSSL (tls-alpn-01).
LIBS_acmed	:= $(shell pkg-config --libs libcrypto yajl libbsd-overlay 2>/dev/null)
LIBS_netproc	:= $(PKG_LIBS) -lresolv
LIBS_keyproc	:= $(LIBS_acmed)
LIBS_challenged	:= $(shell pkg-config --libs libssl libcrypto libbsd-overlay 2>/dev/null)
CHILDREN = netproc keyproc challenged
PROGS	 = $(O)/acmed $(CHILDREN:%=$(O)/libexec/%)

WARN	 = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	   -Wpointer-arith -Wsign-compare
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
OPT	?= -O2 -g
ifeq ($(SAN),1)
OPT	 = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
endif
HARDEN	 = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CPPFLAGS += -D_GNU_SOURCE -DACMED_VERSION=\"$(VERSION)\" -I. -Icommon \
	   -I$(O)/o/acmed
ALL_CFLAGS = $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(OPT) -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)
LIBS	 = $(PKG_LIBS)

MAINS	 = acmed/main.c acmed/helpers.c common/child_main.c
SRCS	:= $(filter-out $(MAINS),$(wildcard common/*.c acmed/*.c \
	   keyproc/*.c challenged/*.c))
OBJS	:= $(SRCS:%.c=$(O)/o/%.o) $(O)/o/acmed/parse.o
MAINOBJ	:= $(O)/o/acmed/main.o
LIB	:= $(O)/libacmed.a
# netproc's code is its own archive, linked only into the netproc program
# with common/'s: a call between netproc and another process fails to link.
NETPROC_SRCS := $(wildcard acmed/netproc/*.c)
NETPROC_OBJS := $(NETPROC_SRCS:%.c=$(O)/o/%.o)
NETLIB	:= $(O)/libnetproc.a
COMMON_OBJS := $(filter $(O)/o/common/%,$(OBJS))
COMMONLIB := $(O)/libcommon.a

UNIT_SRCS := $(wildcard regress/unit/t_*.c)
UNITS	:= $(UNIT_SRCS:regress/unit/%.c=$(O)/regress/%)
HELPER_SRCS := $(wildcard regress/helpers/*.c)
HELPERS	:= $(HELPER_SRCS:regress/helpers/%.c=$(O)/regress/%)
FUZZ_SRCS := $(wildcard regress/fuzz/fuzz_*.c)

.PHONY: all tests deps check demo fuzz install uninstall clean lint deb FORCE

all: $(PROGS)

# The parent looks for its children in one directory, compiled in: the
# build tree's for $(O)/acmed, LIBEXECDIR's for the installed copy.
$(O)/acmed: $(MAINOBJ) $(O)/o/helpers-build.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAINOBJ) $(O)/o/helpers-build.o $(LIB) \
	    $(LIBS_acmed)
$(O)/install/acmed: $(MAINOBJ) $(O)/o/helpers-install.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAINOBJ) $(O)/o/helpers-install.o $(LIB) \
	    $(LIBS_acmed)
$(O)/o/helpers-build.o: acmed/helpers.c
	$(CC) $(ALL_CFLAGS) -DACMED_HELPER_DIR=\"$(abspath $(O))/libexec\" \
	    -c -o $@ acmed/helpers.c
$(O)/o/helpers-install.o: acmed/helpers.c $(O)/o/libexecdir
	$(CC) $(ALL_CFLAGS) -DACMED_HELPER_DIR=\"$(LIBEXECDIR)\" \
	    -c -o $@ acmed/helpers.c
$(O)/o/libexecdir: FORCE
	@mkdir -p $(@D)
	@echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' >$@

# acmed refuses child programs that group or others could write, whatever
# the umask of the build.
$(O)/libexec/%: $(O)/o/child-%.o $(LIB)
	@mkdir -p $(@D) && chmod 0755 $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS_$*)
	@chmod 0755 $@
$(O)/o/child-%.o: common/child_main.c common/proc.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DCHILD_ID=PROC_$(shell echo $* | tr a-z A-Z) \
	    -DCHILD_MAIN=$*_main -c -o $@ common/child_main.c
.PRECIOUS: $(O)/o/child-%.o
$(O)/libexec/netproc: $(O)/o/child-netproc.o $(NETLIB) $(COMMONLIB)
	@mkdir -p $(@D) && chmod 0755 $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(NETLIB) $(COMMONLIB) $(LIBS_netproc)
	@chmod 0755 $@

$(LIB): $(OBJS)
	rm -f $@
	ar rcs $@ $(OBJS)
$(NETLIB): $(NETPROC_OBJS)
	rm -f $@
	ar rcs $@ $(NETPROC_OBJS)
$(COMMONLIB): $(COMMON_OBJS)
	rm -f $@
	ar rcs $@ $(COMMON_OBJS)

$(O)/o/acmed/parse.c $(O)/o/acmed/parse.h: acmed/parse.y
	@mkdir -p $(@D)
	$(YACC) -d -o $(O)/o/acmed/parse.c acmed/parse.y

$(O)/o/acmed/parse.o: $(O)/o/acmed/parse.c
	$(CC) $(ALL_CFLAGS) -Iacmed -Wno-unused-but-set-variable -MMD -MP -c -o $@ $<

$(O)/o/%.o: %.c | $(O)/o/acmed/parse.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/regress/%: regress/unit/%.c $(NETLIB) $(LIB) regress/unit/test.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iregress/unit $(ALL_LDFLAGS) -o $@ $< $(NETLIB) \
	    $(LIB) $(LIBS)

$(O)/regress/%: regress/helpers/%.c $(NETLIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(NETLIB) $(LIB) $(LIBS)

tests: $(PROGS) $(UNITS) $(HELPERS)

# Fuzzers need clang's libFuzzer; built from the sources, not the archive,
# so every object carries the coverage instrumentation.
FUZZ_O	 = obj-fuzz
FUZZ_CFLAGS = -O1 -g -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) \
	   -D_GNU_SOURCE -DACMED_VERSION=\"$(VERSION)\" -I. -Icommon -Iacmed \
	   -I$(FUZZ_O)/acmed
fuzzers: $(FUZZ_SRCS:regress/fuzz/%.c=$(FUZZ_O)/%)
$(FUZZ_O)/%: regress/fuzz/%.c $(SRCS) $(NETPROC_SRCS) $(FUZZ_O)/acmed/parse.c \
	    $(wildcard common/*.h acmed/*.h acmed/netproc/*.h keyproc/*.h \
	    challenged/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -DACMED_HELPER_DIR=\"/nonexistent\" -o $@ $< \
	    $(SRCS) $(NETPROC_SRCS) acmed/helpers.c $(FUZZ_O)/acmed/parse.c \
	    $(LIBS_netproc)
$(FUZZ_O)/acmed/parse.c: acmed/parse.y
	@mkdir -p $(@D)
	$(YACC) -d -o $@ acmed/parse.y

FUZZ_SECONDS ?= 600
fuzz: fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) regress/fuzz/run.sh $(FUZZ_O)

deps:
	regress/deps.sh

check: deps
	$(MAKE) WERROR=1 all tests
	$(MAKE) O=obj-san SAN=1 WERROR=1 tests
	$(MAKE) fuzzers
	regress/run.sh

demo: deps
	$(MAKE) all
	regress/demo.sh

lint:
	mandoc -Tlint -Wwarning acmed/acmed.8 acmed/acmed.conf.5

install: all $(O)/install/acmed
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(EXAMPLEDIR)
	install -m 0755 $(O)/install/acmed $(DESTDIR)$(SBINDIR)/acmed
	for p in $(CHILDREN); do \
	    install -m 0755 $(O)/libexec/$$p $(DESTDIR)$(LIBEXECDIR)/$$p || \
	    exit 1; done
	install -m 0755 etc/dns-nsupdate $(DESTDIR)$(LIBEXECDIR)/dns-nsupdate
	install -m 0644 acmed/acmed.8 $(DESTDIR)$(MANDIR)/man8/acmed.8
	install -m 0644 acmed/acmed.conf.5 $(DESTDIR)$(MANDIR)/man5/acmed.conf.5
	install -m 0644 etc/acmed.conf $(DESTDIR)$(EXAMPLEDIR)/acmed.conf
	sed 's|/usr/local/sbin|$(SBINDIR)|g' etc/acmed.service \
	    >$(DESTDIR)$(EXAMPLEDIR)/acmed.service
	sed 's|/usr/local/sbin|$(SBINDIR)|g' etc/acmed.rc \
	    >$(DESTDIR)$(EXAMPLEDIR)/acmed.rc
	chmod 0644 $(DESTDIR)$(EXAMPLEDIR)/acmed.service
	chmod 0755 $(DESTDIR)$(EXAMPLEDIR)/acmed.rc
	@# The directories of the example configuration, 0700: keys are
	@# made there; the state directory 0711, so that a monitoring user
	@# reads status.json.  One that exists keeps its mode and owner.
	@for d in $(SYSCONFDIR)/acmed $(SYSCONFDIR)/ssl/private; do \
	    [ -d $(DESTDIR)$$d ] || install -d -m 0700 $(DESTDIR)$$d || \
	    exit 1; done
	@[ -d $(DESTDIR)$(STATEDIR) ] || install -d -m 0711 $(DESTDIR)$(STATEDIR)
	@[ -d $(DESTDIR)$(SYSCONFDIR)/ssl ] || \
	    install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/ssl
	@if [ -z "$(DESTDIR)" ]; then etc/mkusers.sh; else \
	    echo "create the users _acmed, _acmed-key, _acmed-www, _acmed-dns: etc/mkusers.sh"; fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	    install -m 0644 $(EXAMPLEDIR)/acmed.service $(UNITDIR)/acmed.service && \
	    echo "installed $(UNITDIR)/acmed.service: systemctl daemon-reload; systemctl enable --now acmed"; \
	elif [ -z "$(DESTDIR)" ] && [ -d $(INITDIR) ]; then \
	    install -m 0755 $(EXAMPLEDIR)/acmed.rc $(INITDIR)/acmed && \
	    echo "installed $(INITDIR)/acmed: update-rc.d acmed defaults; $(INITDIR)/acmed start"; \
	else \
	    echo "boot integration: $(EXAMPLEDIR)/acmed.service (systemd) or $(EXAMPLEDIR)/acmed.rc (rc script)"; fi
	@[ -e $(DESTDIR)$(SYSCONFDIR)/acmed.conf ] || \
	    echo "configuration: copy $(EXAMPLEDIR)/acmed.conf to $(SYSCONFDIR)/acmed.conf, then acmed -n"

# What install put there; the configuration, the state directory, keys
# and certificates stay, and so do the users.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/acmed
	for p in $(CHILDREN); do rm -f $(DESTDIR)$(LIBEXECDIR)/$$p; done
	rm -f $(DESTDIR)$(LIBEXECDIR)/dns-nsupdate
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	rm -f $(DESTDIR)$(MANDIR)/man8/acmed.8 $(DESTDIR)$(MANDIR)/man5/acmed.conf.5
	rm -f $(DESTDIR)$(EXAMPLEDIR)/acmed.conf \
	    $(DESTDIR)$(EXAMPLEDIR)/acmed.service $(DESTDIR)$(EXAMPLEDIR)/acmed.rc
	-rmdir $(DESTDIR)$(EXAMPLEDIR)
	@if [ -z "$(DESTDIR)" ]; then \
	    for f in $(UNITDIR)/acmed.service $(INITDIR)/acmed; do \
	    [ ! -e $$f ] || { rm -f $$f && echo "removed $$f"; }; done; fi
	@echo "left in place: $(SYSCONFDIR)/acmed.conf, $(SYSCONFDIR)/acmed/," \
	    "$(STATEDIR), the keys and certificates, and the users" \
	    "_acmed, _acmed-key, _acmed-www"

# The package is built from a copy of the sources with etc/debian as its
# debian/ directory, so the checkout stays as it is; the changelog's
# version is VERSION.  The copy's build takes none of this make's
# variables (O, SAN, WERROR) nor the environment's.  lintian, where installed, must find no
# error or warning.
DEB_DIR	 = $(O)/deb
DEB_SRC	 = $(DEB_DIR)/acmed-$(VERSION)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	cp -R acmed challenged common keyproc etc Makefile README $(DEB_SRC)/
	cp -R etc/debian $(DEB_SRC)/debian
	sed -i '1s/^acmed ([^)]*)/acmed ($(VERSION))/' $(DEB_SRC)/debian/changelog
	cd $(DEB_SRC) && env -i PATH="$$PATH" HOME="$$HOME" \
	    DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
	    dpkg-buildpackage -b -us -uc
	@if command -v lintian >/dev/null; then \
	    echo "lintian $(DEB_DIR)/acmed_$(VERSION)_$(DEB_ARCH).changes"; \
	    lintian -I --fail-on error,warning \
	    $(DEB_DIR)/acmed_$(VERSION)_$(DEB_ARCH).changes; fi
	@echo "built $(DEB_DIR)/acmed_$(VERSION)_$(DEB_ARCH).deb"

clean:
	rm -rf obj obj-san obj-fuzz

-include $(OBJS:.o=.d) $(NETPROC_OBJS:.o=.d) $(MAINOBJ:.o=.d)
