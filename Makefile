# ScaleUp: the pg_scaleup extension and the scaleup-advisor daemon.
#
#   make           build both
#   make install   install the extension into PostgreSQL and the advisor
#                  into $(PREFIX)/bin
#   make test      install missing packages (as root), build, install, and
#                  run every test: pg_regress, the advisor's unit tests and
#                  the TAP integration tests
#   make demo      the homepage story on a throwaway cluster

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
PREFIX ?= /usr/local
export PG_CONFIG

.PHONY: all extension advisor install install-extension install-advisor \
	deps test test-regress test-unit test-tap demo clean

all: extension advisor

extension:
	$(MAKE) -C extension PG_CONFIG=$(PG_CONFIG)

advisor:
	@if [ -f advisor/Makefile ]; then $(MAKE) -C advisor PG_CONFIG=$(PG_CONFIG); fi

install: install-extension install-advisor

install-extension: extension
	$(MAKE) -C extension PG_CONFIG=$(PG_CONFIG) install

install-advisor: advisor
	@if [ -f advisor/Makefile ]; then $(MAKE) -C advisor PG_CONFIG=$(PG_CONFIG) PREFIX=$(PREFIX) install; fi

deps:
	scripts/install-deps.sh

test: deps
	$(MAKE) all
	$(MAKE) install
	$(MAKE) test-regress
	$(MAKE) test-unit
	$(MAKE) test-tap

test-regress:
	scripts/test-regress.sh

test-unit:
	@if [ -f advisor/Makefile ]; then $(MAKE) -C advisor PG_CONFIG=$(PG_CONFIG) check; fi

test-tap:
	scripts/test-tap.sh

demo: deps
	$(MAKE) all
	$(MAKE) install
	demo/run.sh

clean:
	$(MAKE) -C extension clean
	@if [ -f advisor/Makefile ]; then $(MAKE) -C advisor clean; fi
	rm -rf tmp_check results log regression.diffs regression.out
