# ngx_http_mta_sts_module
#
#   make          build the module against Debian's nginx (nginx-dev)
#   make run      serve an example policy on https://127.0.0.1:8443
#   make test     build, then run the unit tests and the Test::Nginx suite
#   make bench    the module against a static file and return 200, and
#                 the TLS report receiver against DAV PUT
#   make scale    10,000 domains: server blocks, a map, return locations
#   make check-scale
#                 nginx -t on 10,000 domains with a certificate each,
#                 with and without the load-time checks
#   make soak     reloads under full load, against return 200
#   make fuzz     the policy rules and the TLS report logic under
#                 libFuzzer, FUZZ_SECONDS=N each
#   make deb      the Debian package libnginx-mod-http-mta-sts in build/
#   make test-asan, test-valgrind, test-reload
#                 the suite with the module under ASan and UBSan, under
#                 valgrind, and with one nginx reloaded between blocks
#                 (make test runs test-reload too)
#   make test-leak-check
#                 test-asan and test-valgrind must fail on a leak planted
#                 in a copy of the module
#   make test-static  the suite against nginx built with the module inside,
#                 NGINX_SRC=/path/to/nginx-1.x.y (a full source tree)
#   make test-fresh   what CI does: make run and make test, the static
#                 build and the package, in a Debian 12 and a Debian 13
#                 root made for the run (as root); RELEASE=trixie (or
#                 bookworm, testing) for one release
#
# NGINX_SRC=/path/to/nginx-1.x builds against any nginx source tree instead
# (configured --with-compat; the tree's own nginx binary is then tested).

NGINX_SRC ?= /usr/share/nginx/src
BUILD     ?= build

# The nginx to test: Debian's, when NGINX_SRC is its nginx-dev tree (it
# has conf_flags), else the tree's own binary that util/build.sh builds.
# Decided when a recipe runs, not when this file is read: on a fresh
# machine nginx-dev is installed by "make deps", after the file was read.
NGINX     ?= $(shell if [ -f $(NGINX_SRC)/conf_flags ]; \
                     then echo /usr/sbin/nginx; \
                     else echo $(CURDIR)/$(BUILD)/nginx/objs/nginx; fi)

# make exports a variable given on its command line to every recipe, and an
# nginx that finds NGINX in its environment takes it for listening sockets
# inherited from an old binary, and neither daemonizes nor opens its own
unexport NGINX

MODULE     = $(CURDIR)/$(BUILD)/nginx/objs/ngx_http_mta_sts_module.so
# nginx's include folders as its configure chose them (HTTP/3 adds some),
# read from the configured tree when a recipe runs, after "make module"
CFLAGS_UNIT = -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
              $(shell sh util/nginx-incs.sh $(BUILD)/nginx) -I src

PROVE      = prove
T          = t/*.t
FUZZ_SECONDS ?= 10

.PHONY: all deps test-deps module run test unit test-nginx test-examples \
        test-readme \
        test-interop test-fuzz fuzz soak bench scale check-scale test-asan \
        test-valgrind test-leak-check test-reload test-static test-fresh \
        bench-status \
        suite deb clean

all: module

deps:
	@sh util/deps.sh

test-deps:
	@sh util/deps.sh test

module: deps
	@bash util/build.sh $(NGINX_SRC) $(BUILD)

$(BUILD)/unit: t/unit/policy.c src/ngx_http_mta_sts_policy.c \
               src/ngx_http_mta_sts_policy.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/policy.c src/ngx_http_mta_sts_policy.c

$(BUILD)/unit-cert: t/unit/cert.c src/ngx_http_mta_sts_cert.c \
                    src/ngx_http_mta_sts_cert.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/cert.c src/ngx_http_mta_sts_cert.c \
	    -lcrypto

$(BUILD)/unit-json: t/unit/json.c src/ngx_http_mta_sts_json.c \
                    src/ngx_http_mta_sts_json.h t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/json.c src/ngx_http_mta_sts_json.c

$(BUILD)/unit-tlsrpt: t/unit/tlsrpt.c src/ngx_http_mta_sts_tlsrpt.c \
                      src/ngx_http_mta_sts_tlsrpt.h \
                      src/ngx_http_mta_sts_json.c \
                      src/ngx_http_mta_sts_json.h t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/tlsrpt.c \
	    src/ngx_http_mta_sts_tlsrpt.c src/ngx_http_mta_sts_json.c \
	    -lz -lcrypto

$(BUILD)/unit-repeat: t/unit/repeat.c src/ngx_http_mta_sts_repeat.c \
                      src/ngx_http_mta_sts_repeat.h t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/repeat.c src/ngx_http_mta_sts_repeat.c

$(BUILD)/unit-dns: t/unit/dns.c src/ngx_http_mta_sts_dns.c \
                   src/ngx_http_mta_sts_dns.h src/ngx_http_mta_sts_policy.c \
                   src/ngx_http_mta_sts_policy.h t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/dns.c src/ngx_http_mta_sts_dns.c \
	    src/ngx_http_mta_sts_policy.c

# the status renderings use the RFC 8460 type names of tlsrpt.c
$(BUILD)/unit-status: t/unit/status.c src/ngx_http_mta_sts_status.c \
                      src/ngx_http_mta_sts_status.h \
                      src/ngx_http_mta_sts_tlsrpt.c \
                      src/ngx_http_mta_sts_tlsrpt.h \
                      src/ngx_http_mta_sts_json.c \
                      src/ngx_http_mta_sts_json.h t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/status.c \
	    src/ngx_http_mta_sts_status.c src/ngx_http_mta_sts_tlsrpt.c \
	    src/ngx_http_mta_sts_json.c -lz -lcrypto

$(BUILD)/unit-cache: t/unit/cache.c src/ngx_http_mta_sts_cache.c \
                     src/ngx_http_mta_sts_cache.h t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/cache.c src/ngx_http_mta_sts_cache.c

# the TSIG vectors are BIND's (t/unit/update-vectors.sh)
$(BUILD)/unit-update: t/unit/update.c src/ngx_http_mta_sts_update.c \
                      src/ngx_http_mta_sts_update.h \
                      src/ngx_http_mta_sts_dns.c src/ngx_http_mta_sts_dns.h \
                      src/ngx_http_mta_sts_policy.c t/unit/tap.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/update.c \
	    src/ngx_http_mta_sts_update.c src/ngx_http_mta_sts_dns.c \
	    src/ngx_http_mta_sts_policy.c -lcrypto

unit: module $(BUILD)/unit $(BUILD)/unit-cert $(BUILD)/unit-json \
      $(BUILD)/unit-tlsrpt \
      $(BUILD)/unit-repeat $(BUILD)/unit-dns $(BUILD)/unit-status \
      $(BUILD)/unit-cache $(BUILD)/unit-update
	$(BUILD)/unit
	$(BUILD)/unit-cert
	$(BUILD)/unit-json
	$(BUILD)/unit-tlsrpt
	$(BUILD)/unit-repeat
	$(BUILD)/unit-dns
	$(BUILD)/unit-status
	$(BUILD)/unit-cache
	$(BUILD)/unit-update

run: module
	@sh util/run.sh $(NGINX) $(MODULE) $(BUILD)/run

test: test-deps module unit test-fuzz test-examples test-readme \
      test-interop test-reload test-nginx

test-examples: module
	@sh util/check-examples.sh $(NGINX) $(MODULE) $(BUILD)/examples

# the README's nginx blocks under nginx -t where it puts them, its
# package lists against util/deps.sh (its make run commands: check-run.sh)
test-readme: module
	@perl util/check-readme.pl $(NGINX) $(MODULE) $(BUILD)/readme

fuzz: module
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash t/fuzz/run.sh
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash t/fuzz/cert.sh

test-fuzz: module
	@BUILD=$(BUILD) FUZZ_SECONDS=5 FUZZ_REQUIRED=1 bash t/fuzz/run.sh
	@BUILD=$(BUILD) FUZZ_SECONDS=5 FUZZ_REQUIRED=1 bash t/fuzz/cert.sh

bench: module
	@sh util/deps.sh bench
	@bash bench/run.sh $(NGINX) $(MODULE) $(BUILD)/bench/results.txt
	@bash bench/tlsrpt.sh $(NGINX) $(MODULE) $(BUILD)/bench-tlsrpt/results.txt
	@bash bench/tlsrpt-worst.sh $(NGINX) $(MODULE) \
	    $(BUILD)/bench-tlsrpt-worst/results.txt

# a scrape of the status endpoint with 10,000 policy domains: sizes, times
bench-status: module
	@sh util/netns.sh bash bench/status.sh $(NGINX) $(MODULE) \
	    $(BUILD)/bench-status

scale: module
	@sh util/deps.sh bench
	@bash bench/scale.sh $(NGINX) $(MODULE) $(BUILD)/scale

check-scale: module
	@bash bench/check-scale.sh $(NGINX) $(MODULE) $(BUILD)/check-scale

soak: module
	@sh util/deps.sh bench
	@bash bench/soak.sh $(NGINX) $(MODULE) $(BUILD)/soak

test-interop: test-deps module
	@bash t/interop/mta-sts-query.sh $(NGINX) $(MODULE)
	@bash t/interop/tlsrpt-curl.sh $(NGINX) $(MODULE)

test-nginx: test-deps module suite

# the suite alone, against NGINX and MODULE as they are
suite:
	@if perl -MTest::Nginx::Socket -e1 2>/dev/null; then \
	    echo "make test: Test::Nginx: the installed one"; \
	    lib=""; self=""; \
	else \
	    echo "make test: Test::Nginx: t/compat, this repository's runner"; \
	    lib="$(CURDIR)/t/compat"; self="t/compat/selftest"; \
	fi; \
	PERL5LIB="$$lib$${PERL5LIB:+:$$PERL5LIB}" \
	MTA_STS_NGINX=$(NGINX) \
	TEST_NGINX_BINARY=$(CURDIR)/util/nginx-e.sh \
	TEST_NGINX_LOAD_MODULES=$(MODULE) \
	sh util/netns.sh $(PROVE) $$self $(T)

# the module built into nginx (--add-module) from a full source tree, and
# the suite against that nginx: make NGINX_SRC=/path/to/nginx-1.x.y test-static
test-static: test-deps
	@bash util/build.sh $(NGINX_SRC) $(BUILD) static
	@$(MAKE) --no-print-directory suite MODULE= \
	    NGINX=$(CURDIR)/$(BUILD)/static/nginx/objs/nginx

# what CI does (.ci/run), as root: make run and make test in a Debian
# root made for the run, the static build from Debian's nginx source and
# the Debian package; Debian 12 and 13, or RELEASE alone
test-fresh:
	@bash .ci/run $(RELEASE)

# the suite in other modes (util/test-mode.sh): ASan+UBSan build and
# valgrind, minutes each, are not part of "make test"; reload between
# blocks, about a minute, is
test-asan: test-deps
	@bash util/test-mode.sh asan $(NGINX_SRC) $(NGINX) $(BUILD) $(T)

test-valgrind: test-deps
	@bash util/test-mode.sh valgrind $(NGINX_SRC) $(NGINX) $(BUILD) $(T)

# both modes on a copy of the module with a leak planted: they must fail
test-leak-check: test-deps
	@bash util/check-leak-detection.sh $(NGINX_SRC) $(NGINX) $(BUILD)

test-reload: test-deps module
	@bash util/test-mode.sh reload $(NGINX_SRC) $(NGINX) $(BUILD) $(T)

deb:
	@sh util/deb.sh $(BUILD)

clean:
	rm -rf $(BUILD) t/servroot
