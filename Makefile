# Watchtower top-level entry points. See README.md.
#   make demo   install build deps, build, scan examples/
#   make check  install test deps, build (release + ASan/UBSan + fuzzers), run every test
#   make fuzz   long exploratory fuzzing with random seeds (not part of check)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_SECONDS ?= 20
FUZZ_RUNS ?= 40000
FUZZ_SEED ?= 1

.PHONY: all deps test-deps build build-asan demo check test test-asan fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh --test
	@bash scripts/install-test-tools.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWT_SANITIZE=ON -DWT_FUZZ=ON \
	  -DWT_FUZZ_SECONDS=$(FUZZ_SECONDS) -DWT_FUZZ_RUNS=$(FUZZ_RUNS) -DWT_FUZZ_SEED=$(FUZZ_SEED) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# The examples are committed (examples/generate.py made them). The OSV test
# snapshot is imported when it sits beside the repository (../shared); on a
# machine with internet, `watchtower db update` fetches the live database.
OSV_SNAPSHOT ?= $(CURDIR)/../shared/data/osv/PyPI.zip
demo: build
	@if [ -f "$(OSV_SNAPSHOT)" ]; then $(BUILD)/watchtower db update --from "$(OSV_SNAPSHOT)"; \
	 else $(BUILD)/watchtower db update || echo "(no vulnerability database: dependency checks will be skipped)"; fi
	@$(BUILD)/watchtower scan examples --fail-on none

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

check: test-deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory test-asan

# Exploratory fuzzing: every target (or FUZZERS="pickle zip"), random seeds,
# EXPLORE_SECONDS each; findings land in $(ASAN_BUILD)/fuzz-findings/.
EXPLORE_SECONDS ?= 300
fuzz: build-asan
	@bash scripts/fuzz.sh $(ASAN_BUILD) $(EXPLORE_SECONDS) $(FUZZERS)

bench: build
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
