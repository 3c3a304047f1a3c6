# algo — plain GNU make. `make` builds, `make check` tests, `make demo` shows it.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/algo
DESTDIR ?=

CC      ?= cc
PKGS     = jansson sqlite3 libssl libcrypto libcurl libwebsockets
# Goals that build need the libraries: without them (or without pkg-config) make says
# how to get them instead of failing in the compiler.
NO_LIB_GOALS = deps test-deps check clean list-programs completions uninstall
ifneq ($(filter-out $(NO_LIB_GOALS),$(or $(MAKECMDGOALS),all)),)
MISSING := $(shell command -v pkg-config >/dev/null 2>&1 || { echo pkg-config; exit; }; \
  for p in $(PKGS); do pkg-config --exists $$p || echo $$p; done)
ifneq ($(MISSING),)
$(error missing: $(MISSING) (the build needs pkg-config and the development files of \
  $(PKGS)); run `make deps` to install them)
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lsqlite3 -lssl -lcrypto -lcurl -lwebsockets)
WARN     = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
OPT     ?= -O2 -g
# User CFLAGS add to ours, never replace them.
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -Ilib $(CFLAGS) $(SAN)
ALL_LDFLAGS = $(LDFLAGS) $(SAN)
LIBS     = $(PKG_LIBS) -lpthread -lm

BUILD   ?= build
LIB_SRC  = $(sort $(wildcard lib/*.c))
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
CMD_SRC  = $(sort $(wildcard cmd/*.c))
PROGS    = $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%)
SCRIPTS  = scripts/algo-backtest scripts/algo-sweep
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
MANS     = $(sort $(wildcard man/*.1 man/*.7))

.PHONY: all deps test-deps check asan valgrind bench soak demo install uninstall clean shims report-shot \
  completions list-programs
all: $(PROGS) $(UNITS) shims

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/libalgo.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
# Each program's --help and getopt table come from its option table (scripts/gen-help).
.PRECIOUS: $(BUILD)/gen/%-opts.h
$(BUILD)/gen/%-opts.h: completions/options/%.opts scripts/gen-help | $(BUILD)/gen
	scripts/gen-help $< > $@.tmp && mv $@.tmp $@
$(BUILD)/bin/%: cmd/%.c $(BUILD)/gen/%-opts.h $(BUILD)/libalgo.a $(wildcard lib/*.h) | $(BUILD)/bin
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -o $@ $< $(BUILD)/libalgo.a $(ALL_LDFLAGS) $(LIBS)
$(BUILD)/unit/%: tests/unit/%.c tests/unit/tap.h $(BUILD)/libalgo.a | $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libalgo.a $(ALL_LDFLAGS) $(LIBS)
$(BUILD)/lib $(BUILD)/bin $(BUILD)/unit $(BUILD)/shim $(BUILD)/gen:
	mkdir -p $@

# Tests run the programs through build/shim/, which records every event they emit so
# the last test file can validate all of them against schemas/ in one pass.
shims: $(PROGS) | $(BUILD)/shim
	@for p in $(notdir $(PROGS)) algo-backtest; do ln -sf ../../tests/shim.sh $(BUILD)/shim/$$p; done

deps:
	scripts/install-deps
test-deps:
	scripts/install-deps --test

# The README's test command: installs what is missing, builds, runs every test.
# Its last line is "N passed, N failed".
check: test-deps
	$(MAKE) all
	scripts/run-tests

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all
	ALGO_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 scripts/run-tests

valgrind: all
	VALGRIND=1 scripts/run-tests

# The long versions of the restart tests: 20 random chunkings of the demo through the
# whole pipeline, 20 kill -9 moments per stage of a 200k-bar run (the same command
# again, a run after a first one again from earlier, a run again from inside the
# killed run's input); each stage's peak memory at 4,000,000 bars.
soak: all
	ALGO_BUILD=$(BUILD) ALGO_SOAK=1 scripts/run-tests tests/81-pipeline-chunks.bats \
	  tests/82-pipeline-crash.bats
	ALGO_BUILD=$(BUILD) BENCH_LONG=1 scripts/bench-rss

# make bench: short sizes (100k bars; a few minutes in all); make bench BENCH_FULL=1:
# the sizes issue #14 measures (1M bars, peak RSS also at 4M bars).
ifeq ($(BENCH_FULL),1)
BENCH_SIZES = BENCH_LONG=1
BENCH_SWEEP = BENCH_BARS=1000000
else
BENCH_SIZES = BENCH_BARS=100000 BENCH_TICKS=100000 BENCH_EXEC_BARS=400000
BENCH_SWEEP = BENCH_BARS=50000
endif
bench: all
	@echo 'make bench: $(if $(filter 1,$(BENCH_FULL)),full sizes (1M bars; RSS also at 4M bars),short sizes (100k bars; 1M bars and RSS at 4M bars: make bench BENCH_FULL=1))'
	$(BENCH_SIZES) scripts/bench
	$(BENCH_SIZES) scripts/bench-ledger
	$(BENCH_SIZES) scripts/bench-rss
	$(BENCH_SIZES) scripts/bench-feed
	$(BENCH_SIZES) scripts/bench-exec
	$(BENCH_SIZES) scripts/bench-restart
	$(BENCH_SIZES) $(BENCH_SWEEP) scripts/bench-sweep
	$(BENCH_SIZES) scripts/bench-alert

DEMO_ARGS = -s examples/strategies/demo-intraday.json \
	--exec "--slippage-bps 1 --charges share/costs/india.json" examples/data/NSE_DEMO-EQ_1m.csv
demo: deps
	$(MAKE) all
	@echo
	@echo 'algo-backtest $(DEMO_ARGS)'
	@echo
	@PATH="$(CURDIR)/$(BUILD)/bin:$(CURDIR)/scripts:$$PATH" scripts/algo-backtest $(DEMO_ARGS)

# The HTML report of the demo backtest, rendered by headless Chromium into
# $(BUILD)/report.png (needs /usr/bin/chromium: scripts/install-deps --test).
# PNGs of the HTML report of the demo run and of a ten-year run of generated minute
# bars (scripts/gen-bars), for docs/ and the README: `make report-shot`.
SHOT_BARS = 940000
CHROMIUM_SHOT = chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,3000 \
  --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(CURDIR)/$(BUILD)/chromium-profile"
report-shot: all
	rm -f $(BUILD)/report*.db*
	PATH="$(CURDIR)/$(BUILD)/bin:$(CURDIR)/scripts:$$PATH" \
	  scripts/algo-backtest --no-progress --state $(BUILD)/report.db $(DEMO_ARGS) > /dev/null
	$(BUILD)/bin/algo-ledger report --state $(BUILD)/report.db --format html --out $(BUILD)/report.html
	[ -s $(BUILD)/bars-$(SHOT_BARS).csv ] || scripts/gen-bars $(SHOT_BARS) > $(BUILD)/bars-$(SHOT_BARS).csv
	PATH="$(CURDIR)/$(BUILD)/bin:$(CURDIR)/scripts:$$PATH" \
	  scripts/algo-backtest --no-progress --state $(BUILD)/report-10y.db -s examples/strategies/ema-cross.json \
	  --feed "--symbol NSE:GEN-EQ" $(BUILD)/bars-$(SHOT_BARS).csv > /dev/null
	$(BUILD)/bin/algo-ledger report --state $(BUILD)/report-10y.db --format html --out $(BUILD)/report-10y.html
	$(CHROMIUM_SHOT) --screenshot="$(CURDIR)/docs/report.png" "file://$(CURDIR)/$(BUILD)/report.html"
	$(CHROMIUM_SHOT) --screenshot="$(CURDIR)/docs/report-10y.png" "file://$(CURDIR)/$(BUILD)/report-10y.html"
	@ls -l $(BUILD)/report.html $(BUILD)/report-10y.html docs/report.png docs/report-10y.png
	@size=$$(stat -c %s $(BUILD)/report-10y.html); [ "$$size" -lt 512000 ] || \
	  { echo "report-shot: the ten-year report is $$size bytes, over 500 KB" >&2; exit 1; }

# The shell completions are generated from the option tables (completions/options/).
completions:
	scripts/gen-completions
# The programs `make install` installs, one line (tests/89-options.bats reads it).
list-programs:
	@echo $(notdir $(PROGS) $(SCRIPTS))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(DATADIR)/schemas $(DESTDIR)$(DATADIR)/costs $(DESTDIR)$(DATADIR)/calendar
	install -m 755 $(PROGS) $(SCRIPTS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -m 644 schemas/*.json $(DESTDIR)$(DATADIR)/schemas/
	install -m 644 share/costs/*.json $(DESTDIR)$(DATADIR)/costs/
	install -m 644 share/calendar/*.txt $(DESTDIR)$(DATADIR)/calendar/
	install -D -m 644 completions/algo.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/algo
	install -D -m 644 completions/_algo $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_algo
	install -D -m 644 completions/algo.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/algo.fish

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS) $(SCRIPTS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(filter %.1,$(MANS))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(filter %.7,$(MANS))))
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/algo \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_algo \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/algo.fish

clean:
	rm -rf build build-asan
