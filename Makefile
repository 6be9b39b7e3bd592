# ngx_http_mta_sts_module
#
#   make          build the module against Debian's nginx (nginx-dev)
#   make run      serve an example policy on https://127.0.0.1:8443
#   make test     build, then run the unit tests and the Test::Nginx suite
#   make bench    the module against a static file and return 200
#   make scale    10,000 domains: server blocks, a map, return locations
#   make soak     reloads under full load, against return 200
#   make fuzz     the policy rules under libFuzzer, FUZZ_SECONDS=N
#   make test-asan, test-valgrind, test-reload
#                 the suite with the module under ASan and UBSan, under
#                 valgrind, and with one nginx reloaded between blocks
#                 (make test runs test-reload too)
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

MODULE     = $(CURDIR)/$(BUILD)/nginx/objs/ngx_http_mta_sts_module.so
OBJS       = $(BUILD)/nginx/objs
CFLAGS_UNIT = -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
              -I $(OBJS) -I $(BUILD)/nginx/src/core \
              -I $(BUILD)/nginx/src/event -I $(BUILD)/nginx/src/os/unix \
              -I src

PROVE      = prove
T          = t/*.t
FUZZ_SECONDS ?= 10

.PHONY: all deps test-deps module run test unit test-nginx test-examples \
        test-interop test-fuzz fuzz soak bench scale test-asan \
        test-valgrind test-reload clean

all: module

deps:
	@sh util/deps.sh

test-deps:
	@sh util/deps.sh test

module: deps
	@sh util/build.sh $(NGINX_SRC) $(BUILD)

$(BUILD)/unit: t/unit/policy.c src/ngx_http_mta_sts_policy.c \
               src/ngx_http_mta_sts_policy.h
	$(CC) $(CFLAGS_UNIT) -o $@ t/unit/policy.c src/ngx_http_mta_sts_policy.c

unit: module $(BUILD)/unit
	$(BUILD)/unit

run: module
	@sh util/run.sh $(NGINX) $(MODULE) $(BUILD)/run

test: test-deps module unit test-fuzz test-examples test-interop test-reload \
      test-nginx

test-examples: module
	@sh util/check-examples.sh $(NGINX) $(MODULE) $(BUILD)/examples

fuzz: module
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash t/fuzz/run.sh

test-fuzz: module
	@BUILD=$(BUILD) FUZZ_SECONDS=5 FUZZ_REQUIRED=1 bash t/fuzz/run.sh

bench: module
	@sh util/deps.sh bench
	@bash bench/run.sh $(NGINX) $(MODULE) $(BUILD)/bench/results.txt

scale: module
	@sh util/deps.sh bench
	@bash bench/scale.sh $(NGINX) $(MODULE) $(BUILD)/scale

soak: module
	@sh util/deps.sh bench
	@bash bench/soak.sh $(NGINX) $(MODULE) $(BUILD)/soak

test-interop: test-deps module
	@bash t/interop/mta-sts-query.sh $(NGINX) $(MODULE)

test-nginx: test-deps module
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

# the suite in other modes (util/test-mode.sh): ASan+UBSan build and
# valgrind, minutes each, are not part of "make test"; reload between
# blocks, about a minute, is
test-asan: test-deps
	@bash util/test-mode.sh asan $(NGINX_SRC) $(NGINX) $(BUILD) $(T)

test-valgrind: test-deps
	@bash util/test-mode.sh valgrind $(NGINX_SRC) $(NGINX) $(BUILD) $(T)

test-reload: test-deps module
	@bash util/test-mode.sh reload $(NGINX_SRC) $(NGINX) $(BUILD) $(T)

clean:
	rm -rf $(BUILD) t/servroot
